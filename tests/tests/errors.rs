//! Exit code 2: the input or the build is wrong, and the message says what to do. Never an
//! empty or stale trace.

use iec_acceptance::Fixture;
use iec_runtime::requirement;

#[test]
#[requirement("TR-CAT-FIND", "TR-CLI-EXIT")]
fn a_missing_catalogue_is_exit_2_and_says_where_to_put_it() {
    let fixture = Fixture::new("clean");
    fixture.remove("requirements.toml");
    let run = fixture.cargo_iec(["trace"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.messages()));
}

#[test]
#[requirement("TR-CAT-PARSE", "TR-CLI-EXIT")]
fn a_malformed_catalogue_is_exit_2_with_file_line_and_column() {
    let fixture = Fixture::new("clean");
    fixture.edit(
        "requirements.toml",
        "title = \"Rate display\"",
        "title = \"Rate display",
    );
    let run = fixture.cargo_iec(["trace"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.messages()));
}

#[test]
#[requirement("TR-CAT-PARSE")]
fn an_invalid_catalogue_entry_is_exit_2_with_file_line_and_column() {
    let fixture = Fixture::new("clean");
    fixture.edit("requirements.toml", "class = \"C\"", "class = \"D\"");
    let run = fixture.cargo_iec(["trace"]);
    assert_eq!(run.code, 2, "{run}");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.messages()));
}

#[test]
#[requirement("TR-CLI-EXIT")]
fn a_build_failure_is_exit_2_after_the_compilers_message() {
    let fixture = Fixture::new("clean");
    fixture.edit("src/lib.rs", "dose.min(max)", "dose.min(max) + \"1\"");
    let run = fixture.cargo_iec(["trace", "--format", "json"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(
        run.stdout, "",
        "no trace may be printed after a failed build"
    );
    assert!(run.stderr.contains("error[E0277]"), "{run}");
    assert!(run.stderr.contains("src/lib.rs:11"), "{run}");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.last_error()));
}

#[test]
#[requirement("TR-ANN-CHECK")]
fn an_unknown_id_is_a_compile_error_that_suggests_the_closest_ids() {
    let fixture = Fixture::new("unknown-id");
    let run = fixture.cargo_iec(["trace"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "");
    // The compiler's diagnostic, at the ID's span, as the user sees it.
    let diagnostic: String = run
        .stderr
        .lines()
        .skip_while(|line| !line.starts_with("error: unknown requirement ID"))
        .take_while(|line| !line.is_empty())
        .map(|line| format!("{line}\n"))
        .collect();
    assert!(diagnostic.contains("did you mean"), "{run}");
    assert!(diagnostic.contains("--> src/lib.rs:6:15"), "{run}");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(diagnostic));
}

#[test]
#[requirement("TR-ANN-CHECK")]
fn removing_a_used_id_from_the_catalogue_makes_the_next_trace_fail_to_compile() {
    // The macros track the catalogue: an edit between two traces rebuilds, so the second
    // trace cannot silently reuse binaries checked against the old catalogue.
    let fixture = Fixture::new("clean");
    let first = fixture.cargo_iec(["trace"]);
    assert_eq!(first.code, 0, "{first}");
    let catalogue = fixture.read("requirements.toml");
    let without_display = catalogue.replace("id = \"REQ-DISPLAY\"", "id = \"REQ-SCREEN\"");
    assert_ne!(catalogue, without_display);
    fixture.write("requirements.toml", &without_display);
    let second = fixture.cargo_iec(["trace"]);
    assert_eq!(second.code, 2, "{second}");
    assert!(
        second
            .stderr
            .contains("unknown requirement ID \"REQ-DISPLAY\""),
        "{second}"
    );
}

#[test]
#[requirement("TR-TRACE-FAILCLOSED")]
fn a_test_binary_that_registered_nothing_fails_closed_with_exit_2() {
    let fixture = Fixture::new("no-dump");
    let run = fixture.cargo_iec(["trace", "--format", "json"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "", "an empty trace was printed");
    assert!(run.last_error().contains("registered none"), "{run}");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.last_error()));
}

#[test]
#[requirement("TR-TRACE-COMPILED")]
fn with_std_enabled_for_test_builds_the_no_std_pattern_traces() {
    // The README's pattern for firmware: iec-runtime without `std` for the product, with
    // `std` as a dev-dependency so test builds can hand their registry over.
    let fixture = Fixture::new("no-dump");
    let runtime = iec_acceptance::iec_runtime_dir();
    fixture.edit(
        "Cargo.toml",
        "[workspace]",
        &format!(
            "[dev-dependencies]\niec-runtime = {{ path = {:?}, features = [\"std\"] }}\n\n[workspace]",
            runtime.to_string_lossy()
        ),
    );
    let run = fixture.cargo_iec(["trace", "--deny", "untested,unimplemented"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("no_dump_pump::valve_open"), "{run}");
    // One requirement, in the singular.
    assert!(
        run.stdout
            .starts_with("1 requirement in requirements.toml, traced in no-dump-pump\n"),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("\n1 requirement: 1 implemented, 1 tested,"),
        "{run}"
    );
}

#[test]
#[requirement("TR-CLI-EXIT")]
fn outside_a_cargo_project_is_exit_2() {
    let empty = tempfile::tempdir().expect("temporary directory");
    let run = iec_acceptance::run(
        iec_acceptance::cargo_iec()
            .current_dir(empty.path())
            .arg("trace"),
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.last_error()
            .starts_with("error: cannot read the workspace"),
        "{run}"
    );
    assert!(run.last_error().contains("Cargo.toml"), "{run}");
}

#[test]
#[requirement("TR-OUT-FILE", "TR-CLI-EXIT")]
fn an_output_file_that_cannot_be_written_is_exit_2() {
    let fixture = Fixture::new("clean");
    let run = fixture.cargo_iec(["trace", "--output", "no/such/dir/trace.txt"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "");
    assert!(
        run.last_error()
            .starts_with("error: cannot write no/such/dir/trace.txt: "),
        "{run}"
    );
}

/// Runs the trace on `fixture` with `--output`, expecting exit 2, `expected` in the error
/// and no output file.
fn rejected_catalogue(fixture: &Fixture, expected: &str) {
    let output = fixture.path("trace.json");
    let run = fixture.cargo_iec([
        "trace",
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
    assert!(!output.exists(), "nothing is written on bad input");
}

#[test]
#[requirement("TR-CAT-PARSE")]
fn a_duplicate_requirement_id_is_exit_2_at_the_second_definition() {
    let fixture = Fixture::new("clean");
    fixture.append(
        "requirements.toml",
        "\n[[requirement]]\nid = \"REQ-RATE\"\ntitle = \"Again\"\n",
    );
    rejected_catalogue(
        &fixture,
        "duplicate ID \"REQ-RATE\": already defined at line",
    );
}

#[test]
#[requirement("TR-CAT-PARSE")]
fn an_unknown_parent_is_exit_2_with_a_suggestion() {
    let fixture = Fixture::new("clean");
    fixture.edit(
        "requirements.toml",
        "parent = [\"SYS-1\"]",
        "parent = [\"SYS-9\"]",
    );
    rejected_catalogue(&fixture, "unknown parent \"SYS-9\"");
}

#[test]
#[requirement("TR-CAT-PARSE")]
fn a_parent_cycle_is_exit_2_naming_the_cycle() {
    let fixture = Fixture::new("clean");
    fixture.append(
        "requirements.toml",
        "\n[[requirement]]\nid = \"CYC-A\"\ntitle = \"A\"\nparent = \"CYC-B\"\n\n[[requirement]]\nid = \"CYC-B\"\ntitle = \"B\"\nparent = \"CYC-A\"\n",
    );
    rejected_catalogue(
        &fixture,
        "requirement parents form a cycle: CYC-A -> CYC-B -> CYC-A",
    );
}
