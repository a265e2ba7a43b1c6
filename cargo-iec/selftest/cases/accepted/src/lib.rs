//! Seeded: an accepted-gaps file with two gaps that exist (accepted, not gaps) and one that
//! was fixed (`stale-acceptance`, which fails the run whatever the policy).

use iec_runtime::requirement;

/// Capped dose.
#[requirement("ST-DOSE")]
pub fn capped(dose: u32, max: u32) -> u32 {
    dose.min(max)
}

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[test]
    #[requirement("ST-DOSE")]
    fn capped_at_max() {
        assert_eq!(super::capped(9, 5), 5);
    }
}
