//! Seeded: an annotation naming an ID the catalogue lacks (a typo). A build rejects it at
//! compile time; the sources-only trace must report it.

use iec_runtime::requirement;

/// Capped dose.
#[requirement("ST-DOSE-LIMT")]
pub fn capped(dose: u32, max: u32) -> u32 {
    dose.min(max)
}

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[test]
    #[requirement("ST-DOSE-LIMIT")]
    fn capped_at_max() {
        assert_eq!(super::capped(9, 5), 5);
    }
}
