//! The compile errors of `#[requirement]`, `#[software_unit]`, `#[problem]`,
//! `module_requirement!` and `module_unit!`, as a user sees them.
//!
//! Each `tests/ui/*.rs` case makes one mistake; the `.stderr` beside it is the message the
//! user gets, so these files document the messages. The cases in `tests/ui/pass/` must
//! compile: every item kind and combination the attributes accept.
//!
//! trybuild builds the cases in a generated project outside this package, where catalogue
//! discovery finds nothing, so `IEC_TRACE_CATALOGUE` names the catalogue each group is checked
//! against. Regenerate the messages with `TRYBUILD=overwrite cargo test -p iec-macros --test ui`
//! and read every changed `.stderr` before committing it.

use std::path::Path;
use std::sync::Mutex;

/// The environment is process-wide and trybuild builds when its `TestCases` drops, so the
/// groups of cases, each with its own catalogue, take turns.
static ENVIRONMENT: Mutex<()> = Mutex::new(());

/// Builds the cases `add` registers, with `IEC_TRACE_CATALOGUE` set to `catalogue`
/// (relative to this package), or unset.
fn with_catalogue(catalogue: Option<&str>, add: impl FnOnce(&trybuild::TestCases)) {
    let _turn = ENVIRONMENT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let catalogue = catalogue.map(|path| Path::new(env!("CARGO_MANIFEST_DIR")).join(path));
    // SAFETY: every test of this binary changes or reads the environment only while holding
    // `ENVIRONMENT`, and nothing else in this process reads it concurrently: trybuild reads
    // it from this thread, through std, when it spawns cargo.
    unsafe {
        match &catalogue {
            Some(catalogue) => std::env::set_var("IEC_TRACE_CATALOGUE", catalogue),
            None => std::env::remove_var("IEC_TRACE_CATALOGUE"),
        }
    }
    let cases = trybuild::TestCases::new();
    add(&cases);
    // Builds and compares here, while the variable still names this group's catalogue.
    drop(cases);
}

#[test]
#[iec_runtime::requirement(
    "TR-ANN-CHECK",
    "TR-ANN-IMPL",
    "TR-ANN-TEST",
    "TR-ANN-UNIT",
    "TR-ANN-TESTONLY",
    "TR-PROBLEM-TEST"
)]
fn annotations_are_checked_against_the_catalogue() {
    with_catalogue(Some("tests/ui/requirements.toml"), |cases| {
        cases.pass("tests/ui/pass/*.rs");
        cases.compile_fail("tests/ui/*.rs");
    });
}

#[test]
#[iec_runtime::requirement("TR-ANN-CHECK", "TR-CAT-PARSE")]
fn an_invalid_catalogue_is_reported_once_with_its_position() {
    with_catalogue(
        Some("tests/ui/invalid-catalogue/requirements.toml"),
        |cases| {
            cases.compile_fail("tests/ui/invalid-catalogue/*.rs");
        },
    );
}

#[test]
#[iec_runtime::requirement("TR-ANN-CHECK", "TR-CAT-FIND")]
fn a_missing_catalogue_is_reported() {
    with_catalogue(
        Some("tests/ui/missing-catalogue/requirements.toml"),
        |cases| {
            cases.compile_fail("tests/ui/missing-catalogue/*.rs");
        },
    );
}

#[test]
#[iec_runtime::requirement("TR-CAT-FIND")]
fn without_a_catalogue_ids_are_not_checked() {
    with_catalogue(None, |cases| cases.pass("tests/ui/no-catalogue/*.rs"));
}
