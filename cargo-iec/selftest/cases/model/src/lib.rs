//! Seeded: `class-mismatch`, `unannotated-unit` and `untested-unit`.

use iec_runtime::requirement;

/// Class A in a class C item without a segregation rationale: `class-mismatch`.
#[iec_runtime::software_unit(id = "SU-RATE", item = "SI-DELIVERY", class = "A")]
pub mod rate {
    use iec_runtime::requirement;

    /// The rate, capped.
    #[requirement("ST-RATE")]
    pub fn capped(rate: u32) -> u32 {
        rate.min(999)
    }

    /// Public, traced to no requirement: `unannotated-unit`.
    pub fn doubled(rate: u32) -> u32 {
        rate.saturating_mul(2)
    }
}

/// Its only requirement has no test: `untested-unit`.
#[iec_runtime::software_unit(id = "SU-LOG", item = "SI-DELIVERY", class = "C")]
pub mod log {
    use iec_runtime::requirement;

    /// Capacity.
    #[requirement("ST-LOG")]
    pub const CAPACITY: usize = 8;
}

/// Keeps the import used at the crate root.
#[requirement("ST-RATE")]
pub const MAX_RATE: u32 = 999;

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[test]
    #[requirement("ST-RATE")]
    fn rates_are_capped() {
        assert_eq!(super::rate::capped(5000), 999);
        assert_eq!(super::rate::doubled(2), 4);
    }
}
