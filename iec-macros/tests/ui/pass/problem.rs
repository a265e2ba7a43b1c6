//! `#[problem]` on tests, before or after `#[test]`, with one or several IDs.

use iec_runtime::{problem, requirement};

#[test]
#[problem("PR-17")]
fn overshoot_is_fixed() {}

#[problem("PR-17", "PR-18")]
#[test]
#[requirement("SRS-2")]
fn rate_stays_below_the_maximum() {}

fn main() {}
