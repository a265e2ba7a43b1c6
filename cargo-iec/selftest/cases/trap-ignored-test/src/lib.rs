//! Trap: an ignored verifying test must never make its requirement verified.

use iec_runtime::requirement;

/// Hours on a full battery.
#[requirement("ST-BATTERY")]
pub fn battery_hours() -> u32 {
    72
}

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[test]
    #[ignore = "needs the 72-hour battery rig"]
    #[requirement("ST-BATTERY")]
    fn runs_72_hours() {
        assert_eq!(super::battery_hours(), 72);
    }
}
