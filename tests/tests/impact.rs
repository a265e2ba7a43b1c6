//! `cargo iec impact` and `cargo iec diff` on a git repository the tests build at runtime
//! from the `impact` fixture: one commit, then a second with a changed function body, a
//! changed requirement text, a new test and a new dependency.

use std::path::Path;
use std::process::Command;

use iec_acceptance::{Fixture, Run};
use iec_runtime::requirement;
use serde_json::Value;

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

fn git(root: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args([
            "-c",
            "user.name=Acceptance",
            "-c",
            "user.email=acceptance@example.org",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .current_dir(root)
        .status()
        .expect("run git");
    assert!(status.success(), "git {args:?} failed");
}

/// Resolves Cargo.lock for the fixture as it is (offline) and commits everything.
fn commit(fixture: &Fixture, message: &str) {
    let resolved = cargo()
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(fixture.root())
        .output()
        .expect("run cargo metadata");
    assert!(
        resolved.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&resolved.stderr)
    );
    git(fixture.root(), &["add", "-A"]);
    git(fixture.root(), &["commit", "-q", "-m", message]);
}

/// The fixture as a repository with two commits: the release, then the change.
fn repository() -> Fixture {
    let fixture = Fixture::new("impact");
    fixture.write(".gitignore", "/target\n");
    git(fixture.root(), &["init", "-q", "-b", "main"]);
    commit(&fixture, "release");
    // A changed function body (SRS-BOLUS's implementation).
    fixture.edit(
        "src/lib.rs",
        "dose_ug * 1000 / concentration_ug_per_ml.max(1)",
        "dose_ug.saturating_mul(1000) / concentration_ug_per_ml.max(1)",
    );
    // Comments, formatting and another doc text only: not a change to code.
    fixture.edit(
        "src/lib.rs",
        "    /// Stops delivery.\n    #[requirement(\"SRS-STOP\")]\n    pub fn stop(running: bool) -> bool {\n        !running && running\n    }",
        "    /// Stops delivery at once.\n    #[requirement(\"SRS-STOP\")]\n    pub fn stop(running: bool)\n        -> bool {\n        // never running afterwards\n        !running && running\n    }",
    );
    // A changed requirement text.
    fixture.edit(
        "requirements.toml",
        "raise the occlusion alarm above 300 mmHg.",
        "raise the occlusion alarm when the line pressure exceeds 300 mmHg.",
    );
    // A new test.
    fixture.edit(
        "src/display.rs",
        "        assert_eq!(super::shown_rate(5), \"5 mL/h\");\n    }\n",
        "        assert_eq!(super::shown_rate(5), \"5 mL/h\");\n    }\n\n    #[test]\n    #[requirement(\"SRS-DISPLAY\")]\n    fn a_zero_rate_is_shown() {\n        assert_eq!(super::shown_rate(0), \"0 mL/h\");\n    }\n",
    );
    // A new dependency.
    fixture.edit(
        "Cargo.toml",
        "[dependencies]\n",
        "[dependencies]\nringbuf-lite = { path = \"vendor/ringbuf\" }\n",
    );
    commit(&fixture, "change");
    fixture
}

fn paths(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list:#}"))
        .iter()
        .map(|v| v[key].as_str().unwrap_or("").to_string())
        .collect()
}

fn reasons(list: &Value, key: &str, id: &str) -> Value {
    list.as_array()
        .and_then(|all| all.iter().find(|v| v[key] == id))
        .unwrap_or_else(|| panic!("no {id} in {list:#}"))["reasons"]
        .clone()
}

fn snapshot_settings(fixture: &Fixture) -> insta::Settings {
    let mut settings = fixture.snapshot_settings();
    settings.add_filter(r"\b[0-9a-f]{40}\b", "[COMMIT]");
    settings.add_filter(r"\b[0-9a-f]{12}\b", "[SHORT]");
    settings
}

fn ok(run: &Run) {
    assert_eq!(run.code, 0, "{}", run.messages());
}

#[test]
#[requirement(
    "TR-IMPACT-ITEMS",
    "TR-IMPACT-CATALOGUE",
    "TR-IMPACT-REQUIREMENTS",
    "TR-IMPACT-TESTS",
    "TR-IMPACT-FORMATS",
    "TR-IMPACT-REVISIONS"
)]
fn impact_lists_exactly_the_changed_items_the_affected_requirements_and_the_tests() {
    let fixture = repository();
    let run = fixture.cargo_iec(["impact", "HEAD~1..HEAD", "--format", "json"]);
    ok(&run);
    let impact = run.json();
    assert_eq!(impact["schema"], "iec-trace/impact/v1");
    assert_eq!(
        paths(&impact["changed_items"], "path"),
        [
            "impact_pump::display::tests::a_zero_rate_is_shown",
            "impact_pump::dose::bolus_ul",
        ],
        "{impact:#}"
    );
    assert_eq!(
        paths(&impact["changed_items"], "change"),
        ["added", "modified"]
    );
    // Highest class first; SRS-STOP (comment, format and doc changes only) is not there.
    assert_eq!(
        paths(&impact["requirements"], "id"),
        ["SRS-BOLUS", "SRS-OCCLUSION", "SRS-DISPLAY"]
    );
    assert_eq!(impact["highest_class"], "C");
    let requirements = &impact["requirements"];
    assert_eq!(
        reasons(requirements, "id", "SRS-BOLUS"),
        serde_json::json!(["code"])
    );
    assert_eq!(
        reasons(requirements, "id", "SRS-OCCLUSION"),
        serde_json::json!(["text"])
    );
    assert_eq!(
        reasons(requirements, "id", "SRS-DISPLAY"),
        serde_json::json!(["link-added", "test"])
    );
    assert_eq!(
        impact["catalogue"]["requirements"]["changed"][0]["id"],
        "SRS-OCCLUSION"
    );
    assert_eq!(
        paths(&impact["tests"], "path"),
        [
            "impact_pump::alarm::tests::high_pressure_is_an_occlusion",
            "impact_pump::display::tests::a_zero_rate_is_shown",
            "impact_pump::display::tests::the_rate_has_its_unit",
            "impact_pump::dose::tests::bolus_follows_the_dose",
        ]
    );
    assert_eq!(
        reasons(
            &impact["tests"],
            "path",
            "impact_pump::display::tests::a_zero_rate_is_shown"
        ),
        serde_json::json!(["verifies", "changed"])
    );
    assert_eq!(
        impact["stale_requirements"],
        serde_json::json!(["SRS-BOLUS", "SRS-DISPLAY", "SRS-OCCLUSION"])
    );
    let settings = snapshot_settings(&fixture);
    settings.bind(|| {
        insta::assert_snapshot!("impact_json", run.stdout);
        let markdown = fixture.cargo_iec(["impact", "HEAD~1..HEAD", "--format", "markdown"]);
        ok(&markdown);
        insta::assert_snapshot!("impact_markdown", markdown.stdout);
    });
}

#[test]
#[requirement("TR-IMPACT-ITEMS", "TR-IMPACT-CLI")]
fn working_tree_changes_comments_design_text_and_unparsable_files() {
    let fixture = repository();
    // Default range: the merge base with main .. the working tree (nothing changed yet).
    let run = fixture.cargo_iec(["impact", "--format", "json"]);
    ok(&run);
    let impact = run.json();
    assert_eq!(impact["changed_items"], serde_json::json!([]), "{impact:#}");
    assert_eq!(impact["requirements"], serde_json::json!([]));
    assert_eq!(impact["head"]["revision"], "working tree");

    // A comment and formatting change is not a change to code.
    fixture.edit(
        "src/alarm.rs",
        "    pressure_mmhg > 300\n",
        "    // strictly above\n    pressure_mmhg\n        > 300\n",
    );
    let impact = fixture.cargo_iec(["impact", "--format", "json"]).json();
    assert_eq!(impact["changed_items"], serde_json::json!([]), "{impact:#}");
    assert_eq!(impact["tests"], serde_json::json!([]));

    // A unit's doc comment is its design text.
    fixture.edit(
        "src/lib.rs",
        "/// Dose computation.",
        "/// Dose computation (bolus only).",
    );
    let impact = fixture.cargo_iec(["impact", "--format", "json"]).json();
    assert_eq!(
        paths(&impact["changed_items"], "change"),
        ["design-text"],
        "{impact:#}"
    );
    assert_eq!(impact["changed_items"][0]["path"], "impact_pump::dose");
    assert_eq!(impact["changed_items"][0]["unit"], "SU-DOSE");

    // Code outside any traced item goes to the enclosing module.
    fixture.append("src/alarm.rs", "\nfn helper() -> u32 {\n    1\n}\n");
    let impact = fixture.cargo_iec(["impact", "--format", "json"]).json();
    let module = impact["changed_items"]
        .as_array()
        .and_then(|all| all.iter().find(|i| i["path"] == "impact_pump::alarm"))
        .unwrap_or_else(|| panic!("{impact:#}"));
    assert_eq!(module["change"], "modified");
    assert!(
        module["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("impact_pump::alarm::helper")),
        "{module:#}"
    );

    // A removed test: its link is gone, and it is not among the tests to re-run.
    fixture.edit(
        "src/alarm.rs",
        "    #[test]\n    #[requirement(\"SRS-OCCLUSION\")]\n    fn high_pressure_is_an_occlusion() {\n        assert!(super::occluded(301));\n    }\n",
        "",
    );
    // An item's class: the unit inheriting it changes class, and so do its requirements.
    fixture.edit(
        "requirements.toml",
        "title = \"Pump control\"\nclass = \"C\"",
        "title = \"Pump control\"\nclass = \"B\"",
    );
    let impact = fixture.cargo_iec(["impact", "--format", "json"]).json();
    let removed = impact["changed_items"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|i| i["path"] == "impact_pump::alarm::tests::high_pressure_is_an_occlusion")
        })
        .unwrap_or_else(|| panic!("{impact:#}"));
    assert_eq!(removed["change"], "removed");
    assert_eq!(
        reasons(&impact["requirements"], "id", "SRS-OCCLUSION"),
        serde_json::json!(["link-removed", "test"])
    );
    assert!(
        !paths(&impact["tests"], "path")
            .contains(&"impact_pump::alarm::tests::high_pressure_is_an_occlusion".to_string())
    );
    assert_eq!(
        impact["catalogue"]["classes"],
        serde_json::json!([
            { "id": "SI-PUMP", "kind": "item", "base": "C", "head": "B" },
            { "id": "SU-DOSE", "kind": "unit", "base": "C", "head": "B" }
        ])
    );
    assert_eq!(
        reasons(&impact["requirements"], "id", "SRS-BOLUS"),
        serde_json::json!(["class"])
    );

    // A file that does not parse is attributed whole, and says so.
    fixture.write("src/display.rs", "pub fn shown_rate( {\n");
    let run = fixture.cargo_iec(["impact", "--format", "json"]);
    ok(&run);
    let impact = run.json();
    let file = impact["changed_items"]
        .as_array()
        .and_then(|all| all.iter().find(|i| i["file"] == "src/display.rs"))
        .unwrap_or_else(|| panic!("{impact:#}"));
    assert_eq!(file["kind"], "file");
    assert!(
        file["notes"][0]
            .as_str()
            .is_some_and(|n| n.contains("does not parse at working tree")),
        "{file:#}"
    );
    assert!(paths(&impact["requirements"], "id").contains(&"SRS-DISPLAY".to_string()));
}

#[test]
#[requirement("TR-DIFF-SIDES", "TR-DIFF-SECTIONS", "TR-DIFF-CLI")]
fn diff_of_two_revisions_shows_the_text_change_the_new_link_and_the_new_soup() {
    let fixture = repository();
    let run = fixture.cargo_iec(["diff", "HEAD~1", "HEAD", "--format", "json"]);
    ok(&run);
    let diff = run.json();
    assert_eq!(diff["schema"], "iec-trace/diff/v1");
    let changed = &diff["requirements"]["changed"];
    assert_eq!(changed[0]["id"], "SRS-OCCLUSION", "{diff:#}");
    assert_eq!(changed[0]["changes"][0]["field"], "text");
    assert_eq!(changed.as_array().map(Vec::len), Some(1));
    assert_eq!(
        diff["links"]["added"],
        serde_json::json!([{
            "requirement": "SRS-DISPLAY",
            "relation": "verifies",
            "path": "impact_pump::display::tests::a_zero_rate_is_shown",
            "partial": false
        }])
    );
    assert_eq!(diff["links"]["removed"], serde_json::json!([]));
    assert_eq!(
        diff["soup"]["added"],
        serde_json::json!([{ "name": "ringbuf-lite", "version": "0.3.1" }])
    );
    for section in [
        "requirements",
        "links",
        "results",
        "soup",
        "problems",
        "classes",
    ] {
        for list in ["added", "removed", "changed"] {
            assert!(diff[section][list].is_array(), "{section}.{list}");
        }
    }
    let settings = snapshot_settings(&fixture);
    settings.bind(|| {
        insta::assert_snapshot!("diff_json", run.stdout);
        let markdown = fixture.cargo_iec(["diff", "HEAD~1", "HEAD", "--format", "markdown"]);
        ok(&markdown);
        insta::assert_snapshot!("diff_markdown", markdown.stdout);
    });
}

#[test]
#[requirement("TR-IMPACT-ERRORS", "TR-DIFF-SIDES")]
fn bad_revisions_bundles_and_repositories_are_exit_2() {
    let fixture = repository();
    let unknown = fixture.cargo_iec(["impact", "no-such-rev"]);
    assert_eq!(unknown.code, 2, "{}", unknown.messages());
    assert!(
        unknown.stderr.contains("unknown revision `no-such-rev`"),
        "{}",
        unknown.stderr
    );
    let unknown_head = fixture.cargo_iec(["impact", "HEAD~1..nope"]);
    assert_eq!(unknown_head.code, 2);
    assert!(unknown_head.stderr.contains("unknown revision `nope`"));

    let neither = fixture.cargo_iec(["diff", "no-such-rev", "HEAD"]);
    assert_eq!(neither.code, 2);
    assert!(
        neither
            .stderr
            .contains("`no-such-rev` is neither an evidence bundle directory nor a revision"),
        "{}",
        neither.stderr
    );
    std::fs::create_dir_all(fixture.path("not-a-bundle")).expect("mkdir");
    let bad = fixture.cargo_iec(["diff", "not-a-bundle", "HEAD"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .contains("not-a-bundle/trace.json: cannot read the bundle's trace"),
        "{}",
        bad.stderr
    );
    let baseline = fixture.cargo_iec(["impact", "HEAD~1", "--baseline", "not-a-bundle"]);
    assert_eq!(baseline.code, 2);
    assert!(
        baseline
            .stderr
            .contains("--baseline not-a-bundle: not an evidence bundle"),
        "{}",
        baseline.stderr
    );
    drop(fixture);

    let outside = Fixture::new("clean");
    let run = outside.cargo_iec(["impact"]);
    assert_eq!(run.code, 2, "{}", run.messages());
    assert!(
        run.stderr.contains("is not in a git repository"),
        "{}",
        run.stderr
    );
}

#[test]
#[requirement("TR-IMPACT-RUN", "TR-DIFF-SECTIONS", "TR-DIFF-SIDES")]
fn run_runs_exactly_the_tests_to_rerun_and_bundles_the_impact_record() {
    let fixture = repository();
    let out = fixture.path("target/regression");
    let run = fixture.cargo_iec([
        "impact",
        "HEAD~1",
        "--format",
        "json",
        "--run",
        "--runner",
        "cargo",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(run.code, 0, "{}", run.messages());
    let impact: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("impact.json")).expect("impact.json in the bundle"),
    )
    .expect("impact.json is JSON");
    assert_eq!(impact["schema"], "iec-trace/impact/v1");
    let junit = std::fs::read_to_string(out.join("junit.xml")).expect("junit.xml");
    for test in [
        "alarm::tests::high_pressure_is_an_occlusion",
        "display::tests::a_zero_rate_is_shown",
        "display::tests::the_rate_has_its_unit",
        "dose::tests::bolus_follows_the_dose",
    ] {
        assert!(
            junit.contains(&format!("name=\"{test}\"")),
            "{test} did not run:\n{junit}"
        );
    }
    let trace: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("trace.json")).expect("trace.json"))
            .expect("trace.json is JSON");
    let stop = trace["requirements"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["id"] == "SRS-STOP"))
        .expect("SRS-STOP");
    assert_eq!(
        stop["verified_by"][0]["result"], "not-run",
        "the unaffected test was not run"
    );
    let verify = fixture.cargo_iec(["verify", out.to_str().expect("utf-8 path")]);
    assert_eq!(verify.code, 0, "{}", verify.messages());

    // A second run after a regression: the release comparison of the two bundles shows
    // the result that changed.
    fixture.edit(
        "src/lib.rs",
        "assert_eq!(super::bolus_ul(10, 10), 1000);",
        "assert_eq!(super::bolus_ul(10, 10), 1001);",
    );
    let second = fixture.path("target/regression-2");
    let failed = fixture.cargo_iec([
        "impact",
        "HEAD~1",
        "--run",
        "--runner",
        "cargo",
        "--out",
        second.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(failed.code, 1, "{}", failed.messages());
    let diff = fixture.cargo_iec([
        "diff",
        out.to_str().expect("utf-8 path"),
        second.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    assert_eq!(diff.code, 0, "{}", diff.messages());
    let diff = diff.json();
    assert_eq!(diff["old"]["kind"], "bundle");
    assert_eq!(
        diff["results"]["changed"],
        serde_json::json!([{
            "id": "impact_pump::dose::tests::bolus_follows_the_dose",
            "changes": [{ "field": "result", "old": "passed", "new": "failed" }]
        }]),
        "{diff:#}"
    );
    assert_eq!(diff["requirements"]["changed"], serde_json::json!([]));
    // A bundle against a revision: no results to compare, and it says so.
    let mixed = fixture.cargo_iec(["diff", out.to_str().expect("utf-8 path"), "HEAD"]);
    assert_eq!(mixed.code, 0, "{}", mixed.messages());
    assert!(
        mixed
            .stdout
            .contains("test results are compared between evidence bundles only"),
        "{}",
        mixed.stdout
    );
}

/// A baseline bundle of the base revision with per-test coverage as `cargo iec test
/// --coverage` records it (docs/evidence.md, `coverage.json`, `iec-trace/coverage/v1`).
fn baseline_with_coverage(fixture: &Fixture, schema: &str) -> std::path::PathBuf {
    let dir = fixture.path("target/baseline");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let commit = Command::new("git")
        .args(["rev-parse", "HEAD~1"])
        .current_dir(fixture.root())
        .output()
        .expect("git rev-parse");
    let commit = String::from_utf8_lossy(&commit.stdout).trim().to_string();
    let write = |name: &str, value: Value| {
        std::fs::write(dir.join(name), value.to_string()).expect("write");
    };
    write(
        "environment.json",
        serde_json::json!({ "source": { "commit": commit } }),
    );
    write(
        "trace.json",
        serde_json::json!({ "schema": "iec-trace/trace/v1" }),
    );
    let hits =
        |file: &str, lines: &[u32]| serde_json::json!({ file: { "lines": lines, "regions": [] } });
    write(
        "coverage.json",
        serde_json::json!({
            "schema": schema,
            "llvm_cov": null,
            "files": {},
            "tests": [
                // Ran the body of dose::bolus_ul (line 14), which the change modifies.
                { "package": "impact-pump", "target": "lib", "name": "pump::tests::stop_stops",
                  "result": "passed", "lines_covered": 1, "regions_covered": 1,
                  "files": hits("src/lib.rs", &[14, 36]) },
                // Ran only unchanged code (pump::stop).
                { "package": "impact-pump", "target": "lib", "name": "pump::tests::unchanged",
                  "result": "passed", "lines_covered": 1, "regions_covered": 1,
                  "files": hits("src/lib.rs", &[36]) }
            ]
        }),
    );
    dir
}

#[test]
#[requirement("TR-IMPACT-TESTS", "TR-IMPACT-ERRORS")]
fn a_baseline_with_per_test_coverage_selects_the_tests_that_executed_changed_code() {
    let fixture = repository();
    let baseline = baseline_with_coverage(&fixture, "iec-trace/coverage/v1");
    let run = fixture.cargo_iec([
        "impact",
        "HEAD~1..HEAD",
        "--format",
        "json",
        "--baseline",
        baseline.to_str().expect("utf-8 path"),
    ]);
    ok(&run);
    let impact = run.json();
    assert_eq!(
        reasons(
            &impact["tests"],
            "path",
            "impact_pump::pump::tests::stop_stops"
        ),
        serde_json::json!(["executed"]),
        "{impact:#}"
    );
    assert!(
        !paths(&impact["tests"], "path")
            .contains(&"impact_pump::pump::tests::unchanged".to_string())
    );
    assert_eq!(impact["baseline"]["coverage"], true);
    assert_eq!(paths(&impact["tests"], "path").len(), 5);

    let wrong = baseline_with_coverage(&fixture, "iec-trace/coverage/v0");
    let run = fixture.cargo_iec([
        "impact",
        "HEAD~1",
        "--baseline",
        wrong.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(run.code, 2, "{}", run.messages());
    assert!(
        run.stderr
            .contains("coverage.json: schema `iec-trace/coverage/v0`"),
        "{}",
        run.stderr
    );
}

#[test]
#[requirement("TR-DIFF-SECTIONS")]
fn diff_shows_problems_opened_and_closed_between_revisions() {
    let fixture = repository();
    fixture.append(
        "requirements.toml",
        r#"
[[problem]]
id = "PR-7"
title = "Bolus overflows for very large doses"
status = "open"
criticality = "safety"
affects = ["SRS-BOLUS"]
rationale = "Doses above the limit are refused at entry."
"#,
    );
    commit(&fixture, "problem reported");
    fixture.edit(
        "requirements.toml",
        "status = \"open\"",
        "status = \"resolved\"",
    );
    commit(&fixture, "problem fixed");

    let opened = fixture.cargo_iec(["diff", "HEAD~2", "HEAD~1", "--format", "json"]);
    ok(&opened);
    let opened = opened.json();
    assert_eq!(opened["problems"]["added"][0]["id"], "PR-7", "{opened:#}");
    assert_eq!(opened["problems"]["added"][0]["status"], "open");
    assert_eq!(opened["problems"]["removed"], serde_json::json!([]));

    let closed = fixture.cargo_iec(["diff", "HEAD~1", "HEAD", "--format", "json"]);
    ok(&closed);
    let closed = closed.json();
    assert_eq!(
        closed["problems"]["changed"],
        serde_json::json!([{
            "id": "PR-7",
            "changes": [{ "field": "status", "old": "open", "new": "resolved" }]
        }]),
        "{closed:#}"
    );
}
