//! The static scanner on one library root file: any input gives records, findings or scan
//! errors, never a panic or a hang.
//!
//! The input is written to `src/lib.rs` of a temporary package and scanned from disk with
//! `scan_targets`, the entry point `cargo iec trace` uses (file reading, module lookup and
//! all). The scanner is parallel (rayon); here its pool is one thread that is libFuzzer's
//! own (`use_current_thread`), so the parallel iterators run inline: the same code, without
//! a hand-off to a worker thread and back for every `par_iter`, which on a loaded machine
//! cost milliseconds of scheduling per execution (scans ran at 30-400/s while the process
//! used a tenth of a core).
#![no_main]

use std::sync::OnceLock;

use cargo_iec::record::TargetRef;
use cargo_iec::static_scan::{ScanOptions, TargetSource, scan_targets};
use libfuzzer_sys::fuzz_target;

fn dir() -> &'static std::path::Path {
    static POOL: OnceLock<()> = OnceLock::new();
    POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .use_current_thread()
            .build_global()
            .expect("the global rayon pool, on libFuzzer's thread");
    });
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
