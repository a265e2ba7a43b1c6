//! Phase timings for measuring (docs/PERFORMANCE.md): when `IEC_TRACE_TIMINGS` is set,
//! each phase of a trace prints its wall time on stderr (`timing: scan 0.231 s`). Off, a
//! phase costs one relaxed load.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Instant;

/// The variable that turns the timings on.
pub(crate) const VARIABLE: &str = "IEC_TRACE_TIMINGS";

// 0: not read yet, 1: off, 2: on.
static STATE: AtomicU8 = AtomicU8::new(0);
static LAST: Mutex<Option<Instant>> = Mutex::new(None);

fn enabled() -> bool {
    match STATE.load(Ordering::Relaxed) {
        0 => {
            let on = std::env::var_os(VARIABLE).is_some();
            STATE.store(if on { 2 } else { 1 }, Ordering::Relaxed);
            on
        }
        state => state == 2,
    }
}

/// Starts the clock (the first phase is timed from here).
pub(crate) fn start() {
    if enabled()
        && let Ok(mut last) = LAST.lock()
    {
        *last = Some(Instant::now());
    }
}

/// Ends the phase `name`: prints the time since the previous phase ended (or [`start`]).
pub(crate) fn phase(name: &str) {
    if !enabled() {
        return;
    }
    let now = Instant::now();
    let Ok(mut last) = LAST.lock() else { return };
    if let Some(previous) = last.replace(now) {
        #[allow(clippy::print_stderr)] // a measuring aid, on stderr like every log
        {
            eprintln!(
                "timing: {name} {:.3} s",
                now.duration_since(previous).as_secs_f64()
            );
        }
    }
}

/// Prints `timing: note: MESSAGE`, a fact that explains the phases (which path a step took),
/// without ending the current phase.
pub(crate) fn detail(message: &str) {
    if enabled() {
        #[allow(clippy::print_stderr)] // a measuring aid, on stderr like every log
        {
            eprintln!("timing: note: {message}");
        }
    }
}

/// Times `work`, which runs beside the phases (on a thread of its own): prints its wall
/// time as `timing: NAME 0.231 s (overlapped)` without ending the current phase.
pub(crate) fn overlapped<T>(name: &str, work: impl FnOnce() -> T) -> T {
    if !enabled() {
        return work();
    }
    let started = Instant::now();
    let result = work();
    #[allow(clippy::print_stderr)] // a measuring aid, on stderr like every log
    {
        eprintln!(
            "timing: {name} {:.3} s (overlapped)",
            started.elapsed().as_secs_f64()
        );
    }
    result
}
