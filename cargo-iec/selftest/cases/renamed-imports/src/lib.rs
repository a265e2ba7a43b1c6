//! Trap: annotations reached through a renamed dependency and renamed imports.

use trace::requirement as implements;

/// Through `use trace::requirement as implements`.
#[implements("ST-A")]
pub fn a() -> u32 {
    1
}

/// Through the crate path.
#[trace::requirement("ST-B")]
pub fn b() -> u32 {
    2
}

/// Through a glob import in a module.
pub mod glob {
    use trace::*;

    /// C.
    #[requirement("ST-C")]
    pub fn c() -> u32 {
        3
    }
}

#[cfg(test)]
mod tests {
    use trace::requirement as verifies;

    #[test]
    #[verifies("ST-A", "ST-B")]
    fn a_and_b() {
        assert_eq!(super::a() + super::b(), 3);
    }

    #[test]
    #[::trace::requirement("ST-C")]
    fn c() {
        assert_eq!(super::glob::c(), 3);
    }
}
