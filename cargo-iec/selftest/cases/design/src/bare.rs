iec_runtime::module_unit!(id = "SU-BARE", item = "SI-CORE", class = "C");

use iec_runtime::requirement;

#[requirement("SRS-3")]
pub fn helper() -> u32 {
    1
}
