//! The machine formats, validated against their published schemas, on a trace with a gap of
//! every kind.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use cargo_iec::policy::Policy;
use cargo_iec::record::{Declares, Record, TargetRef, UnitDeclaration};
use cargo_iec::results::{self, TestKey, TestOutcome, TestResult, TestRun};
use cargo_iec::trace::{self, GapKind, Trace, TraceInput};
use iec_model::Catalogue;
use iec_runtime::requirement;

const CATALOGUE: &str = r#"
[[requirement]]
id = "SRS-1"
title = "Implemented and tested"
class = "C"

[[requirement]]
id = "SRS-2"
title = "Implemented <only> & \"quoted\""

[[requirement]]
id = "SRS-3"
title = "Reviewed by inspection"
verification = "inspection"

[[requirement]]
id = "SRS-4"
title = "Verified by tests that did not pass"

[[system]]
id = "SS"
title = "System"
class = "C"

[[item]]
id = "SI"
title = "Item"
parent = "SS"
"#;

fn target(kind: &str, name: &str) -> TargetRef {
    TargetRef {
        package: "pump".to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
    }
}

fn record(path: &str, declares: Declares, kind: &str, line: u32, is_test: bool) -> Record {
    Record {
        path: path.to_string(),
        declares,
        item_kind: kind.to_string(),
        file: "src/lib.rs".to_string(),
        line,
        column: 8,
        package: "pump".to_string(),
        is_test,
        target: target("lib", "pump"),
        cfg: None,
    }
}

fn ids(ids: &[&str]) -> Declares {
    Declares::Requirements {
        ids: ids.iter().map(|s| s.to_string()).collect(),
        qualifiers: Vec::new(),
    }
}

/// A trace with at least one gap of every kind but `suspect` (added by review).
fn trace_with_every_gap() -> Trace {
    let catalogue = Catalogue::parse(CATALOGUE, Path::new("requirements.toml")).unwrap();
    let records = vec![
        record(
            "pump::dose",
            Declares::Unit(UnitDeclaration {
                id: Some("SU-DOSE".to_string()),
                item: Some("SI".to_string()),
                class: Some("A".to_string()),
                segregation: None,
            }),
            "mod",
            3,
            false,
        ),
        record(
            "pump::dose::bolus",
            ids(&["SRS-1", "SRS-99"]),
            "fn",
            5,
            false,
        ),
        record("pump::dose::tests::bolus", ids(&["SRS-1"]), "fn", 20, true),
        record(
            "pump::rate",
            Declares::Unit(UnitDeclaration::default()),
            "mod",
            30,
            false,
        ),
        record("pump::rate::set", ids(&["SRS-2"]), "fn", 31, false),
        record("pump::dose::flow", ids(&["SRS-4"]), "fn", 8, false),
        record(
            "pump::dose::tests::flow_fails",
            ids(&["SRS-4"]),
            "fn",
            24,
            true,
        ),
        record(
            "pump::dose::tests::flow_ignored",
            ids(&["SRS-4"]),
            "fn",
            28,
            true,
        ),
    ];
    let mut listed = BTreeMap::new();
    listed.insert(
        target("lib", "pump"),
        BTreeSet::from([
            "pump::dose::tests::bolus".to_string(),
            "pump::dose::tests::helper_behaviour".to_string(),
            "pump::dose::tests::flow_fails".to_string(),
            "pump::dose::tests::flow_ignored".to_string(),
        ]),
    );
    let mut trace = trace::build(&TraceInput {
        catalogue: &catalogue,
        catalogue_path: "requirements.toml".to_string(),
        records: &records,
        listed_tests: &listed,
        include_orphans: true,
        packages: vec!["pump".to_string()],
    });
    // Results: the bolus test passed, one SRS-4 test failed, the other was ignored.
    let mut run = TestRun::default();
    for (name, result) in [
        ("dose::tests::bolus", TestResult::Passed),
        ("dose::tests::flow_fails", TestResult::Failed),
        ("dose::tests::helper_behaviour", TestResult::Passed),
    ] {
        run.outcomes.insert(
            TestKey {
                package: "pump".to_string(),
                target: "lib".to_string(),
                name: name.to_string(),
            },
            TestOutcome::new(result),
        );
    }
    run.complete(
        &listed,
        &BTreeMap::from([(
            target("lib", "pump"),
            BTreeMap::from([("dose::tests::flow_ignored".to_string(), None)]),
        )]),
    );
    results::apply(&mut trace, &run);
    // A link only the static scan saw, compiled out by a feature.
    let mut scanned = record("pump::dose::turbo", ids(&["SRS-1"]), "fn", 40, false);
    scanned.cfg = Some("feature = \"turbo\"".to_string());
    trace.gaps.extend(cargo_iec::cross_check::compare(
        &[],
        &[scanned],
        &BTreeSet::from([target("lib", "pump")]),
    ));
    trace.gaps.sort();
    trace
}

#[test]
#[requirement("TR-TRACE-GAPS", "TR-TRACE-MODEL")]
fn the_fixture_trace_has_a_gap_of_every_kind_but_suspect() {
    let trace = trace_with_every_gap();
    let kinds: BTreeSet<GapKind> = trace.gaps.iter().map(|g| g.kind).collect();
    // `suspect` needs a review lock, and `unannotated-unit`, `class-dependency` and
    // `undocumented-unit` source files: they have tests of their own (review.rs,
    // interface.rs, tests/tests/design.rs).
    let from_sources = [
        GapKind::Suspect,
        GapKind::UnannotatedUnit,
        GapKind::ClassDependency,
        GapKind::UndocumentedUnit,
        GapKind::SoupUnspecified,
        // Problem reports, an advisory database and an accepted-gaps file: tests/tests/
        // problems.rs, advisories.rs and accepted.rs.
        GapKind::UnverifiedFix,
        GapKind::OpenProblem,
        GapKind::SoupAdvisory,
        GapKind::StaleAcceptance,
        // `unexercised` and `coverage` need a coverage run (tests/tests/coverage.rs).
        GapKind::Unexercised,
        GapKind::Coverage,
    ];
    let expected: BTreeSet<GapKind> = GapKind::ALL
        .into_iter()
        .filter(|k| !from_sources.contains(k))
        .collect();
    assert_eq!(kinds, expected, "{:#?}", trace.gaps);
    assert_eq!(trace.records_needed.len(), 1);
    assert!(
        trace
            .gaps
            .iter()
            .all(|g| g.kind != GapKind::Untested || g.requirement.as_deref() != Some("SRS-3")),
        "an inspection-verified requirement is not untested"
    );
}

#[test]
#[requirement("TR-OUT-SARIF")]
fn sarif_output_is_valid_against_the_sarif_2_1_0_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let trace = trace_with_every_gap();
    let policy = Policy::resolve(
        &["untested".to_string()],
        &[],
        &serde_json::Value::Null,
        Path::new("Cargo.toml"),
    )
    .unwrap();
    let sarif: serde_json::Value =
        serde_json::from_str(&cargo_iec::formats::sarif::render(&trace, &policy)).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), trace.gaps.len(), "one result per gap");
    let untested = results.iter().find(|r| r["ruleId"] == "untested").unwrap();
    assert_eq!(untested["level"], "error", "denied gaps are errors");
    assert_eq!(
        untested["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "requirements.toml"
    );
}

#[test]
#[requirement("TR-OUT-CSV")]
fn csv_has_one_row_per_link_and_quotes_catalogue_text() {
    let trace = trace_with_every_gap();
    let csv = cargo_iec::formats::csv::render(&trace).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("requirement,title,class,verification,status,relation,path"));
    // SRS-1: one implementation, one test; SRS-2: one implementation; SRS-3: no link;
    // SRS-4: one implementation, two tests.
    assert_eq!(lines.len(), 1 + 2 + 1 + 1 + 3, "{csv}");
    assert!(lines[0].ends_with(",result,duration_ms"), "{csv}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains("flow_fails") && l.contains(",failed,")),
        "{csv}"
    );
    assert!(
        csv.contains("\"Implemented <only> & \"\"quoted\"\"\""),
        "{csv}"
    );
}

#[test]
#[requirement("TR-OUT-HTML")]
fn html_escapes_catalogue_text_and_loads_nothing_external() {
    let html = cargo_iec::formats::html::render(&trace_with_every_gap());
    assert!(html.contains("Implemented &lt;only&gt; &amp; &quot;quoted&quot;"));
    assert!(!html.contains("<only>"));
    assert!(
        html.contains("class=\"status-gap result\">failed")
            && html.contains("class=\"status-ok result\">passed"),
        "verification links show their results"
    );
    assert!(html.contains("id=\"results\""), "the run is named");
    for external in ["http://", "https://", "src=\"//"] {
        assert!(
            !html.contains(external),
            "the page must work offline: found {external}"
        );
    }
}

#[test]
#[requirement("TR-OUT-MARKDOWN")]
fn markdown_escapes_table_cells() {
    let markdown = cargo_iec::formats::markdown::render(&trace_with_every_gap());
    assert!(
        markdown.contains("### SRS-2: Implemented &lt;only&gt; & \"quoted\""),
        "{markdown}"
    );
    assert!(markdown.contains("| `untested` |"));
    assert!(
        markdown.contains("**failed**") && markdown.contains("**ignored**"),
        "verification links show their results: {markdown}"
    );
}
