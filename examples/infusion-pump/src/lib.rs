//! Controller library of a syringe infusion pump: dose and rate computation, the syringe
//! drive, occlusion and air-in-line alarms, battery monitoring, the pump's state machine,
//! power-on self-test and task supervision.
//!
//! It is written for a Cortex-M4F without heap: `no_std`, fixed-point integer units
//! ([`units`]), explicit limits and error enums, and hardware behind small traits
//! ([`motor::StepperHardware`], [`sensors::AdcChannel`], [`watchdog::Watchdog`]) that the
//! board support crate implements.
//!
//! The code carries its IEC 62304 traceability: `#[requirement("SRS-n")]` on the code that
//! implements a software requirement and on the tests that verify it, and a software unit
//! declared for every module (see `requirements.toml` and the README).
//!
//! ```
//! use core::time::Duration;
//!
//! use infusion_pump::display::format_rate;
//! use infusion_pump::dose::library::MORPHINE_PCA;
//! use infusion_pump::dose::{BolusError, BolusGuard, SoftLimitOverride};
//! use infusion_pump::rate::rate_for_volume;
//! use infusion_pump::units::{Instant, Micrograms, Microlitres};
//!
//! // 100 mL over 8 hours.
//! let rate = rate_for_volume(Microlitres::from_millilitres(100), Duration::from_secs(8 * 3600))?;
//! assert_eq!(format_rate(rate).as_str(), "12.5 mL/h");
//!
//! // A 1 mg morphine PCA bolus is 1 mL; another one 2 minutes later is locked out.
//! let mut guard = BolusGuard::new(&MORPHINE_PCA);
//! let dose = Micrograms(1_000);
//! let unconfirmed = SoftLimitOverride::NotConfirmed;
//! assert_eq!(guard.authorise(dose, unconfirmed, Instant::from_millis(0)), Ok(Microlitres(1_000)));
//! assert_eq!(
//!     guard.authorise(dose, unconfirmed, Instant::from_millis(120_000)),
//!     Err(BolusError::LockedOut { remaining: Duration::from_secs(4 * 60) })
//! );
//! # Ok::<(), infusion_pump::rate::RateError>(())
//! ```
#![cfg_attr(not(test), no_std)]

pub mod alarms;
pub mod battery;
pub mod controller;
pub mod display;
pub mod dose;
pub mod motor;
pub mod rate;
pub mod selftest;
pub mod sensors;
pub mod units;
pub mod watchdog;
