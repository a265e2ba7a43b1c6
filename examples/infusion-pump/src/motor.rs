//! The syringe drive: from a volume rate to step pulses of the plunger's stepper motor.
//!
//! The board support crate implements [`StepperHardware`] on the step timer and driver IC;
//! everything above it (the controller) sees only [`MotorDriver`].

iec_runtime::module_unit!(id = "SU-MOTOR", item = "SI-DELIVERY", class = "C");

use iec_runtime::{requirement, software_unit};

use crate::rate::clamp_to_hardware;
use crate::units::{Microlitres, MicrolitresPerHour};

/// The shortest step period the driver IC accepts, in microseconds.
#[requirement("SRS-12")]
pub const MIN_STEP_PERIOD_US: u32 = 50;

/// Microsecond-nanolitres per microlitre-hour: `period_us = this * nl_per_step / rate`.
const PERIOD_NUMERATOR: u64 = 3_600_000;

/// What the controller needs from a drive.
#[requirement("SRS-13")]
pub trait MotorDriver {
    /// Moves the plunger at `rate`; zero stops it.
    fn run_at(&mut self, rate: MicrolitresPerHour) -> Result<(), MotorError>;
    /// Stops the plunger at once.
    fn stop(&mut self);
    /// The volume delivered since power-on, from the steps actually produced.
    fn delivered(&self) -> Microlitres;
}

/// The step timer and stepper driver IC, implemented by the board support crate.
#[requirement("SRS-12", "SRS-13", "SRS-24")]
pub trait StepperHardware {
    /// Produces one step every `period_us` microseconds, or none for `None`.
    fn set_step_period(&mut self, period_us: Option<u32>);
    /// Steps produced since power-on (a hardware counter; wraps).
    fn steps_produced(&self) -> u32;
    /// Whether the driver IC reports a stall, over-current or over-temperature.
    fn driver_fault(&self) -> bool;
}

/// Why the drive cannot run.
#[requirement("SRS-12", "SRS-24")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MotorError {
    /// The rate needs a step period shorter than [`MIN_STEP_PERIOD_US`].
    StepRateTooHigh,
    /// The driver IC reports a fault.
    DriverFault,
}

/// A lead-screw syringe drive with a fixed volume per step for the loaded syringe size.
#[derive(Debug)]
pub struct SyringeDrive<H> {
    hardware: H,
    nanolitres_per_step: u32,
}

impl<H: StepperHardware> SyringeDrive<H> {
    /// A stopped drive; `nanolitres_per_step` comes from the syringe size detected.
    #[requirement("SRS-12", "SRS-13")]
    pub fn new(mut hardware: H, nanolitres_per_step: u32) -> SyringeDrive<H> {
        hardware.set_step_period(None);
        SyringeDrive {
            hardware,
            nanolitres_per_step: nanolitres_per_step.max(1),
        }
    }

    /// The step period for `rate`, rounded to the nearest microsecond; `None` for zero.
    #[requirement("SRS-12")]
    pub fn step_period_us(&self, rate: MicrolitresPerHour) -> Option<u64> {
        if rate == MicrolitresPerHour::ZERO {
            return None;
        }
        let rate = u64::from(rate.0);
        let numerator = PERIOD_NUMERATOR * u64::from(self.nanolitres_per_step);
        Some((numerator + rate / 2) / rate)
    }

    /// The hardware, read-only, for diagnostics.
    #[requirement("SRS-30")]
    pub fn hardware(&self) -> &H {
        &self.hardware
    }
}

/// The drive as the controller sees it.
#[software_unit(id = "SU-SYRINGE-DRIVE", item = "SI-DELIVERY", class = "C")]
impl<H: StepperHardware> MotorDriver for SyringeDrive<H> {
    #[requirement("SRS-10", "SRS-12")]
    fn run_at(&mut self, rate: MicrolitresPerHour) -> Result<(), MotorError> {
        if self.hardware.driver_fault() {
            self.stop();
            return Err(MotorError::DriverFault);
        }
        let Some(period) = self.step_period_us(clamp_to_hardware(rate)) else {
            self.stop();
            return Ok(());
        };
        match u32::try_from(period) {
            Ok(period) if period >= MIN_STEP_PERIOD_US => {
                self.hardware.set_step_period(Some(period));
                Ok(())
            }
            Ok(_) => {
                self.stop();
                Err(MotorError::StepRateTooHigh)
            }
            // Longer than the timer can count: slower than any programmable rate.
            Err(_) => {
                self.stop();
                Ok(())
            }
        }
    }

    #[requirement("SRS-19", "SRS-24")]
    fn stop(&mut self) {
        self.hardware.set_step_period(None);
    }

    #[requirement("SRS-13")]
    fn delivered(&self) -> Microlitres {
        let nanolitres =
            u64::from(self.hardware.steps_produced()) * u64::from(self.nanolitres_per_step);
        Microlitres(u32::try_from(nanolitres / 1000).unwrap_or(u32::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rate::{MAX_RATE, MIN_PROGRAMMABLE_RATE};
    use iec_runtime::requirement;

    /// 60 mL syringe, 0.5 mm lead screw, 3200 microsteps per turn.
    const NL_PER_STEP: u32 = 87;

    #[derive(Default)]
    struct FakeStepper {
        period_us: Option<u32>,
        steps: u32,
        fault: bool,
    }

    impl StepperHardware for FakeStepper {
        fn set_step_period(&mut self, period_us: Option<u32>) {
            self.period_us = period_us;
        }
        fn steps_produced(&self) -> u32 {
            self.steps
        }
        fn driver_fault(&self) -> bool {
            self.fault
        }
    }

    /// The rate the drive really produces with a step period, in µL/h.
    fn produced_rate(period_us: u32) -> f64 {
        3_600_000_000.0 / f64::from(period_us) * f64::from(NL_PER_STEP) / 1000.0
    }

    #[test]
    #[requirement("SRS-12")]
    fn step_period_error_is_below_one_percent_over_the_range() {
        let mut drive = SyringeDrive::new(FakeStepper::default(), NL_PER_STEP);
        let mut rate = MIN_PROGRAMMABLE_RATE.0;
        while rate <= MAX_RATE.0 {
            drive.run_at(MicrolitresPerHour(rate)).unwrap();
            let period = drive.hardware().period_us.unwrap();
            let error = (produced_rate(period) - f64::from(rate)).abs() / f64::from(rate);
            assert!(
                error < 0.01,
                "{rate} uL/h: period {period} us, error {error}"
            );
            rate = rate * 3 / 2 + 1;
        }
        // 1200 mL/h with 87 nL per step is exactly 261 µs per step.
        drive.run_at(MAX_RATE).unwrap();
        assert_eq!(drive.hardware().period_us, Some(261));
    }

    #[test]
    #[requirement("SRS-12")]
    fn zero_rate_produces_no_steps() {
        let mut drive = SyringeDrive::new(FakeStepper::default(), NL_PER_STEP);
        drive.run_at(MicrolitresPerHour(5_000)).unwrap();
        assert!(drive.hardware().period_us.is_some());
        drive.run_at(MicrolitresPerHour::ZERO).unwrap();
        assert_eq!(drive.hardware().period_us, None);
    }

    #[test]
    #[requirement("SRS-10")]
    fn commands_above_the_maximum_run_at_the_maximum() {
        let mut drive = SyringeDrive::new(FakeStepper::default(), NL_PER_STEP);
        drive.run_at(MicrolitresPerHour(5_000_000)).unwrap();
        assert_eq!(drive.hardware().period_us, Some(261));
    }

    #[test]
    #[requirement("SRS-12")]
    fn mechanism_too_fine_for_the_driver_is_an_error_and_stops() {
        // 10 nL per step would need 30 µs steps at 1200 mL/h.
        let mut drive = SyringeDrive::new(FakeStepper::default(), 10);
        assert_eq!(drive.run_at(MAX_RATE), Err(MotorError::StepRateTooHigh));
        assert_eq!(drive.hardware().period_us, None);
    }

    #[test]
    #[requirement("SRS-13")]
    fn delivered_volume_counts_produced_steps() {
        // 11 494 steps x 87 nL = 999.978 µL: whole microlitres only, rounded down.
        let hardware = FakeStepper {
            steps: 11_494,
            ..FakeStepper::default()
        };
        let drive = SyringeDrive::new(hardware, NL_PER_STEP);
        assert_eq!(drive.delivered(), Microlitres(999));
    }

    #[test]
    #[requirement("SRS-24")]
    fn driver_fault_stops_the_drive() {
        let mut drive = SyringeDrive::new(FakeStepper::default(), NL_PER_STEP);
        drive.run_at(MicrolitresPerHour(5_000)).unwrap();
        drive.hardware.fault = true;
        assert_eq!(
            drive.run_at(MicrolitresPerHour(5_000)),
            Err(MotorError::DriverFault)
        );
        assert_eq!(drive.hardware().period_us, None);
    }
}
