use iec_runtime::software_unit;

#[software_unit(itme = "SI-PUMP")]
mod dose {}

#[software_unit(safety = "C")]
mod rate {}

fn main() {}
