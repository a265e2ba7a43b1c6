//! The step log.

iec_runtime::module_unit!(id = "SU-LOG", item = "SI-LOG", class = "A");

use iec_runtime::requirement;

/// Records one step.
#[requirement("SRS-2")]
pub fn record(_value: u32) {}
