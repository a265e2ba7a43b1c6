use iec_runtime::requirement;

#[requirement("SRS-1")]
use std::fmt::Debug;

#[requirement("SRS-1")]
extern crate core;

#[requirement("SRS-1")]
macro_rules! dose {
    () => {
        0
    };
}

#[requirement("SRS-1")]
unsafe extern "C" {
    fn abs(input: i32) -> i32;
}

fn show(value: &dyn Debug) -> i32 {
    let _ = value;
    dose!() + unsafe { abs(-1) }
}

fn main() {
    show(&1);
}
