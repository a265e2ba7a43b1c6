//! Seeded: a requirement text edited after its links were reviewed: `suspect`.

use iec_runtime::requirement;

/// Capped dose.
#[requirement("ST-LIMIT")]
pub fn capped(dose: u32, max: u32) -> u32 {
    dose.min(max)
}

/// Capped rate.
#[requirement("ST-RATE")]
pub fn rate(rate: u32) -> u32 {
    rate.min(999)
}

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[test]
    #[requirement("ST-LIMIT")]
    #[requirement("ST-RATE")]
    fn capped() {
        assert_eq!(super::capped(9, 5), 5);
        assert_eq!(super::rate(5000), 999);
    }
}
