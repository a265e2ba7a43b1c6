//! System-level delivery scenarios: programming, the syringe drive on a simulated step
//! timer, and PCA bolus sequences.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use iec_runtime::requirement;
use infusion_pump::alarms::Alarm;
use infusion_pump::controller::{Controller, Event, Program, PumpState};
use infusion_pump::dose::library::{self, HYDROMORPHONE_PCA, STANDARD_LIBRARY};
use infusion_pump::dose::{BolusError, BolusGuard, HOURLY_WINDOW, SoftLimitOverride};
use infusion_pump::motor::{MotorDriver, StepperHardware, SyringeDrive};
use infusion_pump::rate::{MAX_RATE, rate_for_volume, rate_from_dose_rate};
use infusion_pump::units::{
    Instant, Micrograms, MicrogramsPerHour, Microlitres, MicrolitresPerHour,
};

/// 60 mL syringe on a 0.5 mm lead screw with 3200 microsteps per turn.
const NL_PER_STEP: u32 = 87;

/// A step timer that produces steps against a shared simulated clock (in µs).
struct SimulatedStepper {
    clock: Rc<Cell<u64>>,
    period_us: Option<u32>,
    /// Steps produced before the current period was set, and when it was set.
    steps_before: u64,
    since_us: u64,
}

impl SimulatedStepper {
    fn new(clock: Rc<Cell<u64>>) -> Self {
        let since_us = clock.get();
        SimulatedStepper {
            clock,
            period_us: None,
            steps_before: 0,
            since_us,
        }
    }

    fn steps_now(&self) -> u64 {
        let running = match self.period_us {
            Some(period) => (self.clock.get() - self.since_us) / u64::from(period),
            None => 0,
        };
        self.steps_before + running
    }
}

impl StepperHardware for SimulatedStepper {
    fn set_step_period(&mut self, period_us: Option<u32>) {
        if period_us == self.period_us {
            return; // the timer keeps running undisturbed
        }
        self.steps_before = self.steps_now();
        self.since_us = self.clock.get();
        self.period_us = period_us;
    }

    fn steps_produced(&self) -> u32 {
        self.steps_now() as u32
    }

    fn driver_fault(&self) -> bool {
        false
    }
}

/// A primed pump on the simulated drive, and the clock driving it.
fn primed_pump() -> (Controller<SyringeDrive<SimulatedStepper>>, Rc<Cell<u64>>) {
    let clock = Rc::new(Cell::new(0));
    let drive = SyringeDrive::new(SimulatedStepper::new(clock.clone()), NL_PER_STEP);
    let mut pump = Controller::new(drive);
    pump.handle(Event::StartPriming).unwrap();
    pump.handle(Event::PrimingComplete).unwrap();
    (pump, clock)
}

/// Advances the clock by one 100 ms control cycle and runs it.
fn cycle(pump: &mut Controller<SyringeDrive<SimulatedStepper>>, clock: &Cell<u64>) -> PumpState {
    let state = pump.tick();
    clock.set(clock.get() + 100_000);
    state
}

#[test]
#[requirement("SRS-8", "SRS-11", "SRS-12", "SRS-13")]
fn infusion_ramps_up_runs_at_the_programmed_rate_and_ends_on_the_volume() {
    // 5 mL over 10 minutes is 30 mL/h.
    let rate = rate_for_volume(Microlitres::from_millilitres(5), Duration::from_secs(600)).unwrap();
    assert_eq!(rate, MicrolitresPerHour::from_millilitres_per_hour(30));
    let (mut pump, clock) = primed_pump();
    pump.set_program(Program {
        rate,
        volume_to_infuse: Microlitres::from_millilitres(5),
    })
    .unwrap();
    pump.handle(Event::Start).unwrap();

    // Ramp: 10, 20, 30 mL/h; 10 mL/h with 87 nL per step is one step every 31.32 ms.
    let mut periods = Vec::new();
    for _ in 0..4 {
        cycle(&mut pump, &clock);
        periods.push(pump.motor().hardware().period_us.unwrap());
    }
    assert_eq!(periods, [31_320, 15_660, 10_440, 10_440]);

    let mut cycles = 4;
    while cycle(&mut pump, &clock) == PumpState::Infusing {
        cycles += 1;
        assert!(cycles < 10_000, "the infusion never ended");
    }
    assert_eq!(pump.state(), PumpState::Alarm(Alarm::InfusionComplete));
    assert_eq!(pump.motor().hardware().period_us, None);
    let delivered = pump.motor().delivered();
    assert!(
        (Microlitres(5_000)..=Microlitres(5_001)).contains(&delivered),
        "delivered {delivered:?}"
    );
    // 10 minutes is 6000 cycles; the ramp and the final approach add a few.
    assert!((6_000..6_060).contains(&cycles), "{cycles} cycles");
}

#[test]
#[requirement("SRS-10", "SRS-12")]
fn the_drive_never_steps_faster_than_the_hardware_maximum() {
    let clock = Rc::new(Cell::new(0));
    let mut drive = SyringeDrive::new(SimulatedStepper::new(clock.clone()), NL_PER_STEP);
    drive.run_at(MicrolitresPerHour(u32::MAX)).unwrap();
    clock.set(3_600_000_000); // one hour
    let delivered = drive.delivered();
    assert!(delivered <= Microlitres(MAX_RATE.0), "{delivered:?}");
    assert!(
        delivered >= Microlitres(MAX_RATE.0 * 99 / 100),
        "{delivered:?}"
    );
}

#[requirement("SRS-8")]
#[test]
fn dose_rate_programming_respects_the_drug_limit() {
    // Hydromorphone 0.2 mg/mL: 400 µg/h is 2 mL/h; 601 µg/h is above the 600 µg/h limit.
    assert_eq!(
        rate_from_dose_rate(MicrogramsPerHour(400), &HYDROMORPHONE_PCA),
        Ok(MicrolitresPerHour(2_000))
    );
    assert!(rate_from_dose_rate(MicrogramsPerHour(601), &HYDROMORPHONE_PCA).is_err());
}

#[test]
#[requirement("SRS-2", "SRS-3", "SRS-4", "SRS-5", "SRS-6")]
fn patient_pressing_the_pca_button_every_five_minutes_for_two_hours() {
    // Hydromorphone: 200 µg soft, 400 µg hard, 8 min lockout, 1600 µg per hour.
    let mut guard = BolusGuard::new(&HYDROMORPHONE_PCA);
    let mut given: Vec<(Instant, Micrograms)> = Vec::new();
    let mut refusals = Vec::new();
    for press in 0..24u64 {
        let now = Instant::from_millis(press * 5 * 60_000);
        // The clinician set 300 µg and confirmed it above the soft limit.
        match guard.authorise(Micrograms(300), SoftLimitOverride::Confirmed, now) {
            Ok(volume) => {
                assert_eq!(volume, Microlitres(1_500)); // 300 µg at 200 µg/mL
                given.push((now, Micrograms(300)));
            }
            Err(error) => refusals.push(error),
        }
    }
    // Presses 5 minutes after a bolus fall in the 8-minute lockout; five boluses of 300 µg
    // exhaust the hour's 1600 µg until the first of them is an hour old.
    let minutes: Vec<u64> = given.iter().map(|(t, _)| t.as_millis() / 60_000).collect();
    assert_eq!(minutes, [0, 10, 20, 30, 40, 60, 70, 80, 90, 100]);
    let locked_out = refusals
        .iter()
        .filter(|e| matches!(e, BolusError::LockedOut { .. }))
        .count();
    let over_hourly = refusals
        .iter()
        .filter(|e| matches!(e, BolusError::HourlyLimit { .. }))
        .count();
    assert_eq!((locked_out, over_hourly), (10, 4));
    // In no 60-minute window does the total exceed the hourly limit.
    for &(start, _) in &given {
        let end = start.saturating_add(HOURLY_WINDOW);
        let total: u32 = given
            .iter()
            .filter(|(t, _)| *t >= start && *t < end)
            .map(|(_, dose)| dose.0)
            .sum();
        assert!(total <= HYDROMORPHONE_PCA.hourly_limit.0, "{total} µg");
    }
    // Unconfirmed above the soft limit, and above the hard limit, are refused outright.
    let later = Instant::from_millis(10 * 3_600_000);
    assert_eq!(
        guard.authorise(Micrograms(300), SoftLimitOverride::NotConfirmed, later),
        Err(BolusError::NeedsConfirmation {
            soft_limit: Micrograms(200)
        })
    );
    assert_eq!(
        guard.authorise(Micrograms(401), SoftLimitOverride::Confirmed, later),
        Err(BolusError::AboveHardLimit {
            limit: Micrograms(400)
        })
    );
}

#[test]
#[requirement("SRS-6")]
fn hourly_limit_caps_boluses_even_when_the_lockout_allows_them() {
    // Hydromorphone: 400 µg boluses every 8 minutes would be 2800 µg an hour.
    let mut guard = BolusGuard::new(&HYDROMORPHONE_PCA);
    let mut total = 0;
    for press in 0..8u64 {
        let now = Instant::from_millis(press * 8 * 60_000);
        if guard
            .authorise(Micrograms(400), SoftLimitOverride::Confirmed, now)
            .is_ok()
        {
            total += 400;
        }
    }
    assert_eq!(total, 1_600);
}

#[test]
#[requirement("SRS-7")]
fn the_shipped_drug_library_is_consistent() {
    for entry in STANDARD_LIBRARY {
        assert_eq!(entry.validated(), Ok(entry), "{}", entry.name);
    }
}

#[test]
#[requirement("SRS-29")]
fn a_drug_is_selected_by_its_exact_name_and_its_limits_apply() {
    for entry in STANDARD_LIBRARY {
        assert_eq!(library::find(entry.name), Some(&entry));
    }
    // Another concentration, a different spelling or a prefix selects nothing.
    for name in [
        "Morphine 10 mg/mL",
        "morphine 1 mg/mL",
        "Morphine",
        "Hydromorphone 0.2 mg/mL ",
        "",
    ] {
        assert_eq!(library::find(name), None, "{name:?}");
    }
    // The bolus checks apply the selected entry's limits and say which entry that is.
    let selected = library::find("Hydromorphone 0.2 mg/mL").unwrap();
    let mut guard = BolusGuard::new(selected);
    assert_eq!(guard.drug(), &HYDROMORPHONE_PCA);
    assert_eq!(guard.drug().name, "Hydromorphone 0.2 mg/mL");
    assert_eq!(
        guard.authorise(Micrograms(401), SoftLimitOverride::Confirmed, Instant::BOOT),
        Err(BolusError::AboveHardLimit {
            limit: HYDROMORPHONE_PCA.bolus_hard_limit
        })
    );
}
