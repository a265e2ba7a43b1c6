//! Battery monitoring: state of charge from the cell voltage, and the low and depleted
//! conditions with hysteresis.
//!
//! The voltage is measured under the motor's load, so it dips by tens of millivolts while
//! the plunger moves; the hysteresis keeps that from toggling the alarm.

iec_runtime::module_unit!(id = "SU-BATTERY", item = "SI-POWER", class = "B");

use iec_runtime::requirement;

use crate::alarms::Alarm;
use crate::units::Millivolts;

/// A state of charge in percent, 0 to 100.
#[requirement("SRS-20")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Percent(pub u8);

/// The discharge curve of the qualified Li-ion cell at 0.2 C and 25 °C: cell voltage and
/// state of charge, highest voltage first.
#[requirement("SRS-20")]
pub const DISCHARGE_CURVE: [(Millivolts, Percent); 11] = [
    (Millivolts(4150), Percent(100)),
    (Millivolts(4050), Percent(90)),
    (Millivolts(3950), Percent(78)),
    (Millivolts(3870), Percent(65)),
    (Millivolts(3800), Percent(52)),
    (Millivolts(3750), Percent(40)),
    (Millivolts(3700), Percent(28)),
    (Millivolts(3650), Percent(18)),
    (Millivolts(3580), Percent(10)),
    (Millivolts(3480), Percent(5)),
    (Millivolts(3300), Percent(0)),
];

/// The state of charge at `voltage`, interpolated on [`DISCHARGE_CURVE`] and rounded down.
#[requirement("SRS-20")]
pub fn state_of_charge(voltage: Millivolts) -> Percent {
    let (full_mv, full) = DISCHARGE_CURVE[0];
    if voltage >= full_mv {
        return full;
    }
    for pair in DISCHARGE_CURVE.windows(2) {
        let [(high_mv, high), (low_mv, low)] = [pair[0], pair[1]];
        if voltage >= low_mv {
            let span_mv = u32::from(high_mv.0 - low_mv.0);
            let above_mv = u32::from(voltage.0 - low_mv.0);
            let span = u32::from(high.0 - low.0);
            // Fits in u8: at most `span`, which is at most 100.
            return Percent(low.0 + (above_mv * span / span_mv) as u8);
        }
    }
    Percent(0)
}

/// The battery condition reported to the controller.
#[requirement("SRS-21")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatteryLevel {
    /// Enough charge.
    Normal,
    /// At most about 30 minutes of operation remain.
    Low,
    /// Delivery must stop before the supply collapses.
    Depleted,
}

/// Tracks the battery condition from successive voltage measurements.
#[derive(Debug, Clone)]
pub struct BatteryMonitor {
    level: BatteryLevel,
}

impl Default for BatteryMonitor {
    fn default() -> Self {
        Self::new()
    }
}

impl BatteryMonitor {
    /// Low at or below this state of charge.
    #[requirement("SRS-21")]
    pub const LOW_AT: Percent = Percent(20);
    /// A low condition clears at or above this.
    #[requirement("SRS-21")]
    pub const LOW_CLEARS_AT: Percent = Percent(25);
    /// Depleted at or below this.
    #[requirement("SRS-21")]
    pub const DEPLETED_AT: Percent = Percent(5);
    /// A depleted condition clears at or above this.
    #[requirement("SRS-21")]
    pub const DEPLETED_CLEARS_AT: Percent = Percent(8);

    /// A monitor that has not measured yet and assumes a normal battery until it does.
    #[requirement("SRS-21")]
    pub const fn new() -> BatteryMonitor {
        BatteryMonitor {
            level: BatteryLevel::Normal,
        }
    }

    /// The condition after the last measurement.
    #[requirement("SRS-21")]
    pub const fn level(&self) -> BatteryLevel {
        self.level
    }

    /// Takes one measurement of the cell voltage.
    #[requirement("SRS-21")]
    pub fn update(&mut self, voltage: Millivolts) -> BatteryLevel {
        let soc = state_of_charge(voltage);
        let depleted = soc <= Self::DEPLETED_AT
            || (self.level == BatteryLevel::Depleted && soc < Self::DEPLETED_CLEARS_AT);
        let low = soc <= Self::LOW_AT
            || (self.level != BatteryLevel::Normal && soc < Self::LOW_CLEARS_AT);
        self.level = if depleted {
            BatteryLevel::Depleted
        } else if low {
            BatteryLevel::Low
        } else {
            BatteryLevel::Normal
        };
        self.level
    }

    /// The alarm the current condition raises, if any.
    #[requirement("SRS-21")]
    pub const fn alarm(&self) -> Option<Alarm> {
        match self.level {
            BatteryLevel::Normal => None,
            BatteryLevel::Low => Some(Alarm::BatteryLow),
            BatteryLevel::Depleted => Some(Alarm::BatteryDepleted),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iec_runtime::requirement;

    #[test]
    #[requirement("SRS-20")]
    fn state_of_charge_is_interpolated_on_the_curve() {
        assert_eq!(state_of_charge(Millivolts(4200)), Percent(100));
        assert_eq!(state_of_charge(Millivolts(4150)), Percent(100));
        assert_eq!(state_of_charge(Millivolts(3800)), Percent(52));
        // Halfway between 3750 mV (40 %) and 3800 mV (52 %).
        assert_eq!(state_of_charge(Millivolts(3775)), Percent(46));
        // 3615 mV: halfway between 3580 (10 %) and 3650 (18 %).
        assert_eq!(state_of_charge(Millivolts(3615)), Percent(14));
        assert_eq!(state_of_charge(Millivolts(3300)), Percent(0));
        assert_eq!(state_of_charge(Millivolts(2900)), Percent(0));
    }

    #[test]
    #[requirement("SRS-20")]
    fn state_of_charge_never_rises_as_voltage_falls() {
        let mut previous = Percent(100);
        for mv in (3000..=4300).rev() {
            let soc = state_of_charge(Millivolts(mv));
            assert!(soc <= previous, "{mv} mV");
            previous = soc;
        }
    }

    #[requirement("SRS-21")]
    #[test]
    fn thresholds_have_hysteresis() {
        let mut monitor = BatteryMonitor::new();
        // 3650 mV is 18 %: low.
        assert_eq!(monitor.update(Millivolts(3650)), BatteryLevel::Low);
        assert_eq!(monitor.alarm(), Some(Alarm::BatteryLow));
        // Load removed, 3680 mV is 24 %: still low.
        assert_eq!(monitor.update(Millivolts(3680)), BatteryLevel::Low);
        // 3690 mV is 26 %: cleared.
        assert_eq!(monitor.update(Millivolts(3690)), BatteryLevel::Normal);
        assert_eq!(monitor.alarm(), None);
        // 3480 mV is 5 %: depleted.
        assert_eq!(monitor.update(Millivolts(3480)), BatteryLevel::Depleted);
        assert_eq!(monitor.alarm(), Some(Alarm::BatteryDepleted));
        // 3520 mV is 7 %: still depleted; 3560 mV is 9 %: low again, not normal.
        assert_eq!(monitor.update(Millivolts(3520)), BatteryLevel::Depleted);
        assert_eq!(monitor.update(Millivolts(3560)), BatteryLevel::Low);
    }

    #[test]
    #[requirement("SRS-21")]
    fn a_normal_battery_stays_normal_inside_the_band() {
        let mut monitor = BatteryMonitor::new();
        // 3680 mV (24 %) is above the low threshold: a normal battery stays normal.
        assert_eq!(monitor.update(Millivolts(3680)), BatteryLevel::Normal);
    }
}
