//! Sensors: raw ADC counts to calibrated, plausibility-checked readings.
//!
//! A disconnected or shorted transducer reads as a pressure that looks valid (zero, or the
//! full scale); the plausibility bands turn those into faults instead.

iec_runtime::module_unit!(id = "SU-SENSORS", item = "SI-ALARMS", class = "C");

use iec_runtime::requirement;

use crate::units::MillimetresHg;

/// Below this many counts the transducer bridge is open (cable unplugged).
#[requirement("SRS-15")]
pub const OPEN_CIRCUIT_BELOW_COUNTS: u16 = 40;

/// Above this many counts the bridge output is shorted to the supply.
#[requirement("SRS-15")]
pub const SHORT_CIRCUIT_ABOVE_COUNTS: u16 = 4050;

/// One channel of the 12-bit ADC, implemented by the board support crate.
#[requirement("SRS-15")]
pub trait AdcChannel {
    /// The latest conversion, or `None` if the conversion did not complete in time.
    fn read_counts(&mut self) -> Option<u16>;
}

/// A sensor producing readings of one quantity.
#[requirement("SRS-15")]
pub trait Sensor {
    /// The quantity read.
    type Reading;
    /// Takes one reading.
    fn read(&mut self) -> Result<Self::Reading, SensorError>;
}

/// Why a sensor gave no reading.
#[requirement("SRS-15")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SensorError {
    /// The signal is below the plausible band: the sensor is disconnected.
    OpenCircuit,
    /// The signal is above the plausible band: the sensor is shorted.
    ShortCircuit,
    /// The ADC conversion did not complete.
    ConversionFailed,
}

/// The per-unit calibration of the pressure transducer, stored in the calibration flash.
#[requirement("SRS-15")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PressureCalibration {
    /// Counts at atmospheric pressure.
    pub zero_counts: u16,
    /// Counts per 100 mmHg above atmospheric.
    pub counts_per_100_mmhg: u16,
}

/// The downstream pressure transducer.
#[derive(Debug)]
pub struct PressureTransducer<A> {
    adc: A,
    calibration: PressureCalibration,
}

impl<A: AdcChannel> PressureTransducer<A> {
    /// A transducer read through `adc` with the unit's `calibration`.
    #[requirement("SRS-15")]
    pub const fn new(adc: A, calibration: PressureCalibration) -> PressureTransducer<A> {
        PressureTransducer { adc, calibration }
    }
}

impl<A: AdcChannel> Sensor for PressureTransducer<A> {
    type Reading = MillimetresHg;

    /// Pressures below atmospheric read as zero: only occlusion (high pressure) matters.
    #[requirement("SRS-15")]
    fn read(&mut self) -> Result<MillimetresHg, SensorError> {
        let counts = self
            .adc
            .read_counts()
            .ok_or(SensorError::ConversionFailed)?;
        if counts < OPEN_CIRCUIT_BELOW_COUNTS {
            return Err(SensorError::OpenCircuit);
        }
        if counts > SHORT_CIRCUIT_ABOVE_COUNTS {
            return Err(SensorError::ShortCircuit);
        }
        let above_zero = u32::from(counts.saturating_sub(self.calibration.zero_counts));
        let per_100 = u32::from(self.calibration.counts_per_100_mmhg.max(1));
        let mmhg = above_zero * 100 / per_100;
        Ok(MillimetresHg(u16::try_from(mmhg).unwrap_or(u16::MAX)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iec_runtime::requirement;

    struct FixedAdc(Option<u16>);

    impl AdcChannel for FixedAdc {
        fn read_counts(&mut self) -> Option<u16> {
            self.0
        }
    }

    const CALIBRATION: PressureCalibration = PressureCalibration {
        zero_counts: 400,
        counts_per_100_mmhg: 250,
    };

    fn read(counts: Option<u16>) -> Result<MillimetresHg, SensorError> {
        PressureTransducer::new(FixedAdc(counts), CALIBRATION).read()
    }

    #[test]
    #[requirement("SRS-15")]
    fn counts_are_converted_with_the_calibration() {
        assert_eq!(read(Some(400)), Ok(MillimetresHg(0)));
        assert_eq!(read(Some(1_650)), Ok(MillimetresHg(500)));
        assert_eq!(read(Some(2_400)), Ok(MillimetresHg(800)));
        // Below atmospheric (e.g. syringe being refilled) reads as zero.
        assert_eq!(read(Some(100)), Ok(MillimetresHg(0)));
    }

    #[test]
    #[requirement("SRS-15")]
    fn implausible_signals_are_sensor_faults() {
        assert_eq!(read(Some(39)), Err(SensorError::OpenCircuit));
        assert_eq!(read(Some(40)), Ok(MillimetresHg(0)));
        assert_eq!(read(Some(4_050)), Ok(MillimetresHg(1_460)));
        assert_eq!(read(Some(4_051)), Err(SensorError::ShortCircuit));
        assert_eq!(read(None), Err(SensorError::ConversionFailed));
    }
}
