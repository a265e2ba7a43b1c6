//! The `cargo iec import reqif` command: exit codes, nothing written on error, and the
//! report of a re-import.

use std::path::Path;
use std::process::{Command, Output};

use iec_runtime::requirement;

fn document(requirements: &[(&str, &str, &str)]) -> String {
    let mut objects = String::new();
    for (id, name, text) in requirements {
        objects.push_str(&format!(
            r#"<SPEC-OBJECT IDENTIFIER="_{id}" LAST-CHANGE="2024-01-01T00:00:00Z"><TYPE><SPEC-OBJECT-TYPE-REF>t</SPEC-OBJECT-TYPE-REF></TYPE><VALUES>
<ATTRIBUTE-VALUE-STRING THE-VALUE="{id}"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>d-id</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING>
<ATTRIBUTE-VALUE-STRING THE-VALUE="{name}"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>d-name</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING>
<ATTRIBUTE-VALUE-XHTML><DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>d-text</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION><THE-VALUE><xhtml:div><xhtml:p>{text}</xhtml:p></xhtml:div></THE-VALUE></ATTRIBUTE-VALUE-XHTML>
</VALUES></SPEC-OBJECT>
"#
        ));
    }
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<REQ-IF xmlns="http://www.omg.org/spec/ReqIF/20110401/reqif.xsd" xmlns:xhtml="http://www.w3.org/1999/xhtml">
<CORE-CONTENT><REQ-IF-CONTENT>
<DATATYPES>
<DATATYPE-DEFINITION-STRING IDENTIFIER="s" LAST-CHANGE="2024-01-01T00:00:00Z" MAX-LENGTH="1000"/>
<DATATYPE-DEFINITION-XHTML IDENTIFIER="x" LAST-CHANGE="2024-01-01T00:00:00Z"/>
</DATATYPES>
<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER="t" LAST-CHANGE="2024-01-01T00:00:00Z" LONG-NAME="Requirement"><SPEC-ATTRIBUTES>
<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="d-id" LAST-CHANGE="2024-01-01T00:00:00Z" LONG-NAME="ReqIF.ForeignID"><TYPE><DATATYPE-DEFINITION-STRING-REF>s</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>
<ATTRIBUTE-DEFINITION-STRING IDENTIFIER="d-name" LAST-CHANGE="2024-01-01T00:00:00Z" LONG-NAME="ReqIF.Name"><TYPE><DATATYPE-DEFINITION-STRING-REF>s</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>
<ATTRIBUTE-DEFINITION-XHTML IDENTIFIER="d-text" LAST-CHANGE="2024-01-01T00:00:00Z" LONG-NAME="ReqIF.Text"><TYPE><DATATYPE-DEFINITION-XHTML-REF>x</DATATYPE-DEFINITION-XHTML-REF></TYPE></ATTRIBUTE-DEFINITION-XHTML>
</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE></SPEC-TYPES>
<SPEC-OBJECTS>
{objects}</SPEC-OBJECTS>
</REQ-IF-CONTENT></CORE-CONTENT>
</REQ-IF>
"#
    )
}

fn import(dir: &Path, input: &str, output: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-iec"))
        .current_dir(dir)
        .args(["iec", "import", "reqif", input, "--output", output])
        .output()
        .expect("run cargo-iec")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
#[requirement("TR-INTEROP-REQIF-REIMPORT")]
fn a_reimport_lists_added_changed_and_removed_requirements() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("v1.reqif"),
        document(&[
            ("SRS-1", "Bolus", "The pump shall deliver the bolus."),
            ("SRS-2", "Limit", "The pump shall limit the rate."),
            ("SRS-3", "Alarm", "The pump shall alarm."),
        ]),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("v2.reqif"),
        document(&[
            ("SRS-1", "Bolus", "The pump shall deliver the bolus."),
            (
                "SRS-2",
                "Limit",
                "The pump shall limit the rate to 1200 mL/h.",
            ),
            ("SRS-4", "Battery", "The pump shall warn on low battery."),
        ]),
    )
    .unwrap();
    let first = import(dir.path(), "v1.reqif", "srs.toml");
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let text = std::fs::read_to_string(dir.path().join("srs.toml")).unwrap();
    assert!(text.contains("id = \"SRS-3\""), "{text}");
    let second = import(dir.path(), "v2.reqif", "srs.toml");
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let report = stderr(&second);
    assert!(report.contains("added 1 requirement: SRS-4"), "{report}");
    assert!(
        report.contains("changed 1 requirement: SRS-2 (their reviewed links are suspect"),
        "{report}"
    );
    assert!(report.contains("removed 1 requirement: SRS-3"), "{report}");
    let text = std::fs::read_to_string(dir.path().join("srs.toml")).unwrap();
    assert!(
        text.contains("1200 mL/h") && !text.contains("SRS-3"),
        "{text}"
    );
}

#[test]
#[requirement("TR-INTEROP-REQIF-ERRORS")]
fn malformed_input_is_exit_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("empty.reqif"), "").unwrap();
    std::fs::write(dir.path().join("srs.toml"), "# kept\n").unwrap();
    let run = import(dir.path(), "empty.reqif", "srs.toml");
    assert_eq!(run.status.code(), Some(2));
    assert_eq!(
        stderr(&run).trim(),
        "error: empty.reqif:1:1: the file is empty: expected a ReqIF document (<REQ-IF>)"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("srs.toml")).unwrap(),
        "# kept\n"
    );
    let run = import(dir.path(), "empty.reqif", "new.toml");
    assert_eq!(run.status.code(), Some(2));
    assert!(!dir.path().join("new.toml").exists());
}

#[test]
#[requirement("TR-INTEROP-REQIF-REIMPORT")]
fn a_file_with_hand_written_entries_is_not_replaced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("v1.reqif"),
        document(&[("SRS-1", "Bolus", "The pump shall deliver the bolus.")]),
    )
    .unwrap();
    let hand_written = "[[requirement]]\nid = \"SRS-9\"\ntitle = \"Mine\"\n";
    std::fs::write(dir.path().join("requirements.toml"), hand_written).unwrap();
    let run = import(dir.path(), "v1.reqif", "requirements.toml");
    assert_eq!(run.status.code(), Some(2));
    assert!(
        stderr(&run).contains("holds entries that were not imported (SRS-9)"),
        "{}",
        stderr(&run)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("requirements.toml")).unwrap(),
        hand_written
    );
}
