//! The JUnit reader (`--results FILE.xml`, `cargo iec verify`): any input is a list of test
//! cases or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cargo_iec::junit::read(text);
    }
});
