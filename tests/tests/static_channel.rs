//! The static channel (`--static`, and the cross-check of both channels by default), and the
//! source files it cannot read.

use iec_acceptance::{Fixture, Run, links};
use iec_runtime::requirement;
use serde_json::Value;

fn gap_lines(json: &Value, kind: &str) -> Vec<String> {
    json["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .filter(|g| g["kind"] == kind)
        .map(|g| {
            format!(
                "{} {}",
                g["requirement"].as_str().unwrap_or("-"),
                g["path"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
#[requirement("TR-TRACE-STATIC", "TR-TRACE-CROSSCHECK")]
fn both_channels_agree_on_the_clean_fixture() {
    let fixture = Fixture::new("clean");
    let both = fixture.cargo_iec(["trace", "--format", "json"]);
    assert_eq!(both.code, 0, "{both}");
    let both = both.json();
    assert!(gap_lines(&both, "channel-mismatch").is_empty(), "{both:#}");
    let sources = fixture.cargo_iec(["trace", "--static", "--format", "json"]);
    assert_eq!(sources.code, 0, "{sources}");
    assert_eq!(links(&sources.json()), links(&both));
}

#[test]
#[requirement("TR-TRACE-STATIC", "TR-TRACE-CROSSCHECK")]
fn macro_generated_items_are_the_only_disagreement_on_the_methods_fixture() {
    let fixture = Fixture::new("methods");
    let run = fixture.cargo_iec(["trace", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let json = run.json();
    assert_eq!(
        gap_lines(&json, "channel-mismatch"),
        [
            "M-GENERATED methods_pump::pump::basal_limit",
            "M-GENERATED methods_pump::pump::bolus_limit"
        ],
        "{json:#}"
    );
    assert!(
        run.stderr.contains("inside `macro_rules! mode_limit`"),
        "{run}"
    );
}

#[test]
#[requirement("TR-TRACE-CROSSCHECK", "TR-ANN-CHECK")]
fn an_annotation_compiled_out_by_cfg_is_a_channel_mismatch_naming_the_cfg() {
    // The compiler never expands an attribute on a cfg'd-out item, so even its unknown ID
    // goes unchecked: only the static channel sees it.
    let fixture = Fixture::new("clean");
    fixture.append(
        "src/lib.rs",
        "\n#[cfg(feature = \"telemetry\")]\n#[iec_runtime::requirement(\"REQ-TELEMETRY\")]\npub fn report() {}\n",
    );
    let run = fixture.cargo_iec(["trace", "--format", "json", "--deny", "channel-mismatch"]);
    assert_eq!(run.code, 1, "{run}");
    let json = run.json();
    let gap = json["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .find(|g| g["kind"] == "channel-mismatch")
        .expect("a channel-mismatch gap");
    assert_eq!(gap["path"], "clean_pump::report");
    assert!(
        gap["message"]
            .as_str()
            .unwrap_or("")
            .contains("cfg(feature = \"telemetry\")"),
        "{gap:#}"
    );
    // Read from the sources alone, the unknown ID is a gap of its own.
    let sources = fixture.cargo_iec(["trace", "--static", "--format", "json"]);
    assert_eq!(
        gap_lines(&sources.json(), "unknown-id"),
        ["REQ-TELEMETRY clean_pump::report"]
    );
}

fn add_module(fixture: &Fixture, name: &str) {
    fixture.append("src/lib.rs", &format!("\npub mod {name};\n"));
}

fn unreadable_source_is_exit_2_naming_it(fixture: &Fixture, expected: &str) -> Run {
    let output = fixture.path("trace.json");
    let run = fixture.cargo_iec([
        "trace",
        "--static",
        "--format",
        "json",
        "--output",
        output.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stderr.contains(expected),
        "expected {expected:?} in\n{run}"
    );
    assert!(!output.exists(), "nothing is written");
    let kept = fixture.cargo_iec([
        "trace",
        "--static",
        "--keep-going",
        "--format",
        "json",
        "--output",
        output.to_str().expect("UTF-8 path"),
    ]);
    assert_eq!(
        kept.code, 0,
        "--keep-going accepts the trace without it: {kept}"
    );
    assert!(output.exists());
    run
}

#[test]
#[requirement("TR-TRACE-STATIC", "TR-CLI-EXIT")]
fn a_file_that_does_not_parse_is_reported_with_its_position_and_nothing_is_written() {
    let fixture = Fixture::new("clean");
    add_module(&fixture, "broken");
    // The scan reads the files that can hold annotations (the compiler reports syntax errors
    // in the others when it builds them).
    fixture.write(
        "src/broken.rs",
        "use iec_runtime::requirement;\n\n#[requirement(\"REQ-RATE\")]\npub fn broken( {\n",
    );
    unreadable_source_is_exit_2_naming_it(&fixture, "src/broken.rs:4:");
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn a_non_utf8_source_file_is_reported_with_its_position() {
    let fixture = Fixture::new("clean");
    add_module(&fixture, "latin1");
    std::fs::write(
        fixture.path("src/latin1.rs"),
        b"// caf\xe9\npub fn x() {}\n",
    )
    .expect("write");
    unreadable_source_is_exit_2_naming_it(&fixture, "src/latin1.rs:1:");
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn a_symlink_loop_is_reported() {
    let fixture = Fixture::new("clean");
    add_module(&fixture, "looped");
    std::os::unix::fs::symlink("looped.rs", fixture.path("src/looped.rs")).expect("symlink");
    unreadable_source_is_exit_2_naming_it(&fixture, "src/looped.rs");
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn an_unreadable_module_file_is_reported() {
    // Tests run as root in CI, where permissions do not stop reads: a directory where the
    // module file should be is unreadable for everyone.
    let fixture = Fixture::new("clean");
    add_module(&fixture, "gone");
    std::fs::create_dir_all(fixture.path("src/gone.rs")).expect("mkdir");
    unreadable_source_is_exit_2_naming_it(&fixture, "gone");
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn a_target_other_than_the_host_is_traced_from_the_sources() {
    let fixture = Fixture::new("clean");
    let run = fixture.cargo_iec([
        "trace",
        "--target",
        "thumbv7em-none-eabihf",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stderr
            .contains("test binaries for thumbv7em-none-eabihf cannot run on this host"),
        "{run}"
    );
    assert!(
        !run.json()["requirements"][0]["implemented_by"]
            .as_array()
            .expect("links")
            .is_empty()
    );
}
