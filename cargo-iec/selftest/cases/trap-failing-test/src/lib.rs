//! Trap: a verifying test that fails must never make its requirement verified.

use iec_runtime::requirement;

/// Whole microlitres in `nanolitres` (wrongly rounded up: its test fails).
#[requirement("ST-ROUND")]
pub fn whole_ul(nanolitres: u32) -> u32 {
    nanolitres.div_ceil(1000)
}

/// Whether delivery stops.
#[requirement("ST-STOP")]
pub fn stops(delivered: u32, programmed: u32) -> bool {
    delivered >= programmed
}

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[test]
    #[requirement("ST-ROUND")]
    fn rounds_down() {
        assert_eq!(super::whole_ul(1_500), 1);
    }

    #[test]
    #[requirement("ST-ROUND")]
    fn whole_values_stay() {
        assert_eq!(super::whole_ul(2_000), 2);
    }

    #[test]
    #[requirement("ST-STOP")]
    fn stops_at_the_programmed_volume() {
        assert!(super::stops(10, 10));
    }
}
