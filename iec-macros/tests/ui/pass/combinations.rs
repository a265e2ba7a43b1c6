// Several IDs, `partial`, several attributes on one item, doc comments and other
// attributes around ours.
use iec_runtime::{requirement, software_unit};

#[requirement("SRS-1", "SRS-2")]
fn bolus_and_rate() {}

#[requirement("SRS-1", "SRS-2", partial)]
fn part_of_both() {}

#[requirement("SRS-3",)]
fn trailing_comma() {}

#[requirement("SRS-1")]
#[requirement("SRS-2", partial)]
#[software_unit(id = "SU-LIMIT", item = "SI-PUMP", class = "B")]
fn limit() {}

/// Design text of the unit: doc comments stay on the item.
#[software_unit(id = "SU-ALARM")]
#[requirement("SRS-OCCLUSION-ALARM")]
#[derive(Debug, Clone, Copy, PartialEq)]
struct Alarm {
    level: u8,
}

#[derive(Debug)]
#[requirement("SRS-3")]
#[allow(dead_code)]
enum Level {
    Low,
    High,
}

#[cfg(any())]
#[requirement("SRS-1")]
fn compiled_out() {}

#[requirement("SRS-1")]
#[cfg(all())]
#[inline]
#[must_use]
fn compiled_in() -> u32 {
    1
}

fn main() {
    bolus_and_rate();
    part_of_both();
    trailing_comma();
    limit();
    let alarm = Alarm { level: 1 };
    assert_eq!(alarm, alarm.clone());
    let _ = (format!("{:?}", Level::Low), compiled_in());
}
