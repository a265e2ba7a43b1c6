//! Infusion rates: programming, the hardware range, and ramp limiting of motor commands.
//!
//! Programming checks (the range, the drug's dose-rate limit) reject a bad rate with an
//! error the user sees. The motor path additionally clamps every command to the hardware
//! maximum, so that no software path that skips programming can overdrive the syringe.

iec_runtime::module_unit!(id = "SU-RATE", item = "SI-DELIVERY", class = "C");

use core::time::Duration;

use iec_runtime::requirement;

use crate::dose::library::DrugEntry;
use crate::units::{MILLIS_PER_HOUR, MicrogramsPerHour, Microlitres, MicrolitresPerHour};

/// The lowest rate that may be programmed: 0.1 mL/h.
#[requirement("SRS-9")]
pub const MIN_PROGRAMMABLE_RATE: MicrolitresPerHour = MicrolitresPerHour(100);

/// The highest rate the mechanism is qualified for: 1200 mL/h. Also the motor command limit.
#[requirement("SRS-9", "SRS-10")]
pub const MAX_RATE: MicrolitresPerHour = MicrolitresPerHour(1_200_000);

/// Why a rate cannot be programmed.
#[requirement("SRS-8", "SRS-9")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateError {
    /// Below [`MIN_PROGRAMMABLE_RATE`].
    BelowMinimum,
    /// Above [`MAX_RATE`].
    AboveMaximum,
    /// The dose rate is above the drug's continuous hard limit.
    AboveDoseRateLimit {
        /// The drug's limit.
        limit: MicrogramsPerHour,
    },
    /// The infusion duration is zero.
    ZeroDuration,
}

/// The rate, if it is inside the programmable range.
#[requirement("SRS-9")]
pub const fn validate_programmed_rate(
    rate: MicrolitresPerHour,
) -> Result<MicrolitresPerHour, RateError> {
    if rate.0 < MIN_PROGRAMMABLE_RATE.0 {
        Err(RateError::BelowMinimum)
    } else if rate.0 > MAX_RATE.0 {
        Err(RateError::AboveMaximum)
    } else {
        Ok(rate)
    }
}

/// The rate that delivers `dose_rate` of `drug`, rounded down.
#[requirement("SRS-8")]
pub fn rate_from_dose_rate(
    dose_rate: MicrogramsPerHour,
    drug: &DrugEntry,
) -> Result<MicrolitresPerHour, RateError> {
    if dose_rate > drug.dose_rate_hard_limit {
        return Err(RateError::AboveDoseRateLimit {
            limit: drug.dose_rate_hard_limit,
        });
    }
    // A validated library entry has a non-zero concentration; `max(1)` keeps this total.
    let rate = u64::from(dose_rate.0) * 1000 / u64::from(drug.concentration.0.max(1));
    let rate = u32::try_from(rate).map_err(|_| RateError::AboveMaximum)?;
    validate_programmed_rate(MicrolitresPerHour(rate))
}

/// The rate that delivers `volume` in `duration`, rounded down.
#[requirement("SRS-8")]
pub fn rate_for_volume(
    volume: Microlitres,
    duration: Duration,
) -> Result<MicrolitresPerHour, RateError> {
    let millis = duration.as_millis();
    if millis == 0 {
        return Err(RateError::ZeroDuration);
    }
    let rate = u128::from(volume.0) * u128::from(MILLIS_PER_HOUR) / millis;
    let rate = u32::try_from(rate).map_err(|_| RateError::AboveMaximum)?;
    validate_programmed_rate(MicrolitresPerHour(rate))
}

/// The rate limited to [`MAX_RATE`]: the last line of defence before the motor.
#[requirement("SRS-10")]
pub const fn clamp_to_hardware(rate: MicrolitresPerHour) -> MicrolitresPerHour {
    if rate.0 > MAX_RATE.0 { MAX_RATE } else { rate }
}

/// Limits how fast the motor command rises, so that a large rate step does not produce a
/// pressure spike in the line (and a false occlusion alarm). Decreases are never delayed.
#[derive(Debug, Clone)]
pub struct RampLimiter {
    commanded: MicrolitresPerHour,
    max_increase_per_cycle: MicrolitresPerHour,
}

impl Default for RampLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl RampLimiter {
    /// The largest increase per 100 ms control cycle: 10 mL/h, so 0 to 1200 mL/h in 12 s.
    #[requirement("SRS-11")]
    pub const MAX_INCREASE_PER_CYCLE: MicrolitresPerHour = MicrolitresPerHour(10_000);

    /// A stopped ramp.
    #[requirement("SRS-11")]
    pub const fn new() -> RampLimiter {
        RampLimiter {
            commanded: MicrolitresPerHour::ZERO,
            max_increase_per_cycle: Self::MAX_INCREASE_PER_CYCLE,
        }
    }

    /// The rate commanded in the last cycle.
    #[requirement("SRS-11")]
    pub const fn commanded(&self) -> MicrolitresPerHour {
        self.commanded
    }

    /// The rate to command in this control cycle on the way to `target`.
    #[requirement("SRS-11")]
    pub fn next(&mut self, target: MicrolitresPerHour) -> MicrolitresPerHour {
        let target = clamp_to_hardware(target);
        self.commanded = if target <= self.commanded {
            target
        } else {
            target.min(self.commanded.saturating_add(self.max_increase_per_cycle))
        };
        self.commanded
    }

    /// Back to zero at once (stop, alarm, fault), so that delivery restarts ramped.
    #[requirement("SRS-11")]
    pub fn stop(&mut self) {
        self.commanded = MicrolitresPerHour::ZERO;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dose::library::{FENTANYL_PCA, MORPHINE_PCA};
    use iec_runtime::{problem, requirement};

    #[test]
    #[requirement("SRS-8")]
    fn rate_from_dose_rate_uses_the_concentration() {
        // 2 mg/h of morphine at 1 mg/mL is 2 mL/h.
        assert_eq!(
            rate_from_dose_rate(MicrogramsPerHour(2_000), &MORPHINE_PCA),
            Ok(MicrolitresPerHour(2_000))
        );
        // 25 µg/h of fentanyl at 10 µg/mL is 2.5 mL/h.
        assert_eq!(
            rate_from_dose_rate(MicrogramsPerHour(25), &FENTANYL_PCA),
            Ok(MicrolitresPerHour(2_500))
        );
    }

    #[test]
    #[requirement("SRS-8")]
    fn dose_rate_above_the_drug_limit_is_rejected() {
        assert_eq!(
            rate_from_dose_rate(MicrogramsPerHour(3_001), &MORPHINE_PCA),
            Err(RateError::AboveDoseRateLimit {
                limit: MicrogramsPerHour(3_000)
            })
        );
    }

    #[requirement("SRS-8")]
    #[problem("PR-1")]
    #[test]
    fn rate_for_volume_is_rounded_down() {
        // 100 mL over 8 h is 12.5 mL/h.
        assert_eq!(
            rate_for_volume(
                Microlitres::from_millilitres(100),
                Duration::from_secs(8 * 3600)
            ),
            Ok(MicrolitresPerHour(12_500))
        );
        // 10 mL over 3 h is 3333.33 µL/h.
        assert_eq!(
            rate_for_volume(
                Microlitres::from_millilitres(10),
                Duration::from_secs(3 * 3600)
            ),
            Ok(MicrolitresPerHour(3_333))
        );
        assert_eq!(
            rate_for_volume(Microlitres(1), Duration::ZERO),
            Err(RateError::ZeroDuration)
        );
    }

    #[test]
    #[requirement("SRS-9")]
    fn programmed_rates_outside_the_range_are_rejected() {
        assert_eq!(
            validate_programmed_rate(MicrolitresPerHour(99)),
            Err(RateError::BelowMinimum)
        );
        assert_eq!(
            validate_programmed_rate(MicrolitresPerHour(100)),
            Ok(MicrolitresPerHour(100))
        );
        assert_eq!(
            validate_programmed_rate(MicrolitresPerHour(1_200_000)),
            Ok(MAX_RATE)
        );
        assert_eq!(
            validate_programmed_rate(MicrolitresPerHour(1_200_001)),
            Err(RateError::AboveMaximum)
        );
        // 1 mL in 1 s would be 3600 mL/h.
        assert_eq!(
            rate_for_volume(Microlitres(1_000), Duration::from_secs(1)),
            Err(RateError::AboveMaximum)
        );
    }

    #[test]
    #[requirement("SRS-10")]
    fn motor_commands_are_clamped_to_the_hardware_maximum() {
        assert_eq!(clamp_to_hardware(MicrolitresPerHour(u32::MAX)), MAX_RATE);
        assert_eq!(
            clamp_to_hardware(MicrolitresPerHour(5_000)),
            MicrolitresPerHour(5_000)
        );
        let mut ramp = RampLimiter::new();
        for _ in 0..200 {
            assert!(ramp.next(MicrolitresPerHour(u32::MAX)) <= MAX_RATE);
        }
        assert_eq!(ramp.commanded(), MAX_RATE);
    }

    #[test]
    #[requirement("SRS-11")]
    fn rate_increases_are_ramped_by_ten_ml_per_hour_per_cycle() {
        let mut ramp = RampLimiter::new();
        let target = MicrolitresPerHour::from_millilitres_per_hour(25);
        assert_eq!(ramp.next(target), MicrolitresPerHour(10_000));
        assert_eq!(ramp.next(target), MicrolitresPerHour(20_000));
        assert_eq!(ramp.next(target), MicrolitresPerHour(25_000));
        assert_eq!(ramp.next(target), MicrolitresPerHour(25_000));
    }

    #[test]
    #[requirement("SRS-11")]
    fn rate_decreases_take_effect_in_the_same_cycle() {
        let mut ramp = RampLimiter::new();
        for _ in 0..10 {
            ramp.next(MicrolitresPerHour::from_millilitres_per_hour(100));
        }
        assert_eq!(ramp.commanded(), MicrolitresPerHour(100_000));
        assert_eq!(
            ramp.next(MicrolitresPerHour(2_000)),
            MicrolitresPerHour(2_000)
        );
        assert_eq!(
            ramp.next(MicrolitresPerHour::ZERO),
            MicrolitresPerHour::ZERO
        );
    }
}
