use iec_runtime::requirement;

#[requirement("SRS 1")]
fn bolus() {}

#[requirement("")]
fn rate() {}

#[requirement("SRS-1, SRS-2")]
fn alarm() {}

fn main() {
    bolus();
    rate();
    alarm();
}
