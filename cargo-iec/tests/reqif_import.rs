//! `cargo iec import reqif` on the five real exports in tests/fixtures/reqif (SOURCE.md),
//! checked against counts taken by reading their XML, and on malformed input.
//!
//! Hand counts (SPEC-OBJECTs, their types and attributes, the SPEC-HIERARCHY nesting and the
//! SPEC-RELATIONs, read in each file):
//! * DOORS: 3 objects, each with only a ReqIF.ChapterName ("Object Heading") and no
//!   ReqIF.Text: 3 headings, 0 requirements; ForeignIDs (absolute numbers) 1, 2, 3.
//! * Polarion: 101 objects: 42 of type Heading, 1 Document with a chapter name and no text
//!   (a heading), 58 Software Requirements with text; all in one specification. Headings at
//!   depth 1/2/3/4: 11/15/14/3; requirements at depth 2/3/4/5: 1/23/31/3, each directly under
//!   a heading; no relations. Every ReqIF.ForeignID is "aaa" (anonymised).
//! * ReqIF Studio: 137 objects, all "Requirement Type" with text, 138 hierarchy entries of
//!   which one names an object the file lacks (_B9RbAGunEeuNUYnTveUm8Q); depth 1/2/3/4:
//!   10/65/54/8; 14 relations, none duplicating a nesting: 127 + 14 = 141 parent links on
//!   128 requirements, 11 of which have more than one. Every ReqIF.ForeignID is "...Anonymized...".
//! * TC1000: 1 object, no ReqIF.* attribute, a string "Plain" among booleans, numbers,
//!   a date and enumerations.
//! * TC1700 (.reqifz, 2 files): 2 objects in the first file, one relation in the second
//!   from SpecObject1 to SpecObject2.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cargo_iec::interop::reqif;
use cargo_iec::interop::reqif_import::{self, ImportOptions, Imported};
use iec_model::Catalogue;
use iec_runtime::requirement;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reqif")
        .join(name)
}

fn import_with(name: &str, options: ImportOptions) -> (Imported, Catalogue) {
    let document = reqif::read(&fixture(name)).unwrap_or_else(|e| panic!("{e}"));
    let options = ImportOptions {
        source_file: name.to_string(),
        ..options
    };
    let imported = reqif_import::import(&document, &options).unwrap_or_else(|e| panic!("{e}"));
    let text = reqif_import::render(&imported, &options, document.source_tool.as_deref());
    let catalogue = Catalogue::parse(&text, Path::new("imported.toml"))
        .unwrap_or_else(|e| panic!("the import is not a valid catalogue: {e}\n{text}"));
    (imported, catalogue)
}

fn import(name: &str) -> (Imported, Catalogue) {
    import_with(name, ImportOptions::default())
}

/// How many sections sit at each depth (1 = top level).
fn section_depths(catalogue: &Catalogue) -> BTreeMap<usize, usize> {
    let mut depths = BTreeMap::new();
    for section in &catalogue.sections {
        let mut depth = 1;
        let mut parent = section.parent.as_deref();
        while let Some(id) = parent {
            depth += 1;
            parent = catalogue.section(id).and_then(|s| s.parent.as_deref());
        }
        *depths.entry(depth).or_default() += 1;
    }
    depths
}

fn section_depth(catalogue: &Catalogue, id: &str) -> usize {
    let mut depth = 0;
    let mut current = Some(id);
    while let Some(id) = current {
        depth += 1;
        current = catalogue.section(id).and_then(|s| s.parent.as_deref());
    }
    depth
}

#[test]
#[requirement("TR-INTEROP-REQIF-IMPORT")]
fn doors_export_is_three_headings_and_no_requirement() {
    let (_, catalogue) = import("Doors_02_example_from_a_user.reqif");
    assert_eq!(catalogue.requirements.len(), 0);
    let sections: Vec<(&str, &str, Option<&str>)> = catalogue
        .sections
        .iter()
        .map(|s| (s.id.as_str(), s.title.as_str(), s.parent.as_deref()))
        .collect();
    assert_eq!(
        sections,
        [
            ("1", "Carbon Trust Standard", None),
            ("2", "CRC and CCA", None),
            ("3", "Picture or Whitepaper", None)
        ]
    );
    assert_eq!(
        catalogue.sections[0]
            .source
            .as_ref()
            .unwrap()
            .reqif_id
            .as_deref(),
        Some("_1_01ea51ea-ed54-471e-8c08-19e093f930f7")
    );
}

#[test]
#[requirement("TR-INTEROP-REQIF-IMPORT")]
fn polarion_export_has_58_requirements_under_43_headings() {
    let (imported, catalogue) = import("Polarion_01_anonimized_example.reqif");
    assert_eq!(catalogue.requirements.len(), 58);
    assert_eq!(catalogue.sections.len(), 43);
    assert_eq!(
        section_depths(&catalogue),
        BTreeMap::from([(1, 11), (2, 15), (3, 14), (4, 3)])
    );
    let mut requirement_depths: BTreeMap<usize, usize> = BTreeMap::new();
    for requirement in &catalogue.requirements {
        assert!(requirement.parent.is_empty(), "{}", requirement.id);
        let section = requirement.section.as_deref().expect("under a heading");
        *requirement_depths
            .entry(section_depth(&catalogue, section) + 1)
            .or_default() += 1;
        // The anonymised ForeignIDs all read "aaa": the SPEC-OBJECT identifiers are the IDs.
        assert_eq!(
            requirement.source.as_ref().unwrap().reqif_id.as_deref(),
            Some(requirement.id.as_str())
        );
        assert_eq!(requirement.title, "aaa");
    }
    assert_eq!(
        requirement_depths,
        BTreeMap::from([(2, 1), (3, 23), (4, 31), (5, 3)])
    );
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("shares ReqIF.ForeignID \"aaa\"")),
        "{:?}",
        imported.warnings
    );
}

#[test]
#[requirement("TR-INTEROP-REQIF-IMPORT")]
fn reqif_studio_export_nests_137_requirements_and_keeps_its_relations() {
    let (imported, catalogue) = import("ReqIF_Studio_01_anonimized_example.reqif");
    assert_eq!(catalogue.requirements.len(), 137);
    assert_eq!(catalogue.sections.len(), 0);
    let with_parent = catalogue
        .requirements
        .iter()
        .filter(|r| !r.parent.is_empty())
        .count();
    let with_several = catalogue
        .requirements
        .iter()
        .filter(|r| r.parent.len() > 1)
        .count();
    let links: usize = catalogue.requirements.iter().map(|r| r.parent.len()).sum();
    assert_eq!((with_parent, with_several, links), (128, 11, 141));
    // The relation from _QPtMsGokEeuExICsU7Acmg to _TZi8AGxUEeuaU7fHySy8Bw is a parent.
    let requirement = catalogue.requirement("_QPtMsGokEeuExICsU7Acmg").unwrap();
    assert!(
        requirement
            .parent
            .contains(&"_TZi8AGxUEeuaU7fHySy8Bw".to_string())
    );
    assert!(
        imported
            .warnings
            .iter()
            .any(|w| w.contains("3912:17") && w.contains("_B9RbAGunEeuNUYnTveUm8Q")),
        "{:?}",
        imported.warnings
    );
    assert_eq!(requirement.text, "...Anonymized...");
}

#[test]
#[requirement("TR-INTEROP-REQIF-IMPORT")]
fn rmf_tc1000_is_one_requirement_titled_by_its_string_value() {
    let (_, catalogue) = import("ci.eclipse.org_TC1000.reqif");
    let ids: Vec<&str> = catalogue
        .requirements
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(ids, ["ID_TC1000_SpecObject"]);
    assert_eq!(catalogue.requirements[0].title, "Plain");
    assert!(catalogue.sections.is_empty());
}

#[test]
#[requirement("TR-INTEROP-REQIF-IMPORT")]
fn rmf_tc1700_reqifz_resolves_a_relation_across_its_two_files() {
    let (_, catalogue) = import("ci.eclipse.org_TC1700.reqifz");
    let requirements: Vec<(&str, &str, Vec<String>)> = catalogue
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r.title.as_str(), r.parent.clone()))
        .collect();
    assert_eq!(
        requirements,
        [
            (
                "ID_TC1700_SpecObject1",
                "Requirement 1",
                vec!["ID_TC1700_SpecObject2".to_string()]
            ),
            ("ID_TC1700_SpecObject2", "Requirement 2", vec![])
        ]
    );
}

#[test]
#[requirement("TR-INTEROP-REQIF-IMPORT")]
fn the_same_input_gives_the_same_bytes() {
    let name = "ReqIF_Studio_01_anonimized_example.reqif";
    let document = reqif::read(&fixture(name)).unwrap();
    let options = ImportOptions {
        source_file: name.to_string(),
        ..ImportOptions::default()
    };
    let first = reqif_import::render(
        &reqif_import::import(&document, &options).unwrap(),
        &options,
        None,
    );
    let second = reqif_import::render(
        &reqif_import::import(&reqif::read(&fixture(name)).unwrap(), &options).unwrap(),
        &options,
        None,
    );
    assert_eq!(first, second);
}

#[test]
#[requirement("TR-INTEROP-REQIF-ERRORS")]
fn an_explicit_id_attribute_must_be_unique() {
    let document = reqif::read(&fixture("Polarion_01_anonimized_example.reqif")).unwrap();
    let error = reqif_import::import(
        &document,
        &ImportOptions {
            id_attribute: Some("ReqIF.ForeignID".to_string()),
            ..ImportOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("Polarion_01_anonimized_example.reqif:872:9: requirement rmf-85c7695b-a2d1-45ec-bdf3-f17e4ded59ac shares ReqIF.ForeignID \"aaa\""),
        "{error}"
    );
}

#[test]
#[requirement("TR-INTEROP-REQIF-IMPORT")]
fn title_and_text_attributes_can_be_chosen() {
    let (_, catalogue) = import_with(
        "ci.eclipse.org_TC1000.reqif",
        ImportOptions {
            title_attribute: Some("TC1000 Enum MultiValue".to_string()),
            text_attribute: Some("TC1000 String".to_string()),
            ..ImportOptions::default()
        },
    );
    let requirement = &catalogue.requirements[0];
    assert_eq!(requirement.title, "TC1000 Yellow, TC1000 Red, TC1000 Green");
    assert_eq!(requirement.text, "Plain");
}

fn parse_error(text: &str) -> String {
    reqif::parse_files(vec![reqif::ReqifFile {
        name: "bad.reqif".to_string(),
        text: text.to_string(),
    }])
    .and_then(|document| {
        reqif_import::import(&document, &ImportOptions::default()).map(|_| document)
    })
    .map(|_| String::new())
    .unwrap_or_else(|e| e.to_string())
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<REQ-IF xmlns=\"http://www.omg.org/spec/ReqIF/20110401/reqif.xsd\">\n<CORE-CONTENT><REQ-IF-CONTENT>\n";
const TAIL: &str = "</REQ-IF-CONTENT></CORE-CONTENT>\n</REQ-IF>\n";

#[test]
#[requirement("TR-INTEROP-REQIF-ERRORS")]
fn an_empty_file_is_an_error_at_its_start() {
    assert_eq!(
        parse_error(""),
        "bad.reqif:1:1: the file is empty: expected a ReqIF document (<REQ-IF>)"
    );
}

#[test]
#[requirement("TR-INTEROP-REQIF-ERRORS")]
fn text_that_is_not_xml_is_an_error_with_line_and_column() {
    let error = parse_error("<REQ-IF>\n  <A></B>\n</REQ-IF>\n");
    assert!(error.starts_with("bad.reqif:2:"), "{error}");
    assert!(error.contains("not well-formed XML"), "{error}");
}

#[test]
#[requirement("TR-INTEROP-REQIF-ERRORS")]
fn xml_that_is_not_reqif_is_an_error_at_its_root() {
    assert_eq!(
        parse_error("<?xml version=\"1.0\"?>\n<html/>\n"),
        "bad.reqif:2:1: not a ReqIF document: the root element is <html>, expected <REQ-IF>"
    );
}

#[test]
#[requirement("TR-INTEROP-REQIF-ERRORS")]
fn a_relation_to_a_missing_object_is_an_error_at_the_relation() {
    let error = parse_error(&format!(
        "{HEAD}<SPEC-RELATIONS>\n  <SPEC-RELATION IDENTIFIER=\"r\" LAST-CHANGE=\"2020-01-01T00:00:00Z\"><SOURCE><SPEC-OBJECT-REF>a</SPEC-OBJECT-REF></SOURCE><TARGET><SPEC-OBJECT-REF>b</SPEC-OBJECT-REF></TARGET></SPEC-RELATION>\n</SPEC-RELATIONS>\n{TAIL}"
    ));
    assert_eq!(
        error,
        "bad.reqif:5:3: SPEC-RELATION refers to SPEC-OBJECT \"a\", which no file defines"
    );
}

#[test]
#[requirement("TR-INTEROP-REQIF-ERRORS")]
fn an_attribute_of_an_unknown_datatype_is_an_error_at_its_definition() {
    let error = parse_error(&format!(
        "{HEAD}<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER=\"t\" LAST-CHANGE=\"2020-01-01T00:00:00Z\"><SPEC-ATTRIBUTES>\n    <ATTRIBUTE-DEFINITION-STRING IDENTIFIER=\"d\" LAST-CHANGE=\"2020-01-01T00:00:00Z\" LONG-NAME=\"ReqIF.Text\"><TYPE><DATATYPE-DEFINITION-STRING-REF>nowhere</DATATYPE-DEFINITION-STRING-REF></TYPE></ATTRIBUTE-DEFINITION-STRING>\n</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE></SPEC-TYPES>\n{TAIL}"
    ));
    assert_eq!(
        error,
        "bad.reqif:5:5: unknown datatype \"nowhere\" for attribute \"ReqIF.Text\": the file declares no such DATATYPE-DEFINITION"
    );
}

#[test]
#[requirement("TR-INTEROP-REQIF-ERRORS")]
fn an_unknown_kind_of_datatype_is_an_error() {
    let error = parse_error(&format!(
        "{HEAD}<SPEC-TYPES><SPEC-OBJECT-TYPE IDENTIFIER=\"t\" LAST-CHANGE=\"2020-01-01T00:00:00Z\"><SPEC-ATTRIBUTES>\n    <ATTRIBUTE-DEFINITION-COLOUR IDENTIFIER=\"d\" LAST-CHANGE=\"2020-01-01T00:00:00Z\"/>\n</SPEC-ATTRIBUTES></SPEC-OBJECT-TYPE></SPEC-TYPES>\n{TAIL}"
    ));
    assert!(
        error.starts_with(
            "bad.reqif:5:5: unknown attribute definition <ATTRIBUTE-DEFINITION-COLOUR>"
        ),
        "{error}"
    );
}

#[test]
#[requirement("TR-INTEROP-REQIF-ERRORS")]
fn a_value_of_an_undeclared_attribute_is_an_error_at_the_value() {
    let error = parse_error(&format!(
        "{HEAD}<SPEC-OBJECTS><SPEC-OBJECT IDENTIFIER=\"o\" LAST-CHANGE=\"2020-01-01T00:00:00Z\"><VALUES>\n      <ATTRIBUTE-VALUE-STRING THE-VALUE=\"x\"><DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>ghost</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION></ATTRIBUTE-VALUE-STRING>\n</VALUES></SPEC-OBJECT></SPEC-OBJECTS>\n{TAIL}"
    ));
    assert_eq!(
        error,
        "bad.reqif:5:7: value of unknown attribute definition \"ghost\": no SPEC-TYPE declares it"
    );
}
