//! ReqIF import: parse, map to requirements and render the TOML catalogue; any input is a
//! catalogue or an error naming the file, never a panic.
#![no_main]

use cargo_iec::interop::reqif::{ReqifFile, parse_files};
use cargo_iec::interop::reqif_import::{ImportOptions, import, render};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let files = vec![ReqifFile {
        name: "fuzz.reqif".to_string(),
        text: text.to_string(),
    }];
    let Ok(reqif) = parse_files(files) else {
        return;
    };
    let options = ImportOptions {
        source_file: "fuzz.reqif".to_string(),
        ..ImportOptions::default()
    };
    if let Ok(imported) = import(&reqif, &options) {
        let _ = render(&imported, &options, None);
    }
});
