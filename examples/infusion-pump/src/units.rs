//! Fixed-point physical quantities used throughout the controller.
//!
//! Every volume, rate, dose, pressure and voltage is an integer in the smallest unit the
//! hardware resolves, wrapped in its own type so that a rate can never be passed where a
//! volume is expected. Arithmetic saturates: a wrapped `u32` in a dose calculation would
//! turn an overdose into a small number that passes every limit check.

iec_runtime::module_unit!(id = "SU-UNITS", item = "SI-DELIVERY", class = "C");
iec_runtime::module_requirement!("SRS-1");

use core::time::Duration;

/// Milliseconds in one hour, the time base of every rate.
pub const MILLIS_PER_HOUR: u64 = 3_600_000;

/// A volume in microlitres (µL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Microlitres(pub u32);

impl Microlitres {
    /// No volume.
    pub const ZERO: Microlitres = Microlitres(0);

    /// A volume given in whole millilitres.
    pub const fn from_millilitres(ml: u32) -> Microlitres {
        Microlitres(ml.saturating_mul(1000))
    }

    /// The sum, saturating at the largest representable volume.
    pub const fn saturating_add(self, other: Microlitres) -> Microlitres {
        Microlitres(self.0.saturating_add(other.0))
    }

    /// The difference, saturating at zero.
    pub const fn saturating_sub(self, other: Microlitres) -> Microlitres {
        Microlitres(self.0.saturating_sub(other.0))
    }
}

/// A flow rate in microlitres per hour (µL/h); 1 mL/h is 1000 µL/h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct MicrolitresPerHour(pub u32);

impl MicrolitresPerHour {
    /// Stopped.
    pub const ZERO: MicrolitresPerHour = MicrolitresPerHour(0);

    /// A rate given in whole mL/h.
    pub const fn from_millilitres_per_hour(ml_per_h: u32) -> MicrolitresPerHour {
        MicrolitresPerHour(ml_per_h.saturating_mul(1000))
    }

    /// The sum, saturating at the largest representable rate.
    pub const fn saturating_add(self, other: MicrolitresPerHour) -> MicrolitresPerHour {
        MicrolitresPerHour(self.0.saturating_add(other.0))
    }

    /// The volume delivered at this rate over `duration`, rounded down.
    #[iec_runtime::requirement("SRS-1")]
    pub const fn volume_over(self, duration: Duration) -> Microlitres {
        // u32 µL/h times u64 ms cannot overflow u128; the result saturates into u32.
        let volume = self.0 as u128 * duration.as_millis() / MILLIS_PER_HOUR as u128;
        Microlitres(if volume > u32::MAX as u128 {
            u32::MAX
        } else {
            volume as u32
        })
    }
}

/// A drug mass in micrograms (µg).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Micrograms(pub u32);

impl Micrograms {
    /// No drug.
    pub const ZERO: Micrograms = Micrograms(0);

    /// A dose given in whole milligrams.
    pub const fn from_milligrams(mg: u32) -> Micrograms {
        Micrograms(mg.saturating_mul(1000))
    }

    /// The sum, saturating at the largest representable dose (which then exceeds every
    /// limit, so a saturated sum is rejected rather than let through).
    pub const fn saturating_add(self, other: Micrograms) -> Micrograms {
        Micrograms(self.0.saturating_add(other.0))
    }
}

/// A dose rate in micrograms per hour (µg/h).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct MicrogramsPerHour(pub u32);

/// A drug concentration in micrograms per millilitre (µg/mL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct MicrogramsPerMillilitre(pub u32);

/// A gauge pressure in millimetres of mercury (mmHg).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct MillimetresHg(pub u16);

/// A voltage in millivolts (mV).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Millivolts(pub u16);

/// A point in time: milliseconds since power-on, from the monotonic system timer.
///
/// 64 bits do not wrap in the life of a pump (a 32-bit millisecond counter wraps after 49
/// days, shorter than some infusion therapies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Instant(pub u64);

impl Instant {
    /// Power-on.
    pub const BOOT: Instant = Instant(0);

    /// The instant `millis` milliseconds after power-on.
    pub const fn from_millis(millis: u64) -> Instant {
        Instant(millis)
    }

    /// Milliseconds since power-on.
    pub const fn as_millis(self) -> u64 {
        self.0
    }

    /// The time from `earlier` to `self`; zero if `earlier` is later.
    pub const fn saturating_duration_since(self, earlier: Instant) -> Duration {
        Duration::from_millis(self.0.saturating_sub(earlier.0))
    }

    /// The instant `duration` after `self`, saturating at the end of time.
    pub const fn saturating_add(self, duration: Duration) -> Instant {
        let millis = duration.as_millis();
        Instant(if millis > u64::MAX as u128 {
            u64::MAX
        } else {
            self.0.saturating_add(millis as u64)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iec_runtime::requirement;

    #[test]
    #[requirement("SRS-1")]
    fn volume_over_one_hour_equals_the_rate() {
        let rate = MicrolitresPerHour::from_millilitres_per_hour(25);
        assert_eq!(
            rate.volume_over(Duration::from_secs(3600)),
            Microlitres(25_000)
        );
        assert_eq!(rate.volume_over(Duration::from_secs(36)), Microlitres(250));
    }

    #[requirement("SRS-1")]
    #[test]
    fn volume_is_rounded_down() {
        // 0.1 mL/h for 1 s is 0.0278 µL: nothing has been delivered yet.
        assert_eq!(
            MicrolitresPerHour(100).volume_over(Duration::from_secs(1)),
            Microlitres::ZERO
        );
        assert_eq!(
            MicrolitresPerHour(100).volume_over(Duration::from_secs(36)),
            Microlitres(1)
        );
    }

    #[test]
    #[requirement("SRS-1")]
    fn arithmetic_saturates_instead_of_wrapping() {
        assert_eq!(
            Microlitres(u32::MAX).saturating_add(Microlitres(1)),
            Microlitres(u32::MAX)
        );
        assert_eq!(
            Microlitres(5).saturating_sub(Microlitres(10)),
            Microlitres::ZERO
        );
        assert_eq!(Micrograms::from_milligrams(u32::MAX), Micrograms(u32::MAX));
        assert_eq!(
            MicrolitresPerHour(u32::MAX).volume_over(Duration::from_secs(10 * 3600)),
            Microlitres(u32::MAX)
        );
        assert_eq!(
            Instant(10).saturating_duration_since(Instant(20)),
            Duration::ZERO
        );
    }
}
