//! Seeded: the advisory database beside the manifest has an (invented) advisory against
//! every version of `inventory`, a SOUP crate this crate uses through iec-runtime: an
//! unreviewed `soup-advisory`.

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
