//! Trap: the only verifying test lives in a test target that does not build.

use iec_runtime::requirement;

/// Capped dose.
#[requirement("ST-DOSE")]
pub fn capped(dose: u32, max: u32) -> u32 {
    dose.min(max)
}
