//! Suspect links: `cargo iec review` records what was reviewed in iec.lock; a change to the
//! requirement text or the item's signature makes the link suspect until reviewed again.

use iec_acceptance::Fixture;
use iec_runtime::requirement;

#[test]
#[requirement("TR-TRACE-SUSPECT")]
fn without_a_lock_file_no_link_is_suspect() {
    let fixture = Fixture::new("clean");
    let run = fixture.cargo_iec(["trace", "--deny", "suspect"]);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
#[requirement("TR-TRACE-SUSPECT", "TR-CLI-EXIT")]
fn a_changed_requirement_text_makes_its_links_suspect_until_reviewed_again() {
    let fixture = Fixture::new("clean");
    let review = fixture.cargo_iec(["review"]);
    assert_eq!(review.code, 0, "{review}");
    assert!(review.stderr.contains("wrote iec.lock"), "{review}");
    let lock = fixture.read("iec.lock");
    assert!(lock.contains("requirement = \"REQ-DOSE-LIMIT\""), "{lock}");
    assert_eq!(fixture.cargo_iec(["trace", "--deny", "suspect"]).code, 0);

    fixture.edit(
        "requirements.toml",
        "never deliver more than the maximum dose.",
        "never deliver more than the maximum dose of the drug library.",
    );
    let run = fixture.cargo_iec(["trace", "--deny", "suspect"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout
            .contains("REQ-DOSE-LIMIT is suspect: requirement text changed since review"),
        "{run}"
    );
    assert!(!run.stdout.contains("REQ-RATE is suspect"), "{run}");

    let again = fixture.cargo_iec(["review", "--requirement", "REQ-DOSE-LIMIT"]);
    assert_eq!(again.code, 0, "{again}");
    assert_eq!(fixture.cargo_iec(["trace", "--deny", "suspect"]).code, 0);
}

#[test]
#[requirement("TR-TRACE-SUSPECT")]
fn a_changed_signature_makes_the_link_suspect_but_a_changed_body_does_not() {
    let fixture = Fixture::new("methods");
    assert_eq!(fixture.cargo_iec(["review"]).code, 0);
    // Edit a function body only: still reviewed.
    let source = fixture.read("src/lib.rs");
    let reviewed_lock = fixture.read("iec.lock");
    assert!(!reviewed_lock.is_empty());
    let (before, after) = first_fn_body_edit(&source);
    fixture.edit("src/lib.rs", &before, &after);
    assert_eq!(
        fixture.cargo_iec(["trace", "--deny", "suspect"]).code,
        0,
        "a body change is not a signature change"
    );
    fixture.write("src/lib.rs", &source);
    // Change the signature: suspect.
    let (before, after) = first_signature_edit(&source);
    fixture.edit("src/lib.rs", &before, &after);
    let run = fixture.cargo_iec(["trace", "--deny", "suspect"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stdout.contains("item signature changed since review"),
        "{run}"
    );
}

/// The first `pub fn` with a body in the fixture, with a statement added to it.
fn first_fn_body_edit(source: &str) -> (String, String) {
    let line = source
        .lines()
        .find(|l| l.contains("pub fn") && l.trim_end().ends_with('{'))
        .expect("a pub fn with a body in methods/src/lib.rs");
    (
        line.to_string(),
        format!("{line}\n        let _unused_by_review = 0;"),
    )
}

/// `Pump::start` with its parameter made `mut`: the signature's tokens change, callers and
/// body still compile.
fn first_signature_edit(source: &str) -> (String, String) {
    let line = source
        .lines()
        .find(|l| l.contains("pub fn start(&mut self, rate: u32)"))
        .expect("Pump::start in methods/src/lib.rs");
    (
        line.to_string(),
        line.replacen("rate: u32", "mut rate: u32", 1),
    )
}
