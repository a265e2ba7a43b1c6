//! Alarm scenarios: sensors feed the detectors, detectors raise events, the controller stops
//! delivery. Wires the modules the way the firmware's sensing task does.

use iec_runtime::requirement;
use infusion_pump::alarms::{
    AirInLineCause, AirInLineDetector, Alarm, AlarmPriority, OcclusionDetector, OcclusionThreshold,
};
use infusion_pump::controller::{Controller, Event, Fault, Program, PumpState, TransitionError};
use infusion_pump::motor::{MotorDriver, MotorError};
use infusion_pump::sensors::{
    AdcChannel, PressureCalibration, PressureTransducer, Sensor, SensorError,
};
use infusion_pump::units::{Instant, Microlitres, MicrolitresPerHour};

/// A drive that runs exactly as commanded and remembers the last command.
#[derive(Default)]
struct IdealDrive {
    rate: MicrolitresPerHour,
}

impl MotorDriver for IdealDrive {
    fn run_at(&mut self, rate: MicrolitresPerHour) -> Result<(), MotorError> {
        self.rate = rate;
        Ok(())
    }
    fn stop(&mut self) {
        self.rate = MicrolitresPerHour::ZERO;
    }
    fn delivered(&self) -> Microlitres {
        Microlitres::ZERO
    }
}

/// ADC counts played back one per conversion.
struct ScriptedAdc {
    counts: Vec<Option<u16>>,
    next: usize,
}

impl AdcChannel for ScriptedAdc {
    fn read_counts(&mut self) -> Option<u16> {
        let counts = self.counts.get(self.next).copied().flatten();
        self.next += 1;
        counts
    }
}

const CALIBRATION: PressureCalibration = PressureCalibration {
    zero_counts: 400,
    counts_per_100_mmhg: 250,
};

/// Counts for a pressure in mmHg with [`CALIBRATION`].
fn counts(mmhg: u16) -> Option<u16> {
    Some(400 + mmhg * 5 / 2)
}

fn infusing_pump() -> Controller<IdealDrive> {
    let mut pump = Controller::new(IdealDrive::default());
    pump.handle(Event::StartPriming).unwrap();
    pump.handle(Event::PrimingComplete).unwrap();
    pump.set_program(Program {
        rate: MicrolitresPerHour::from_millilitres_per_hour(50),
        volume_to_infuse: Microlitres::from_millilitres(250),
    })
    .unwrap();
    pump.handle(Event::Start).unwrap();
    for _ in 0..10 {
        pump.tick();
    }
    assert_eq!(pump.motor().rate, MicrolitresPerHour(50_000));
    pump
}

/// One cycle of the sensing task: read pressure, raise the alarm or the fault.
fn sensing_cycle(
    pump: &mut Controller<IdealDrive>,
    transducer: &mut PressureTransducer<ScriptedAdc>,
    detector: &mut OcclusionDetector,
) -> PumpState {
    match transducer.read() {
        Ok(pressure) => {
            if detector.on_sample(pressure) {
                pump.handle(Event::AlarmRaised(Alarm::Occlusion)).unwrap();
            }
        }
        Err(error) => {
            pump.handle(Event::FaultDetected(Fault::Sensor(error)))
                .unwrap();
        }
    }
    pump.tick()
}

#[test]
#[requirement("SRS-14", "SRS-15", "SRS-19")]
fn downstream_occlusion_stops_delivery_until_the_user_resumes() {
    let mut pump = infusing_pump();
    // Normal line pressure, one cough spike, then the line is clamped and pressure climbs.
    let pressures = [80, 90, 620, 95, 85, 300, 510, 560, 610, 650];
    let mut transducer = PressureTransducer::new(
        ScriptedAdc {
            counts: pressures.iter().map(|&p| counts(p)).collect(),
            next: 0,
        },
        CALIBRATION,
    );
    let mut detector = OcclusionDetector::new(OcclusionThreshold::Medium);
    let states: Vec<PumpState> = (0..pressures.len())
        .map(|_| sensing_cycle(&mut pump, &mut transducer, &mut detector))
        .collect();
    // The spike is ignored; the third sample above 500 mmHg (610) raises the alarm.
    assert!(states[..8].iter().all(|s| *s == PumpState::Infusing));
    assert_eq!(states[8], PumpState::Alarm(Alarm::Occlusion));
    assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
    assert_eq!(Alarm::Occlusion.priority(), AlarmPriority::High);

    // The clamp is released; the nurse acknowledges: paused, not infusing.
    assert_eq!(pump.handle(Event::AlarmResolved), Ok(PumpState::Paused));
    pump.tick();
    assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
    assert_eq!(pump.handle(Event::Resume), Ok(PumpState::Infusing));
}

#[test]
#[requirement("SRS-15", "SRS-24")]
fn an_unplugged_pressure_transducer_is_a_latched_fault() {
    let mut pump = infusing_pump();
    let mut transducer = PressureTransducer::new(
        ScriptedAdc {
            counts: vec![counts(100), Some(12), counts(100)],
            next: 0,
        },
        CALIBRATION,
    );
    let mut detector = OcclusionDetector::new(OcclusionThreshold::Medium);
    assert_eq!(
        sensing_cycle(&mut pump, &mut transducer, &mut detector),
        PumpState::Infusing
    );
    let fault = PumpState::Fault(Fault::Sensor(SensorError::OpenCircuit));
    assert_eq!(
        sensing_cycle(&mut pump, &mut transducer, &mut detector),
        fault
    );
    assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
    // Plugging it back in changes nothing: only a power cycle clears a fault.
    assert_eq!(
        sensing_cycle(&mut pump, &mut transducer, &mut detector),
        fault
    );
    assert!(matches!(
        pump.handle(Event::Resume),
        Err(TransitionError::NotAllowed { .. })
    ));
}

#[requirement("SRS-16", "SRS-19")]
#[test]
fn a_large_bubble_stops_delivery_in_the_same_cycle() {
    let mut pump = infusing_pump();
    let mut air = AirInLineDetector::new();
    let now = Instant::from_millis(42_000);
    assert_eq!(
        air.on_bubble(now, Microlitres(150)),
        Some(AirInLineCause::SingleBubble)
    );
    assert_eq!(
        pump.handle(Event::AlarmRaised(Alarm::AirInLine)),
        Ok(PumpState::Alarm(Alarm::AirInLine))
    );
    assert_eq!(pump.motor().rate, MicrolitresPerHour::ZERO);
}

#[test]
#[requirement("SRS-17")]
fn outgassing_bubbles_add_up_to_an_alarm() {
    // A warm bag outgasses: a 30 µL bubble every 20 s. 34 bubbles are 1020 µL in 11 min.
    let mut air = AirInLineDetector::new();
    let mut raised_at = None;
    for bubble in 0..60u64 {
        let now = Instant::from_millis(bubble * 20_000);
        if let Some(cause) = air.on_bubble(now, Microlitres(30)) {
            assert_eq!(cause, AirInLineCause::Cumulative);
            raised_at = Some(bubble);
            break;
        }
    }
    assert_eq!(raised_at, Some(33));
}

#[test]
#[requirement("SRS-17")]
fn sparse_small_bubbles_never_add_up() {
    // 60 µL every 70 s is at most 14 bubbles (840 µL) in any 16 minutes.
    let mut air = AirInLineDetector::new();
    for bubble in 0..500u64 {
        let now = Instant::from_millis(bubble * 70_000);
        assert_eq!(air.on_bubble(now, Microlitres(60)), None, "bubble {bubble}");
    }
}
