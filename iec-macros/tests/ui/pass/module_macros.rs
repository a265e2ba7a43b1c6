// A file module declares itself from inside, where stable Rust allows no attribute.
#[path = "support/alarm.rs"]
mod alarm;

mod dose {
    iec_runtime::module_requirement!("SRS-1", "SRS-2", partial);
    iec_runtime::module_unit!();

    pub fn compute() -> u32 {
        1
    }
}

fn main() {
    assert!(alarm::raise());
    assert_eq!(dose::compute(), 1);
}
