//! The static scanner on one library root file: any input gives records, findings or scan
//! errors, never a panic or a hang.
#![no_main]

use std::sync::OnceLock;

use cargo_iec::record::TargetRef;
use cargo_iec::static_scan::{ScanOptions, TargetSource, scan_targets};
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static std::path::Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temporary directory");
        std::fs::create_dir_all(dir.path().join("src")).expect("src");
        dir
    })
    .path()
}

fuzz_target!(|data: &[u8]| {
    let root = dir();
    if std::fs::write(root.join("src/lib.rs"), data).is_err() {
        return;
    }
    let target = TargetSource {
        target: TargetRef {
            package: "fuzz".to_string(),
            kind: "lib".to_string(),
            name: "fuzz".to_string(),
        },
        crate_name: "fuzz".to_string(),
        root: root.join("src/lib.rs"),
        edition: "2024".to_string(),
        extern_crates: vec!["iec_runtime".to_string()],
        runtime_crates: vec!["iec_runtime".to_string()],
    };
    let _ = scan_targets(root, &[target], &ScanOptions::default());
});
