//! Unit tests of the join and the gap classification (`trace::build`), one rule each, so
//! mutation testing (docs/VALIDATION.md) can run them per mutant in seconds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use iec_model::Catalogue;
use iec_runtime::requirement;

use super::*;
use crate::record::{Declares, Record, TargetRef, UnitDeclaration};

const CATALOGUE: &str = r#"
[[system]]
id = "SS"
title = "System"
class = "C"

[[item]]
id = "SI-C"
title = "Class C item"
parent = "SS"

[[item]]
id = "SI-A"
title = "Class A item"
class = "A"
segregation = "own region"

[[item]]
id = "SI-B"
title = "Class B item"
class = "B"
segregation = "own region"

[[requirement]]
id = "R-1"
title = "One"
text = "One."

[[requirement]]
id = "R-2"
title = "Two"
text = "Two."

[[requirement]]
id = "R-INSPECTED"
title = "Inspected"
text = "Inspected."
verification = "inspection"
"#;

fn catalogue() -> Catalogue {
    Catalogue::parse(CATALOGUE, Path::new("requirements.toml")).unwrap()
}

fn target(kind: &str, name: &str) -> TargetRef {
    TargetRef {
        package: "p".to_string(),
        kind: kind.to_string(),
        name: name.to_string(),
    }
}

fn lib() -> TargetRef {
    target("lib", "p")
}

fn record(path: &str, ids: &[&str], is_test: bool) -> Record {
    Record {
        path: path.to_string(),
        declares: Declares::Requirements {
            ids: ids.iter().map(|s| s.to_string()).collect(),
            qualifiers: Vec::new(),
        },
        item_kind: "fn".to_string(),
        file: "src/lib.rs".to_string(),
        line: 1,
        column: 1,
        package: "p".to_string(),
        is_test,
        target: lib(),
        cfg: None,
    }
}

fn unit(path: &str, id: &str, item: &str, class: Option<&str>, segregation: bool) -> Record {
    Record {
        declares: Declares::Unit(UnitDeclaration {
            id: Some(id.to_string()),
            item: Some(item.to_string()),
            class: class.map(str::to_string),
            segregation: segregation.then(|| "isolated".to_string()),
        }),
        item_kind: "mod".to_string(),
        ..record(path, &[], false)
    }
}

fn trace_of(records: &[Record], listed: &BTreeMap<TargetRef, BTreeSet<String>>) -> Trace {
    let catalogue = catalogue();
    build(&TraceInput {
        catalogue: &catalogue,
        catalogue_path: "requirements.toml".to_string(),
        records,
        listed_tests: listed,
        include_orphans: true,
        packages: vec!["p".to_string()],
    })
}

fn gaps(trace: &Trace) -> Vec<String> {
    trace
        .gaps
        .iter()
        .map(|g| format!("{} {}", g.kind, g.subject()))
        .collect()
}

#[test]
#[requirement("TR-TRACE-GAPS")]
fn a_requirement_implemented_and_verified_has_no_gap_and_counts_once() {
    let records = [
        record("p::one", &["R-1"], false),
        record("p::tests::one", &["R-1"], true),
    ];
    let trace = trace_of(&records, &BTreeMap::new());
    assert_eq!(
        gaps(&trace),
        [
            "unimplemented R-2",
            "unimplemented R-INSPECTED",
            "untested R-2"
        ]
    );
    assert_eq!(trace.summary.requirements, 3);
    assert_eq!(trace.summary.implemented, 1);
    assert_eq!(trace.summary.tested, 1);
    assert_eq!(trace.summary.records_needed, 1);
    assert_eq!(trace.summary.gaps, 3);
    let r1 = &trace.requirements[0];
    assert_eq!(r1.id, "R-1");
    assert_eq!(r1.implemented_by[0].path, "p::one");
    assert_eq!(r1.verified_by[0].path, "p::tests::one");
    assert_eq!(r1.verified_by[0].target.as_deref(), Some("lib"));
}

#[test]
#[requirement("TR-TRACE-GAPS")]
fn implemented_only_is_untested_and_verified_only_is_unimplemented() {
    let records = [
        record("p::one", &["R-1"], false),
        record("p::tests::two", &["R-2"], true),
        record("p::inspected", &["R-INSPECTED"], false),
    ];
    let trace = trace_of(&records, &BTreeMap::new());
    assert_eq!(gaps(&trace), ["unimplemented R-2", "untested R-1"]);
    assert_eq!(trace.summary.implemented, 2);
    assert_eq!(trace.summary.tested, 1);
    assert_eq!(trace.records_needed.len(), 1);
    assert_eq!(trace.records_needed[0].requirement, "R-INSPECTED");
}

#[test]
#[requirement("TR-TRACE-GAPS")]
fn an_unknown_id_is_a_gap_and_never_a_link() {
    let records = [record("p::one", &["R-1", "R-9"], false)];
    let trace = trace_of(&records, &BTreeMap::new());
    let unknown: Vec<&Gap> = trace
        .gaps
        .iter()
        .filter(|g| g.kind == GapKind::UnknownId)
        .collect();
    assert_eq!(unknown.len(), 1, "{:?}", trace.gaps);
    assert_eq!(unknown[0].requirement.as_deref(), Some("R-9"));
    assert_eq!(unknown[0].path.as_deref(), Some("p::one"));
    assert!(
        trace
            .requirements
            .iter()
            .all(|r| r.implemented_by.iter().all(|l| l.path == "p::one") && r.id != "R-9")
    );
    assert_eq!(trace.requirements[0].implemented_by.len(), 1);
}

#[test]
#[requirement("TR-TRACE-MODEL")]
fn a_unit_below_its_items_class_without_rationale_is_a_class_mismatch() {
    let cases = [
        // (unit class, item, segregation, mismatch expected)
        (Some("A"), "SI-C", false, true),
        (Some("A"), "SI-C", true, false),
        (Some("B"), "SI-B", false, false),
        (Some("C"), "SI-A", false, false),
        (None, "SI-C", false, false),
    ];
    for (class, item, segregation, expected) in cases {
        let records = [unit("p::u", "SU", item, class, segregation)];
        let trace = trace_of(&records, &BTreeMap::new());
        let mismatch = trace.gaps.iter().any(|g| g.kind == GapKind::ClassMismatch);
        assert_eq!(
            mismatch, expected,
            "unit class {class:?} in {item}, segregation {segregation}: {:?}",
            trace.gaps
        );
    }
}

#[test]
#[requirement("TR-TRACE-MODEL")]
fn a_units_class_is_assigned_inherited_or_default() {
    let records = [
        unit("p::a", "SU-A", "SI-C", Some("B"), true),
        unit("p::b", "SU-B", "SI-A", None, false),
        unit("p::c", "SU-C", "SI-NONE", None, false),
    ];
    let trace = trace_of(&records, &BTreeMap::new());
    let classes: Vec<(&str, &str, &str)> = trace
        .units
        .iter()
        .map(|u| (u.id.as_str(), u.class.as_str(), u.class_source))
        .collect();
    assert_eq!(
        classes,
        [
            ("SU-A", "B", "assigned"),
            ("SU-B", "A", "inherited"),
            ("SU-C", "C", "default")
        ]
    );
    assert!(
        trace
            .gaps
            .iter()
            .any(|g| g.kind == GapKind::UnknownId && g.unit.as_deref() == Some("SU-C")),
        "{:?}",
        trace.gaps
    );
}

#[test]
#[requirement("TR-TRACE-MODEL")]
fn a_unit_is_untested_only_when_none_of_its_requirements_is_verified() {
    // SU-1 implements R-1, which is verified elsewhere: no gap. SU-2 implements R-2, which
    // no test verifies, while another requirement is verified: a gap. SU-3 implements
    // nothing: no gap.
    let records = [
        unit("p::one", "SU-1", "SI-C", None, false),
        record("p::one::f", &["R-1"], false),
        unit("p::two", "SU-2", "SI-C", None, false),
        record("p::two::f", &["R-2"], false),
        unit("p::three", "SU-3", "SI-C", None, false),
        record("p::tests::t", &["R-1"], true),
    ];
    let trace = trace_of(&records, &BTreeMap::new());
    let untested: Vec<&str> = trace
        .gaps
        .iter()
        .filter(|g| g.kind == GapKind::UntestedUnit)
        .map(|g| g.subject())
        .collect();
    assert_eq!(untested, ["SU-2"]);
    let su1 = trace.units.iter().find(|u| u.id == "SU-1").unwrap();
    assert_eq!(su1.requirements, ["R-1"]);
}

#[test]
#[requirement("TR-TRACE-MODEL")]
fn an_item_belongs_to_its_innermost_unit_and_tests_to_none() {
    let records = [
        unit("p::outer", "SU-OUTER", "SI-C", None, false),
        unit("p::outer::inner", "SU-INNER", "SI-C", None, false),
        record("p::outer::inner::f", &["R-1"], false),
        record("p::outer::g", &["R-2"], false),
        record("p::outerly", &["R-2"], false),
        record("p::outer::inner::tests::t", &["R-1"], true),
    ];
    let trace = trace_of(&records, &BTreeMap::new());
    let units: BTreeMap<&str, Option<&str>> = trace
        .requirements
        .iter()
        .flat_map(|r| r.implemented_by.iter().chain(&r.verified_by))
        .map(|l| (l.path.as_str(), l.unit.as_deref()))
        .collect();
    assert_eq!(units["p::outer::inner::f"], Some("SU-INNER"));
    assert_eq!(units["p::outer::g"], Some("SU-OUTER"));
    assert_eq!(units["p::outerly"], None);
    assert_eq!(units["p::outer::inner::tests::t"], None);
}

#[test]
#[requirement("TR-TRACE-GAPS")]
fn path_containment_is_by_whole_segments() {
    assert!(contains("a::b", "a::b"));
    assert!(contains("a::b", "a::b::c"));
    assert!(!contains("a::b", "a::bc"));
    assert!(!contains("a::b::c", "a::b"));
    assert!(!contains("x::b", "a::b::c"));
}

#[test]
#[requirement("TR-TRACE-GAPS")]
fn a_listed_test_verifying_nothing_in_its_own_target_is_an_orphan() {
    let integration = target("test", "it");
    let listed = BTreeMap::from([
        (
            lib(),
            BTreeSet::from([
                "p::tests::verifies".to_string(),
                "p::tests::param::case_1".to_string(),
                "p::tests::plain".to_string(),
                "p::tests::implementation_named_alike".to_string(),
                "p::tests::unit_declared".to_string(),
            ]),
        ),
        (
            integration.clone(),
            BTreeSet::from(["it::elsewhere".to_string()]),
        ),
    ]);
    let mut elsewhere = record("it::elsewhere", &["R-1"], true);
    elsewhere.target = lib(); // the same path, but in another target
    let records = [
        record("p::tests::verifies", &["R-1"], true),
        record("p::tests::param", &["R-1"], true),
        record("p::tests::implementation_named_alike", &["R-1"], false),
        Record {
            is_test: true,
            ..unit("p::tests::unit_declared", "SU-T", "SI-C", None, false)
        },
        elsewhere,
    ];
    let trace = trace_of(&records, &listed);
    let orphans: Vec<&str> = trace
        .gaps
        .iter()
        .filter(|g| g.kind == GapKind::OrphanTest)
        .map(|g| g.subject())
        .collect();
    assert_eq!(
        orphans,
        [
            "it::elsewhere",
            "p::tests::implementation_named_alike",
            "p::tests::plain",
            "p::tests::unit_declared",
        ]
    );
    assert_eq!(trace.summary.orphan_tests, 4);

    let catalogue = catalogue();
    let quiet = build(&TraceInput {
        catalogue: &catalogue,
        catalogue_path: "requirements.toml".to_string(),
        records: &records,
        listed_tests: &listed,
        include_orphans: false,
        packages: Vec::new(),
    });
    assert!(quiet.gaps.iter().all(|g| g.kind != GapKind::OrphanTest));
    assert_eq!(quiet.summary.orphan_tests, 4);
}

#[test]
#[requirement("TR-CLI-POLICY")]
fn every_gap_kind_parses_back_from_its_name() {
    for kind in GapKind::ALL {
        assert_eq!(GapKind::parse(kind.as_str()), Some(kind));
        assert_eq!(kind.to_string(), kind.as_str());
    }
    assert_eq!(GapKind::parse("untestd"), None);
}

#[test]
#[requirement("TR-TRACE-GAPS")]
fn a_partial_annotation_marks_only_its_own_link_partial() {
    let mut partial = record("p::part", &["R-1"], false);
    partial.declares = Declares::Requirements {
        ids: vec!["R-1".to_string()],
        qualifiers: vec!["partial".to_string()],
    };
    let records = [partial, record("p::whole", &["R-1"], false)];
    let trace = trace_of(&records, &BTreeMap::new());
    let flags: Vec<(&str, bool)> = trace.requirements[0]
        .implemented_by
        .iter()
        .map(|l| (l.path.as_str(), l.partial))
        .collect();
    assert_eq!(flags, [("p::part", true), ("p::whole", false)]);
}

#[test]
#[requirement("TR-TRACE-GAPS")]
fn a_catalogue_gap_points_at_the_line_defining_its_requirement() {
    let trace = trace_of(&[], &BTreeMap::new());
    let catalogue = catalogue();
    for gap in &trace.gaps {
        let id = gap.requirement.as_deref().expect("a requirement gap");
        let defined = catalogue.requirement(id).expect("in the catalogue").line;
        assert!(defined > 1, "{id} is defined below the first line");
        assert_eq!(gap.line, Some(u32::try_from(defined).unwrap()), "{gap:?}");
        assert_eq!(gap.file.as_deref(), Some("requirements.toml"), "{gap:?}");
    }
    assert_eq!(trace.gaps.len(), 5, "{:?}", gaps(&trace));
}

#[test]
#[requirement("TR-TRACE-GAPS")]
fn an_unknown_id_suggests_the_closest_known_ids_and_nothing_when_none_is_close() {
    let records = [
        record("p::near", &["R-11"], false),
        record("p::far", &["ZZZ-UNRELATED-999"], false),
    ];
    let trace = trace_of(&records, &BTreeMap::new());
    let message = |id: &str| {
        trace
            .gaps
            .iter()
            .find(|g| g.kind == GapKind::UnknownId && g.requirement.as_deref() == Some(id))
            .map(|g| g.message.clone())
            .unwrap_or_else(|| panic!("no unknown-id gap for {id}: {:?}", trace.gaps))
    };
    let near = message("R-11");
    assert!(near.contains("; did you mean \"R-1\""), "{near}");
    assert!(near.ends_with('?'), "{near}");
    let far = message("ZZZ-UNRELATED-999");
    assert!(far.ends_with("which is not in the catalogue"), "{far}");
}

/// docs/trace-json.md: a gap's `test` is the test an `unexercised` gap is about (also in
/// `path`) and `null` for every other kind; `problem` and `advisory` appear only when set.
#[test]
#[requirement("TR-OUT-JSON", "TR-COVERAGE-JOIN")]
fn a_gaps_json_names_its_test_only_for_unexercised_gaps() {
    let json = |kind: GapKind| {
        serde_json::to_value(Gap {
            kind,
            problem: None,
            advisory: None,
            requirement: Some("R-1".to_string()),
            unit: None,
            class: None,
            path: Some("p::tests::one".to_string()),
            file: None,
            line: None,
            message: String::new(),
        })
        .unwrap()
    };
    let unexercised = json(GapKind::Unexercised);
    assert_eq!(unexercised["test"], "p::tests::one", "{unexercised}");
    assert_eq!(unexercised["path"], "p::tests::one", "{unexercised}");
    for kind in GapKind::ALL {
        if kind != GapKind::Unexercised {
            let other = json(kind);
            assert_eq!(other["test"], serde_json::Value::Null, "{other}");
            assert!(other.get("problem").is_none(), "{other}");
            assert!(other.get("advisory").is_none(), "{other}");
        }
    }
}
