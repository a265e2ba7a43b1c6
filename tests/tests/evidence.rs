//! `cargo iec test`, `cargo iec verify` and `cargo iec trace --results` on fixture
//! workspaces: test outcomes joined to the trace, the evidence bundle and its checks.

use std::path::{Path, PathBuf};
use std::process::Command;

use iec_acceptance::{Fixture, Run};
use iec_runtime::requirement;
use serde_json::Value;

/// Whether `cargo nextest` is installed (the nextest tests are skipped when it is not).
fn nextest_installed() -> bool {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Makes the fixture copy a git repository with everything committed, Cargo.lock as cargo
/// resolves it for the fixture (the copy starts from the repository's).
fn commit_all(fixture: &Fixture) {
    fixture.write(".gitignore", "/target\n");
    let resolved = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(fixture.root())
        .output()
        .expect("run cargo metadata");
    assert!(resolved.status.success(), "cargo metadata failed");
    for args in [
        &["init", "-q"][..],
        &["add", "-A"],
        &[
            "-c",
            "user.name=Acceptance",
            "-c",
            "user.email=acceptance@example.org",
            "commit",
            "-q",
            "-m",
            "fixture",
        ],
    ] {
        let status = Command::new("git")
            .args(args)
            .current_dir(fixture.root())
            .status()
            .expect("run git");
        assert!(status.success(), "git {args:?} failed");
    }
}

/// Runs `cargo iec test` with `args`; returns the run and the bundle path it printed last.
fn iec_test(fixture: &Fixture, args: &[&str]) -> (Run, PathBuf) {
    let run = fixture.cargo_iec([&["test"], args].concat());
    let bundle = run
        .stdout
        .lines()
        .last()
        .map(PathBuf::from)
        .unwrap_or_default();
    (run, bundle)
}

fn read_json(path: &Path) -> Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn requirement<'a>(trace: &'a Value, id: &str) -> &'a Value {
    trace["requirements"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["id"] == id))
        .unwrap_or_else(|| panic!("no requirement {id}:\n{trace:#}"))
}

/// `target result` of each verifying link of `id`.
fn link_results(trace: &Value, id: &str) -> Vec<String> {
    requirement(trace, id)["verified_by"]
        .as_array()
        .map(|links| {
            links
                .iter()
                .map(|l| {
                    format!(
                        "{} {}",
                        l["target"].as_str().unwrap_or("?"),
                        l["result"].as_str().unwrap_or("null")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `kind requirement` of every gap.
fn gaps(trace: &Value) -> Vec<String> {
    trace["gaps"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|g| {
                    format!(
                        "{} {}",
                        g["kind"].as_str().unwrap_or("?"),
                        g["requirement"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn verify(bundle: &Path, extra: &[&str]) -> Run {
    let mut command = iec_acceptance::cargo_iec();
    command.arg("verify").arg(bundle).args(extra);
    iec_acceptance::run(&mut command)
}

/// The `results` fixture, run with `runner`, its filtered test skipped.
fn results_run(runner: &str) -> (Fixture, tempfile::TempDir, Run, PathBuf) {
    let fixture = Fixture::new("results");
    let out = tempfile::tempdir().expect("temporary directory");
    let bundle = out.path().join("bundle");
    let bundle_arg = bundle.to_string_lossy().into_owned();
    let (run, printed) = iec_test(
        &fixture,
        &[
            "--runner",
            runner,
            "--out",
            &bundle_arg,
            "--",
            "--",
            "--skip",
            "filtered_out",
        ],
    );
    assert_eq!(printed, bundle, "{run}");
    (fixture, out, run, bundle)
}

fn check_results_bundle(run: &Run, bundle: &Path) {
    assert_eq!(run.code, 1, "a failing test exits 1:\n{run}");
    let trace = read_json(&bundle.join("trace.json"));
    assert_eq!(
        gaps(&trace),
        [
            "failed RES-FAIL",
            "not-run RES-FILTERED",
            "not-run RES-IGNORED"
        ],
        "each outcome is its own gap"
    );
    assert_eq!(
        link_results(&trace, "RES-PASS"),
        ["test:flow passed", "lib passed", "lib passed"],
        "the lib test and the integration test of the same name are told apart (sorted by path), a should_panic test is read"
    );
    assert_eq!(link_results(&trace, "RES-FAIL"), ["lib failed"]);
    assert_eq!(link_results(&trace, "RES-IGNORED"), ["lib ignored"]);
    assert_eq!(link_results(&trace, "RES-FILTERED"), ["lib not-run"]);
    assert_eq!(trace["summary"]["verified"], 1);
    assert_eq!(
        trace["results"]["tests"],
        serde_json::json!({"passed": 3, "failed": 1, "ignored": 1, "not_run": 1})
    );
    let ignored_gap = trace["gaps"]
        .as_array()
        .and_then(|g| g.iter().find(|g| g["requirement"] == "RES-IGNORED"))
        .expect("a gap for RES-IGNORED");
    assert!(
        ignored_gap["message"]
            .as_str()
            .is_some_and(|m| m.contains("ignored: needs the 72-hour battery rig")),
        "{ignored_gap:#}"
    );
    let anomalies = read_json(&bundle.join("anomalies.json"));
    assert_eq!(anomalies["schema"], "iec-trace/anomalies/v1");
    let kinds = iec_acceptance::anomaly_kinds(&anomalies);
    assert_eq!(kinds.len(), 3, "{anomalies:#}");
    assert_eq!(kinds[0].0, "failed");
    assert!(kinds[0].1.contains("1.5 uL must round down"), "{kinds:?}");
    assert_eq!(
        kinds[1],
        (
            "ignored".to_string(),
            "needs the 72-hour battery rig".to_string()
        )
    );
    assert_eq!(kinds[2].0, "not-run");
    let junit = std::fs::read_to_string(bundle.join("junit.xml")).expect("junit.xml");
    assert!(
        junit.contains("<property name=\"requirement\" value=\"RES-FAIL\"/>"),
        "{junit}"
    );
    let verified = verify(bundle, &[]);
    assert_eq!(verified.code, 0, "{verified}");
}

#[test]
#[requirement("TR-TEST-RUN", "TR-TEST-OUTCOMES", "TR-TEST-JOIN", "TR-TEST-EXIT")]
#[requirement("TR-EVIDENCE-ANOMALIES", "TR-EVIDENCE-BUNDLE", "TR-EVIDENCE-JUNIT")]
fn with_cargo_test_a_failing_an_ignored_and_a_filtered_test_are_each_their_own_gap() {
    let (_fixture, _out, run, bundle) = results_run("cargo");
    check_results_bundle(&run, &bundle);
    let environment = read_json(&bundle.join("environment.json"));
    assert_eq!(environment["tools"]["runner"], "cargo test");
    assert_eq!(
        environment["source"]["tree"], "unknown",
        "the copy is not in git"
    );
}

#[test]
#[requirement(
    "TR-TEST-RUN",
    "TR-TEST-OUTCOMES",
    "TR-TEST-JOIN",
    "TR-EVIDENCE-ANOMALIES"
)]
fn with_nextest_a_failing_an_ignored_and_a_filtered_test_are_each_their_own_gap() {
    if !nextest_installed() {
        eprintln!("cargo-nextest is not installed: skipped");
        return;
    }
    let (_fixture, _out, run, bundle) = results_run("nextest");
    check_results_bundle(&run, &bundle);
    let trace = read_json(&bundle.join("trace.json"));
    let passed = &requirement(&trace, "RES-PASS")["verified_by"][1];
    assert!(
        passed["duration_ms"].is_number(),
        "nextest reports durations: {passed:#}"
    );
}

#[test]
#[requirement(
    "TR-TEST-OUTCOMES",
    "TR-TEST-EXIT",
    "TR-EVIDENCE-ENV",
    "TR-EVIDENCE-CLEAN"
)]
#[requirement("TR-EVIDENCE-BUNDLE")]
fn every_target_kind_is_run_and_a_clean_tree_passes_require_clean() {
    let fixture = Fixture::new("clean");
    commit_all(&fixture);
    let (run, bundle) = iec_test(&fixture, &["--require-clean"]);
    assert_eq!(run.code, 0, "{run}");
    let name = bundle
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert!(
        bundle.parent().is_some_and(|p| p.ends_with("iec-evidence")),
        "{bundle:?}"
    );
    assert!(
        name.len() == "20260101T000000Z-0123456".len()
            && name.ends_with(|c: char| c.is_ascii_hexdigit()),
        "UTC time and short commit: {name}"
    );
    let trace = read_json(&bundle.join("trace.json"));
    for (id, target) in [
        ("REQ-DOSE-LIMIT", "lib"),
        ("REQ-RATE", "test:rate"),
        ("REQ-DISPLAY", "bin:clean-pump"),
        ("REQ-CALIBRATE", "example:calibrate"),
    ] {
        assert_eq!(
            link_results(&trace, id),
            [format!("{target} passed")],
            "{id}"
        );
    }
    assert_eq!(gaps(&trace), Vec::<String>::new());
    let environment = read_json(&bundle.join("environment.json"));
    assert_eq!(environment["source"]["tree"], "clean");
    assert_eq!(environment["schema"], "iec-trace/environment/v1");
    assert!(environment["source"]["commit"].is_string());
    assert!(environment["cargo_lock"]["sha256"].is_string());
    assert!(environment["tools"]["rustc"]["release"].is_string());
    let html = std::fs::read_to_string(bundle.join("trace.html")).expect("trace.html");
    assert!(html.contains("tree <b class=\"tree\">clean</b>"), "{html}");
    assert!(run.stderr.contains("manifest sha256: "), "{run}");
    std::fs::remove_dir_all(&bundle).expect("remove the bundle");
}

#[test]
#[requirement("TR-EVIDENCE-CLEAN", "TR-EVIDENCE-ATOMIC", "TR-TEST-EXIT")]
fn a_dirty_tree_is_refused_with_require_clean_and_recorded_prominently_without() {
    let fixture = Fixture::new("clean");
    commit_all(&fixture);
    fixture.append("src/lib.rs", "\n// an uncommitted change\n");
    let out = tempfile::tempdir().expect("temporary directory");
    let bundle = out.path().join("bundle");
    let bundle_arg = bundle.to_string_lossy().into_owned();
    let (refused, _) = iec_test(&fixture, &["--require-clean", "--out", &bundle_arg]);
    assert_eq!(refused.code, 2, "{refused}");
    assert_eq!(refused.stdout, "");
    assert!(
        refused.last_error().contains("--require-clean")
            && refused.last_error().contains("DIRTY")
            && refused.last_error().contains("src/lib.rs"),
        "{refused}"
    );
    assert!(!bundle.exists(), "no bundle when refused");

    let (run, printed) = iec_test(&fixture, &["--out", &bundle_arg]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(printed, bundle);
    assert!(run.stderr.contains("DIRTY"), "{run}");
    let environment = read_json(&bundle.join("environment.json"));
    assert_eq!(environment["source"]["tree"], "dirty");
    assert_eq!(
        environment["source"]["changed_files"][0]["path"],
        "src/lib.rs"
    );
    let html = std::fs::read_to_string(bundle.join("trace.html")).expect("trace.html");
    assert!(html.contains("class=\"banner dirty\""), "{html}");
    assert!(html.contains("DIRTY: 1 uncommitted change"), "{html}");

    // Never overwritten.
    let (again, _) = iec_test(&fixture, &["--out", &bundle_arg]);
    assert_eq!(again.code, 2, "{again}");
    assert!(again.last_error().contains("never overwritten"), "{again}");
}

/// A copy of `bundle` in a fresh directory.
fn copy_bundle(bundle: &Path, into: &Path) -> PathBuf {
    let copy = into.join(format!(
        "copy-{}",
        std::fs::read_dir(into).map(|d| d.count()).unwrap_or(0)
    ));
    std::fs::create_dir_all(&copy).expect("create the copy");
    for entry in std::fs::read_dir(bundle)
        .expect("read the bundle")
        .flatten()
    {
        std::fs::copy(entry.path(), copy.join(entry.file_name())).expect("copy a file");
    }
    copy
}

#[test]
#[requirement("TR-VERIFY-BUNDLE")]
fn tampering_with_deleting_or_adding_any_file_makes_verify_fail_naming_it() {
    let (_fixture, out, _run, bundle) = results_run("cargo");
    let scratch = out.path().join("tampered");
    std::fs::create_dir_all(&scratch).expect("scratch");
    let mut files: Vec<String> = std::fs::read_dir(&bundle)
        .expect("read the bundle")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "MANIFEST.sha256",
            "anomalies.json",
            "design.html",
            "design.json",
            "design.md",
            "design.svg",
            "environment.json",
            "junit.xml",
            "soup.json",
            "test-run.log",
            "trace.csv",
            "trace.html",
            "trace.json",
        ]
    );
    for file in &files {
        let copy = copy_bundle(&bundle, &scratch);
        let path = copy.join(file);
        let mut bytes = std::fs::read(&path).expect("read");
        // Change one byte, as an edit would: in the middle of a file, in the first hash of
        // the manifest (whose change shows as that file's mismatch).
        let at = if file == "MANIFEST.sha256" {
            0
        } else {
            bytes.len() / 2
        };
        bytes[at] = if bytes[at] == b'0' { b'1' } else { b'0' };
        std::fs::write(&path, bytes).expect("write");
        let run = verify(&copy, &[]);
        assert_eq!(run.code, 1, "tampered {file}:\n{run}");
        let named = if file == "MANIFEST.sha256" {
            "anomalies.json"
        } else {
            file.as_str()
        };
        assert!(
            run.stderr.contains(&format!("error: {named}:")),
            "verify names {named}:\n{run}"
        );
    }
    let copy = copy_bundle(&bundle, &scratch);
    std::fs::remove_file(copy.join("junit.xml")).expect("remove");
    let run = verify(&copy, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr
            .contains("error: junit.xml: is listed in the manifest but missing"),
        "{run}"
    );
    let copy = copy_bundle(&bundle, &scratch);
    std::fs::write(copy.join("notes.txt"), "added later").expect("write");
    let run = verify(&copy, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr
            .contains("error: notes.txt: is not in the manifest"),
        "{run}"
    );
    let run = verify(&bundle, &["--manifest-sha256", &"0".repeat(64)]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("error: MANIFEST.sha256:"), "{run}");
    let good = verify(&bundle, &[]);
    assert_eq!(good.code, 0, "{good}");
    assert!(good.stdout.starts_with("verified "), "{good}");
    let missing = verify(&out.path().join("no-such-bundle"), &[]);
    assert_eq!(missing.code, 2, "{missing}");
}

#[test]
#[requirement("TR-TEST-JUNIT-IN", "TR-TEST-JOIN")]
fn a_junit_file_from_another_runner_is_joined_and_missing_tests_are_not_run() {
    let fixture = Fixture::new("results");
    fixture.write(
        "junit.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="results_pump" tests="4">
    <testcase classname="tests" name="passes" time="0.5"/>
    <testcase classname="tests" name="fails" time="0.1">
      <failure message="assertion failed">thread 'tests::fails' panicked at src/lib.rs:42:9:
1.5 uL must round down to 1 uL</failure>
    </testcase>
    <testcase classname="flow" name="passes" time="0.25"/>
    <testcase classname="tests" name="panics_as_expected" time="0.01"/>
  </testsuite>
</testsuites>
"#,
    );
    let run = fixture.cargo_iec(["trace", "--results", "junit.xml", "--format", "json"]);
    assert_eq!(run.code, 1, "a failed test in the file exits 1:\n{run}");
    let trace = run.json();
    assert_eq!(
        link_results(&trace, "RES-PASS"),
        ["test:flow passed", "lib passed", "lib passed"]
    );
    assert_eq!(
        requirement(&trace, "RES-PASS")["verified_by"][2]["duration_ms"],
        500.0
    );
    assert_eq!(link_results(&trace, "RES-FAIL"), ["lib failed"]);
    assert_eq!(
        link_results(&trace, "RES-IGNORED"),
        ["lib ignored"],
        "the harness says it is ignored"
    );
    assert_eq!(
        link_results(&trace, "RES-FILTERED"),
        ["lib not-run"],
        "the file lacks it"
    );
    assert_eq!(
        gaps(&trace),
        [
            "failed RES-FAIL",
            "not-run RES-FILTERED",
            "not-run RES-IGNORED"
        ]
    );
    assert_eq!(trace["results"]["runner"], "junit");
}

#[test]
#[requirement("TR-TEST-JUNIT-IN", "TR-EVIDENCE-JUNIT")]
fn the_bundles_own_junit_joins_back_to_the_same_results() {
    let (fixture, _out, _run, bundle) = results_run("cargo");
    let junit = bundle.join("junit.xml");
    let junit_arg = junit.to_string_lossy().into_owned();
    let run = fixture.cargo_iec(["trace", "--results", &junit_arg, "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    let rejoined = run.json();
    let original = read_json(&bundle.join("trace.json"));
    for id in ["RES-PASS", "RES-FAIL", "RES-IGNORED", "RES-FILTERED"] {
        assert_eq!(
            link_results(&rejoined, id),
            link_results(&original, id),
            "{id}"
        );
    }
    assert_eq!(gaps(&rejoined), gaps(&original));
}

/// The key paths of a JSON value, one per line, for a snapshot of its shape.
fn shape(value: &Value, prefix: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                shape(item, &format!("{prefix}.{key}"), out);
            }
        }
        Value::Array(items) => match items.first() {
            Some(first) => shape(first, &format!("{prefix}[]"), out),
            None => out.push(format!("{prefix}[]")),
        },
        _ => out.push(prefix.to_string()),
    }
}

#[test]
#[requirement(
    "TR-EVIDENCE-JUNIT",
    "TR-EVIDENCE-ANOMALIES",
    "TR-EVIDENCE-ENV",
    "TR-TEST-EXIT"
)]
fn the_bundle_files_and_the_summary_match_their_snapshots() {
    let (fixture, _out, run, bundle) = results_run("cargo");
    let mut settings = fixture.snapshot_settings();
    // Machine- and run-specific values: thread IDs, times, hashes, paths.
    settings.add_filter(r"\(\d+\) panicked at", "(ID) panicked at");
    // libtest's hint depends on RUST_BACKTRACE, which test runners set differently.
    settings.add_filter(
        r"(\\n|\n)note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace",
        "",
    );
    settings.add_filter(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[TIME]");
    settings.add_filter(r#"time="[0-9.]+""#, r#"time="[SECONDS]""#);
    settings.add_filter(r"[0-9a-f]{64}", "[SHA256]");
    settings.add_filter(r"/tmp/\.tmp[A-Za-z0-9]+", "[OUT]");
    settings.bind(|| {
        insta::assert_snapshot!(
            "junit_xml",
            std::fs::read_to_string(bundle.join("junit.xml")).expect("junit.xml")
        );
        insta::assert_snapshot!(
            "anomalies_json",
            std::fs::read_to_string(bundle.join("anomalies.json")).expect("anomalies.json")
        );
        let summary: String = run
            .stderr
            .lines()
            .skip_while(|l| !l.starts_with("tests ("))
            .map(|l| format!("{l}\n"))
            .collect();
        insta::assert_snapshot!("summary_on_stderr", summary);
        let mut keys = Vec::new();
        shape(&read_json(&bundle.join("environment.json")), "", &mut keys);
        // Which variables are set depends on the caller's environment.
        keys.retain(|k| !k.starts_with(".variables."));
        insta::assert_snapshot!("environment_json_shape", keys.join("\n"));
    });
    assert_eq!(run.stdout.lines().count(), 1, "only the bundle path: {run}");
}

#[test]
#[requirement("TR-TEST-OUTCOMES")]
fn with_cargo_test_lib_bin_integration_and_example_tests_are_told_apart() {
    // The lib and the bin of clean-pump compile to executables of the same crate name;
    // cargo's messages name each executable, so each test keeps its target.
    let fixture = Fixture::new("clean");
    let out = tempfile::tempdir().expect("temporary directory");
    let bundle = out.path().join("bundle");
    let bundle_arg = bundle.to_string_lossy().into_owned();
    let (run, _) = iec_test(&fixture, &["--runner", "cargo", "--out", &bundle_arg]);
    assert_eq!(run.code, 0, "{run}");
    let trace = read_json(&bundle.join("trace.json"));
    for (id, target) in [
        ("REQ-DOSE-LIMIT", "lib"),
        ("REQ-RATE", "test:rate"),
        ("REQ-DISPLAY", "bin:clean-pump"),
        ("REQ-CALIBRATE", "example:calibrate"),
    ] {
        assert_eq!(
            link_results(&trace, id),
            [format!("{target} passed")],
            "{id}"
        );
    }
}
