//! The help texts are the first documentation a user reads; snapshot them as shown.

use iec_acceptance::{cargo_iec, run};
use iec_runtime::requirement;

#[test]
#[requirement("TR-CLI-EXIT")]
fn iec_help_lists_the_commands_and_the_exit_codes() {
    let help = run(cargo_iec().arg("--help"));
    assert_eq!(help.code, 0, "{help}");
    assert_eq!(help.stderr, "");
    insta::assert_snapshot!(help.stdout);
}

#[test]
#[requirement("TR-CLI-EXIT")]
fn trace_help_documents_the_options_the_gap_kinds_and_the_exit_codes() {
    let help = run(cargo_iec().args(["trace", "--help"]));
    assert_eq!(help.code, 0, "{help}");
    assert_eq!(help.stderr, "");
    insta::assert_snapshot!(help.stdout);
}

#[test]
#[requirement("TR-CLI-EXIT")]
fn an_unknown_option_is_a_usage_error_with_exit_code_2() {
    let run = run(cargo_iec().args(["trace", "--frobnicate"]));
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "");
    insta::assert_snapshot!(run.stderr);
}

#[test]
#[requirement("TR-CLI-EXIT")]
fn an_unknown_format_is_a_usage_error_that_lists_the_formats() {
    let run = run(cargo_iec().args(["trace", "--format", "yaml"]));
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("table"), "{run}");
    assert!(run.stderr.contains("json"), "{run}");
}

#[test]
#[requirement("TR-TEST-EXIT")]
fn iec_test_help_documents_the_runner_the_bundle_and_the_exit_codes() {
    let help = run(cargo_iec().args(["test", "--help"]));
    assert_eq!(help.code, 0, "{help}");
    insta::assert_snapshot!(help.stdout);
}

#[test]
#[requirement("TR-VERIFY-BUNDLE")]
fn verify_help_documents_what_is_checked_and_the_exit_codes() {
    let help = run(cargo_iec().args(["verify", "--help"]));
    assert_eq!(help.code, 0, "{help}");
    insta::assert_snapshot!(help.stdout);
}

#[test]
#[requirement("TR-SOUP-FORMATS")]
fn soup_help_documents_the_uses_and_the_formats() {
    let help = run(cargo_iec().args(["soup", "--help"]));
    assert_eq!(help.code, 0, "{help}");
    insta::assert_snapshot!(help.stdout);
}

#[test]
#[requirement("TR-DESIGN-RECORD")]
fn design_help_documents_the_record_the_formats_and_the_exit_codes() {
    let help = run(cargo_iec().args(["design", "--help"]));
    assert_eq!(help.code, 0, "{help}");
    assert_eq!(help.stderr, "");
    insta::assert_snapshot!(help.stdout);
}

#[test]
#[requirement("TR-IMPACT-CLI", "TR-IMPACT-FORMATS")]
fn impact_help_documents_the_range_the_reasons_and_the_exit_codes() {
    let help = run(cargo_iec().args(["impact", "--help"]));
    assert_eq!(help.code, 0, "{help}");
    assert!(help.stdout.contains("BASE[..HEAD]"), "{help}");
    insta::assert_snapshot!(help.stdout);
}

#[test]
#[requirement("TR-DIFF-CLI")]
fn diff_help_documents_the_sides_the_sections_and_the_exit_codes() {
    let help = run(cargo_iec().args(["diff", "--help"]));
    assert_eq!(help.code, 0, "{help}");
    insta::assert_snapshot!(help.stdout);
}
