use iec_runtime::requirement;

#[requirement("SRS-1", partail)]
fn bolus() {}

#[requirement("SRS-2", complete)]
fn rate() {}

#[requirement("SRS-3", partial, partial)]
fn alarm() {}

fn main() {
    bolus();
    rate();
    alarm();
}
