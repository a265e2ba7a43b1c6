// The catalogue has a syntax error: one error names the catalogue's file, line and column;
// the other annotations stay silent instead of repeating it.
use iec_runtime::{requirement, software_unit};

#[requirement("SRS-1")]
fn bolus() {}

#[requirement("SRS-2")]
fn rate() {}

#[software_unit(item = "SI-PUMP")]
mod alarm {}

fn main() {
    bolus();
    rate();
}
