//! Seeds `unexercised`: a passing test that claims ST-ALARM but never runs its code. Trap:
//! the test of ST-BOLUS reaches `bolus` only through an unannotated helper, and must count
//! as exercising it (coverage, not the test's text, decides).

use iec_runtime::requirement;

/// Whether the occlusion alarm is due at `pressure` mmHg.
#[requirement("ST-ALARM")]
pub fn alarm_due(pressure: u32) -> bool {
    pressure > 300
}

/// Twice the programmed dose.
#[requirement("ST-BOLUS")]
pub fn bolus(dose: u32) -> u32 {
    dose * 2
}

/// Not annotated: what the bolus test calls.
pub fn deliver(dose: u32) -> u32 {
    bolus(dose)
}

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[test]
    #[requirement("ST-ALARM")]
    fn the_alarm_sounds_on_occlusion() {
        // Claims ST-ALARM, checks something else: it passes without running `alarm_due`.
        assert_eq!(300_u32.saturating_add(1), 301);
    }

    #[test]
    #[requirement("ST-BOLUS")]
    fn a_bolus_doubles_the_dose() {
        assert_eq!(super::deliver(3), 6);
    }
}
