use iec_runtime::software_unit;

#[software_unit(id = "SU DOSE")]
mod dose {}

fn main() {}
