use iec_runtime::software_unit;

#[software_unit(class = "B", class = "C")]
mod dose {}

fn main() {}
