use iec_runtime::requirement;

const SRS_1: &str = "SRS-1";

#[requirement(SRS_1)]
fn bolus() {}

fn main() {
    let _ = SRS_1;
    bolus();
}
