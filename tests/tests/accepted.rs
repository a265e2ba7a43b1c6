//! Accepted gaps (adopting the gate on existing code): the file passes the gate on the gaps
//! it lists, fails on any new gap, and fails when a listed gap was fixed.

use iec_acceptance::{Fixture, Run};
use iec_runtime::requirement;

const DENY: &str = "unimplemented,untested";

/// Writes the accepted-gaps file from the current gaps and fills in every TODO.
fn accept_current_gaps(fixture: &Fixture) {
    let run = fixture.cargo_iec(["trace", "--static", "--write-accepted", "iec-accepted.toml"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.stdout, "", "nothing but the file is written");
    let text = fixture
        .read("iec-accepted.toml")
        .replace(
            "\"TODO: why this gap is acceptable\"",
            "\"Verified on the bench (protocol BT-4) until the rig exists\"",
        )
        .replace("\"TODO\"", "\"J. Doe\"");
    fixture.write("iec-accepted.toml", &text);
}

fn gate(fixture: &Fixture) -> Run {
    fixture.cargo_iec(["trace", "--static", "--format", "json", "--deny", DENY])
}

#[test]
#[requirement("TR-ACCEPTED-WRITE")]
fn the_initial_file_lists_every_gap_with_a_todo_that_must_be_filled_in() {
    let fixture = Fixture::new("gaps");
    let run = fixture.cargo_iec(["trace", "--static", "--write-accepted", "iec-accepted.toml"]);
    assert_eq!(run.code, 0, "{run}");
    insta::assert_snapshot!("written_accepted_file", fixture.read("iec-accepted.toml"));
    let run = gate(&fixture);
    assert_eq!(run.code, 2, "placeholders are an input error: {run}");
    assert_eq!(run.stdout, "");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.messages()));
}

#[test]
#[requirement("TR-ACCEPTED-GAPS")]
fn accepted_gaps_pass_the_gate_and_are_listed_as_accepted() {
    let fixture = Fixture::new("gaps");
    assert_eq!(gate(&fixture).code, 1, "the fixture has gaps");
    accept_current_gaps(&fixture);
    let run = gate(&fixture);
    assert_eq!(run.code, 0, "{run}");
    let json = run.json();
    assert_eq!(json["gaps"], serde_json::json!([]), "{json:#}");
    let accepted: Vec<String> = json["accepted"]
        .as_array()
        .expect("accepted")
        .iter()
        .map(|a| {
            format!(
                "{} {} {}",
                a["gap"]["kind"], a["gap"]["requirement"], a["reviewer"]
            )
        })
        .collect();
    assert_eq!(
        accepted,
        [
            "\"unimplemented\" \"GAP-NOTHING\" \"J. Doe\"",
            "\"unimplemented\" \"GAP-UNIMPLEMENTED\" \"J. Doe\"",
            "\"untested\" \"GAP-NOTHING\" \"J. Doe\"",
            "\"untested\" \"GAP-UNTESTED\" \"J. Doe\"",
        ]
    );
    let table = fixture.cargo_iec(["trace", "--static"]);
    assert!(
        table.stdout.contains("Accepted gaps (4):\n  unimplemented  GAP-NOTHING  accepted by J. Doe: Verified on the bench"),
        "{table}"
    );
    let markdown = fixture.cargo_iec(["trace", "--static", "--format", "markdown"]);
    assert!(
        markdown
            .stdout
            .contains("## Accepted gaps\n\n| kind | subject | rationale | reviewer |"),
        "{markdown}"
    );
}

#[test]
#[requirement("TR-ACCEPTED-GAPS")]
fn a_new_gap_fails_as_before() {
    let fixture = Fixture::new("gaps");
    accept_current_gaps(&fixture);
    fixture.edit(
        "src/lib.rs",
        "    #[requirement(\"GAP-TRACED\")]\n    fn",
        "    fn",
    );
    let run = gate(&fixture);
    assert_eq!(run.code, 1, "{run}");
    let json = run.json();
    let gaps: Vec<String> = json["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .map(|g| format!("{} {}", g["kind"], g["requirement"]))
        .collect();
    assert_eq!(gaps, ["\"untested\" \"GAP-TRACED\""]);
}

#[test]
#[requirement("TR-ACCEPTED-GAPS")]
fn a_fixed_gap_still_listed_fails_the_run_until_removed() {
    let fixture = Fixture::new("gaps");
    accept_current_gaps(&fixture);
    fixture.append(
        "src/lib.rs",
        "\n#[cfg(test)]\nmod battery {\n    #[test]\n    #[iec_runtime::requirement(\"GAP-UNTESTED\")]\n    fn low_below_20_percent() {\n        assert!(super::battery_low(19));\n    }\n}\n",
    );
    // Not even a policy that denies nothing lets it pass.
    let run = fixture.cargo_iec(["trace", "--static"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains("stale-acceptance  GAP-UNTESTED  the accepted gap (untested, requirement GAP-UNTESTED) no longer exists: remove its entry from iec-accepted.toml"),
        "{run}"
    );
    let json = gate(&fixture).json();
    assert_eq!(json["gaps"][0]["kind"], "stale-acceptance");
    assert_eq!(json["gaps"][0]["file"], "iec-accepted.toml");
    assert_eq!(json["gaps"][0]["line"], 23);
    // Rewriting the file drops the entry and keeps the others' rationales.
    let run = fixture.cargo_iec(["trace", "--static", "--write-accepted", "iec-accepted.toml"]);
    assert_eq!(run.code, 0, "{run}");
    let text = fixture.read("iec-accepted.toml");
    assert!(!text.contains("GAP-UNTESTED"), "{text}");
    assert!(!text.contains("TODO:"), "kept rationales: {text}");
    assert_eq!(gate(&fixture).code, 0);
}

#[test]
#[requirement("TR-ACCEPTED-GAPS", "TR-CLI-EXIT")]
fn an_entry_without_reviewer_or_with_an_unknown_kind_is_exit_2_with_its_position() {
    let fixture = Fixture::new("gaps");
    fixture.write(
        "iec-accepted.toml",
        "[[accepted]]\nkind = \"untested\"\nrequirement = \"GAP-UNTESTED\"\nrationale = \"Bench tested\"\n\n[[accepted]]\nkind = \"untestd\"\nrequirement = \"GAP-NOTHING\"\nrationale = \"\"\nreviewer = \"J. Doe\"\n",
    );
    let run = gate(&fixture);
    assert_eq!(run.code, 2, "{run}");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.messages()));
}

#[test]
#[requirement("TR-ACCEPTED-GAPS", "TR-CLI-EXIT")]
fn a_malformed_or_missing_accepted_file_is_exit_2() {
    let fixture = Fixture::new("gaps");
    fixture.write(
        "iec-accepted.toml",
        "[[accepted]]\nkind = \"untested\nreviewer = 3\n",
    );
    let run = gate(&fixture);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr.contains("error: iec-accepted.toml:2:"),
        "position in the file: {run}"
    );
    let run = fixture.cargo_iec(["trace", "--static", "--accepted", "missing.toml"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr
            .contains("cannot read the accepted-gaps file missing.toml"),
        "{run}"
    );
}
