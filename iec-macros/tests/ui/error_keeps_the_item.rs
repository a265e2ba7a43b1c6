// On an error the annotated items are still emitted unchanged: the only errors are the
// unknown IDs, no "cannot find function" or "cannot find type" that follows from them.
use iec_runtime::{requirement, software_unit};

#[requirement("SRS-9")]
fn bolus_ul(dose_ug: u32) -> u32 {
    dose_ug / 2
}

#[requirement("SRS-9")]
struct Rate(u32);

#[software_unit(item = "SI-NOPE")]
mod alarm {
    pub fn raise() {}
}

#[requirement("SRS-9")]
const MAX_RATE: u32 = 1200;

fn main() {
    let _ = bolus_ul(Rate(MAX_RATE).0);
    alarm::raise();
}
