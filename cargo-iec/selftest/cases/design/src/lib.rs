//! The design fixture's crate.

pub mod bare;
pub mod control;
pub mod log;
