use iec_runtime::requirement;

#[requirement(id = "SRS-1")]
fn bolus() {}

#[requirement("SRS-2", reason = "covers the upper limit only")]
fn rate() {}

fn main() {
    bolus();
    rate();
}
