use iec_runtime::requirement;

#[requirement("SRS-OCLUSION-ALARM")]
fn escalate_alarm() {}

#[requirement("SRS-4")]
fn limit_rate() {}

fn main() {
    escalate_alarm();
    limit_rate();
}
