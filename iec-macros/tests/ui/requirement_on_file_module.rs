use iec_runtime::{requirement, software_unit};

#[requirement("SRS-1")]
mod file_module;

#[software_unit(item = "SI-PUMP")]
#[path = "file_module/mod.rs"]
mod unit_module;

fn main() {
    file_module::bolus();
    unit_module::bolus();
}
