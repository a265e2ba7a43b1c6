use iec_runtime::requirement;

#[requirement(partial, "SRS-1")]
fn bolus() {}

fn main() {
    bolus();
}
