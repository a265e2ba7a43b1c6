use iec_runtime::software_unit;

#[software_unit(item = "SI-PMUP")]
mod dose {}

#[software_unit(item = "SI-VALVE")]
mod valve {}

#[software_unit(item = "SRS-1")]
mod rate {}

fn main() {}
