//! Problem reports (IEC 62304 clause 9): `[[problem]]` in the catalogue, `#[problem]`
//! regression tests, commits with trailers, the gaps `unverified-fix` and `open-problem`,
//! and the open problems among the evidence bundle's known anomalies.

use iec_acceptance::{Fixture, Run};
use iec_runtime::requirement;
use serde_json::Value;

fn trace_json(fixture: &Fixture, extra: &[&str]) -> (Run, Value) {
    let run = fixture.cargo_iec([&["trace", "--format", "json"], extra].concat());
    assert_eq!(run.code, 0, "{run}");
    let json = run.json();
    (run, json)
}

fn problem<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["problems"]
        .as_array()
        .and_then(|all| all.iter().find(|p| p["id"] == id))
        .unwrap_or_else(|| panic!("no problem {id} in the trace:\n{json:#}"))
}

/// `kind problem` of every gap about a problem.
fn problem_gaps(json: &Value) -> Vec<String> {
    json["gaps"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|g| g["problem"].is_string())
                .map(|g| {
                    format!(
                        "{} {}",
                        g["kind"].as_str().unwrap_or("?"),
                        g["problem"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn regression_tests(problem: &Value) -> Vec<String> {
    problem["regression_tests"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|t| format!("{} {}", t["path"].as_str().unwrap_or("?"), t["result"]))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
#[requirement("TR-PROBLEM-CATALOGUE", "TR-PROBLEM-TEST", "TR-PROBLEM-TRACE")]
fn fixed_problems_need_a_regression_test_and_open_ones_a_rationale() {
    let fixture = Fixture::new("problems");
    let (_, json) = trace_json(&fixture, &[]);
    assert_eq!(
        problem_gaps(&json),
        vec!["unverified-fix PR-2", "open-problem PR-3"],
        "{json:#}"
    );
    let ids: Vec<&str> = json["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["id"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        ids,
        ["PR-1", "PR-2", "PR-3", "PR-4", "PR-5"],
        "both files are read"
    );
    let fixed = problem(&json, "PR-1");
    assert_eq!(fixed["status"], "resolved");
    assert_eq!(
        regression_tests(fixed),
        ["problems_pump::tests::small_doses_are_not_rounded_to_zero null"]
    );
    assert_eq!(problem(&json, "PR-4")["file"], "problems.toml");
    assert!(
        problem(&json, "PR-4")["rationale"]
            .as_str()
            .is_some_and(|r| r.starts_with("Cosmetic")),
        "{json:#}"
    );
    // The gap carries the problem as its key, at the problem's table.
    let gap = json["gaps"]
        .as_array()
        .and_then(|all| all.iter().find(|g| g["kind"] == "unverified-fix"))
        .expect("an unverified-fix gap");
    assert_eq!(gap["problem"], "PR-2");
    assert_eq!(gap["file"], "requirements.toml");
    assert_eq!(gap["class"], "B", "the class of the requirement it affects");
}

#[test]
#[requirement("TR-PROBLEM-TEST")]
fn the_static_scan_sees_the_same_regression_tests_as_the_registry() {
    let fixture = Fixture::new("problems");
    let (_, compiled) = trace_json(&fixture, &[]);
    let (_, sources) = trace_json(&fixture, &["--static"]);
    for id in ["PR-1", "PR-5"] {
        assert_eq!(
            regression_tests(problem(&compiled, id)),
            regression_tests(problem(&sources, id)),
            "{id}"
        );
    }
    assert!(
        !compiled["gaps"]
            .as_array()
            .is_some_and(|all| all.iter().any(|g| g["kind"] == "channel-mismatch")),
        "the channels agree: {compiled:#}"
    );
}

#[test]
#[requirement("TR-PROBLEM-TEST")]
fn a_problem_annotation_the_compiler_does_not_build_is_a_channel_mismatch() {
    let fixture = Fixture::new("problems");
    fixture.edit(
        "src/lib.rs",
        "    #[test]\n    #[problem(\"PR-1\")]",
        "    #[cfg(feature = \"rig\")]\n    #[test]\n    #[problem(\"PR-1\")]",
    );
    let (_, json) = trace_json(&fixture, &[]);
    let mismatch: Vec<&str> = json["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .filter(|g| g["kind"] == "channel-mismatch")
        .map(|g| g["message"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(mismatch.len(), 1, "{json:#}");
    assert!(
        mismatch[0].contains("is the regression test of problem PR-1"),
        "{mismatch:?}"
    );
}

#[test]
#[requirement("TR-PROBLEM-TRACE", "TR-CLI-POLICY")]
fn the_policy_can_deny_problem_gaps() {
    let fixture = Fixture::new("problems");
    let run = fixture.cargo_iec(["trace", "--deny", "open-problem", "--static"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.last_error()
            .contains("the policy denies open-problem: 1 gap found"),
        "{run}"
    );
    let run = fixture.cargo_iec([
        "trace",
        "--deny",
        "unverified-fix",
        "--warn",
        "unverified-fix",
        "--static",
    ]);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
#[requirement("TR-PROBLEM-TRACE")]
fn the_table_and_markdown_list_the_problem_reports() {
    let fixture = Fixture::new("problems");
    let run = fixture.cargo_iec(["trace", "--static"]);
    assert_eq!(run.code, 0, "{run}");
    insta::assert_snapshot!("problems_table", run.stdout);
    let run = fixture.cargo_iec(["trace", "--static", "--format", "markdown"]);
    assert!(
        run.stdout
            .contains("## Problem reports\n\n| problem | status |"),
        "{run}"
    );
    let run = fixture.cargo_iec(["trace", "--static", "--format", "html"]);
    assert!(
        run.stdout
            .contains("<h2 id=\"problems\">Problem reports</h2>"),
        "{run}"
    );
}

#[test]
#[requirement("TR-PROBLEM-TRACE", "TR-PROBLEM-ANOMALIES")]
fn a_regression_test_that_did_not_run_leaves_the_fix_unverified() {
    let fixture = Fixture::new("problems");
    let out = fixture.path("bundle");
    let run = fixture.cargo_iec(["test", "--out", out.to_str().expect("UTF-8 path")]);
    assert_eq!(run.code, 0, "{run}");
    let trace: Value =
        serde_json::from_str(&fixture.read("bundle/trace.json")).expect("trace.json");
    assert_eq!(
        problem_gaps(&trace),
        vec![
            "unverified-fix PR-2",
            "unverified-fix PR-5",
            "open-problem PR-3"
        ],
        "{trace:#}"
    );
    assert_eq!(
        regression_tests(problem(&trace, "PR-1")),
        ["problems_pump::tests::small_doses_are_not_rounded_to_zero \"passed\""]
    );
    assert_eq!(
        regression_tests(problem(&trace, "PR-5")),
        ["problems_pump::tests::occlusion_at_121_kpa_is_detected \"ignored\""]
    );
    let anomalies: Value =
        serde_json::from_str(&fixture.read("bundle/anomalies.json")).expect("anomalies.json");
    assert_eq!(anomalies["open_problems"], 2);
    let open: Vec<String> = anomalies["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| format!("{} {} {}", p["id"], p["status"], p["rationale"]))
        .collect();
    assert_eq!(
        open,
        [
            "\"PR-3\" \"open\" null",
            "\"PR-4\" \"deferred\" \"Cosmetic; the display settles within 200 ms, before any dose can be entered.\""
        ]
    );
    assert!(
        anomalies["anomalies"]
            .as_array()
            .is_some_and(|all| all.iter().any(|a| a["kind"] == "ignored")),
        "the ignored test is listed beside them: {anomalies:#}"
    );
}

fn git(fixture: &Fixture, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=Fixture",
            "-c",
            "user.email=fixture@example.com",
        ])
        .args(args)
        .current_dir(fixture.root())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}

#[test]
#[requirement("TR-PROBLEM-COMMITS")]
fn commits_with_problem_or_fixes_trailers_are_linked() {
    let fixture = Fixture::new("problems");
    let (run, json) = trace_json(&fixture, &["--static"]);
    assert!(problem(&json, "PR-1")["commits"] == serde_json::json!([]));
    assert_eq!(
        run.stderr.matches("listed without commits").count(),
        1,
        "said once: {run}"
    );
    git(&fixture, &["init", "-q"]);
    git(&fixture, &["add", "."]);
    git(&fixture, &["commit", "-q", "-m", "Initial pump"]);
    fixture.append("src/lib.rs", "\n// Small doses keep their precision.\n");
    git(
        &fixture,
        &[
            "commit",
            "-q",
            "-a",
            "-m",
            "Keep small doses\n\nFixes: PR-1\nProblem: PR-4, PR-404",
        ],
    );
    let (run, json) = trace_json(&fixture, &["--static"]);
    assert!(!run.stderr.contains("without commits"), "{run}");
    let commits = &problem(&json, "PR-1")["commits"];
    assert_eq!(commits.as_array().map(Vec::len), Some(1), "{json:#}");
    assert_eq!(commits[0]["summary"], "Keep small doses");
    assert_eq!(commits[0]["trailer"], "Fixes");
    assert_eq!(commits[0]["commit"].as_str().map(str::len), Some(40));
    assert_eq!(problem(&json, "PR-4")["commits"][0]["trailer"], "Problem");
    assert_eq!(problem(&json, "PR-2")["commits"], serde_json::json!([]));
}

#[test]
#[requirement("TR-PROBLEM-CATALOGUE", "TR-CLI-EXIT")]
fn a_malformed_problem_entry_is_exit_2_with_its_position() {
    let fixture = Fixture::new("problems");
    fixture.edit(
        "requirements.toml",
        "status = \"open\"",
        "status = \"wontfix\"",
    );
    fixture.edit(
        "problems.toml",
        "affects = [\"PRB-DOSE\"]",
        "affects = [\"PRB-DOSE\", \"PRB-DOZE\"]",
    );
    let run = fixture.cargo_iec(["trace", "--static"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.messages()));
}

#[test]
#[requirement("TR-PROBLEM-CATALOGUE", "TR-CLI-EXIT")]
fn an_unknown_key_in_a_problem_file_is_exit_2_at_that_file() {
    let fixture = Fixture::new("problems");
    fixture.edit(
        "problems.toml",
        "fixed_in = \"0.1.0\"",
        "fixed-in = \"0.1.0\"",
    );
    let run = fixture.cargo_iec(["trace", "--static"]);
    assert_eq!(run.code, 2, "{run}");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.messages()));
    fixture.remove("problems.toml");
    let run = fixture.cargo_iec(["trace", "--static"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("requirements.toml:2:13: cannot read the problem reports \"problems.toml\""),
        "{run}"
    );
}
