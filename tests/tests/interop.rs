//! Doorstop and StrictDoc catalogues, read in place, trace the same as their TOML
//! equivalent; a problem in them stops the trace at its file, line and column.

use iec_acceptance::{Fixture, cargo_iec, run};
use iec_runtime::requirement;
use serde_json::Value;

/// The trace JSON of `fixture`, with the package and crate names replaced so that fixtures
/// compare.
fn traced(fixture: &Fixture, package: &str) -> Value {
    let run = fixture.cargo_iec(["trace", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let text = run
        .stdout
        .replace(package, "PACKAGE")
        .replace(&package.replace('-', "_"), "CRATE");
    let mut json: Value = serde_json::from_str(&text).expect("trace JSON");
    // Where the catalogue is differs by format; what it says must not.
    json["catalogue"] = Value::Null;
    for gap in json["gaps"].as_array_mut().into_iter().flatten() {
        gap["file"] = Value::Null;
        gap["line"] = Value::Null;
    }
    json
}

#[test]
#[requirement("TR-INTEROP-DOORSTOP", "TR-INTEROP-STRICTDOC", "TR-INTEROP-SOURCES")]
fn doorstop_and_strictdoc_catalogues_trace_the_same_as_toml() {
    let toml = traced(&Fixture::new("interop-toml"), "interop-toml");
    let doorstop = traced(&Fixture::new("interop-doorstop"), "interop-doorstop");
    let strictdoc = traced(&Fixture::new("interop-strictdoc"), "interop-strictdoc");
    assert_eq!(toml["summary"]["requirements"], 4, "{toml:#}");
    assert_eq!(toml["summary"]["implemented"], 3, "{toml:#}");
    let gaps: Vec<String> = toml["gaps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| format!("{} {}", g["kind"], g["requirement"]))
        .collect();
    assert_eq!(
        gaps,
        ["\"unimplemented\" \"SRS-4\"", "\"untested\" \"SRS-4\""]
    );
    assert_eq!(doorstop, toml);
    assert_eq!(strictdoc, toml);
}

#[test]
#[requirement("TR-INTEROP-DOORSTOP", "TR-CLI-EXIT")]
fn a_broken_doorstop_item_stops_the_trace_at_its_line_and_column() {
    let fixture = Fixture::new("interop-doorstop");
    fixture.edit("doorstop/SRS/SRS-2.yml", "- SRS-1", "- SRS-9");
    let run = fixture.cargo_iec(["trace"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("doorstop/SRS/SRS-2.yml:7:3: unknown parent \"SRS-9\""),
        "{run}"
    );
}

#[test]
#[requirement("TR-INTEROP-STRICTDOC", "TR-CLI-EXIT")]
fn a_strictdoc_requirement_without_uid_stops_the_trace_at_its_header() {
    let fixture = Fixture::new("interop-strictdoc");
    fixture.edit("spec/srs.sdoc", "UID: SRS-4\n", "");
    let run = fixture.cargo_iec(["trace"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("spec/srs.sdoc:48:1: this [REQUIREMENT] has no UID"),
        "{run}"
    );
}

#[test]
#[requirement("TR-INTEROP-REQIF-IMPORT")]
fn import_reqif_help_documents_the_mapping_and_the_exit_codes() {
    let help = run(cargo_iec().args(["import", "reqif", "--help"]));
    assert_eq!(help.code, 0, "{help}");
    insta::assert_snapshot!(help.stdout);
}

#[test]
#[requirement("TR-INTEROP-REQIF-EXPORT")]
fn export_reqif_help_documents_the_objects_and_the_exit_codes() {
    let help = run(cargo_iec().args(["export", "reqif", "--help"]));
    assert_eq!(help.code, 0, "{help}");
    insta::assert_snapshot!(help.stdout);
}

#[test]
#[requirement("TR-INTEROP-SOURCES", "TR-TRACE-GAPS")]
fn a_gap_points_at_the_file_that_defines_the_requirement() {
    let fixture = Fixture::new("interop-doorstop");
    let run = fixture.cargo_iec(["trace", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let json: Value = serde_json::from_str(&run.stdout).expect("trace JSON");
    let gap = &json["gaps"][0];
    assert_eq!(gap["requirement"], "SRS-4", "{json:#}");
    assert_eq!(gap["file"], "doorstop/SRS/SRS-4.yml");
    assert_eq!(gap["line"], 1);
}

/// The round trip a team lives with: export to the requirements tool, import its answer,
/// review the links, and see the links of a requirement whose text the tool changed turn
/// suspect at the next import.
#[test]
#[requirement(
    "TR-INTEROP-REQIF-EXPORT",
    "TR-INTEROP-REQIF-IMPORT",
    "TR-INTEROP-REQIF-REIMPORT",
    "TR-TRACE-SUSPECT"
)]
fn a_requirement_changed_in_the_requirements_tool_makes_its_links_suspect() {
    let fixture = Fixture::new("interop-toml");
    let run = fixture.cargo_iec(["export", "reqif", "--output", "srs.reqif"]);
    assert_eq!(run.code, 0, "{run}");
    let run = fixture.cargo_iec([
        "import",
        "reqif",
        "srs.reqif",
        "--output",
        "reqs/imported.toml",
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr
            .contains("imported 4 requirements and 2 sections"),
        "{run}"
    );
    // From now on the requirements tool holds the requirements, system ones included.
    fixture.edit(
        "Cargo.toml",
        "\"reqs/system.toml\", \"reqs/software.toml\"",
        "\"reqs/imported.toml\"",
    );
    let run = fixture.cargo_iec(["review"]);
    assert_eq!(run.code, 0, "{run}");
    let suspect = |fixture: &Fixture| -> Vec<String> {
        let run = fixture.cargo_iec(["trace", "--format", "json"]);
        assert_eq!(run.code, 0, "{run}");
        let json: Value = serde_json::from_str(&run.stdout).expect("trace JSON");
        json["gaps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["kind"] == "suspect")
            .map(|g| format!("{} {}", g["requirement"], g["path"]))
            .collect()
    };
    assert_eq!(suspect(&fixture), Vec::<String>::new());
    // The requirements tool rewords SRS-2; the next export from it is imported again.
    fixture.edit(
        "srs.reqif",
        "refuse a bolus above the drug's hard limit.",
        "refuse a bolus above the drug's hard limit and say why.",
    );
    let run = fixture.cargo_iec([
        "import",
        "reqif",
        "srs.reqif",
        "--output",
        "reqs/imported.toml",
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("changed 1 requirement: SRS-2"), "{run}");
    let suspect = suspect(&fixture);
    assert_eq!(suspect.len(), 2, "{suspect:?}");
    assert!(
        suspect.iter().all(|s| s.starts_with("\"SRS-2\"")),
        "{suspect:?}"
    );
}
