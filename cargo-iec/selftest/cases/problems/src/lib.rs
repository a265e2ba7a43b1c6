//! Seeded: a closed problem report without a regression test (`unverified-fix`) and an open
//! one without a rationale (`open-problem`); a resolved one whose `#[problem]` regression
//! test passes and a deferred one with a rationale are not gaps.

use iec_runtime::requirement;

/// Capped dose.
#[requirement("ST-DOSE")]
pub fn capped(dose: u32, max: u32) -> u32 {
    dose.min(max)
}

#[cfg(test)]
mod tests {
    use iec_runtime::{problem, requirement};

    #[test]
    #[requirement("ST-DOSE")]
    #[problem("PR-1")]
    fn zero_maximum_caps_to_zero() {
        assert_eq!(super::capped(9, 0), 0);
    }
}
