//! The pump's state machine: what the pump is doing, which events may change that, and
//! what the motor does in each state.
//!
//! | state     | event                    | guard                          | next           |
//! |-----------|--------------------------|--------------------------------|----------------|
//! | Idle      | `StartPriming`           | battery not depleted           | Priming        |
//! | Priming   | `PrimingComplete`        |                                | Idle (primed)  |
//! | Priming   | `Stop`                   |                                | Idle           |
//! | Idle      | `Start`                  | primed, program, battery       | Infusing       |
//! | Paused    | `Resume`                 | primed, program, battery       | Infusing       |
//! | Infusing  | `Pause`                  |                                | Paused         |
//! | Infusing, Paused | `Stop`            |                                | Idle           |
//! | any but Fault | `AlarmRaised(a)`     | `a` stops delivery             | Alarm(a)       |
//! | Alarm     | `AlarmResolved`          |                                | Paused or Idle |
//! | any       | `FaultDetected(f)`       |                                | Fault(f)       |
//!
//! Every other pair is rejected. The motor runs only in Priming and Infusing; every
//! transition out of them stops it in the same call.

iec_runtime::module_unit!(id = "SU-CONTROLLER", item = "SI-SUPERVISION", class = "C");

use iec_runtime::requirement;

use crate::alarms::Alarm;
use crate::battery::BatteryLevel;
use crate::motor::{MotorDriver, MotorError};
use crate::rate::{RampLimiter, RateError, validate_programmed_rate};
use crate::selftest::SelfTestFailure;
use crate::sensors::SensorError;
use crate::units::{Microlitres, MicrolitresPerHour};
use crate::watchdog::Task;

/// The rate the line is primed at: 120 mL/h.
const PRIME_RATE: MicrolitresPerHour = MicrolitresPerHour(120_000);

/// Control cycles per hour (one every 100 ms).
const CYCLES_PER_HOUR: u32 = 36_000;

/// What the pump is doing.
#[requirement("SRS-22")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PumpState {
    /// Not delivering; a program may be set.
    Idle,
    /// Filling the line with fluid, before connection to the patient.
    Priming,
    /// Delivering the program.
    Infusing,
    /// Delivery interrupted by the user; the program is kept.
    Paused,
    /// Delivery stopped by an alarm condition.
    Alarm(Alarm),
    /// Stopped by a malfunction until power is cycled.
    Fault(Fault),
}

/// A detected malfunction.
#[requirement("SRS-24")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The syringe drive failed.
    Motor(MotorError),
    /// A sensor failed its plausibility check.
    Sensor(SensorError),
    /// The power-on self-test failed.
    SelfTest(SelfTestFailure),
    /// A supervised task missed its deadline.
    TaskOverdue(Task),
}

/// Something that happened, from the user interface or a supervising function.
#[requirement("SRS-22")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The user started priming.
    StartPriming,
    /// The user confirmed the line is primed.
    PrimingComplete,
    /// The user started the infusion.
    Start,
    /// The user paused the infusion.
    Pause,
    /// The user resumed the paused infusion.
    Resume,
    /// The user stopped priming or the infusion.
    Stop,
    /// A detector raised an alarm.
    AlarmRaised(Alarm),
    /// The user acknowledged the alarm and its condition has ended.
    AlarmResolved,
    /// A malfunction was detected.
    FaultDetected(Fault),
}

/// What to deliver.
#[requirement("SRS-9", "SRS-13", "SRS-23")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Program {
    /// The infusion rate.
    pub rate: MicrolitresPerHour,
    /// The volume to be infused (VTBI).
    pub volume_to_infuse: Microlitres,
}

/// Why an event or program was refused; the state is unchanged.
#[requirement("SRS-9", "SRS-22", "SRS-23")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// The event is not allowed in this state.
    NotAllowed {
        /// The state the pump is in.
        state: PumpState,
        /// The event refused.
        event: Event,
    },
    /// Delivery needs a primed line.
    NotPrimed,
    /// Delivery needs a program.
    NoProgram,
    /// The battery is depleted.
    BatteryDepleted,
    /// The program's rate is out of range.
    InvalidRate(RateError),
    /// A program can be set only when idle or paused.
    Busy,
}

/// The pump controller: owns the drive and runs the state machine.
#[derive(Debug)]
pub struct Controller<M> {
    motor: M,
    state: PumpState,
    primed: bool,
    program: Option<Program>,
    /// The drive's delivered-volume counter when the program was set.
    delivered_at_program_start: Microlitres,
    battery: BatteryLevel,
    ramp: RampLimiter,
    /// Where `AlarmResolved` leads.
    after_alarm: PumpState,
}

impl<M: MotorDriver> Controller<M> {
    /// An idle controller with the drive stopped and the line not primed.
    #[requirement("SRS-22", "SRS-23")]
    pub fn new(mut motor: M) -> Controller<M> {
        motor.stop();
        Controller {
            motor,
            state: PumpState::Idle,
            primed: false,
            program: None,
            delivered_at_program_start: Microlitres::ZERO,
            battery: BatteryLevel::Normal,
            ramp: RampLimiter::new(),
            after_alarm: PumpState::Idle,
        }
    }

    /// The current state.
    #[requirement("SRS-22", "SRS-30")]
    pub const fn state(&self) -> PumpState {
        self.state
    }

    /// The drive, read-only: only the controller commands it.
    #[requirement("SRS-30")]
    pub const fn motor(&self) -> &M {
        &self.motor
    }

    /// The program, if one is set.
    #[requirement("SRS-30")]
    pub const fn program(&self) -> Option<Program> {
        self.program
    }

    /// The volume delivered since the program was set, from the steps the drive produced.
    #[requirement("SRS-13", "SRS-30")]
    pub fn volume_infused(&self) -> Microlitres {
        self.motor
            .delivered()
            .saturating_sub(self.delivered_at_program_start)
    }

    /// Sets the program when idle, or changes it when paused (keeping the volume infused).
    #[requirement("SRS-9")]
    pub fn set_program(&mut self, program: Program) -> Result<(), TransitionError> {
        validate_programmed_rate(program.rate).map_err(TransitionError::InvalidRate)?;
        match self.state {
            PumpState::Idle => {
                self.delivered_at_program_start = self.motor.delivered();
                self.program = Some(program);
                Ok(())
            }
            PumpState::Paused => {
                self.program = Some(program);
                Ok(())
            }
            _ => Err(TransitionError::Busy),
        }
    }

    /// Records the battery condition; a depleted battery stops delivery even if no one
    /// raises its alarm.
    #[requirement("SRS-19", "SRS-23")]
    pub fn set_battery_level(&mut self, level: BatteryLevel) -> PumpState {
        self.battery = level;
        if level == BatteryLevel::Depleted
            && matches!(self.state, PumpState::Priming | PumpState::Infusing)
        {
            self.enter_alarm(Alarm::BatteryDepleted);
        }
        self.state
    }

    /// Applies `event`; on error the state is unchanged.
    #[requirement("SRS-22")]
    pub fn handle(&mut self, event: Event) -> Result<PumpState, TransitionError> {
        use Event::*;
        use PumpState::*;
        match (self.state, event) {
            (Fault(_), _) => {
                return Err(TransitionError::NotAllowed {
                    state: self.state,
                    event,
                });
            }
            (_, FaultDetected(fault)) => self.enter_fault(fault),
            (Alarm(current), AlarmRaised(alarm)) => {
                // Annunciate the most urgent condition; the first stays if equally urgent.
                if alarm.stops_delivery() && alarm.priority() > current.priority() {
                    self.state = Alarm(alarm);
                }
            }
            (_, AlarmRaised(alarm)) if alarm.stops_delivery() => self.enter_alarm(alarm),
            // Battery low: the display annunciates it, delivery goes on.
            (_, AlarmRaised(_)) => {}
            (Alarm(_), AlarmResolved) => self.state = self.after_alarm,
            (Idle, StartPriming) => {
                self.check_battery()?;
                self.primed = false;
                self.state = Priming;
            }
            (Priming, PrimingComplete) => {
                self.halt();
                self.primed = true;
                self.state = Idle;
            }
            (Priming, Stop) => {
                self.halt();
                self.state = Idle;
            }
            (Idle, Start) | (Paused, Resume) => {
                self.check_start_guards()?;
                self.state = Infusing;
            }
            (Infusing, Pause) => {
                self.halt();
                self.state = Paused;
            }
            (Infusing | Paused, Stop) => {
                self.halt();
                self.program = None;
                self.state = Idle;
            }
            (state, event) => return Err(TransitionError::NotAllowed { state, event }),
        }
        Ok(self.state)
    }

    fn check_battery(&self) -> Result<(), TransitionError> {
        if self.battery == BatteryLevel::Depleted {
            return Err(TransitionError::BatteryDepleted);
        }
        Ok(())
    }

    /// Whether delivery may start or resume now.
    #[requirement("SRS-23")]
    pub fn check_start_guards(&self) -> Result<(), TransitionError> {
        if !self.primed {
            return Err(TransitionError::NotPrimed);
        }
        if self.program.is_none() {
            return Err(TransitionError::NoProgram);
        }
        self.check_battery()
    }

    /// Stops the drive and the ramp.
    fn halt(&mut self) {
        self.motor.stop();
        self.ramp.stop();
    }

    #[requirement("SRS-19")]
    fn enter_alarm(&mut self, alarm: Alarm) {
        self.halt();
        self.after_alarm = match (alarm, self.state) {
            (Alarm::InfusionComplete, _) => PumpState::Idle,
            (_, PumpState::Infusing | PumpState::Paused) => PumpState::Paused,
            (_, PumpState::Alarm(_)) => self.after_alarm,
            _ => PumpState::Idle,
        };
        if self.state == PumpState::Priming {
            self.primed = false;
        }
        if alarm == Alarm::InfusionComplete {
            self.program = None;
        }
        self.state = PumpState::Alarm(alarm);
    }

    #[requirement("SRS-24")]
    fn enter_fault(&mut self, fault: Fault) {
        self.halt();
        self.state = PumpState::Fault(fault);
    }

    /// Runs one 100 ms control cycle: commands the drive towards the rate of the state,
    /// ramped, and ends the infusion when the volume to be infused has been delivered.
    ///
    /// Near the end the rate is capped at what delivers the remaining volume in one cycle,
    /// so the infusion ends on the volume rather than up to a cycle's volume past it.
    #[requirement("SRS-11", "SRS-13")]
    pub fn tick(&mut self) -> PumpState {
        let target = match (self.state, self.program) {
            (PumpState::Priming, _) => PRIME_RATE,
            (PumpState::Infusing, Some(program)) => {
                let remaining = program
                    .volume_to_infuse
                    .saturating_sub(self.volume_infused());
                if remaining == Microlitres::ZERO {
                    self.enter_alarm(Alarm::InfusionComplete);
                    return self.state;
                }
                program.rate.min(MicrolitresPerHour(
                    remaining.0.saturating_mul(CYCLES_PER_HOUR),
                ))
            }
            _ => return self.state,
        };
        let rate = self.ramp.next(target);
        if let Err(error) = self.motor.run_at(rate) {
            self.enter_fault(Fault::Motor(error));
        }
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alarms::Alarm;
    use crate::units::MicrolitresPerHour;
    use iec_runtime::requirement;

    /// Records commands; delivers exactly the commanded rate for 100 ms per command.
    #[derive(Debug, Default)]
    struct RecordingMotor {
        rate: MicrolitresPerHour,
        /// Delivered volume in µL·h per 100 ms units (rate sum), converted on read.
        rate_sum: u64,
        stops: u32,
    }

    impl MotorDriver for RecordingMotor {
        fn run_at(&mut self, rate: MicrolitresPerHour) -> Result<(), MotorError> {
            self.rate = rate;
            self.rate_sum += u64::from(rate.0);
            Ok(())
        }
        fn stop(&mut self) {
            self.rate = MicrolitresPerHour::ZERO;
            self.stops += 1;
        }
        fn delivered(&self) -> Microlitres {
            Microlitres((self.rate_sum / u64::from(CYCLES_PER_HOUR)) as u32)
        }
    }

    fn program(ml_per_h: u32, ml: u32) -> Program {
        Program {
            rate: MicrolitresPerHour::from_millilitres_per_hour(ml_per_h),
            volume_to_infuse: Microlitres::from_millilitres(ml),
        }
    }

    /// Primed, programmed and infusing at full rate.
    fn infusing(ml_per_h: u32, ml: u32) -> Controller<RecordingMotor> {
        let mut pump = Controller::new(RecordingMotor::default());
        pump.handle(Event::StartPriming).unwrap();
        pump.handle(Event::PrimingComplete).unwrap();
        pump.set_program(program(ml_per_h, ml)).unwrap();
        pump.handle(Event::Start).unwrap();
        for _ in 0..20 {
            pump.tick();
        }
        pump
    }

    #[test]
    #[requirement("SRS-22")]
    fn normal_therapy_walks_through_the_states() {
        let mut pump = Controller::new(RecordingMotor::default());
        assert_eq!(pump.state(), PumpState::Idle);
        assert_eq!(pump.handle(Event::StartPriming), Ok(PumpState::Priming));
        pump.tick();
        assert_eq!(pump.motor().rate, MicrolitresPerHour(10_000));
        assert_eq!(pump.handle(Event::PrimingComplete), Ok(PumpState::Idle));
        assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
        pump.set_program(program(5, 10)).unwrap();
        assert_eq!(pump.handle(Event::Start), Ok(PumpState::Infusing));
        assert_eq!(pump.handle(Event::Pause), Ok(PumpState::Paused));
        assert_eq!(pump.handle(Event::Resume), Ok(PumpState::Infusing));
        assert_eq!(pump.handle(Event::Stop), Ok(PumpState::Idle));
        assert_eq!(pump.program(), None);
    }

    #[test]
    #[requirement("SRS-22")]
    fn events_not_in_the_table_are_rejected_and_change_nothing() {
        let mut pump = infusing(10, 100);
        let before = pump.motor().rate;
        for event in [
            Event::StartPriming,
            Event::PrimingComplete,
            Event::Start,
            Event::Resume,
            Event::AlarmResolved,
        ] {
            assert_eq!(
                pump.handle(event),
                Err(TransitionError::NotAllowed {
                    state: PumpState::Infusing,
                    event
                })
            );
            assert_eq!(pump.state(), PumpState::Infusing);
        }
        assert_eq!(pump.motor().rate, before);
        assert_eq!(
            pump.set_program(program(20, 100)),
            Err(TransitionError::Busy)
        );
    }

    #[test]
    #[requirement("SRS-23")]
    fn start_needs_a_primed_line_a_program_and_battery() {
        let mut pump = Controller::new(RecordingMotor::default());
        pump.set_program(program(5, 10)).unwrap();
        assert_eq!(pump.handle(Event::Start), Err(TransitionError::NotPrimed));
        pump.handle(Event::StartPriming).unwrap();
        pump.handle(Event::PrimingComplete).unwrap();
        pump.set_battery_level(BatteryLevel::Depleted);
        assert_eq!(
            pump.handle(Event::Start),
            Err(TransitionError::BatteryDepleted)
        );
        assert_eq!(
            pump.handle(Event::StartPriming),
            Err(TransitionError::BatteryDepleted)
        );
        // A low battery does not prevent starting.
        pump.set_battery_level(BatteryLevel::Low);
        assert_eq!(pump.handle(Event::Start), Ok(PumpState::Infusing));
        pump.handle(Event::Stop).unwrap();
        assert_eq!(pump.handle(Event::Start), Err(TransitionError::NoProgram));
        assert_eq!(pump.state(), PumpState::Idle);
    }

    #[test]
    #[requirement("SRS-9")]
    fn programs_outside_the_rate_range_are_refused() {
        let mut pump = Controller::new(RecordingMotor::default());
        let too_fast = Program {
            rate: MicrolitresPerHour(1_200_001),
            volume_to_infuse: Microlitres(1_000),
        };
        assert_eq!(
            pump.set_program(too_fast),
            Err(TransitionError::InvalidRate(RateError::AboveMaximum))
        );
        assert_eq!(pump.program(), None);
    }

    #[test]
    #[requirement("SRS-19")]
    fn alarm_stops_the_motor_at_once_and_never_resumes_by_itself() {
        let mut pump = infusing(50, 100);
        assert_eq!(pump.motor().rate, MicrolitresPerHour(50_000));
        assert_eq!(
            pump.handle(Event::AlarmRaised(Alarm::Occlusion)),
            Ok(PumpState::Alarm(Alarm::Occlusion))
        );
        assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
        pump.tick();
        assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
        assert_eq!(pump.handle(Event::AlarmResolved), Ok(PumpState::Paused));
        pump.tick();
        assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
        // Resuming ramps up again from zero.
        assert_eq!(pump.handle(Event::Resume), Ok(PumpState::Infusing));
        pump.tick();
        assert_eq!(pump.motor().rate, MicrolitresPerHour(10_000));
    }

    #[test]
    #[requirement("SRS-19")]
    fn battery_low_does_not_interrupt_but_depleted_does() {
        let mut pump = infusing(50, 100);
        assert_eq!(
            pump.handle(Event::AlarmRaised(Alarm::BatteryLow)),
            Ok(PumpState::Infusing)
        );
        assert_eq!(
            pump.set_battery_level(BatteryLevel::Depleted),
            PumpState::Alarm(Alarm::BatteryDepleted)
        );
        assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
    }

    #[test]
    #[requirement("SRS-18", "SRS-19")]
    fn a_more_urgent_alarm_replaces_the_annunciated_one() {
        let mut pump = infusing(50, 100);
        pump.handle(Event::AlarmRaised(Alarm::InfusionComplete))
            .unwrap();
        assert_eq!(
            pump.handle(Event::AlarmRaised(Alarm::AirInLine)),
            Ok(PumpState::Alarm(Alarm::AirInLine))
        );
        assert_eq!(
            pump.handle(Event::AlarmRaised(Alarm::Occlusion)),
            Ok(PumpState::Alarm(Alarm::AirInLine))
        );
    }

    #[test]
    #[requirement("SRS-24")]
    fn a_fault_stops_the_motor_and_latches() {
        let mut pump = infusing(50, 100);
        let fault = Fault::Sensor(SensorError::OpenCircuit);
        assert_eq!(
            pump.handle(Event::FaultDetected(fault)),
            Ok(PumpState::Fault(fault))
        );
        assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
        for event in [
            Event::AlarmResolved,
            Event::Stop,
            Event::Resume,
            Event::StartPriming,
            Event::FaultDetected(Fault::Motor(MotorError::DriverFault)),
        ] {
            assert!(pump.handle(event).is_err());
        }
        pump.tick();
        assert_eq!(pump.state(), PumpState::Fault(fault));
        assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
    }

    #[test]
    #[requirement("SRS-30")]
    fn status_reports_state_program_volume_infused_and_drive() {
        let mut pump = Controller::new(RecordingMotor::default());
        assert_eq!(pump.state(), PumpState::Idle);
        assert_eq!(pump.program(), None);
        assert_eq!(pump.volume_infused(), Microlitres::ZERO);
        pump.handle(Event::StartPriming).unwrap();
        for _ in 0..20 {
            pump.tick();
        }
        assert_eq!(pump.motor().rate, PRIME_RATE);
        pump.handle(Event::PrimingComplete).unwrap();
        // The drive counts the priming volume; the infusion does not.
        let primed = pump.motor().delivered();
        assert_eq!(primed, Microlitres(48));
        let first = program(36, 100);
        pump.set_program(first).unwrap();
        assert_eq!(pump.program(), Some(first));
        assert_eq!(pump.volume_infused(), Microlitres::ZERO);

        pump.handle(Event::Start).unwrap();
        for _ in 0..10 {
            pump.tick();
        }
        assert_eq!(pump.state(), PumpState::Infusing);
        assert_eq!(pump.motor().rate, MicrolitresPerHour(36_000));
        assert_eq!(pump.volume_infused(), Microlitres(9));
        assert_eq!(
            pump.volume_infused(),
            pump.motor().delivered().saturating_sub(primed)
        );

        // A program changed while paused continues the infusion.
        pump.handle(Event::Pause).unwrap();
        let second = program(20, 100);
        pump.set_program(second).unwrap();
        assert_eq!(pump.state(), PumpState::Paused);
        assert_eq!(pump.program(), Some(second));
        assert_eq!(pump.volume_infused(), Microlitres(9));
        assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
    }

    #[test]
    #[requirement("SRS-13")]
    fn infusion_ends_on_the_volume_to_be_infused() {
        // 1 mL at 360 mL/h: 10 µL per cycle once ramped up.
        let mut pump = infusing(360, 1);
        let mut cycles = 0;
        while pump.tick() == PumpState::Infusing {
            cycles += 1;
            assert!(cycles < 1_000, "the infusion never ended");
        }
        assert_eq!(pump.state(), PumpState::Alarm(Alarm::InfusionComplete));
        assert_eq!(pump.volume_infused(), Microlitres(1_000));
        assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
        assert_eq!(pump.handle(Event::AlarmResolved), Ok(PumpState::Idle));
        assert_eq!(pump.program(), None);
    }
}
