//! Seeded: a test that verifies no requirement.

use iec_runtime::requirement;

/// Capped rate.
#[requirement("ST-RATE")]
pub fn capped(rate: u32) -> u32 {
    rate.min(999)
}

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[test]
    #[requirement("ST-RATE")]
    fn capped_at_999() {
        assert_eq!(super::capped(5000), 999);
    }

    #[test]
    fn verifies_nothing() {
        assert_eq!(super::capped(1), 1);
    }
}
