//! Seeded: `unimplemented` and `untested` gaps.

use iec_runtime::requirement;

/// Traced both ways.
#[requirement("ST-TRACED")]
pub fn traced() -> u32 {
    1
}

/// No test verifies it.
#[requirement("ST-UNTESTED")]
pub fn untested() -> u32 {
    2
}

/// Verified by inspection.
#[requirement("ST-INSPECTED")]
pub fn inspected() -> u32 {
    3
}

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[test]
    #[requirement("ST-TRACED")]
    fn traced_is_one() {
        assert_eq!(super::traced(), 1);
    }

    #[test]
    #[requirement("ST-UNIMPLEMENTED")]
    fn written_before_the_feature() {}
}
