//! `cargo iec export reqif`: the catalogue and the trace as a ReqIF 1.2 document.
//!
//! Objects: a `Heading` per section, a `Requirement` per requirement, an `iec-trace
//! software item` per implementing item and an `iec-trace test` per verifying test.
//! Relations: `parent` (requirement -> parent requirement), `implements` (item ->
//! requirement), `verifies` (test -> requirement). One specification holds the document
//! outline (sections and their requirements), a second one the code and tests.
//!
//! Identifiers are stable across exports: an imported requirement or section keeps its
//! SPEC-OBJECT identifier; everything else gets `_` and a name-based UUID (version 5 layout,
//! SHA-256) of its kind and ID or Rust path, so the requirements tool recognises the same
//! object in the next export.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use iec_model::Catalogue;
use iec_model::catalogue::Requirement;
use sha2::{Digest, Sha256};

use super::reqif::NAMESPACE;
use super::reqif_import::{CODE_OBJECT_TYPES, SYSTEM_REQUIREMENT_TYPE};
use super::xhtml::{escape, from_text};
use crate::trace::{Link, Trace};

/// A stable identifier: `_` and a UUID-shaped digest of `kind` and `key`.
pub fn stable_identifier(kind: &str, key: &str) -> String {
    let digest = Sha256::digest(format!("iec-trace/{kind}/{key}").as_bytes());
    let mut bytes: [u8; 16] = [0; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5 layout
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "_{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// What goes into the header.
pub struct ExportOptions {
    /// `LAST-CHANGE` and `CREATION-TIME`, an `xsd:dateTime`.
    pub timestamp: String,
    /// The document title.
    pub title: String,
}

/// `SOURCE_DATE_EPOCH` when set (reproducible exports), else now, as `xsd:dateTime` UTC.
pub fn timestamp_now() -> String {
    let seconds = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

struct Writer {
    out: String,
    timestamp: String,
}

impl Writer {
    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn common(&self, identifier: &str, long_name: Option<&str>) -> String {
        let mut attributes = format!(
            "IDENTIFIER=\"{}\" LAST-CHANGE=\"{}\"",
            escape(identifier),
            self.timestamp
        );
        if let Some(name) = long_name {
            let _ = write!(attributes, " LONG-NAME=\"{}\"", escape(name));
        }
        attributes
    }
}

/// Fixed identifiers of the datatypes, attribute definitions and types this export declares.
mod ids {
    pub(super) const STRING: &str = "_iec-trace.datatype.string";
    pub(super) const XHTML: &str = "_iec-trace.datatype.xhtml";
    pub(super) const CLASS: &str = "_iec-trace.datatype.class";
    pub(super) const VERIFICATION: &str = "_iec-trace.datatype.verification";
    pub(super) const RESULT: &str = "_iec-trace.datatype.result";
    pub(super) const REQUIREMENT: &str = "_iec-trace.type.requirement";
    pub(super) const HEADING: &str = "_iec-trace.type.heading";
    pub(super) const SYSTEM: &str = "_iec-trace.type.system-requirement";
    pub(super) const ITEM: &str = "_iec-trace.type.item";
    pub(super) const TEST: &str = "_iec-trace.type.test";
    pub(super) const SPECIFICATION: &str = "_iec-trace.type.specification";
    pub(super) const PARENT: &str = "_iec-trace.relation.parent";
    pub(super) const IMPLEMENTS: &str = "_iec-trace.relation.implements";
    pub(super) const VERIFIES: &str = "_iec-trace.relation.verifies";
}

const CLASSES: [&str; 3] = ["A", "B", "C"];
const VERIFICATIONS: [&str; 4] = ["test", "inspection", "analysis", "demonstration"];
const RESULTS: [&str; 4] = ["passed", "failed", "ignored", "not-run"];

/// An attribute a spec type declares: its definition identifier, name and datatype.
#[derive(Clone, Copy)]
enum Attribute {
    String(&'static str),
    Xhtml(&'static str),
    Enumeration(&'static str, &'static str),
}

impl Attribute {
    fn name(self) -> &'static str {
        match self {
            Attribute::String(n) | Attribute::Xhtml(n) | Attribute::Enumeration(n, _) => n,
        }
    }
}

fn definition_id(type_id: &str, name: &str) -> String {
    format!("{type_id}.{}", name.replace([' ', ':'], "_"))
}

fn enum_value_id(datatype: &str, value: &str) -> String {
    format!("{datatype}.{value}")
}

const REQUIREMENT_ATTRIBUTES: [Attribute; 5] = [
    Attribute::String("ReqIF.ForeignID"),
    Attribute::String("ReqIF.Name"),
    Attribute::Xhtml("ReqIF.Text"),
    Attribute::Enumeration("IEC.Class", ids::CLASS),
    Attribute::Enumeration("IEC.Verification", ids::VERIFICATION),
];
const SYSTEM_ATTRIBUTES: [Attribute; 3] = [
    Attribute::String("ReqIF.ForeignID"),
    Attribute::String("ReqIF.Name"),
    Attribute::Xhtml("ReqIF.Text"),
];
const HEADING_ATTRIBUTES: [Attribute; 2] = [
    Attribute::String("ReqIF.ForeignID"),
    Attribute::String("ReqIF.ChapterName"),
];
const ITEM_ATTRIBUTES: [Attribute; 5] = [
    Attribute::String("ReqIF.ForeignID"),
    Attribute::String("ReqIF.Name"),
    Attribute::String("IEC.Kind"),
    Attribute::String("IEC.Location"),
    Attribute::String("IEC.Unit"),
];
const TEST_ATTRIBUTES: [Attribute; 5] = [
    Attribute::String("ReqIF.ForeignID"),
    Attribute::String("ReqIF.Name"),
    Attribute::String("IEC.Target"),
    Attribute::String("IEC.Location"),
    Attribute::Enumeration("IEC.Result", ids::RESULT),
];

/// A value of an object.
enum Value {
    String(String),
    Xhtml(String),
    Enumeration(String),
}

struct Object {
    identifier: String,
    type_id: &'static str,
    values: Vec<(&'static str, Value)>,
}

fn requirement_identifier(requirement: &Requirement) -> String {
    requirement
        .source
        .as_ref()
        .and_then(|s| s.reqif_id.clone())
        .unwrap_or_else(|| stable_identifier("requirement", &requirement.id))
}

fn system_identifier(catalogue: &Catalogue, id: &str) -> String {
    catalogue
        .system_requirements
        .iter()
        .find(|s| s.id == id)
        .and_then(|s| s.source.as_ref())
        .and_then(|s| s.reqif_id.clone())
        .unwrap_or_else(|| stable_identifier("system-requirement", id))
}

fn location(link: &Link) -> String {
    format!("{}:{}", link.file, link.line)
}

/// The ReqIF document.
pub fn render(catalogue: &Catalogue, trace: &Trace, options: &ExportOptions) -> String {
    let mut w = Writer {
        out: String::new(),
        timestamp: options.timestamp.clone(),
    };
    w.line(0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    w.line(
        0,
        &format!("<REQ-IF xmlns=\"{NAMESPACE}\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">"),
    );
    w.line(1, "<THE-HEADER>");
    w.line(
        2,
        &format!(
            "<REQ-IF-HEADER IDENTIFIER=\"{}\">",
            stable_identifier("header", &options.title)
        ),
    );
    w.line(
        3,
        "<COMMENT>Software requirements with the code that implements them and the tests that verify them, exported by cargo iec export reqif.</COMMENT>",
    );
    w.line(
        3,
        &format!("<CREATION-TIME>{}</CREATION-TIME>", w.timestamp),
    );
    w.line(3, "<REQ-IF-TOOL-ID>iec-trace</REQ-IF-TOOL-ID>");
    w.line(3, "<REQ-IF-VERSION>1.0</REQ-IF-VERSION>");
    w.line(
        3,
        &format!(
            "<SOURCE-TOOL-ID>cargo-iec {}</SOURCE-TOOL-ID>",
            env!("CARGO_PKG_VERSION")
        ),
    );
    w.line(3, &format!("<TITLE>{}</TITLE>", escape(&options.title)));
    w.line(2, "</REQ-IF-HEADER>");
    w.line(1, "</THE-HEADER>");
    w.line(1, "<CORE-CONTENT>");
    w.line(2, "<REQ-IF-CONTENT>");

    // Datatypes.
    w.line(3, "<DATATYPES>");
    let common = w.common(ids::STRING, Some("T_String"));
    w.line(
        4,
        &format!("<DATATYPE-DEFINITION-STRING {common} MAX-LENGTH=\"1000000\"/>"),
    );
    let common = w.common(ids::XHTML, Some("T_Text"));
    w.line(4, &format!("<DATATYPE-DEFINITION-XHTML {common}/>"));
    for (id, name, values) in [
        (ids::CLASS, "T_SafetyClass", &CLASSES[..]),
        (ids::VERIFICATION, "T_Verification", &VERIFICATIONS[..]),
        (ids::RESULT, "T_TestResult", &RESULTS[..]),
    ] {
        let common = w.common(id, Some(name));
        w.line(4, &format!("<DATATYPE-DEFINITION-ENUMERATION {common}>"));
        w.line(5, "<SPECIFIED-VALUES>");
        for (key, value) in values.iter().enumerate() {
            let common = w.common(&enum_value_id(id, value), Some(value));
            w.line(6, &format!("<ENUM-VALUE {common}>"));
            w.line(
                7,
                &format!(
                    "<PROPERTIES><EMBEDDED-VALUE KEY=\"{key}\" OTHER-CONTENT=\"\"/></PROPERTIES>"
                ),
            );
            w.line(6, "</ENUM-VALUE>");
        }
        w.line(5, "</SPECIFIED-VALUES>");
        w.line(4, "</DATATYPE-DEFINITION-ENUMERATION>");
    }
    w.line(3, "</DATATYPES>");

    // Spec types.
    w.line(3, "<SPEC-TYPES>");
    for (type_id, name, attributes) in [
        (ids::REQUIREMENT, "Requirement", &REQUIREMENT_ATTRIBUTES[..]),
        (ids::HEADING, "Heading", &HEADING_ATTRIBUTES[..]),
        (ids::SYSTEM, SYSTEM_REQUIREMENT_TYPE, &SYSTEM_ATTRIBUTES[..]),
        (ids::ITEM, CODE_OBJECT_TYPES[0], &ITEM_ATTRIBUTES[..]),
        (ids::TEST, CODE_OBJECT_TYPES[1], &TEST_ATTRIBUTES[..]),
    ] {
        let common = w.common(type_id, Some(name));
        w.line(4, &format!("<SPEC-OBJECT-TYPE {common}>"));
        w.line(5, "<SPEC-ATTRIBUTES>");
        for attribute in attributes {
            let common = w.common(
                &definition_id(type_id, attribute.name()),
                Some(attribute.name()),
            );
            let (element, datatype_ref, datatype, extra) = match attribute {
                Attribute::String(_) => ("STRING", "STRING", ids::STRING, ""),
                Attribute::Xhtml(_) => ("XHTML", "XHTML", ids::XHTML, ""),
                Attribute::Enumeration(_, datatype) => (
                    "ENUMERATION",
                    "ENUMERATION",
                    *datatype,
                    " MULTI-VALUED=\"false\"",
                ),
            };
            w.line(
                6,
                &format!("<ATTRIBUTE-DEFINITION-{element} {common}{extra}>"),
            );
            w.line(
                7,
                &format!(
                    "<TYPE><DATATYPE-DEFINITION-{datatype_ref}-REF>{datatype}</DATATYPE-DEFINITION-{datatype_ref}-REF></TYPE>"
                ),
            );
            w.line(6, &format!("</ATTRIBUTE-DEFINITION-{element}>"));
        }
        w.line(5, "</SPEC-ATTRIBUTES>");
        w.line(4, "</SPEC-OBJECT-TYPE>");
    }
    let common = w.common(
        ids::SPECIFICATION,
        Some("Software requirements specification"),
    );
    w.line(4, &format!("<SPECIFICATION-TYPE {common}/>"));
    for (id, name) in [
        (ids::PARENT, "parent"),
        (ids::IMPLEMENTS, "implements"),
        (ids::VERIFIES, "verifies"),
    ] {
        let common = w.common(id, Some(name));
        w.line(4, &format!("<SPEC-RELATION-TYPE {common}/>"));
    }
    w.line(3, "</SPEC-TYPES>");

    // Objects.
    let mut objects: Vec<Object> = Vec::new();
    let mut section_identifiers: BTreeMap<&str, String> = BTreeMap::new();
    for section in &catalogue.sections {
        let identifier = section
            .source
            .as_ref()
            .and_then(|s| s.reqif_id.clone())
            .unwrap_or_else(|| stable_identifier("section", &section.id));
        section_identifiers.insert(&section.id, identifier.clone());
        objects.push(Object {
            identifier,
            type_id: ids::HEADING,
            values: vec![
                ("ReqIF.ForeignID", Value::String(section.id.clone())),
                ("ReqIF.ChapterName", Value::String(section.title.clone())),
            ],
        });
    }
    for system in &catalogue.system_requirements {
        objects.push(Object {
            identifier: system_identifier(catalogue, &system.id),
            type_id: ids::SYSTEM,
            values: vec![
                ("ReqIF.ForeignID", Value::String(system.id.clone())),
                ("ReqIF.Name", Value::String(system.title.clone())),
                ("ReqIF.Text", Value::Xhtml(system.text.clone())),
            ],
        });
    }
    for requirement in &catalogue.requirements {
        let mut values = vec![
            ("ReqIF.ForeignID", Value::String(requirement.id.clone())),
            ("ReqIF.Name", Value::String(requirement.title.clone())),
            ("ReqIF.Text", Value::Xhtml(requirement.text.clone())),
            (
                "IEC.Verification",
                Value::Enumeration(requirement.verification.as_str().to_string()),
            ),
        ];
        if let Some(class) = requirement.class {
            values.push(("IEC.Class", Value::Enumeration(class.to_string())));
        }
        objects.push(Object {
            identifier: requirement_identifier(requirement),
            type_id: ids::REQUIREMENT,
            values,
        });
    }
    let mut items: BTreeMap<String, (String, &Link)> = BTreeMap::new();
    let mut tests: BTreeMap<(String, Option<String>), (String, &Link)> = BTreeMap::new();
    let mut relations: Vec<(String, &'static str, String, String)> = Vec::new();
    for requirement in &trace.requirements {
        let Some(model) = catalogue.requirement(&requirement.id) else {
            continue;
        };
        let target = requirement_identifier(model);
        for link in &requirement.implemented_by {
            let identifier = items
                .entry(link.path.clone())
                .or_insert_with(|| (stable_identifier("item", &link.path), link))
                .0
                .clone();
            relations.push((
                identifier,
                ids::IMPLEMENTS,
                target.clone(),
                format!("implements/{}/{}", link.path, requirement.id),
            ));
        }
        for link in &requirement.verified_by {
            let key = (link.path.clone(), link.target.clone());
            let identifier = tests
                .entry(key)
                .or_insert_with(|| {
                    let name = format!("{} {}", link.target.as_deref().unwrap_or(""), link.path);
                    (stable_identifier("test", &name), link)
                })
                .0
                .clone();
            relations.push((
                identifier,
                ids::VERIFIES,
                target.clone(),
                format!(
                    "verifies/{}/{:?}/{}",
                    link.path, link.target, requirement.id
                ),
            ));
        }
    }
    for requirement in &catalogue.requirements {
        for parent in &requirement.parent {
            let target = match catalogue.requirement(parent) {
                Some(parent) => requirement_identifier(parent),
                None => system_identifier(catalogue, parent),
            };
            relations.push((
                requirement_identifier(requirement),
                ids::PARENT,
                target,
                format!("parent/{}/{}", requirement.id, parent),
            ));
        }
    }
    for (path, (identifier, link)) in &items {
        let mut values = vec![
            ("ReqIF.ForeignID", Value::String(path.clone())),
            (
                "ReqIF.Name",
                Value::String(path.rsplit("::").next().unwrap_or(path).to_string()),
            ),
            ("IEC.Kind", Value::String(link.kind.clone())),
            ("IEC.Location", Value::String(location(link))),
        ];
        if let Some(unit) = &link.unit {
            values.push(("IEC.Unit", Value::String(unit.clone())));
        }
        objects.push(Object {
            identifier: identifier.clone(),
            type_id: ids::ITEM,
            values,
        });
    }
    for ((path, target), (identifier, link)) in &tests {
        let mut values = vec![
            ("ReqIF.ForeignID", Value::String(path.clone())),
            (
                "ReqIF.Name",
                Value::String(path.rsplit("::").next().unwrap_or(path).to_string()),
            ),
            ("IEC.Location", Value::String(location(link))),
        ];
        if let Some(target) = target {
            values.push(("IEC.Target", Value::String(target.clone())));
        }
        if let Some(result) = link.result {
            values.push((
                "IEC.Result",
                Value::Enumeration(result.as_str().to_string()),
            ));
        }
        objects.push(Object {
            identifier: identifier.clone(),
            type_id: ids::TEST,
            values,
        });
    }
    w.line(3, "<SPEC-OBJECTS>");
    for object in &objects {
        let common = w.common(&object.identifier, None);
        w.line(4, &format!("<SPEC-OBJECT {common}>"));
        w.line(
            5,
            &format!(
                "<TYPE><SPEC-OBJECT-TYPE-REF>{}</SPEC-OBJECT-TYPE-REF></TYPE>",
                object.type_id
            ),
        );
        w.line(5, "<VALUES>");
        for (name, value) in &object.values {
            let definition = definition_id(object.type_id, name);
            match value {
                Value::String(text) => {
                    w.line(
                        6,
                        &format!("<ATTRIBUTE-VALUE-STRING THE-VALUE=\"{}\">", escape(text)),
                    );
                    w.line(7, &format!("<DEFINITION><ATTRIBUTE-DEFINITION-STRING-REF>{definition}</ATTRIBUTE-DEFINITION-STRING-REF></DEFINITION>"));
                    w.line(6, "</ATTRIBUTE-VALUE-STRING>");
                }
                Value::Xhtml(text) => {
                    w.line(6, "<ATTRIBUTE-VALUE-XHTML>");
                    w.line(7, &format!("<DEFINITION><ATTRIBUTE-DEFINITION-XHTML-REF>{definition}</ATTRIBUTE-DEFINITION-XHTML-REF></DEFINITION>"));
                    w.line(7, &format!("<THE-VALUE>{}</THE-VALUE>", from_text(text)));
                    w.line(6, "</ATTRIBUTE-VALUE-XHTML>");
                }
                Value::Enumeration(literal) => {
                    let datatype = match *name {
                        "IEC.Class" => ids::CLASS,
                        "IEC.Verification" => ids::VERIFICATION,
                        _ => ids::RESULT,
                    };
                    w.line(6, "<ATTRIBUTE-VALUE-ENUMERATION>");
                    w.line(7, &format!("<DEFINITION><ATTRIBUTE-DEFINITION-ENUMERATION-REF>{definition}</ATTRIBUTE-DEFINITION-ENUMERATION-REF></DEFINITION>"));
                    w.line(
                        7,
                        &format!(
                            "<VALUES><ENUM-VALUE-REF>{}</ENUM-VALUE-REF></VALUES>",
                            enum_value_id(datatype, literal)
                        ),
                    );
                    w.line(6, "</ATTRIBUTE-VALUE-ENUMERATION>");
                }
            }
        }
        w.line(5, "</VALUES>");
        w.line(4, "</SPEC-OBJECT>");
    }
    w.line(3, "</SPEC-OBJECTS>");

    relations.sort_by(|a, b| a.3.cmp(&b.3));
    relations.dedup_by(|a, b| a.3 == b.3);
    w.line(3, "<SPEC-RELATIONS>");
    for (source, type_id, target, key) in &relations {
        let common = w.common(&stable_identifier("relation", key), None);
        w.line(4, &format!("<SPEC-RELATION {common}>"));
        w.line(
            5,
            &format!("<SOURCE><SPEC-OBJECT-REF>{source}</SPEC-OBJECT-REF></SOURCE>"),
        );
        w.line(
            5,
            &format!("<TARGET><SPEC-OBJECT-REF>{target}</SPEC-OBJECT-REF></TARGET>"),
        );
        w.line(
            5,
            &format!("<TYPE><SPEC-RELATION-TYPE-REF>{type_id}</SPEC-RELATION-TYPE-REF></TYPE>"),
        );
        w.line(4, "</SPEC-RELATION>");
    }
    w.line(3, "</SPEC-RELATIONS>");

    // Outlines: sections nest; a requirement stands in its section.
    w.line(3, "<SPECIFICATIONS>");
    let mut children: BTreeMap<Option<&str>, Vec<(String, bool, &str)>> = BTreeMap::new();
    for section in &catalogue.sections {
        children
            .entry(section.parent.as_deref())
            .or_default()
            .push((
                section_identifiers[section.id.as_str()].clone(),
                true,
                &section.id,
            ));
    }
    let mut by_line: Vec<&Requirement> = catalogue.requirements.iter().collect();
    by_line.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    for requirement in by_line {
        children
            .entry(requirement.section.as_deref())
            .or_default()
            .push((requirement_identifier(requirement), false, &requirement.id));
    }
    fn outline(
        w: &mut Writer,
        children: &BTreeMap<Option<&str>, Vec<(String, bool, &str)>>,
        parent: Option<&str>,
        depth: usize,
    ) {
        let Some(entries) = children.get(&parent) else {
            return;
        };
        w.line(depth, "<CHILDREN>");
        for (identifier, is_section, id) in entries {
            let common = w.common(&stable_identifier("hierarchy", identifier), None);
            w.line(depth + 1, &format!("<SPEC-HIERARCHY {common}>"));
            w.line(
                depth + 2,
                &format!("<OBJECT><SPEC-OBJECT-REF>{identifier}</SPEC-OBJECT-REF></OBJECT>"),
            );
            if *is_section {
                outline(w, children, Some(id), depth + 2);
            }
            w.line(depth + 1, "</SPEC-HIERARCHY>");
        }
        w.line(depth, "</CHILDREN>");
    }
    let common = w.common(
        &stable_identifier("specification", "requirements"),
        Some(&options.title),
    );
    w.line(4, &format!("<SPECIFICATION {common}>"));
    w.line(
        5,
        &format!(
            "<TYPE><SPECIFICATION-TYPE-REF>{}</SPECIFICATION-TYPE-REF></TYPE>",
            ids::SPECIFICATION
        ),
    );
    outline(&mut w, &children, None, 5);
    w.line(4, "</SPECIFICATION>");
    if !items.is_empty() || !tests.is_empty() {
        let common = w.common(
            &stable_identifier("specification", "code"),
            Some("Implementation and verification"),
        );
        w.line(4, &format!("<SPECIFICATION {common}>"));
        w.line(
            5,
            &format!(
                "<TYPE><SPECIFICATION-TYPE-REF>{}</SPECIFICATION-TYPE-REF></TYPE>",
                ids::SPECIFICATION
            ),
        );
        w.line(5, "<CHILDREN>");
        for identifier in items
            .values()
            .map(|(i, _)| i)
            .chain(tests.values().map(|(i, _)| i))
        {
            let common = w.common(&stable_identifier("hierarchy", identifier), None);
            w.line(6, &format!("<SPEC-HIERARCHY {common}>"));
            w.line(
                7,
                &format!("<OBJECT><SPEC-OBJECT-REF>{identifier}</SPEC-OBJECT-REF></OBJECT>"),
            );
            w.line(6, "</SPEC-HIERARCHY>");
        }
        w.line(5, "</CHILDREN>");
        w.line(4, "</SPECIFICATION>");
    }
    w.line(3, "</SPECIFICATIONS>");
    w.line(2, "</REQ-IF-CONTENT>");
    w.line(1, "</CORE-CONTENT>");
    w.line(0, "</REQ-IF>");
    w.out
}
