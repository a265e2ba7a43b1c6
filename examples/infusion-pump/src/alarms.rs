//! Alarm conditions and their detection: downstream occlusion and air in the line.
//!
//! Detectors are fed one sample per 100 ms control cycle and report whether their alarm
//! condition holds; the controller decides what the alarm does to delivery.

iec_runtime::module_unit!(id = "SU-ALARMS", item = "SI-ALARMS", class = "C");

use core::time::Duration;

use iec_runtime::requirement;

use crate::units::{Instant, Microlitres, MillimetresHg};

/// An alarm condition.
#[requirement("SRS-18")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alarm {
    /// The downstream line is occluded.
    Occlusion,
    /// Air is in the line.
    AirInLine,
    /// The battery is about to be exhausted.
    BatteryDepleted,
    /// The battery is low.
    BatteryLow,
    /// The volume to be infused has been delivered.
    InfusionComplete,
}

/// Alarm priority as IEC 60601-1-8 defines it, lowest first.
#[requirement("SRS-18")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum AlarmPriority {
    /// Awareness is required.
    Low,
    /// Prompt response is required.
    Medium,
    /// Immediate response is required.
    High,
}

impl Alarm {
    /// The priority the alarm is annunciated with.
    #[requirement("SRS-18")]
    pub const fn priority(self) -> AlarmPriority {
        match self {
            Alarm::Occlusion | Alarm::AirInLine | Alarm::BatteryDepleted => AlarmPriority::High,
            Alarm::InfusionComplete | Alarm::BatteryLow => AlarmPriority::Medium,
        }
    }

    /// Whether the alarm stops delivery. A low battery leaves time to act, so stopping the
    /// infusion for it would only add the risk of an interrupted therapy.
    #[requirement("SRS-19")]
    pub const fn stops_delivery(self) -> bool {
        !matches!(self, Alarm::BatteryLow)
    }
}

/// The user-selected occlusion sensitivity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OcclusionThreshold {
    /// 300 mmHg: small-bore lines, neonates.
    Low,
    /// 500 mmHg: the default.
    Medium,
    /// 800 mmHg: viscous drugs, long lines.
    High,
}

impl OcclusionThreshold {
    /// The pressure above which a sample counts towards an occlusion.
    #[requirement("SRS-14")]
    pub const fn pressure(self) -> MillimetresHg {
        match self {
            OcclusionThreshold::Low => MillimetresHg(300),
            OcclusionThreshold::Medium => MillimetresHg(500),
            OcclusionThreshold::High => MillimetresHg(800),
        }
    }
}

/// Consecutive samples above the threshold before the occlusion alarm: a single spike (a
/// patient coughing, the line being squeezed) is not an occlusion.
#[requirement("SRS-14")]
pub const OCCLUSION_DEBOUNCE_SAMPLES: u8 = 3;

/// Detects downstream occlusion from the pressure sampled every control cycle.
#[derive(Debug, Clone)]
pub struct OcclusionDetector {
    threshold: MillimetresHg,
    consecutive: u8,
}

impl OcclusionDetector {
    /// A detector for `threshold` that has seen no sample.
    #[requirement("SRS-14")]
    pub const fn new(threshold: OcclusionThreshold) -> OcclusionDetector {
        OcclusionDetector {
            threshold: threshold.pressure(),
            consecutive: 0,
        }
    }

    /// Takes one pressure sample; `true` while the occlusion condition holds.
    #[requirement("SRS-14")]
    pub fn on_sample(&mut self, pressure: MillimetresHg) -> bool {
        if pressure > self.threshold {
            self.consecutive = self
                .consecutive
                .saturating_add(1)
                .min(OCCLUSION_DEBOUNCE_SAMPLES);
        } else {
            self.consecutive = 0;
        }
        self.consecutive >= OCCLUSION_DEBOUNCE_SAMPLES
    }
}

/// A single bubble this large raises the air-in-line alarm.
#[requirement("SRS-16")]
pub const SINGLE_BUBBLE_LIMIT: Microlitres = Microlitres(100);

/// This much air in [`AIR_WINDOW`] raises the air-in-line alarm.
#[requirement("SRS-17")]
pub const CUMULATIVE_AIR_LIMIT: Microlitres = Microlitres(1_000);

/// The period over which small bubbles add up.
#[requirement("SRS-17")]
pub const AIR_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Air is accounted in one-minute buckets.
const BUCKET: Duration = Duration::from_secs(60);

/// One bucket more than the window has minutes: the sum then always covers at least the
/// last 15 minutes (between 15 and 16), erring towards an earlier alarm.
const BUCKETS: usize = 16;

/// Why the air-in-line alarm was raised.
#[requirement("SRS-16", "SRS-17")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AirInLineCause {
    /// One bubble of [`SINGLE_BUBBLE_LIMIT`] or more.
    SingleBubble,
    /// Bubbles adding up to [`CUMULATIVE_AIR_LIMIT`] within [`AIR_WINDOW`].
    Cumulative,
}

#[derive(Debug, Clone, Copy, Default)]
struct AirBucket {
    /// Minutes since power-on this bucket holds.
    minute: u64,
    air: u32,
}

/// Detects air in the line from the bubbles the ultrasonic sensor measures.
#[derive(Debug, Clone)]
pub struct AirInLineDetector {
    buckets: [AirBucket; BUCKETS],
}

impl Default for AirInLineDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl AirInLineDetector {
    /// A detector that has seen no air.
    #[requirement("SRS-16", "SRS-17")]
    pub const fn new() -> AirInLineDetector {
        AirInLineDetector {
            buckets: [AirBucket { minute: 0, air: 0 }; BUCKETS],
        }
    }

    fn minute_of(instant: Instant) -> u64 {
        instant.as_millis() / BUCKET.as_millis() as u64
    }

    /// Takes one bubble measured at `now`; the cause if the alarm condition holds.
    #[requirement("SRS-16", "SRS-17")]
    pub fn on_bubble(&mut self, now: Instant, bubble: Microlitres) -> Option<AirInLineCause> {
        let minute = Self::minute_of(now);
        let bucket = &mut self.buckets[(minute % BUCKETS as u64) as usize];
        if bucket.minute != minute {
            *bucket = AirBucket { minute, air: 0 };
        }
        bucket.air = bucket.air.saturating_add(bubble.0);
        if bubble >= SINGLE_BUBBLE_LIMIT {
            Some(AirInLineCause::SingleBubble)
        } else if self.air_in_window(now) >= CUMULATIVE_AIR_LIMIT {
            Some(AirInLineCause::Cumulative)
        } else {
            None
        }
    }

    /// The air counted in the window ending at `now`.
    #[requirement("SRS-17")]
    pub fn air_in_window(&self, now: Instant) -> Microlitres {
        let minute = Self::minute_of(now);
        let window_minutes = AIR_WINDOW.as_secs() / BUCKET.as_secs();
        let air = self
            .buckets
            .iter()
            .filter(|b| b.minute <= minute && minute - b.minute <= window_minutes)
            .fold(0u32, |sum, b| sum.saturating_add(b.air));
        Microlitres(air)
    }

    /// Forgets all air, once the user has removed it from the line and confirmed: without
    /// this, the air already purged would re-raise the cumulative alarm with every bubble
    /// until it left the window, up to 15 minutes later.
    #[requirement("SRS-28")]
    pub fn reset(&mut self) {
        *self = Self::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iec_runtime::requirement;

    fn at_seconds(seconds: u64) -> Instant {
        Instant::from_millis(seconds * 1000)
    }

    #[test]
    #[requirement("SRS-18")]
    fn delivery_hazards_are_high_priority() {
        assert_eq!(Alarm::Occlusion.priority(), AlarmPriority::High);
        assert_eq!(Alarm::AirInLine.priority(), AlarmPriority::High);
        assert_eq!(Alarm::BatteryDepleted.priority(), AlarmPriority::High);
        assert_eq!(Alarm::InfusionComplete.priority(), AlarmPriority::Medium);
        assert_eq!(Alarm::BatteryLow.priority(), AlarmPriority::Medium);
        assert!(AlarmPriority::High > AlarmPriority::Medium);
    }

    #[test]
    #[requirement("SRS-19")]
    fn every_alarm_but_battery_low_stops_delivery() {
        assert!(Alarm::Occlusion.stops_delivery());
        assert!(Alarm::AirInLine.stops_delivery());
        assert!(Alarm::BatteryDepleted.stops_delivery());
        assert!(Alarm::InfusionComplete.stops_delivery());
        assert!(!Alarm::BatteryLow.stops_delivery());
    }

    #[test]
    #[requirement("SRS-14")]
    fn occlusion_needs_three_consecutive_samples_above_threshold() {
        let mut detector = OcclusionDetector::new(OcclusionThreshold::Medium);
        assert!(!detector.on_sample(MillimetresHg(520)));
        assert!(!detector.on_sample(MillimetresHg(540)));
        assert!(detector.on_sample(MillimetresHg(560)));
        assert!(detector.on_sample(MillimetresHg(580)));
        // The condition ends with the first sample at or below the threshold.
        assert!(!detector.on_sample(MillimetresHg(500)));
    }

    #[requirement("SRS-14")]
    #[test]
    fn a_sample_at_or_below_threshold_restarts_the_count() {
        let mut detector = OcclusionDetector::new(OcclusionThreshold::Low);
        for _ in 0..10 {
            assert!(!detector.on_sample(MillimetresHg(350)));
            assert!(!detector.on_sample(MillimetresHg(350)));
            assert!(!detector.on_sample(MillimetresHg(300)));
        }
        let mut high = OcclusionDetector::new(OcclusionThreshold::High);
        for _ in 0..10 {
            assert!(!high.on_sample(MillimetresHg(800)));
        }
    }

    #[test]
    #[requirement("SRS-16")]
    fn one_large_bubble_raises_the_alarm() {
        let mut detector = AirInLineDetector::new();
        assert_eq!(detector.on_bubble(at_seconds(1), Microlitres(99)), None);
        assert_eq!(
            detector.on_bubble(at_seconds(2), Microlitres(100)),
            Some(AirInLineCause::SingleBubble)
        );
    }

    #[test]
    #[requirement("SRS-17")]
    fn small_bubbles_add_up_within_fifteen_minutes() {
        let mut detector = AirInLineDetector::new();
        // 80 µL every minute: 12 bubbles are 960 µL, the 13th reaches 1040 µL.
        for minute in 0..12 {
            assert_eq!(
                detector.on_bubble(at_seconds(minute * 60), Microlitres(80)),
                None
            );
        }
        assert_eq!(
            detector.on_bubble(at_seconds(12 * 60), Microlitres(80)),
            Some(AirInLineCause::Cumulative)
        );
    }

    #[test]
    #[requirement("SRS-17")]
    fn air_older_than_the_window_no_longer_counts() {
        let mut detector = AirInLineDetector::new();
        // 90 µL every 2 minutes: at most 8 bubbles (720 µL) in any 16 minutes.
        for step in 0..100 {
            assert_eq!(
                detector.on_bubble(at_seconds(step * 120), Microlitres(90)),
                None,
                "bubble {step}"
            );
        }
        assert!(detector.air_in_window(at_seconds(99 * 120)) <= Microlitres(720));
    }

    #[test]
    #[requirement("SRS-28")]
    fn confirmed_removal_of_air_restarts_the_count_from_zero() {
        let mut detector = AirInLineDetector::new();
        let alarm = Some(AirInLineCause::Cumulative);
        // 90 µL a minute: the twelfth bubble brings the window to 1080 µL.
        for minute in 0..11 {
            assert_eq!(
                detector.on_bubble(at_seconds(minute * 60), Microlitres(90)),
                None
            );
        }
        assert_eq!(
            detector.on_bubble(at_seconds(11 * 60), Microlitres(90)),
            alarm
        );
        // Until the user confirms the air is gone, any further bubble re-raises the alarm.
        assert_eq!(
            detector.on_bubble(at_seconds(12 * 60), Microlitres(1)),
            alarm
        );

        detector.reset();
        assert_eq!(detector.air_in_window(at_seconds(12 * 60)), Microlitres(0));
        assert_eq!(
            detector.on_bubble(at_seconds(13 * 60), Microlitres(1)),
            None
        );
        // Air after the reset counts from zero towards both limits.
        for minute in 14..25 {
            assert_eq!(
                detector.on_bubble(at_seconds(minute * 60), Microlitres(90)),
                None
            );
        }
        assert_eq!(
            detector.on_bubble(at_seconds(25 * 60), Microlitres(90)),
            alarm
        );
        detector.reset();
        assert_eq!(
            detector.on_bubble(at_seconds(26 * 60), Microlitres(100)),
            Some(AirInLineCause::SingleBubble)
        );
    }
}
