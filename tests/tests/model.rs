//! The IEC 62304 model's gaps on a fixture, and every output format of the trace.

use iec_acceptance::Fixture;
use iec_runtime::requirement;

fn kinds(json: &serde_json::Value) -> Vec<String> {
    json["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .map(|g| {
            format!(
                "{} {}",
                g["kind"].as_str().unwrap_or(""),
                g["unit"].as_str().or(g["path"].as_str()).unwrap_or("")
            )
        })
        .collect()
}

#[test]
#[requirement("TR-TRACE-MODEL", "TR-TRACE-GAPS")]
fn the_model_gaps_are_found_and_orphans_listed_on_request() {
    let fixture = Fixture::new("model");
    let run = fixture.cargo_iec(["trace", "--format", "json", "--orphans"]);
    assert_eq!(run.code, 0, "{run}");
    let json = run.json();
    let all = kinds(&json).join("\n");
    for expected in [
        "class-mismatch SU-RATE",
        "untested-unit SU-LOG",
        "unannotated-unit SU-RATE",
        "orphan-test model_pump::tests::doubling_saturates",
    ] {
        assert!(all.contains(expected), "{expected} missing from\n{all}");
    }
    assert!(
        !all.contains("SU-KEYS"),
        "a segregated item's unit has no mismatch:\n{all}"
    );
    let units = json["units"].as_array().expect("units");
    let class = |id: &str| {
        let unit = units.iter().find(|u| u["id"] == id).expect("unit");
        format!(
            "{} {}",
            unit["class"].as_str().unwrap_or(""),
            unit["class_source"].as_str().unwrap_or("")
        )
    };
    assert_eq!(class("SU-RATE"), "A assigned");
    assert_eq!(class("SU-KEYS"), "A inherited");
    assert_eq!(class("SU-LOG"), "C assigned");
}

#[test]
#[requirement("TR-TRACE-MODEL")]
fn orphan_tests_are_not_listed_unless_asked() {
    let fixture = Fixture::new("model");
    let json = fixture.cargo_iec(["trace", "--format", "json"]).json();
    assert!(!kinds(&json).iter().any(|k| k.starts_with("orphan-test")));
    assert_eq!(json["summary"]["orphan_tests"], 1);
}

#[test]
#[requirement("TR-CLI-POLICY", "TR-TRACE-MODEL")]
fn a_class_policy_denies_only_gaps_of_its_class() {
    let fixture = Fixture::new("model");
    fixture.append(
        "Cargo.toml",
        "\n[workspace.metadata.iec.class.C]\ndeny = [\"untested-unit\"]\n",
    );
    let run = fixture.cargo_iec(["trace"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(
        run.last_error(),
        "error: the policy denies untested-unit: 1 gap found"
    );
    let relaxed = fixture.cargo_iec(["trace", "--warn", "untested-unit"]);
    assert_eq!(relaxed.code, 0, "{relaxed}");
}

#[test]
#[requirement(
    "TR-OUT-TABLE",
    "TR-OUT-MARKDOWN",
    "TR-OUT-CSV",
    "TR-OUT-HTML",
    "TR-OUT-SARIF",
    "TR-OUT-JSON"
)]
fn every_format_matches_its_snapshot() {
    let fixture = Fixture::new("model");
    for (format, extension) in [
        ("table", "txt"),
        ("json", "json"),
        ("markdown", "md"),
        ("csv", "csv"),
        ("html", "html"),
        ("sarif", "sarif"),
    ] {
        let run = fixture.cargo_iec(["trace", "--orphans", "--format", format]);
        assert_eq!(run.code, 0, "{format}: {run}");
        fixture.snapshot_settings().bind(|| {
            insta::assert_snapshot!(format!("model_{extension}"), run.stdout);
        });
    }
}

#[test]
#[requirement("TR-OUT-TABLE")]
fn the_unit_and_test_views_read_the_other_way_round() {
    let fixture = Fixture::new("model");
    for view in ["units", "tests"] {
        let run = fixture.cargo_iec(["trace", "--view", view]);
        assert_eq!(run.code, 0, "{run}");
        fixture
            .snapshot_settings()
            .bind(|| insta::assert_snapshot!(format!("model_view_{view}"), run.stdout));
    }
}
