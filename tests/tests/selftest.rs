//! `cargo iec selftest`: the validation suite shipped in the binary passes on this machine,
//! its report bundle verifies, and a wrong expectation makes it fail naming the case.

use std::path::{Path, PathBuf};

use iec_acceptance::{cargo_iec, fixtures_target_dir, run, workspace_root};
use iec_runtime::requirement;

/// All selftest runs of this suite build into one target directory.
fn selftest_target() -> PathBuf {
    fixtures_target_dir().join("selftest")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            copy_tree(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).unwrap();
        }
    }
}

fn cases_source() -> PathBuf {
    workspace_root().join("cargo-iec/selftest/cases")
}

#[test]
#[requirement("TR-VALIDATION-SELFTEST", "TR-VALIDATION-BUNDLE", "TR-VERIFY-BUNDLE")]
fn the_embedded_suite_passes_and_its_report_bundle_verifies() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("report");
    // --require-coverage: this machine must run the coverage cases too (a missing
    // llvm-tools component is exit 2 saying `rustup component add llvm-tools`).
    let selftest = run(cargo_iec()
        .args(["selftest", "--require-coverage", "--out"])
        .arg(&out)
        .arg("--target-dir")
        .arg(selftest_target())
        .current_dir(scratch.path()));
    assert_eq!(selftest.code, 0, "{selftest}");
    assert_eq!(selftest.stdout.trim_end(), out.display().to_string());
    assert!(
        selftest.stderr.contains("selftest [1/"),
        "progress on stderr: {selftest}"
    );

    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("selftest.json")).unwrap()).unwrap();
    assert_eq!(report["schema"], "iec-trace/selftest/v1");
    assert_eq!(report["passed"], true);
    assert_eq!(report["runtime"], "embedded");
    assert_eq!(report["tool"]["binary_sha256"].as_str().unwrap().len(), 64);
    assert!(
        report["toolchain"]["rustc"]["release"].is_string(),
        "{report}"
    );
    assert!(report["toolchain"]["cargo"].is_string(), "{report}");
    assert!(report["os"]["os"].is_string(), "{report}");
    let names: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["name"].as_str().unwrap())
        .collect();
    let on_disk = std::fs::read_dir(cases_source()).unwrap().count();
    assert_eq!(names.len(), on_disk, "every embedded case ran: {names:?}");
    for trap in [
        "trap-failing-test",
        "trap-ignored-test",
        "trap-filtered-test",
        "trap-cfg-test",
        "trap-broken-target",
        "renamed-imports",
        "macro-generated",
        "attribute-orders",
        "coverage-unexercised",
        "coverage-threshold",
    ] {
        assert!(names.contains(&trap), "{trap} missing from {names:?}");
    }
    for case in report["results"].as_array().unwrap() {
        assert_eq!(case["expected"], case["actual"], "{case}");
        assert!(out.join(case["log"].as_str().unwrap()).is_file(), "{case}");
    }
    // Every gap kind of this cargo-iec is seeded by some case that ran, the coverage kinds
    // included, and no case was left out.
    assert_eq!(
        report["unseeded_gap_kinds"],
        serde_json::json!([]),
        "{report}"
    );
    assert!(cargo_iec::selftest::NOT_YET_SEEDED.is_empty());
    for kind in ["unexercised", "coverage"] {
        assert!(
            report["seeded_gap_kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k == kind),
            "{kind} not seeded: {report}"
        );
    }
    assert_eq!(report["complete"], true, "{report}");
    assert_eq!(report["not_run"], serde_json::json!([]), "{report}");

    let verify = run(cargo_iec().arg("verify").arg(&out));
    assert_eq!(verify.code, 0, "{verify}");
    let all = format!("{0} of {0} cases match", names.len());
    assert!(verify.stdout.contains(&all), "{verify}");

    // The report is evidence: tampering with it is caught.
    let md = out.join("selftest.md");
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, text.replace("PASSED", "PASSED!")).unwrap();
    let tampered = run(cargo_iec().arg("verify").arg(&out));
    assert_eq!(tampered.code, 1, "{tampered}");
    assert!(
        tampered.stderr.contains("selftest.md: SHA-256 mismatch"),
        "{tampered}"
    );
}

#[test]
#[requirement("TR-VALIDATION-SELFTEST")]
fn a_wrong_expectation_fails_the_selftest_naming_the_case_and_the_difference() {
    let scratch = tempfile::tempdir().unwrap();
    let cases = scratch.path().join("cases");
    for name in ["trap-failing-test", "unimplemented-untested"] {
        copy_tree(&cases_source().join(name), &cases.join(name));
    }
    // Claim the failing test's requirement has no gap and the run exits 0.
    let expect = cases.join("trap-failing-test/expect.toml");
    let text = std::fs::read_to_string(&expect).unwrap();
    let corrupted = text.replace("exit = 1", "exit = 0").replace(
        "gaps = [\"failed ST-ROUND st_trap_failing_test::tests::rounds_down\"]",
        "gaps = []",
    );
    assert_ne!(text, corrupted);
    std::fs::write(&expect, corrupted).unwrap();

    let out = scratch.path().join("report");
    let selftest = run(cargo_iec()
        .args(["selftest", "--cases"])
        .arg(&cases)
        .arg("--out")
        .arg(&out)
        .arg("--target-dir")
        .arg(selftest_target()));
    assert_eq!(selftest.code, 1, "{selftest}");
    assert!(
        selftest
            .stderr
            .contains("trap-failing-test: exit code: expected 0, got 1"),
        "{selftest}"
    );
    assert!(
        selftest.stderr.contains(
            "trap-failing-test: unexpected gap: failed ST-ROUND st_trap_failing_test::tests::rounds_down"
        ),
        "{selftest}"
    );
    assert!(
        selftest
            .stderr
            .contains("error: 1 case did not match: trap-failing-test"),
        "{selftest}"
    );
    assert!(
        selftest.stderr.contains("unimplemented-untested: ok"),
        "{selftest}"
    );
    // The failed validation is recorded, and the record verifies.
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("selftest.json")).unwrap()).unwrap();
    assert_eq!(report["passed"], false);
    assert_eq!(report["matched"], 1);
    let verify = run(cargo_iec().arg("verify").arg(&out));
    assert_eq!(verify.code, 0, "{verify}");
}

#[test]
#[requirement("TR-SELFTEST-COV-SEED", "TR-VALIDATION-SELFTEST")]
fn a_wrong_expectation_of_a_coverage_case_fails_the_selftest_naming_it() {
    let scratch = tempfile::tempdir().unwrap();
    let cases = scratch.path().join("cases");
    for name in ["coverage-unexercised", "coverage-threshold"] {
        copy_tree(&cases_source().join(name), &cases.join(name));
    }
    // Claim the test that does run `bolus` is the unexercised one (the trap), and that the
    // class C unit meets its threshold.
    let corrupt = |case: &str, from: &str, to: &str| {
        let expect = cases.join(case).join("expect.toml");
        let text = std::fs::read_to_string(&expect).unwrap();
        let corrupted = text.replace(from, to);
        assert_ne!(text, corrupted, "{case}: {from}");
        std::fs::write(&expect, corrupted).unwrap();
    };
    corrupt(
        "coverage-unexercised",
        "gaps = [\"unexercised ST-ALARM st_coverage_unexercised::tests::the_alarm_sounds_on_occlusion\"]",
        "gaps = [\"unexercised ST-BOLUS st_coverage_unexercised::tests::a_bolus_doubles_the_dose\"]",
    );
    corrupt("coverage-threshold", "exit = 1", "exit = 0");
    corrupt(
        "coverage-threshold",
        "gaps = [\"coverage SU-DOSE st_coverage_threshold::dose\"]",
        "gaps = []",
    );
    let out = scratch.path().join("report");
    let selftest = run(cargo_iec()
        .args(["selftest", "--require-coverage", "--cases"])
        .arg(&cases)
        .arg("--out")
        .arg(&out)
        .arg("--target-dir")
        .arg(selftest_target()));
    assert_eq!(selftest.code, 1, "{selftest}");
    for line in [
        "coverage-unexercised: missing gap: unexercised ST-BOLUS st_coverage_unexercised::tests::a_bolus_doubles_the_dose",
        "coverage-unexercised: unexpected gap: unexercised ST-ALARM st_coverage_unexercised::tests::the_alarm_sounds_on_occlusion",
        "coverage-threshold: exit code: expected 0, got 1",
        "coverage-threshold: unexpected gap: coverage SU-DOSE st_coverage_threshold::dose",
        "error: 2 cases did not match: coverage-threshold, coverage-unexercised",
    ] {
        assert!(selftest.stderr.contains(line), "{line}\n{selftest}");
    }
}

/// Makes the llvm-tools lookup fail as on a machine without the component (the lookup
/// honours `LLVM_COV`, so a path that does not exist makes the tools unavailable).
fn without_llvm_tools(command: &mut assert_cmd::Command) -> &mut assert_cmd::Command {
    command.env("LLVM_COV", "/nonexistent/llvm-tools/llvm-cov")
}

#[test]
#[requirement("TR-SELFTEST-COV-MISSING", "TR-VALIDATION-BUNDLE")]
fn without_llvm_tools_the_coverage_cases_are_reported_not_run_never_passed() {
    let scratch = tempfile::tempdir().unwrap();
    let out = scratch.path().join("report");
    let selftest = run(without_llvm_tools(
        cargo_iec()
            .args([
                "selftest",
                "--case",
                "coverage-unexercised",
                "--case",
                "unknown-id",
                "--out",
            ])
            .arg(&out)
            .arg("--target-dir")
            .arg(selftest_target()),
    ));
    // The case that ran matched; the coverage case is reported, not passed silently.
    assert_eq!(selftest.code, 0, "{selftest}");
    assert!(
        selftest
            .stderr
            .contains("selftest [1/2] coverage-unexercised: NOT RUN: --coverage: LLVM_COV="),
        "{selftest}"
    );
    assert!(
        selftest.stderr.contains(
            "warning: 1 case not run on this machine (coverage-unexercised), so this validation does not cover per-test coverage; install llvm-tools with `rustup component add llvm-tools`"
        ),
        "{selftest}"
    );
    assert!(selftest.stderr.contains("unknown-id: ok"), "{selftest}");
    assert!(
        selftest.stderr.contains("1 of 1 cases match, 1 not run"),
        "{selftest}"
    );
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("selftest.json")).unwrap()).unwrap();
    assert_eq!(report["passed"], true, "{report}");
    assert_eq!(report["complete"], false, "{report}");
    assert_eq!(report["cases"], 1, "{report}");
    let not_run = &report["not_run"][0];
    assert_eq!(not_run["name"], "coverage-unexercised", "{report}");
    assert_eq!(not_run["seeds"], serde_json::json!(["unexercised"]));
    assert!(
        not_run["reason"]
            .as_str()
            .unwrap()
            .contains("rustup component add llvm-tools"),
        "{report}"
    );
    assert!(
        report["unseeded_gap_kinds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|k| k == "unexercised"),
        "{report}"
    );
    let markdown = std::fs::read_to_string(out.join("selftest.md")).unwrap();
    assert!(
        markdown.contains("## coverage-unexercised — NOT RUN"),
        "{markdown}"
    );
    let verify = run(cargo_iec().arg("verify").arg(&out));
    assert_eq!(verify.code, 0, "{verify}");
    assert!(
        verify.stdout.contains("1 of 1 cases match, 1 not run"),
        "{verify}"
    );

    // --require-coverage: an environment error before any case, nothing written.
    let required = run(without_llvm_tools(
        cargo_iec()
            .args([
                "selftest",
                "--require-coverage",
                "--case",
                "unknown-id",
                "--case",
                "coverage-threshold",
                "--out",
            ])
            .arg(scratch.path().join("required")),
    ));
    assert_eq!(required.code, 2, "{required}");
    assert!(
        required.last_error().contains(
            "--require-coverage: coverage-threshold (needs per-test coverage) cannot run"
        ) && required
            .last_error()
            .contains("rustup component add llvm-tools"),
        "{required}"
    );
    assert!(!scratch.path().join("required").exists());
    // Only coverage cases selected: nothing would be validated, so exit 2 as well.
    let nothing = run(without_llvm_tools(
        cargo_iec()
            .args(["selftest", "--case", "coverage-threshold", "--out"])
            .arg(scratch.path().join("nothing")),
    ));
    assert_eq!(nothing.code, 2, "{nothing}");
    assert!(
        nothing.last_error().contains("every selected case"),
        "{nothing}"
    );
    assert!(!scratch.path().join("nothing").exists());
}

#[test]
#[requirement("TR-VALIDATION-SELFTEST", "TR-CLI-EXIT")]
fn selftest_input_errors_are_exit_2_and_say_what_to_do() {
    let scratch = tempfile::tempdir().unwrap();
    let existing = scratch.path().join("exists");
    std::fs::create_dir(&existing).unwrap();
    let taken = run(cargo_iec().args(["selftest", "--out"]).arg(&existing));
    assert_eq!(taken.code, 2, "{taken}");
    assert!(taken.last_error().contains("already exists"), "{taken}");

    let unknown = run(cargo_iec()
        .args(["selftest", "--case", "no-such-case", "--out"])
        .arg(scratch.path().join("a")));
    assert_eq!(unknown.code, 2, "{unknown}");
    assert!(
        unknown
            .last_error()
            .contains("--case no-such-case: no such case"),
        "{unknown}"
    );

    let empty = scratch.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let none = run(cargo_iec()
        .args(["selftest", "--cases"])
        .arg(&empty)
        .arg("--out")
        .arg(scratch.path().join("b")));
    assert_eq!(none.code, 2, "{none}");
    assert!(none.last_error().contains("no case"), "{none}");

    let broken = scratch.path().join("broken/bad-case");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(
        broken.join("expect.toml"),
        "what = \"x\"\nrun = [\"trace\"]\nexit = \"zero\"\n",
    )
    .unwrap();
    let malformed = run(cargo_iec()
        .args(["selftest", "--cases"])
        .arg(scratch.path().join("broken"))
        .arg("--out")
        .arg(scratch.path().join("c")));
    assert_eq!(malformed.code, 2, "{malformed}");
    assert!(
        malformed
            .last_error()
            .contains("case bad-case: expect.toml")
            && malformed.last_error().contains("line 3"),
        "{malformed}"
    );
    // No registry and no cache: an environment error before any case, not failed cases.
    let empty_home = scratch.path().join("cargo-home");
    std::fs::create_dir(&empty_home).unwrap();
    let offline = run(cargo_iec()
        .args(["selftest", "--case", "unknown-id", "--out"])
        .arg(scratch.path().join("d"))
        .env("CARGO_HOME", &empty_home)
        .env("CARGO_NET_OFFLINE", "true"));
    assert_eq!(offline.code, 2, "{offline}");
    assert!(
        offline.stderr.contains("`cargo fetch` could not get them"),
        "{offline}"
    );
    for dir in ["a", "b", "c", "d"] {
        assert!(
            !scratch.path().join(dir).exists(),
            "nothing written for {dir}"
        );
    }
}

#[test]
#[requirement("TR-VALIDATION-SELFTEST")]
fn selftest_help_teaches_the_cases_the_report_and_the_exit_codes() {
    let help = run(cargo_iec().args(["selftest", "--help"]));
    assert_eq!(help.code, 0, "{help}");
    insta::assert_snapshot!(help.stdout);
}
