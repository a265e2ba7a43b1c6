use iec_runtime::requirement;

#[requirement("SRS-1", "SRS-2", "SRS-1")]
fn bolus() {}

fn main() {
    bolus();
}
