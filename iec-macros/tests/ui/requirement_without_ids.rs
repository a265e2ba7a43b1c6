use iec_runtime::requirement;

#[requirement]
fn bolus() {}

#[requirement()]
fn rate() {}

#[requirement(partial)]
fn alarm() {}

fn main() {
    bolus();
    rate();
    alarm();
}
