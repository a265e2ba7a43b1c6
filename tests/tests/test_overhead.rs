//! `cargo iec test` asks its tools (`cargo nextest --version`, `cargo -V`, `rustc -vV`,
//! `uname -r`) on threads of their own while cargo reads and builds the workspace: what
//! those answers decide (the runner, environment.json) and their failures stay as they
//! were, and the phase timings show where the fixed cost goes (docs/PERFORMANCE.md).

use std::path::{Path, PathBuf};

use iec_acceptance::{Fixture, Run};
use iec_runtime::requirement;
use serde_json::Value;

/// A `cargo` for `CARGO` that behaves as if cargo-nextest were not installed (`cargo
/// nextest ...` fails the way cargo fails for an unknown subcommand) and passes every other
/// command to the real cargo.
#[cfg(unix)]
fn cargo_without_nextest(dir: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let real = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let script = dir.join("cargo");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nif [ \"$1\" = nextest ]; then\n  echo \"error: no such command: \\`nextest\\`\" >&2\n  exit 101\nfi\nexec '{real}' \"$@\"\n"
        ),
    )
    .expect("write the cargo wrapper");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
        .expect("make the cargo wrapper executable");
    script
}

#[cfg(unix)]
fn iec_test_with_cargo(fixture: &Fixture, cargo: &Path, args: &[&str]) -> Run {
    iec_acceptance::run(
        fixture
            .command()
            .env("CARGO", cargo)
            .env("IEC_TRACE_TIMINGS", "1")
            .arg("test")
            .args(args),
    )
}

/// The `results` fixture, a `cargo` without nextest, and where a bundle would go.
#[cfg(unix)]
struct WithoutNextest {
    fixture: Fixture,
    cargo: PathBuf,
    bundle: PathBuf,
    _tools: tempfile::TempDir,
    _out: tempfile::TempDir,
}

#[cfg(unix)]
impl WithoutNextest {
    fn new() -> WithoutNextest {
        let tools = tempfile::tempdir().expect("temporary directory");
        let out = tempfile::tempdir().expect("temporary directory");
        WithoutNextest {
            fixture: Fixture::new("results"),
            cargo: cargo_without_nextest(tools.path()),
            bundle: out.path().join("bundle"),
            _tools: tools,
            _out: out,
        }
    }
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
#[cfg(unix)]
#[requirement("TR-PERF-TEST-OVERLAP", "TR-TEST-RUN", "TR-TEST-EXIT")]
fn a_runner_probe_that_fails_on_its_own_thread_is_still_an_error_with_exit_2() {
    let setup = WithoutNextest::new();
    let (fixture, cargo, bundle) = (&setup.fixture, &setup.cargo, &setup.bundle);
    let run = iec_test_with_cargo(
        fixture,
        cargo,
        &["--runner", "nextest", "--out", &bundle.to_string_lossy()],
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.last_error()
            .contains("--runner nextest: cargo-nextest is not installed"),
        "{run}"
    );
    assert!(run.stdout.is_empty(), "no bundle path is printed: {run}");
    assert!(!bundle.exists(), "no bundle is written");
    // Refused before anything was built or run.
    assert!(!run.stderr.contains("timing: cargo test --no-run"), "{run}");
}

#[test]
#[cfg(unix)]
#[requirement("TR-PERF-TEST-OVERLAP", "TR-TEST-RUN", "TR-TEST-OUTCOMES")]
#[requirement("TR-EVIDENCE-ENV")]
fn without_nextest_the_probed_answers_pick_cargo_test_and_fill_the_environment_record() {
    let setup = WithoutNextest::new();
    let (fixture, cargo, bundle) = (&setup.fixture, &setup.cargo, &setup.bundle);
    let run = iec_test_with_cargo(
        fixture,
        cargo,
        &[
            "--out",
            &bundle.to_string_lossy(),
            "--",
            "--",
            "--skip",
            "filtered_out",
        ],
    );
    // The fixture has a failing test.
    assert_eq!(run.code, 1, "{run}");
    let environment = read_json(&bundle.join("environment.json"));
    let tools = &environment["tools"];
    assert_eq!(tools["runner"], "cargo test", "{tools:#}");
    assert_eq!(tools["nextest"], Value::Null, "{tools:#}");
    assert!(
        tools["cargo"]
            .as_str()
            .is_some_and(|v| v.starts_with("cargo ")),
        "{tools:#}"
    );
    assert!(
        tools["rustc"]["release"]
            .as_str()
            .is_some_and(|v| !v.is_empty()),
        "{tools:#}"
    );
    assert!(
        tools["rustc"]["host"]
            .as_str()
            .is_some_and(|v| !v.is_empty()),
        "{tools:#}"
    );
    assert_eq!(environment["target"], tools["rustc"]["host"]);
    assert!(
        environment["os"]["kernel"]
            .as_str()
            .is_some_and(|v| !v.is_empty()),
        "{environment:#}"
    );
    // The ignored test keeps its reason and the filtered one is not run: the run reported
    // the first itself, and its binary was asked about the second.
    let trace = read_json(&bundle.join("trace.json"));
    assert_eq!(
        trace["results"]["tests"],
        serde_json::json!({"passed": 3, "failed": 1, "ignored": 1, "not_run": 1})
    );
    let anomalies = read_json(&bundle.join("anomalies.json"));
    let kinds = iec_acceptance::anomaly_kinds(&anomalies);
    assert!(
        kinds.contains(&(
            "ignored".to_string(),
            "needs the 72-hour battery rig".to_string()
        )),
        "{kinds:?}"
    );
    assert!(kinds.iter().any(|(kind, _)| kind == "not-run"), "{kinds:?}");
    // Every phase of the fixed cost is timed, the probes beside the others.
    for phase in [
        "timing: cargo metadata ",
        "timing: cargo test --no-run ",
        "timing: registries (--list) ",
        "timing: run ",
        "timing: bundle ",
    ] {
        assert!(run.stderr.contains(phase), "{phase}: {run}");
    }
    assert!(
        run.stderr.contains(" s (overlapped)"),
        "the probes are timed: {run}"
    );
}
