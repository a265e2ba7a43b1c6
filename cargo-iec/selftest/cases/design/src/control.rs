//! The control loop: one step per tick, each step logged.

iec_runtime::module_unit!(id = "SU-CONTROL", item = "SI-CORE", class = "C");

use iec_runtime::requirement;

use crate::log::record;

/// Steps the loop once with `value`; whether it was within the limit.
#[requirement("SRS-1")]
pub fn step(value: u32) -> bool {
    record(value);
    checks::within(value, 100)
}
