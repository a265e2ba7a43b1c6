//! Trap: a verifying test compiled out by cfg never runs and must not verify.

use iec_runtime::requirement;

/// Capped dose.
#[requirement("ST-DOSE")]
pub fn capped(dose: u32, max: u32) -> u32 {
    dose.min(max)
}

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[cfg(feature = "hardware-in-the-loop")]
    #[test]
    #[requirement("ST-DOSE")]
    fn capped_on_the_rig() {
        assert_eq!(super::capped(9, 5), 5);
    }

    #[test]
    fn compiles() {}
}
