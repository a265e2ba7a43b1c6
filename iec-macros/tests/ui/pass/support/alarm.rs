//! The occlusion alarm.
iec_runtime::module_unit!(id = "SU-ALARM", item = "SI-PUMP", class = "B");
iec_runtime::module_requirement!("SRS-3");

pub fn raise() -> bool {
    true
}
