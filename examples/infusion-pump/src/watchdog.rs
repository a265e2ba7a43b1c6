//! Task supervision: the hardware watchdog is serviced only on behalf of every periodic
//! task, so that a hung task (not only a hung CPU) resets the pump.

iec_runtime::module_unit!(id = "SU-WATCHDOG", item = "SI-SUPERVISION", class = "C");

use core::time::Duration;

use iec_runtime::{requirement, software_unit};

use crate::units::Instant;

/// The independent hardware watchdog, implemented by the board support crate.
#[requirement("SRS-25")]
pub trait Watchdog {
    /// Restarts the watchdog's countdown.
    fn kick(&mut self);
}

/// A supervised periodic task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// The 100 ms control cycle (state machine, motor).
    Control,
    /// The 100 ms sensing cycle (pressure, air, battery).
    Sensing,
    /// The 500 ms display refresh.
    Display,
}

impl Task {
    /// Every supervised task.
    #[requirement("SRS-25")]
    pub const ALL: [Task; 3] = [Task::Control, Task::Sensing, Task::Display];

    /// How often the task runs.
    #[requirement("SRS-25")]
    pub const fn period(self) -> Duration {
        match self {
            Task::Control | Task::Sensing => Duration::from_millis(100),
            Task::Display => Duration::from_millis(500),
        }
    }

    /// The longest time allowed between two check-ins: 2.5 periods, which tolerates the
    /// jitter of one late cycle but not a missed one.
    #[requirement("SRS-25")]
    pub const fn deadline(self) -> Duration {
        Duration::from_millis(self.period().as_millis() as u64 * 5 / 2)
    }

    const fn index(self) -> usize {
        match self {
            Task::Control => 0,
            Task::Sensing => 1,
            Task::Display => 2,
        }
    }
}

/// Collects the tasks' check-ins and services the watchdog only while all are alive.
#[software_unit(id = "SU-TASK-MONITOR", item = "SI-SUPERVISION", class = "C")]
#[derive(Debug, Clone)]
pub struct TaskMonitor {
    last_check_in: [Instant; Task::ALL.len()],
}

impl TaskMonitor {
    /// A monitor started at `now`: every task's first deadline counts from here.
    #[requirement("SRS-25")]
    pub const fn new(now: Instant) -> TaskMonitor {
        TaskMonitor {
            last_check_in: [now; Task::ALL.len()],
        }
    }

    /// Records that `task` completed a cycle at `now`.
    #[requirement("SRS-25")]
    pub fn check_in(&mut self, task: Task, now: Instant) {
        self.last_check_in[task.index()] = now;
    }

    /// The first task that has not checked in within its deadline at `now`.
    #[requirement("SRS-25")]
    pub fn overdue(&self, now: Instant) -> Option<Task> {
        Task::ALL.into_iter().find(|task| {
            now.saturating_duration_since(self.last_check_in[task.index()]) > task.deadline()
        })
    }

    /// Kicks `watchdog` if every task is alive; otherwise leaves it to expire and names the
    /// overdue task (the caller records the fault before the reset).
    #[requirement("SRS-25")]
    pub fn service<W: Watchdog>(&self, watchdog: &mut W, now: Instant) -> Result<(), Task> {
        match self.overdue(now) {
            Some(task) => Err(task),
            None => {
                watchdog.kick();
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iec_runtime::requirement;

    #[derive(Default)]
    struct CountingWatchdog {
        kicks: u32,
    }

    impl Watchdog for CountingWatchdog {
        fn kick(&mut self) {
            self.kicks += 1;
        }
    }

    fn ms(millis: u64) -> Instant {
        Instant::from_millis(millis)
    }

    #[test]
    #[requirement("SRS-25")]
    fn deadlines_are_two_and_a_half_periods() {
        assert_eq!(Task::Control.deadline(), Duration::from_millis(250));
        assert_eq!(Task::Sensing.deadline(), Duration::from_millis(250));
        assert_eq!(Task::Display.deadline(), Duration::from_millis(1250));
    }

    #[test]
    #[requirement("SRS-25")]
    fn watchdog_is_kicked_while_every_task_checks_in() {
        let mut monitor = TaskMonitor::new(ms(0));
        let mut watchdog = CountingWatchdog::default();
        for cycle in 1..=50 {
            let now = ms(cycle * 100);
            monitor.check_in(Task::Control, now);
            monitor.check_in(Task::Sensing, now);
            if cycle % 5 == 0 {
                monitor.check_in(Task::Display, now);
            }
            assert_eq!(monitor.service(&mut watchdog, now), Ok(()));
        }
        assert_eq!(watchdog.kicks, 50);
    }

    #[requirement("SRS-25")]
    #[test]
    fn a_hung_task_stops_the_kicks_and_is_named() {
        let mut monitor = TaskMonitor::new(ms(0));
        let mut watchdog = CountingWatchdog::default();
        monitor.check_in(Task::Control, ms(100));
        monitor.check_in(Task::Display, ms(100));
        // Sensing has not checked in since start; 250 ms is still within its deadline.
        assert_eq!(monitor.service(&mut watchdog, ms(250)), Ok(()));
        assert_eq!(monitor.service(&mut watchdog, ms(251)), Err(Task::Sensing));
        assert_eq!(watchdog.kicks, 1);
    }
}
