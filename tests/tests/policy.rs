//! The policy: `--deny KIND,...` and `[workspace.metadata.iec] deny` turn gaps into exit 1.

use iec_acceptance::Fixture;
use iec_runtime::requirement;

#[test]
#[requirement("TR-CLI-POLICY")]
fn deny_untested_and_unimplemented_exits_1_and_names_the_gaps() {
    let fixture = Fixture::new("gaps");
    let run = fixture.cargo_iec(["trace", "--deny", "untested,unimplemented"]);
    assert_eq!(run.code, 1, "{run}");
    // The trace is still printed, so CI logs show what to fix.
    assert!(run.stdout.contains("Gaps (4):"), "{run}");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.messages()));
}

#[test]
#[requirement("TR-CLI-POLICY")]
fn deny_passes_with_exit_0_when_there_is_no_gap() {
    let fixture = Fixture::new("clean");
    let run = fixture.cargo_iec(["trace", "--deny", "untested,unimplemented,unknown-id"]);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
#[requirement("TR-CLI-POLICY")]
fn deny_of_a_kind_that_is_absent_exits_0() {
    let fixture = Fixture::new("gaps");
    let run = fixture.cargo_iec(["trace", "--deny", "unknown-id"]);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
#[requirement("TR-CLI-POLICY")]
fn deny_all_exits_1_on_any_gap() {
    let fixture = Fixture::new("harness-false");
    let run = fixture.cargo_iec(["trace", "--deny", "all"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.last_error().contains("untested"), "{run}");
}

#[test]
#[requirement("TR-CLI-POLICY")]
fn deny_in_workspace_metadata_is_honoured() {
    let fixture = Fixture::new("gaps");
    fixture.append(
        "Cargo.toml",
        "\n[workspace.metadata.iec]\ndeny = [\"untested\"]\n",
    );
    let run = fixture.cargo_iec(["trace"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(
        run.last_error(),
        "error: the policy denies untested: 2 gaps found",
        "{run}"
    );
}

#[test]
#[requirement("TR-CLI-POLICY")]
fn deny_on_the_command_line_adds_to_workspace_metadata() {
    let fixture = Fixture::new("gaps");
    fixture.append(
        "Cargo.toml",
        "\n[workspace.metadata.iec]\ndeny = [\"unknown-id\"]\n",
    );
    let run = fixture.cargo_iec(["trace", "--deny", "unimplemented"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.last_error().contains("unimplemented"), "{run}");
}

#[test]
#[requirement("TR-CLI-POLICY")]
fn an_unknown_gap_kind_is_exit_2_and_lists_the_known_kinds() {
    let fixture = Fixture::new("clean");
    let run = fixture.cargo_iec(["trace", "--deny", "untested,untestd"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.messages()));
}

#[test]
#[requirement("TR-CLI-POLICY")]
fn an_unknown_gap_kind_in_workspace_metadata_is_exit_2() {
    let fixture = Fixture::new("clean");
    fixture.append(
        "Cargo.toml",
        "\n[workspace.metadata.iec]\ndeny = [\"untestd\"]\n",
    );
    let run = fixture.cargo_iec(["trace"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.last_error().contains("untestd"), "{run}");
}
