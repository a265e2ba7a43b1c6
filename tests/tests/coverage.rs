//! `cargo iec test --coverage` and `cargo iec trace --coverage BUNDLE` on the `coverage`
//! fixture: which verification links execute their requirement's code, per-requirement and
//! per-unit coverage, the `unexercised` and `coverage` gaps, and the bundle's coverage files.
//!
//! These tests need the toolchain's llvm-tools component (`.ci/run` installs it); without it
//! they fail with the command that installs it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use iec_acceptance::{Fixture, Run};
use iec_runtime::requirement;
use serde_json::Value;

/// Fails, with what to do, when the llvm-tools component is missing.
fn require_llvm_tools() {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = |args: &[&str]| {
        Command::new(&rustc)
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let sysroot = output(&["--print", "sysroot"]);
    let host = output(&["-vV"])
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .unwrap_or_default();
    let bin = Path::new(&sysroot)
        .join("lib/rustlib")
        .join(host)
        .join("bin");
    assert!(
        bin.join("llvm-cov").is_file() && bin.join("llvm-profdata").is_file(),
        "the coverage tests need the llvm-tools component ({} has no llvm-cov/llvm-profdata): run `rustup component add llvm-tools` (.ci/run does)",
        bin.display()
    );
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Runs `cargo iec test --coverage` with `args` into a new bundle directory.
fn coverage_run(fixture: &Fixture, out: &tempfile::TempDir, args: &[&str]) -> (Run, PathBuf) {
    let bundle = out.path().join("bundle");
    let bundle_arg = bundle.to_string_lossy().into_owned();
    let run = fixture.cargo_iec([&["test", "--coverage", "--out", &bundle_arg][..], args].concat());
    (run, bundle)
}

/// What the join says, for people and snapshots: per requirement its coverage and each
/// verifying link's result and `exercised`, per unit its coverage, then the gaps.
fn digest(trace: &Value) -> String {
    let mut out = String::new();
    for requirement in trace["requirements"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "{} coverage {}",
            requirement["id"].as_str().unwrap_or("?"),
            requirement["coverage"]
        );
        for link in requirement["verified_by"].as_array().into_iter().flatten() {
            let _ = writeln!(
                out,
                "  {} ({}) {} exercised={}",
                link["path"].as_str().unwrap_or("?"),
                link["target"].as_str().unwrap_or("?"),
                link["result"].as_str().unwrap_or("null"),
                link["exercised"]
            );
        }
    }
    for unit in trace["units"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "unit {} coverage {}",
            unit["id"].as_str().unwrap_or("?"),
            unit["coverage"]
        );
    }
    for gap in trace["gaps"].as_array().into_iter().flatten() {
        let _ = writeln!(
            out,
            "gap {} requirement={} unit={} test={} at {}:{}: {}",
            gap["kind"].as_str().unwrap_or("?"),
            gap["requirement"],
            gap["unit"],
            gap["test"],
            gap["file"].as_str().unwrap_or("?"),
            gap["line"],
            gap["message"].as_str().unwrap_or("?")
        );
    }
    out
}

fn link<'a>(trace: &'a Value, requirement: &str, test: &str) -> &'a Value {
    trace["requirements"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["id"] == requirement))
        .and_then(|r| r["verified_by"].as_array())
        .and_then(|links| links.iter().find(|l| l["path"] == test))
        .unwrap_or_else(|| panic!("no link {requirement} <- {test}:\n{trace:#}"))
}

#[test]
#[requirement("TR-COVERAGE-RUN", "TR-COVERAGE-JOIN", "TR-COVERAGE-UNITS")]
#[requirement("TR-COVERAGE-BUNDLE")]
fn coverage_shows_which_verifying_tests_execute_their_requirements_code() {
    require_llvm_tools();
    let fixture = Fixture::new("coverage");
    let out = tempfile::tempdir().expect("temporary directory");
    let (run, bundle) = coverage_run(&fixture, &out, &[]);
    assert_eq!(run.code, 0, "nothing is denied by default:\n{run}");
    assert_eq!(run.stdout.lines().last(), Some(bundle.to_str().unwrap()));
    assert!(
        run.stderr
            .contains("tests (one instrumented process per test): 6 passed, 0 failed"),
        "{run}"
    );
    let trace = read_json(&bundle.join("trace.json"));

    // A test that calls its requirement's code exercises it, from the lib's unit tests and
    // from an integration test alike; methods of an annotated type count as its code.
    let dose = "coverage_pump::dose::tests::bolus_doubles_the_dose";
    assert_eq!(link(&trace, "COV-DOSE", dose)["exercised"], true);
    let through = "start::bolus_through_the_public_interface";
    assert_eq!(link(&trace, "COV-DOSE", through)["exercised"], true);
    let pump = "start::pump_starts_at_the_programmed_rate";
    assert_eq!(link(&trace, "COV-PUMP", pump)["exercised"], true);
    // A test that claims COV-RATE without calling `capped` does not.
    let claim = "coverage_pump::rate::tests::rate_is_capped_but_never_called";
    assert_eq!(link(&trace, "COV-RATE", claim)["exercised"], false);
    assert_eq!(link(&trace, "COV-RATE", claim)["result"], "passed");
    // A const has no executable code: nothing to exercise, no gap.
    let limit = "coverage_pump::rate::tests::limit_is_ten";
    assert_eq!(link(&trace, "COV-LIMIT", limit)["exercised"], Value::Null);

    let gaps: Vec<String> = trace["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| format!("{} {} {}", g["kind"], g["requirement"], g["unit"]))
        .collect();
    assert_eq!(
        gaps,
        vec![
            "\"unexercised\" \"COV-RATE\" null".to_string(),
            "\"coverage\" null \"SU-DOSE\"".to_string(),
        ],
        "SU-RATE (class B, threshold 50) is run by an orphan test and meets it"
    );
    let unexercised = &trace["gaps"][0];
    assert_eq!(unexercised["test"], claim);
    let below = &trace["gaps"][1];
    assert!(
        below["message"]
            .as_str()
            .unwrap()
            .contains("src/lib.rs:18-21"),
        "the gap names the unit's uncovered lines: {below}"
    );
    assert_eq!(trace["coverage"]["thresholds"]["C"], 100.0);

    let mut settings = fixture.snapshot_settings();
    settings.set_prepend_module_to_snapshot(true);
    settings.bind(|| insta::assert_snapshot!("coverage_join", digest(&trace)));

    // The bundle: per-test coverage and an lcov file, in the manifest.
    let data = read_json(&bundle.join("coverage.json"));
    assert_eq!(data["schema"], "iec-trace/coverage/v1");
    let claimed = data["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "rate::tests::rate_is_capped_but_never_called")
        .expect("the test has a coverage record");
    assert_eq!(claimed["result"], "passed");
    assert!(
        claimed["files"]["src/lib.rs"]["lines"]
            .as_array()
            .is_none_or(|lines| !lines.iter().any(|l| l == 47)),
        "it never ran `capped`: {claimed}"
    );
    let lcov = std::fs::read_to_string(bundle.join("coverage.lcov")).unwrap();
    assert!(lcov.contains("SF:src/lib.rs\n"), "{lcov}");
    assert!(lcov.contains("DA:19,0\n"), "unused_path never ran: {lcov}");
    let manifest = std::fs::read_to_string(bundle.join("MANIFEST.sha256")).unwrap();
    assert!(manifest.contains("  coverage.json\n") && manifest.contains("  coverage.lcov\n"));
    let mut verify = iec_acceptance::cargo_iec();
    verify.arg("verify").arg(&bundle);
    let verified = iec_acceptance::run(&mut verify);
    assert_eq!(verified.code, 0, "{verified}");

    // Read back without running: the same join; denying `unexercised` fails it.
    let bundle_arg = bundle.to_string_lossy().into_owned();
    let again = fixture.cargo_iec(["trace", "--coverage", &bundle_arg, "--format", "json"]);
    assert_eq!(again.code, 0, "{again}");
    let read_back = again.json();
    assert_eq!(link(&read_back, "COV-RATE", claim)["exercised"], false);
    assert_eq!(link(&read_back, "COV-DOSE", dose)["exercised"], true);
    assert_eq!(
        link(&read_back, "COV-LIMIT", limit)["exercised"],
        Value::Null
    );
    let denied = fixture.cargo_iec(["trace", "--coverage", &bundle_arg, "--deny", "unexercised"]);
    assert_eq!(denied.code, 1, "{denied}");
    assert!(
        denied
            .stderr
            .contains("the policy denies unexercised: 1 gap"),
        "{denied}"
    );

    // The HTML report shows the unit's uncovered lines in a source excerpt.
    let html = fixture.cargo_iec(["trace", "--coverage", &bundle_arg, "--format", "html"]);
    assert_eq!(html.code, 0, "{html}");
    assert!(
        html.stdout.contains("<h3 id=\"uncovered-SU-DOSE\">"),
        "{}",
        html.stdout
    );
    assert!(
        html.stdout
            .contains("<span class=\"miss\"><i>20</i>        doubled + 1</span>"),
        "{}",
        html.stdout
    );
    assert!(html.stdout.contains("executes none of its code"));
}

#[test]
#[requirement("TR-COVERAGE-JOIN", "TR-COVERAGE-UNITS")]
fn denied_coverage_gaps_fail_the_test_run() {
    require_llvm_tools();
    let fixture = Fixture::new("coverage");
    let out = tempfile::tempdir().expect("temporary directory");
    let (run, bundle) = coverage_run(&fixture, &out, &["--deny", "unexercised"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        bundle.join("coverage.json").is_file(),
        "the bundle records the failure"
    );
    assert!(
        run.stderr.contains("error: the policy denies 1 gap"),
        "{run}"
    );

    // Meeting the thresholds: no coverage gap, and denying it passes.
    fixture.edit("Cargo.toml", "C = 100", "C = 40");
    let out = tempfile::tempdir().expect("temporary directory");
    let (run, bundle) = coverage_run(&fixture, &out, &["--deny", "coverage"]);
    assert_eq!(run.code, 0, "{run}");
    let trace = read_json(&bundle.join("trace.json"));
    assert!(
        !trace["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["kind"] == "coverage"),
        "{trace:#}"
    );
}

#[test]
#[requirement("TR-COVERAGE-TOOLS", "TR-COVERAGE-UNITS", "TR-COVERAGE-BUNDLE")]
fn coverage_input_errors_exit_2_with_what_to_do() {
    let fixture = Fixture::new("coverage");

    // No llvm-tools in the toolchain: exit 2 before building, with the install command.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let empty = tempfile::tempdir().expect("temporary directory");
        fixture.write(
            "fake-rustc",
            "#!/bin/sh\nif [ \"$1\" = --print ] && [ \"$2\" = sysroot ]; then echo \"$FAKE_SYSROOT\"; exit 0; fi\nexec rustc \"$@\"\n",
        );
        let script = fixture.path("fake-rustc");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut command = fixture.command();
        command
            .args(["test", "--coverage"])
            .env("RUSTC", &script)
            .env("FAKE_SYSROOT", empty.path())
            .env_remove("LLVM_COV")
            .env_remove("LLVM_PROFDATA");
        let run = iec_acceptance::run(&mut command);
        assert_eq!(run.code, 2, "{run}");
        assert!(
            run.last_error().contains("rustup component add llvm-tools"),
            "{run}"
        );
        assert!(
            !run.stderr.contains("Compiling"),
            "nothing was built: {run}"
        );
    }

    // Runner arguments cannot select tests under --coverage.
    let run = fixture.cargo_iec(["test", "--coverage", "--", "dose"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.last_error().contains("takes no runner arguments"),
        "{run}"
    );

    // A threshold that is not a percentage, or a key that is not a class.
    fixture.edit("Cargo.toml", "C = 100", "C = 120");
    let run = fixture.cargo_iec(["trace", "--coverage", "nowhere"]);
    assert_eq!(run.code, 2, "{run}");
    let error = run.last_error();
    assert!(
        error.contains("Cargo.toml") && error.contains("`coverage.C` = 120"),
        "{run}"
    );
    fixture.edit("Cargo.toml", "C = 120", "D = 100");
    let run = fixture.cargo_iec(["trace", "--coverage", "nowhere"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.last_error().contains("`coverage.D`"), "{run}");
    fixture.edit("Cargo.toml", "D = 100", "C = 100");

    // A bundle without coverage, and coverage data of another schema.
    let out = tempfile::tempdir().expect("temporary directory");
    let run = fixture.cargo_iec(["trace", "--coverage", out.path().to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.last_error().contains("coverage.json")
            && run.last_error().contains("cargo iec test --coverage"),
        "{run}"
    );
    let file = out.path().join("coverage.json");
    std::fs::write(
        &file,
        "{\"schema\": \"iec-trace/coverage/v9\", \"llvm_cov\": null, \"files\": {}, \"tests\": []}\n",
    )
    .unwrap();
    let run = fixture.cargo_iec(["trace", "--coverage", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.last_error().contains("iec-trace/coverage/v9"), "{run}");
    std::fs::write(
        &file,
        "{\"schema\": \"iec-trace/coverage/v1\",\n  \"files\": 3}\n",
    )
    .unwrap();
    let run = fixture.cargo_iec(["trace", "--coverage", file.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.last_error().contains("coverage.json:2:"),
        "line and column: {run}"
    );
}
