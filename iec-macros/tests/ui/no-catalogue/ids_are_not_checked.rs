// No IEC_TRACE_CATALOGUE and no catalogue to discover: IDs cannot be checked, so any
// well-formed ID compiles; `cargo iec trace` reports it later. Malformed arguments are
// still errors (see the other cases), since they need no catalogue.
use iec_runtime::{requirement, software_unit};

#[requirement("ANY-ID", "SRS-999")]
fn bolus() {}

#[software_unit(item = "SI-ANYTHING")]
mod dose {}

fn main() {
    bolus();
}
