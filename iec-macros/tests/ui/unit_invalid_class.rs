use iec_runtime::software_unit;

#[software_unit(class = "D")]
mod dose {}

#[software_unit(class = "c")]
mod rate {}

fn main() {}
