//! `cargo iec import problems`: an issue tracker's CSV or JSON export, with a column mapping,
//! as [[problem]] entries the catalogue reads.

use iec_acceptance::Fixture;
use iec_runtime::requirement;

const CSV_MAP: &str = "id=Issue key,title=Summary,status=Status,criticality=Priority,affects=Requirements,fixed_in=Fix Version";
const CSV_STATUSES: &str = "Done=resolved,Won't Do=deferred,In Progress=investigating";

#[test]
#[requirement("TR-PROBLEM-IMPORT", "TR-PROBLEM-CATALOGUE")]
fn a_csv_export_becomes_problem_reports_the_catalogue_reads() {
    let fixture = Fixture::new("problems");
    let run = fixture.cargo_iec([
        "import",
        "problems",
        "tracker/issues.csv",
        "--map",
        CSV_MAP,
        "--status-map",
        CSV_STATUSES,
        "--output",
        "tracker.toml",
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.stdout, "", "reports go to stderr");
    let written = fixture.read("tracker.toml");
    insta::assert_snapshot!("imported_csv", written);
    // Deterministic: the same export gives the same bytes.
    let again = fixture.cargo_iec([
        "import",
        "problems",
        "tracker/issues.csv",
        "--map",
        CSV_MAP,
        "--status-map",
        CSV_STATUSES,
        "--output",
        "tracker.toml",
    ]);
    assert_eq!(again.code, 0, "{again}");
    assert_eq!(fixture.read("tracker.toml"), written);
    fixture.edit(
        "requirements.toml",
        "problems = [\"problems.toml\"]",
        "problems = [\"problems.toml\", \"tracker.toml\"]",
    );
    let trace = fixture.cargo_iec(["trace", "--static", "--format", "json"]);
    assert_eq!(trace.code, 0, "{trace}");
    let json = trace.json();
    let ids: Vec<&str> = json["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| p["id"].as_str().unwrap_or("?"))
        .collect();
    assert_eq!(
        ids,
        [
            "PR-1", "PR-2", "PR-3", "PR-4", "PR-5", "PR-11", "PR-12", "PR-13"
        ]
    );
}

#[test]
#[requirement("TR-PROBLEM-IMPORT")]
fn a_json_export_with_nested_fields_is_imported() {
    let fixture = Fixture::new("problems");
    let run = fixture.cargo_iec([
        "import", "problems", "tracker/issues.json",
        "--map", "id=key,title=fields.summary,status=fields.status,criticality=fields.priority,affects=fields.labels",
        "--status-map", "Done=closed",
        "-o", "tracker.toml",
    ]);
    assert_eq!(run.code, 0, "{run}");
    insta::assert_snapshot!("imported_json", fixture.read("tracker.toml"));
}

#[test]
#[requirement("TR-PROBLEM-IMPORT", "TR-CLI-EXIT")]
fn bad_rows_and_mappings_are_exit_2_naming_row_and_column_and_write_nothing() {
    let fixture = Fixture::new("problems");
    let import = |map: &str, statuses: &str| {
        fixture.cargo_iec([
            "import",
            "problems",
            "tracker/issues.csv",
            "--map",
            map,
            "--status-map",
            statuses,
            "-o",
            "tracker.toml",
        ])
    };
    let mut messages = Vec::new();
    // An unmapped status.
    let run = import(CSV_MAP, "Done=resolved");
    assert_eq!(run.code, 2, "{run}");
    messages.push(run.last_error().to_string());
    // A column the header lacks.
    let run = import("id=Key,title=Summary,status=Status", CSV_STATUSES);
    assert_eq!(run.code, 2, "{run}");
    messages.push(run.last_error().to_string());
    // A required field not mapped.
    let run = import("id=Issue key,title=Summary", CSV_STATUSES);
    assert_eq!(run.code, 2, "{run}");
    messages.push(run.last_error().to_string());
    // An empty ID.
    fixture.edit("tracker/issues.csv", "PR-13,", ",");
    let run = import(CSV_MAP, CSV_STATUSES);
    assert_eq!(run.code, 2, "{run}");
    messages.push(run.last_error().to_string());
    assert!(!fixture.path("tracker.toml").exists(), "nothing is written");
    insta::assert_snapshot!(messages.join("\n"));
}
