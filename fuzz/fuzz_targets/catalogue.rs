//! The requirements catalogue parser (TOML): any input is a catalogue or an error, never a
//! panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = iec_model::Catalogue::parse(text, std::path::Path::new("requirements.toml"));
    }
});
