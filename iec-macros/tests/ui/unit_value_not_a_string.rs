use iec_runtime::software_unit;

#[software_unit(class = C)]
mod dose {}

#[software_unit(id = 12, item = SI_PUMP)]
mod rate {}

#[software_unit(class)]
mod alarm {}

#[software_unit("SU-DOSE")]
mod bolus {}

fn main() {}
