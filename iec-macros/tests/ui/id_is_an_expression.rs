use iec_runtime::requirement;

mod ids {
    pub const BOLUS: &str = "SRS-1";
}

#[requirement(concat!("SRS-", "1"))]
fn bolus() {}

#[requirement(ids::BOLUS)]
fn rate() {}

#[requirement("SRS-" + "1")]
fn alarm() {}

fn main() {
    bolus();
    rate();
    alarm();
}
