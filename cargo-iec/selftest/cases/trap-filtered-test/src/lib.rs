//! Trap: a verifying test filtered out of the run must never count as run.

use iec_runtime::requirement;

/// Log entries after `alarms` alarms.
#[requirement("ST-LOG")]
pub fn log_entries(alarms: u32) -> u32 {
    alarms
}

/// Whether the pressure means an occlusion.
#[requirement("ST-ALARM")]
pub fn occluded(kpa: u32) -> bool {
    kpa > 120
}

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[test]
    #[requirement("ST-LOG")]
    fn every_alarm_is_logged() {
        assert_eq!(super::log_entries(3), 3);
    }

    #[test]
    #[requirement("ST-ALARM")]
    fn occlusion_alarm() {
        assert!(super::occluded(121));
    }
}
