//! `cargo iec export reqif`: import(export(x)) gives back x's IDs, titles, texts, parents and
//! sections, and identifiers are stable from one export to the next. Schema validation of
//! a real export is scripts/check-reqif (run by CI).

use std::collections::BTreeMap;
use std::path::Path;

use cargo_iec::interop::reqif::{self, ReqifFile};
use cargo_iec::interop::reqif_export::{self, ExportOptions, stable_identifier};
use cargo_iec::interop::reqif_import::{self, ImportOptions};
use cargo_iec::trace::{self, Trace, TraceInput};
use iec_model::Catalogue;
use iec_runtime::requirement;

const CATALOGUE: &str = r#"
[[section]]
id = "SEC-DOSE"
title = "Dosing"

[[section]]
id = "SEC-BOLUS"
title = "Bolus & limits <hard>"
parent = "SEC-DOSE"

[[system_requirement]]
id = "SYS-1"
title = "Deliver the prescribed dose"
text = "The pump shall deliver the prescribed dose."

[[requirement]]
id = "SRS-1"
title = "Bolus volume"
text = """
The pump shall compute the bolus volume from the dose
and the concentration.

A zero concentration yields no volume: "none" & nothing < 1."""
parent = ["SYS-1"]
section = "SEC-BOLUS"
class = "C"

[[requirement]]
id = "SRS-2"
title = "Hard limit"
text = "The pump shall reject a bolus above the hard limit."
parent = ["SRS-1", "SYS-1"]
section = "SEC-BOLUS"
verification = "inspection"

[[requirement]]
id = "SRS-3"
title = "Imported earlier"
text = "Kept its DOORS identifier."
source = { file = "srs.reqif", reqif_id = "_doors-object-42" }
"#;

fn catalogue() -> Catalogue {
    Catalogue::parse(CATALOGUE, Path::new("requirements.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn trace_of(catalogue: &Catalogue) -> Trace {
    trace::build(&TraceInput {
        catalogue,
        catalogue_path: "requirements.toml".to_string(),
        records: &[],
        listed_tests: &BTreeMap::new(),
        include_orphans: false,
        packages: Vec::new(),
    })
}

fn export(catalogue: &Catalogue, timestamp: &str) -> String {
    reqif_export::render(
        catalogue,
        &trace_of(catalogue),
        &ExportOptions {
            timestamp: timestamp.to_string(),
            title: "pump software requirements".to_string(),
        },
    )
}

fn reimport(text: &str) -> Catalogue {
    let document = reqif::parse_files(vec![ReqifFile {
        name: "export.reqif".to_string(),
        text: text.to_string(),
    }])
    .unwrap_or_else(|e| panic!("{e}"));
    let options = ImportOptions {
        source_file: "export.reqif".to_string(),
        ..ImportOptions::default()
    };
    let imported = reqif_import::import(&document, &options).unwrap_or_else(|e| panic!("{e}"));
    assert!(imported.warnings.is_empty(), "{:?}", imported.warnings);
    let toml = reqif_import::render(&imported, &options, None);
    Catalogue::parse(&toml, Path::new("imported.toml")).unwrap_or_else(|e| panic!("{e}\n{toml}"))
}

#[test]
#[requirement("TR-INTEROP-REQIF-EXPORT")]
fn import_of_an_export_gives_back_ids_titles_texts_parents_and_sections() {
    let original = catalogue();
    let back = reimport(&export(&original, "2024-01-01T00:00:00Z"));
    type Shape = (String, String, String, Vec<String>, Option<String>);
    let shape = |c: &Catalogue| -> Vec<Shape> {
        c.requirements
            .iter()
            .map(|r| {
                (
                    r.id.clone(),
                    r.title.clone(),
                    r.text.clone(),
                    r.parent.clone(),
                    r.section.clone(),
                )
            })
            .collect()
    };
    assert_eq!(shape(&back), shape(&original));
    let systems = |c: &Catalogue| -> Vec<(String, String, String)> {
        c.system_requirements
            .iter()
            .map(|r| (r.id.clone(), r.title.clone(), r.text.clone()))
            .collect()
    };
    assert_eq!(systems(&back), systems(&original));
    let sections = |c: &Catalogue| -> Vec<(String, String, Option<String>)> {
        c.sections
            .iter()
            .map(|s| (s.id.clone(), s.title.clone(), s.parent.clone()))
            .collect()
    };
    assert_eq!(sections(&back), sections(&original));
    // The DOORS identifier survives the round trip, so DOORS updates its own object.
    assert_eq!(
        back.requirement("SRS-3")
            .unwrap()
            .source
            .as_ref()
            .unwrap()
            .reqif_id
            .as_deref(),
        Some("_doors-object-42")
    );
}

#[test]
#[requirement("TR-INTEROP-REQIF-EXPORT")]
fn identifiers_are_the_same_in_every_export() {
    let first = export(&catalogue(), "2024-01-01T00:00:00Z");
    let second = export(&catalogue(), "2025-06-30T12:00:00Z");
    assert_eq!(
        first.replace("2024-01-01T00:00:00Z", "T"),
        second.replace("2025-06-30T12:00:00Z", "T")
    );
    let srs1 = stable_identifier("requirement", "SRS-1");
    assert!(first.contains(&format!("<SPEC-OBJECT IDENTIFIER=\"{srs1}\"")));
    assert!(first.contains("<SPEC-OBJECT IDENTIFIER=\"_doors-object-42\""));
    // An identifier is an xsd:ID: it starts with an underscore, then a UUID.
    assert_eq!(srs1.len(), 37);
    assert!(srs1.starts_with('_'));
}

#[test]
#[requirement("TR-INTEROP-REQIF-EXPORT")]
fn every_type_the_export_uses_is_declared() {
    let text = export(&catalogue(), "2024-01-01T00:00:00Z");
    for declaration in [
        "<DATATYPE-DEFINITION-STRING ",
        "<DATATYPE-DEFINITION-XHTML ",
        "<DATATYPE-DEFINITION-ENUMERATION ",
        "LONG-NAME=\"Requirement\"",
        "LONG-NAME=\"Heading\"",
        "LONG-NAME=\"System requirement\"",
        "LONG-NAME=\"iec-trace software item\"",
        "LONG-NAME=\"iec-trace test\"",
        "<SPEC-RELATION-TYPE ",
        "<SPECIFICATION-TYPE ",
    ] {
        assert!(text.contains(declaration), "{declaration} missing");
    }
    // The parser resolves every reference (it fails on an undeclared one).
    reqif::parse_files(vec![ReqifFile {
        name: "export.reqif".to_string(),
        text,
    }])
    .unwrap();
}
