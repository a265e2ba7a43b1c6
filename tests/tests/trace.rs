//! `cargo iec trace` on fixture workspaces: what the table and the JSON say, and how.

use iec_acceptance::{Fixture, Run};
use iec_runtime::requirement;
use serde_json::Value;

/// Runs the trace in `fixture` with `args`, asserting exit code 0.
fn trace(fixture: &Fixture, args: &[&str]) -> Run {
    let run = fixture.cargo_iec([&["trace"], args].concat());
    assert_eq!(run.code, 0, "{run}");
    run
}

/// The requirement `id` of a JSON trace.
fn requirement<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["requirements"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["id"] == id))
        .unwrap_or_else(|| panic!("no requirement {id} in the trace:\n{json:#}"))
}

/// `field` of every link in `requirement[links]`.
fn links(requirement: &Value, links: &str, field: &str) -> Vec<String> {
    requirement[links]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|link| match &link[field] {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `kind requirement` of every gap.
fn gaps(json: &Value) -> Vec<String> {
    json["gaps"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|gap| {
                    format!(
                        "{} {}",
                        gap["kind"].as_str().unwrap_or("?"),
                        gap["requirement"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

// --- clean: every requirement implemented and tested --------------------------------

#[test]
#[requirement("TR-OUT-TABLE")]
fn clean_table_shows_each_requirement_with_its_code_and_tests_and_no_gaps() {
    let fixture = Fixture::new("clean");
    let run = trace(&fixture, &[]);
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.stdout));
}

#[test]
#[requirement("TR-OUT-JSON")]
fn clean_json_matches_the_snapshot() {
    let fixture = Fixture::new("clean");
    let run = trace(&fixture, &["--format", "json"]);
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.stdout));
}

#[test]
#[requirement("TR-TRACE-COMPILED")]
fn clean_traces_lib_unit_tests_integration_tests_bins_and_examples() {
    let fixture = Fixture::new("clean");
    let json = trace(&fixture, &["--format", "json"]).json();
    assert_eq!(json["schema"], "iec-trace/trace/v1");
    let verified = |id| {
        let requirement = requirement(&json, id);
        (
            links(requirement, "implemented_by", "path"),
            links(requirement, "verified_by", "path"),
            links(requirement, "verified_by", "target"),
        )
    };
    assert_eq!(
        verified("REQ-DOSE-LIMIT"),
        (
            vec!["clean_pump::dose::capped".to_string()],
            vec!["clean_pump::dose::tests::dose_is_capped_at_the_maximum".to_string()],
            vec!["lib".to_string()],
        )
    );
    assert_eq!(
        verified("REQ-RATE"),
        (
            vec!["clean_pump::rate_dml_per_h".to_string()],
            vec!["rate::rate_of_ten_ml_over_an_hour_is_ten_ml_per_hour".to_string()],
            vec!["test:rate".to_string()],
        )
    );
    assert_eq!(
        verified("REQ-DISPLAY"),
        (
            vec!["clean_pump::display".to_string()],
            vec!["clean_pump::tests::rate_is_shown_with_one_decimal".to_string()],
            vec!["bin:clean-pump".to_string()],
        )
    );
    assert_eq!(
        verified("REQ-CALIBRATE"),
        (
            vec!["calibrate::calibrated".to_string()],
            vec!["calibrate::tests::reading_is_scaled_by_the_factor".to_string()],
            vec!["example:calibrate".to_string()],
        )
    );
    assert_eq!(gaps(&json), Vec::<String>::new());
}

#[test]
#[requirement("TR-OUT-JSON")]
fn json_is_byte_identical_across_two_runs() {
    let fixture = Fixture::new("methods");
    let first = trace(&fixture, &["--format", "json"]);
    let second = trace(&fixture, &["--format", "json"]);
    assert!(first.stdout.len() > 100, "{first}");
    assert!(
        first.stdout == second.stdout,
        "the JSON differs between runs:\n{first}\n{second}"
    );
}

#[test]
#[requirement("TR-OUT-FILE")]
fn output_file_receives_the_trace_and_stdout_stays_empty() {
    let fixture = Fixture::new("clean");
    let on_stdout = trace(&fixture, &["--format", "json"]);
    let to_file = trace(&fixture, &["--format", "json", "--output", "trace.json"]);
    assert_eq!(to_file.stdout, "");
    assert_eq!(fixture.read("trace.json"), on_stdout.stdout);
}

// --- gaps ------------------------------------------------------------------------------

#[test]
#[requirement("TR-TRACE-GAPS", "TR-OUT-TABLE")]
fn gaps_table_lists_each_gap_by_kind() {
    let fixture = Fixture::new("gaps");
    let run = trace(&fixture, &[]);
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.stdout));
}

#[test]
#[requirement("TR-TRACE-GAPS", "TR-OUT-JSON")]
fn gaps_json_matches_the_snapshot() {
    let fixture = Fixture::new("gaps");
    let run = trace(&fixture, &["--format", "json"]);
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.stdout));
}

#[test]
#[requirement("TR-TRACE-GAPS")]
fn gaps_are_unimplemented_and_untested_requirements_only() {
    let fixture = Fixture::new("gaps");
    let json = trace(&fixture, &["--format", "json"]).json();
    assert_eq!(
        gaps(&json),
        [
            "unimplemented GAP-NOTHING",
            "unimplemented GAP-UNIMPLEMENTED",
            "untested GAP-NOTHING",
            "untested GAP-UNTESTED",
        ]
    );
    assert_eq!(json["summary"]["gaps"], 4);
    assert_eq!(json["summary"]["implemented"], 3);
    assert_eq!(json["summary"]["tested"], 2);
}

#[test]
#[requirement("TR-TRACE-GAPS", "TR-TRACE-MODEL")]
fn a_requirement_verified_by_inspection_is_not_untested() {
    let fixture = Fixture::new("gaps");
    let json = trace(&fixture, &["--format", "json"]).json();
    let inspected = requirement(&json, "GAP-INSPECTED");
    assert_eq!(inspected["verification"], "inspection");
    assert_eq!(
        links(inspected, "implemented_by", "path"),
        ["gaps_pump::AlarmLog"]
    );
    assert!(
        !gaps(&json).iter().any(|gap| gap.ends_with("GAP-INSPECTED")),
        "{json:#}"
    );
}

#[test]
#[requirement("TR-ANN-TEST")]
fn a_test_of_an_unimplemented_requirement_still_verifies_it() {
    let fixture = Fixture::new("gaps");
    let json = trace(&fixture, &["--format", "json"]).json();
    let unimplemented = requirement(&json, "GAP-UNIMPLEMENTED");
    assert_eq!(
        links(unimplemented, "verified_by", "path"),
        ["silence::silence_lasts_two_minutes"]
    );
    assert!(!gaps(&json).contains(&"untested GAP-UNIMPLEMENTED".to_string()));
}

// --- methods: paths the compiler sees --------------------------------------------------

#[test]
#[requirement("TR-ANN-PATH", "TR-OUT-TABLE")]
fn methods_table_matches_the_snapshot() {
    let fixture = Fixture::new("methods");
    let run = trace(&fixture, &[]);
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.stdout));
}

#[test]
#[requirement("TR-ANN-PATH")]
fn methods_json_matches_the_snapshot() {
    let fixture = Fixture::new("methods");
    let run = trace(&fixture, &["--format", "json"]);
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.stdout));
}

#[test]
#[requirement("TR-ANN-PATH", "TR-ANN-IMPL", "TR-ANN-UNIT")]
fn methods_consts_and_generated_functions_are_named_by_their_full_rust_path() {
    let fixture = Fixture::new("methods");
    let json = trace(&fixture, &["--format", "json"]).json();
    let implemented = |id| links(requirement(&json, id), "implemented_by", "path");
    // Inherent method, and a method through a free function naming two IDs.
    assert_eq!(
        implemented("M-START"),
        [
            "methods_pump::pump::Pump::start",
            "methods_pump::pump::cycle"
        ]
    );
    // Trait impl method: named by the impl's type, like the inherent one.
    assert_eq!(
        implemented("M-STOP"),
        [
            "methods_pump::pump::Pump::stop",
            "methods_pump::pump::cycle"
        ]
    );
    // Trait default method: named by the trait.
    assert_eq!(
        implemented("M-STATUS"),
        ["methods_pump::pump::Actuator::status"]
    );
    // Associated const, and the item with two attributes.
    assert_eq!(
        implemented("M-LIMIT"),
        [
            "methods_pump::pump::Pump::MAX_RATE",
            "methods_pump::pump::checked_rate"
        ]
    );
    // macro_rules-generated functions, by their expanded names.
    assert_eq!(
        implemented("M-GENERATED"),
        [
            "methods_pump::pump::basal_limit",
            "methods_pump::pump::bolus_limit",
            "methods_pump::pump::checked_rate"
        ]
    );
    // A method in a file module declared a unit with `module_unit!`.
    assert_eq!(
        implemented("M-VALVE"),
        ["methods_pump::valve::Valve::follow"]
    );
    assert_eq!(
        links(requirement(&json, "M-VALVE"), "implemented_by", "unit"),
        ["SU-VALVE"]
    );
}

#[test]
#[requirement("TR-ANN-PATH")]
fn macro_generated_functions_point_at_their_invocation() {
    let fixture = Fixture::new("methods");
    let json = trace(&fixture, &["--format", "json"]).json();
    let generated = requirement(&json, "M-GENERATED");
    let lib = fixture.read("src/lib.rs");
    let line_of = |needle: &str| {
        lib.lines()
            .position(|line| line.contains(needle))
            .map(|index| (index + 1).to_string())
            .unwrap_or_else(|| panic!("{needle} not in src/lib.rs"))
    };
    assert_eq!(
        links(generated, "implemented_by", "line")[..2],
        [
            line_of("mode_limit!(basal_limit"),
            line_of("mode_limit!(bolus_limit")
        ]
    );
}

#[test]
#[requirement("TR-ANN-TEST")]
fn tests_verify_whatever_the_order_of_test_should_panic_and_ignore() {
    let fixture = Fixture::new("methods");
    let json = trace(&fixture, &["--format", "json"]).json();
    let verified = |id| links(requirement(&json, id), "verified_by", "path");
    // `#[test]` before the annotation.
    assert_eq!(
        verified("M-START"),
        ["methods_pump::tests::start_caps_the_rate"]
    );
    // `#[test]` after it.
    assert_eq!(
        verified("M-STOP"),
        ["methods_pump::tests::stop_sets_the_rate_to_zero"]
    );
    // `#[should_panic]`, and a test naming two IDs.
    assert_eq!(
        verified("M-LIMIT"),
        [
            "methods_pump::tests::a_rate_over_the_limit_is_refused",
            "methods_pump::tests::each_mode_has_its_limit"
        ]
    );
    // `#[ignore]`: still a verifying test in the trace (results are `cargo iec test`'s).
    assert_eq!(
        verified("M-STATUS"),
        ["methods_pump::tests::status_is_ok_on_the_bench"]
    );
    let tests: Vec<&str> = json["tests"]
        .as_array()
        .expect("tests[]")
        .iter()
        .filter_map(|test| test["path"].as_str())
        .collect();
    assert_eq!(tests.len(), 6, "{tests:?}");
}

#[test]
#[requirement("TR-ANN-IMPL")]
fn two_attributes_on_one_item_give_two_links_and_partial_marks_one() {
    let fixture = Fixture::new("methods");
    let json = trace(&fixture, &["--format", "json"]).json();
    let partial_of = |id| {
        let requirement = requirement(&json, id);
        links(requirement, "implemented_by", "path")
            .into_iter()
            .zip(links(requirement, "implemented_by", "partial"))
            .find(|(path, _)| path == "methods_pump::pump::checked_rate")
            .map(|(_, partial)| partial)
    };
    assert_eq!(partial_of("M-LIMIT").as_deref(), Some("false"));
    assert_eq!(partial_of("M-GENERATED").as_deref(), Some("true"));
}

// --- harness = false -----------------------------------------------------------------

#[test]
#[requirement("TR-TRACE-COMPILED")]
fn a_harness_false_target_is_skipped_with_a_warning_and_never_run() {
    let fixture = Fixture::new("harness-false");
    let run = trace(&fixture, &[]);
    assert!(
        !fixture.path("soak-ran.marker").exists(),
        "the harness = false target was run:\n{run}"
    );
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.messages()));
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!("harness_false_table", run.stdout));
}

// --- one catalogue for the compiler and the trace -------------------------------------

#[test]
#[requirement("TR-CAT-FIND")]
fn iec_trace_catalogue_names_the_catalogue_for_the_build_and_the_trace_alike() {
    // The macros check IDs against IEC_TRACE_CATALOGUE when it is set; the trace must use
    // the same file, or it would report IDs the compiler accepted as unknown (or miss ones
    // it rejected). The stale catalogue still has the misspelled ID, so both accept it.
    let fixture = Fixture::new("unknown-id");
    let run = fixture
        .command()
        .args(["trace", "--format", "json", "--deny", "unknown-id"])
        .env(
            "IEC_TRACE_CATALOGUE",
            fixture.path("stale-requirements.toml"),
        )
        .output()
        .expect("run cargo-iec");
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert!(
        stderr.contains(
            "note: using the catalogue stale-requirements.toml named by IEC_TRACE_CATALOGUE"
        ),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    let json: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(json["catalogue"], "stale-requirements.toml");
    assert!(
        !gaps(&json).iter().any(|g| g.starts_with("unknown-id")),
        "{json:#}"
    );
}

// --- regressions of product bugs found by these tests ----------------------------------

#[test]
#[requirement("TR-ANN-TEST")]
fn an_implementation_named_like_a_test_module_is_not_a_test() {
    // Functions and modules live in different namespaces, so `fn air` and `mod air` can sit
    // side by side; only the tests inside the module verify anything.
    let fixture = Fixture::new("gaps");
    fixture.append(
        "src/lib.rs",
        r#"
/// Whether air is in the line.
#[requirement("GAP-NOTHING")]
pub fn air() -> bool {
    false
}

#[cfg(test)]
mod air {
    #[test]
    fn no_air_is_detected() {
        assert!(!super::air());
    }
}
"#,
    );
    let json = trace(&fixture, &["--format", "json"]).json();
    let air = requirement(&json, "GAP-NOTHING");
    assert_eq!(links(air, "implemented_by", "path"), ["gaps_pump::air"]);
    assert_eq!(links(air, "verified_by", "path"), Vec::<String>::new());
}

#[test]
#[requirement("TR-TRACE-COMPILED")]
fn a_library_with_test_false_keeps_its_annotations_or_says_why_not() {
    let fixture = Fixture::new("gaps");
    fixture.edit(
        "Cargo.toml",
        "[workspace]",
        "[lib]\ntest = false\n\n[workspace]",
    );
    let run = fixture.cargo_iec(["trace", "--format", "json"]);
    let json = run.json();
    let traced = !links(requirement(&json, "GAP-TRACED"), "implemented_by", "path").is_empty();
    let explained = run.code == 2 || run.stderr.contains("test = false");
    assert!(traced || explained, "{run}");
}
