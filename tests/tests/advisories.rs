//! SOUP anomaly review: `cargo iec soup --advisories` against the fixture RustSec database
//! in tests/fixtures/advisory-db, dispositions, the `soup-advisory` gap, and bad inputs.

use iec_acceptance::{Fixture, Run, fixtures_dir};
use iec_runtime::requirement;
use serde_json::Value;

fn database() -> String {
    fixtures_dir()
        .join("advisory-db")
        .to_string_lossy()
        .into_owned()
}

fn advisories(fixture: &Fixture, extra: &[&str]) -> Run {
    let db = database();
    fixture.cargo_iec(
        [
            &[
                "soup",
                "--advisories",
                "--advisory-db",
                db.as_str(),
                "--format",
                "json",
            ],
            extra,
        ]
        .concat(),
    )
}

/// `id crate kind status` of every finding.
fn findings(json: &Value) -> Vec<String> {
    json["advisories"]
        .as_array()
        .expect("advisories")
        .iter()
        .map(|f| {
            format!(
                "{} {} {} {}",
                f["id"].as_str().unwrap_or("?"),
                f["crate"].as_str().unwrap_or("?"),
                f["kind"].as_str().unwrap_or("?"),
                f["status"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

#[test]
#[requirement("TR-ADVISORY-CHECK")]
fn advisories_hit_the_soup_crates_and_versions_they_name() {
    let fixture = Fixture::new("clean");
    let run = advisories(&fixture, &[]);
    assert_eq!(run.code, 0, "{run}");
    let json = run.json();
    assert_eq!(json["schema"], "iec-trace/advisories/v1");
    assert_eq!(json["database_advisories"], 3);
    let found = findings(&json);
    assert!(
        found.contains(&"RUSTSEC-2099-0001 inventory vulnerability unreviewed".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"RUSTSEC-2099-0002 syn unmaintained unreviewed".to_string()),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.contains("RUSTSEC-2099-0003")),
        "quote's advisory affects no version in use: {found:?}"
    );
    // The version is the one the SOUP list resolves.
    let soup = fixture.cargo_iec(["soup", "--format", "json"]).json();
    let inventory = soup["crates"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == "inventory"))
        .expect("inventory in the SOUP list");
    let hit = json["advisories"]
        .as_array()
        .and_then(|all| all.iter().find(|f| f["crate"] == "inventory"))
        .expect("the inventory advisory");
    assert_eq!(hit["version"], inventory["version"]);
    assert_eq!(hit["aliases"], serde_json::json!(["CVE-2099-0001"]));
    assert!(
        json["yanked"]
            .as_str()
            .is_some_and(|y| y.starts_with("not checked")),
        "{json:#}"
    );
    let table = fixture.cargo_iec(["soup", "--advisories", "--advisory-db", &database()]);
    assert!(
        table.stdout.contains("RUSTSEC-2099-0001  inventory ")
            && table.stdout.contains("Yanked crates: not checked"),
        "{table}"
    );
}

#[test]
#[requirement("TR-ADVISORY-CHECK", "TR-ADVISORY-DISPOSITION")]
fn reviewed_advisories_are_listed_as_reviewed_not_as_gaps() {
    let fixture = Fixture::new("clean");
    let run = advisories(&fixture, &["--deny", "soup-advisory"]);
    assert_eq!(run.code, 1, "unreviewed advisories are denied: {run}");
    assert!(
        run.last_error().contains("the policy denies soup-advisory"),
        "{run}"
    );
    fixture.write(
        "iec-advisories.toml",
        "[[advisory]]\nid = \"RUSTSEC-2099-0001\"\ncrate = \"inventory\"\nrationale = \"Registries are iterated once, at start-up, before any allocation is freed.\"\nreviewer = \"J. Doe\"\n\n[[advisory]]\nid = \"RUSTSEC-2099-0002\"\nrationale = \"Build-time only; pinned and reviewed at each upgrade.\"\nreviewer = \"J. Doe\"\n",
    );
    let run = advisories(&fixture, &["--deny", "soup-advisory"]);
    assert_eq!(run.code, 0, "{run}");
    let json = run.json();
    assert!(
        findings(&json).iter().all(|f| f.ends_with(" reviewed")),
        "{json:#}"
    );
    assert_eq!(json["advisories"][0]["reviewer"], "J. Doe");
}

#[test]
#[requirement("TR-ADVISORY-CHECK", "TR-ACCEPTED-GAPS")]
fn the_trace_reports_soup_advisory_gaps_when_a_database_is_configured() {
    let fixture = Fixture::new("clean");
    let run = fixture.cargo_iec(["trace", "--static", "--deny", "soup-advisory"]);
    assert_eq!(
        run.code, 0,
        "no database configured, no advisory gap: {run}"
    );
    fixture.append(
        "Cargo.toml",
        &format!(
            "\n[workspace.metadata.iec]\nadvisory-db = {:?}\n",
            database()
        ),
    );
    let run = fixture.cargo_iec([
        "trace",
        "--static",
        "--format",
        "json",
        "--deny",
        "soup-advisory",
    ]);
    assert_eq!(run.code, 1, "{run}");
    let json = run.json();
    let gaps: Vec<String> = json["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .filter(|g| g["kind"] == "soup-advisory")
        .map(|g| {
            format!(
                "{} {}",
                g["advisory"].as_str().unwrap_or("?"),
                g["path"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert!(
        gaps.iter()
            .any(|g| g.starts_with("RUSTSEC-2099-0001 inventory@")),
        "{gaps:?}"
    );
    // Accepting them like any other gap lets the gate pass.
    let written = fixture.cargo_iec(["trace", "--static", "--write-accepted", "iec-accepted.toml"]);
    assert_eq!(written.code, 0, "{written}");
    let text = fixture
        .read("iec-accepted.toml")
        .replace("TODO: why this gap is acceptable", "Reviewed at adoption")
        .replace("\"TODO\"", "\"J. Doe\"");
    assert!(text.contains("advisory = \"RUSTSEC-2099-0001\""), "{text}");
    fixture.write("iec-accepted.toml", &text);
    let run = fixture.cargo_iec(["trace", "--static", "--deny", "soup-advisory"]);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
#[requirement("TR-ADVISORY-DISPOSITION", "TR-CLI-EXIT")]
fn a_disposition_without_rationale_or_reviewer_is_exit_2_with_its_position() {
    let fixture = Fixture::new("clean");
    fixture.write(
        "iec-advisories.toml",
        "[[advisory]]\nid = \"RUSTSEC-2099-0001\"\nrationale = \"Not reachable\"\n\n[[advisory]]\nid = \"CVE 2099\"\nrationale = \"  \"\nreviewer = \"J. Doe\"\n",
    );
    let run = advisories(&fixture, &[]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.messages()));
    fixture.write("iec-advisories.toml", "[[advisory]\nid = 1\n");
    let run = advisories(&fixture, &[]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr.contains("error: iec-advisories.toml:1:"),
        "{run}"
    );
}

#[test]
#[requirement("TR-ADVISORY-CHECK", "TR-CLI-EXIT")]
fn a_path_that_is_no_advisory_database_is_exit_2() {
    let fixture = Fixture::new("clean");
    let db = fixture.path("src").to_string_lossy().into_owned();
    let run = fixture.cargo_iec(["soup", "--advisories", "--advisory-db", &db]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.last_error()
            .contains("not a RustSec advisory database (it has no crates/ directory)"),
        "{run}"
    );
    // A malformed advisory names its file.
    let copy = fixture.path("db");
    std::fs::create_dir_all(copy.join("crates/inventory")).expect("mkdir");
    std::fs::write(
        copy.join("crates/inventory/RUSTSEC-2099-0009.md"),
        "```toml\n[advisory]\nid = \"RUSTSEC-2099-0009\"\n```\n# No package\n",
    )
    .expect("write");
    let run = fixture.cargo_iec([
        "soup",
        "--advisories",
        "--advisory-db",
        copy.to_str().expect("UTF-8"),
    ]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("RUSTSEC-2099-0009.md"), "{run}");
}

#[test]
#[requirement("TR-ADVISORY-CHECK", "TR-CLI-EXIT")]
fn without_a_database_it_is_fetched_and_offline_that_fails_naming_advisory_db() {
    let fixture = Fixture::new("clean");
    // No transport is allowed, as on an air-gapped machine: fetching must fail cleanly.
    let run = iec_acceptance::run(
        fixture
            .command()
            .args(["soup", "--advisories"])
            .env("GIT_ALLOW_PROTOCOL", "file"),
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(run.last_error().contains("--advisory-db PATH"), "{run}");
}

#[test]
#[requirement("TR-ADVISORY-CHECK")]
fn the_evidence_bundle_reports_soup_advisory_gaps_when_a_database_is_configured() {
    let fixture = Fixture::new("clean");
    fixture.append(
        "Cargo.toml",
        &format!(
            "\n[workspace.metadata.iec]\nadvisory-db = {:?}\n",
            database()
        ),
    );
    let out = fixture.path("bundle");
    let run = fixture.cargo_iec([
        "test",
        "--out",
        out.to_str().expect("UTF-8 path"),
        "--deny",
        "soup-advisory",
    ]);
    assert_eq!(
        run.code, 1,
        "the policy denies the unreviewed advisories: {run}"
    );
    let trace: Value =
        serde_json::from_str(&fixture.read("bundle/trace.json")).expect("trace.json");
    assert!(
        trace["gaps"].as_array().is_some_and(|all| all
            .iter()
            .any(|g| g["kind"] == "soup-advisory" && g["advisory"] == "RUSTSEC-2099-0001")),
        "{trace:#}"
    );
}
