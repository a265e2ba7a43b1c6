//! The ReqIF 1.0-1.2 content model as the importer needs it, read from one `.reqif` file or
//! every `.reqif` of a `.reqifz` archive (identifiers resolve across the archive's files).
//!
//! Every reference is checked: an attribute definition of an undeclared datatype, a value of
//! an undeclared attribute definition or enumeration literal, and a relation to an object no
//! file defines are errors at their line and column. A hierarchy entry that names a missing
//! object is only a warning: real exports contain them (ReqIF Studio left one in the shared
//! fixture) and nothing but the outline position is lost.

use std::collections::BTreeMap;
use std::path::Path;

use iec_model::Position;

use super::xhtml;
use super::xml::{self, Element};

/// The ReqIF namespace (the same for ReqIF 1.0, 1.0.1, 1.1 and 1.2).
pub const NAMESPACE: &str = "http://www.omg.org/spec/ReqIF/20110401/reqif.xsd";

/// An error in a ReqIF file, at a line and column of one of its files.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}{}: {message}", position.map(|p| format!(":{p}")).unwrap_or_default())]
pub struct ReqifError {
    /// The file (for an archive, `archive.reqifz!member.reqif`).
    pub file: String,
    /// Where in it.
    pub position: Option<Position>,
    /// What is wrong.
    pub message: String,
}

/// A place in one of the files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// Index into [`Reqif::files`].
    pub file: usize,
    /// Byte offset.
    pub offset: usize,
}

/// A file read: its name for messages and its text for positions.
#[derive(Debug, Clone)]
pub struct ReqifFile {
    /// Shown in messages.
    pub name: String,
    /// The XML text.
    pub text: String,
}

/// The kind of a datatype.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `DATATYPE-DEFINITION-STRING`.
    String,
    /// `DATATYPE-DEFINITION-XHTML`.
    Xhtml,
    /// `DATATYPE-DEFINITION-ENUMERATION`.
    Enumeration,
    /// `DATATYPE-DEFINITION-INTEGER`.
    Integer,
    /// `DATATYPE-DEFINITION-REAL`.
    Real,
    /// `DATATYPE-DEFINITION-BOOLEAN`.
    Boolean,
    /// `DATATYPE-DEFINITION-DATE`.
    Date,
}

impl Kind {
    fn parse(suffix: &str) -> Option<Kind> {
        Some(match suffix {
            "STRING" => Kind::String,
            "XHTML" => Kind::Xhtml,
            "ENUMERATION" => Kind::Enumeration,
            "INTEGER" => Kind::Integer,
            "REAL" => Kind::Real,
            "BOOLEAN" => Kind::Boolean,
            "DATE" => Kind::Date,
            _ => return None,
        })
    }
}

/// An attribute definition of a spec type.
#[derive(Debug, Clone)]
pub struct AttributeDefinition {
    /// `LONG-NAME`, e.g. `ReqIF.Text`.
    pub name: String,
    /// Its datatype's kind.
    pub kind: Kind,
    /// The value objects without one take.
    pub default: Option<String>,
}

/// A SPEC-OBJECT.
#[derive(Debug, Clone)]
pub struct SpecObject {
    /// `IDENTIFIER`.
    pub identifier: String,
    /// `LONG-NAME`, when given.
    pub long_name: Option<String>,
    /// The `LONG-NAME` of its SPEC-OBJECT-TYPE.
    pub type_name: String,
    /// Attribute values as text, by attribute `LONG-NAME`, in document order (definitions'
    /// defaults included).
    pub values: Vec<(String, String)>,
    /// The names of the values that are text (STRING or XHTML), in document order.
    pub text_values: Vec<String>,
    /// Where it is.
    pub place: Place,
}

impl SpecObject {
    /// The value of the attribute named `name`, when non-empty.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.trim().is_empty())
    }
}

/// A SPEC-RELATION.
#[derive(Debug, Clone)]
pub struct SpecRelation {
    /// Source object identifier.
    pub source: String,
    /// Target object identifier.
    pub target: String,
    /// The relation type's `LONG-NAME`, when declared.
    pub type_name: Option<String>,
    /// Where it is.
    pub place: Place,
}

/// A SPEC-HIERARCHY entry.
#[derive(Debug, Clone)]
pub struct Hierarchy {
    /// The object it places.
    pub object: String,
    /// Nested entries.
    pub children: Vec<Hierarchy>,
    /// Where it is.
    pub place: Place,
}

/// A SPECIFICATION: a document's outline.
#[derive(Debug, Clone)]
pub struct Specification {
    /// `LONG-NAME`.
    pub long_name: Option<String>,
    /// Top-level entries.
    pub children: Vec<Hierarchy>,
}

/// Everything read from the file(s).
#[derive(Debug, Clone, Default)]
pub struct Reqif {
    /// The files, for positions.
    pub files: Vec<ReqifFile>,
    /// Objects in document order.
    pub objects: Vec<SpecObject>,
    /// Relations in document order.
    pub relations: Vec<SpecRelation>,
    /// Specifications in document order.
    pub specifications: Vec<Specification>,
    /// `SOURCE-TOOL-ID` of the first header, for the report.
    pub source_tool: Option<String>,
    /// Warnings (the import goes on).
    pub warnings: Vec<String>,
}

impl Reqif {
    /// The error at `place`.
    pub fn error(&self, place: Place, message: String) -> ReqifError {
        let file = &self.files[place.file];
        ReqifError {
            file: file.name.clone(),
            position: Some(Position::of_offset(&file.text, place.offset)),
            message,
        }
    }

    /// `file:line:column` of `place`, for warnings.
    pub fn at(&self, place: Place) -> String {
        let file = &self.files[place.file];
        format!(
            "{}:{}",
            file.name,
            Position::of_offset(&file.text, place.offset)
        )
    }

    /// The object with this identifier.
    pub fn object(&self, identifier: &str) -> Option<&SpecObject> {
        self.objects.iter().find(|o| o.identifier == identifier)
    }
}

/// Reads `path`: a `.reqif` file, or a `.reqifz` archive of them.
pub fn read(path: &Path) -> Result<Reqif, ReqifError> {
    let shown = path.display().to_string();
    let failed = |message: String| ReqifError {
        file: shown.clone(),
        position: None,
        message,
    };
    let bytes = std::fs::read(path).map_err(|e| failed(format!("cannot read: {e}")))?;
    let mut files = Vec::new();
    if bytes.starts_with(b"PK\x03\x04") || path.extension().is_some_and(|e| e == "reqifz") {
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| failed(format!("not a .reqifz (zip) archive: {e}")))?;
        let mut names: Vec<String> = archive
            .file_names()
            .filter(|n| n.to_ascii_lowercase().ends_with(".reqif"))
            .map(str::to_string)
            .collect();
        names.sort();
        if names.is_empty() {
            return Err(failed("the archive holds no .reqif file".to_string()));
        }
        for name in names {
            let mut member = archive
                .by_name(&name)
                .map_err(|e| failed(format!("cannot read {name} in the archive: {e}")))?;
            let mut data = Vec::new();
            std::io::Read::read_to_end(&mut member, &mut data)
                .map_err(|e| failed(format!("cannot unpack {name}: {e}")))?;
            files.push((format!("{shown}!{name}"), data));
        }
    } else {
        files.push((shown.clone(), bytes));
    }
    let mut files_read = Vec::new();
    for (name, data) in files {
        let text = String::from_utf8(data).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&e.as_bytes()[..offset]).into_owned();
            ReqifError {
                file: name.clone(),
                position: Some(Position::of_offset(&text, offset)),
                message: "not UTF-8 text: ReqIF files are UTF-8 XML".to_string(),
            }
        })?;
        files_read.push(ReqifFile { name, text });
    }
    parse_files(files_read)
}

/// Parses already-read files (one `.reqif`, or the members of an archive).
pub fn parse_files(files: Vec<ReqifFile>) -> Result<Reqif, ReqifError> {
    let mut roots = Vec::new();
    for (index, file) in files.iter().enumerate() {
        if file.text.trim().is_empty() {
            return Err(ReqifError {
                file: file.name.clone(),
                position: Some(Position { line: 1, column: 1 }),
                message: "the file is empty: expected a ReqIF document (<REQ-IF>)".to_string(),
            });
        }
        let root = xml::parse(&file.text).map_err(|e| ReqifError {
            file: file.name.clone(),
            position: Some(Position::of_offset(&file.text, e.offset)),
            message: format!("not well-formed XML: {}", e.message),
        })?;
        if root.name != "REQ-IF" {
            return Err(ReqifError {
                file: file.name.clone(),
                position: Some(Position::of_offset(&file.text, root.offset)),
                message: format!(
                    "not a ReqIF document: the root element is <{}>, expected <REQ-IF>",
                    root.name
                ),
            });
        }
        if let Some(namespace) = &root.namespace
            && namespace != NAMESPACE
        {
            return Err(ReqifError {
                file: file.name.clone(),
                position: Some(Position::of_offset(&file.text, root.offset)),
                message: format!(
                    "not a ReqIF 1.0-1.2 document: namespace {namespace}, expected {NAMESPACE}"
                ),
            });
        }
        roots.push((index, root));
    }
    let mut reqif = Reqif {
        files,
        ..Reqif::default()
    };
    let content = |root: &Element| -> Option<Element> {
        root.child("CORE-CONTENT")
            .and_then(|c| c.child("REQ-IF-CONTENT"))
            .cloned()
    };
    reqif.source_tool = roots.iter().find_map(|(_, root)| {
        root.child("THE-HEADER")
            .and_then(|h| h.child("REQ-IF-HEADER"))
            .and_then(|h| h.child("SOURCE-TOOL-ID"))
            .map(|t| t.text().trim().to_string())
    });

    // Pass 1: datatypes, enumeration literals and spec types of every file.
    let mut datatypes: BTreeMap<String, Kind> = BTreeMap::new();
    let mut literals: BTreeMap<String, String> = BTreeMap::new();
    for (_, root) in &roots {
        let Some(content) = content(root) else {
            continue;
        };
        for datatype in content.child("DATATYPES").iter().flat_map(|d| d.elements()) {
            let kind = datatype
                .name
                .strip_prefix("DATATYPE-DEFINITION-")
                .and_then(Kind::parse);
            if let (Some(kind), Some(id)) = (kind, datatype.attribute("IDENTIFIER")) {
                datatypes.insert(id.to_string(), kind);
            }
            for literal in datatype
                .child("SPECIFIED-VALUES")
                .iter()
                .flat_map(|v| v.children_named("ENUM-VALUE"))
            {
                if let Some(id) = literal.attribute("IDENTIFIER") {
                    let name = literal.attribute("LONG-NAME").unwrap_or(id).to_string();
                    literals.insert(id.to_string(), name);
                }
            }
        }
    }
    let mut definitions: BTreeMap<String, AttributeDefinition> = BTreeMap::new();
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    for (file, root) in &roots {
        let Some(content) = content(root) else {
            continue;
        };
        for spec_type in content
            .child("SPEC-TYPES")
            .iter()
            .flat_map(|t| t.elements())
        {
            let id = spec_type.attribute("IDENTIFIER").unwrap_or_default();
            let name = spec_type.attribute("LONG-NAME").unwrap_or(id);
            types.insert(id.to_string(), name.to_string());
            for definition in spec_type
                .child("SPEC-ATTRIBUTES")
                .iter()
                .flat_map(|a| a.elements())
            {
                let place = Place {
                    file: *file,
                    offset: definition.offset,
                };
                let Some(kind) = definition
                    .name
                    .strip_prefix("ATTRIBUTE-DEFINITION-")
                    .and_then(Kind::parse)
                else {
                    return Err(reqif.error(
                        place,
                        format!(
                            "unknown attribute definition <{}>: ReqIF defines STRING, XHTML, ENUMERATION, INTEGER, REAL, BOOLEAN and DATE",
                            definition.name
                        ),
                    ));
                };
                let datatype = definition
                    .child("TYPE")
                    .and_then(|t| t.elements().next())
                    .map(|r| r.text().trim().to_string());
                match datatype.as_deref().map(|d| datatypes.get(d)) {
                    Some(Some(_)) => {}
                    _ => {
                        return Err(reqif.error(
                            place,
                            format!(
                                "unknown datatype {:?} for attribute {:?}: the file declares no such DATATYPE-DEFINITION",
                                datatype.unwrap_or_default(),
                                definition.attribute("LONG-NAME").unwrap_or_default()
                            ),
                        ));
                    }
                }
                let default = definition
                    .child("DEFAULT-VALUE")
                    .and_then(|d| d.elements().next())
                    .map(|v| value_text(v, kind, &literals, &reqif, *file))
                    .transpose()?
                    .flatten();
                if let Some(id) = definition.attribute("IDENTIFIER") {
                    definitions.insert(
                        id.to_string(),
                        AttributeDefinition {
                            name: definition.attribute("LONG-NAME").unwrap_or(id).to_string(),
                            kind,
                            default,
                        },
                    );
                }
            }
        }
    }
    let type_definitions: BTreeMap<String, Vec<String>> = roots
        .iter()
        .filter_map(|(_, root)| content(root))
        .flat_map(|content| {
            content
                .child("SPEC-TYPES")
                .into_iter()
                .flat_map(|t| t.elements().cloned().collect::<Vec<_>>())
                .collect::<Vec<_>>()
        })
        .map(|spec_type| {
            let ids = spec_type
                .child("SPEC-ATTRIBUTES")
                .iter()
                .flat_map(|a| a.elements())
                .filter_map(|d| d.attribute("IDENTIFIER").map(str::to_string))
                .collect();
            (
                spec_type
                    .attribute("IDENTIFIER")
                    .unwrap_or_default()
                    .to_string(),
                ids,
            )
        })
        .collect();

    // Pass 2: objects, relations, specifications.
    for (file, root) in &roots {
        let Some(content) = content(root) else {
            continue;
        };
        for object in content
            .child("SPEC-OBJECTS")
            .iter()
            .flat_map(|o| o.children_named("SPEC-OBJECT"))
        {
            let place = Place {
                file: *file,
                offset: object.offset,
            };
            let Some(identifier) = object.attribute("IDENTIFIER") else {
                return Err(reqif.error(place, "SPEC-OBJECT without IDENTIFIER".to_string()));
            };
            let type_ref = object
                .child("TYPE")
                .and_then(|t| t.elements().next())
                .map(|r| r.text().trim().to_string())
                .unwrap_or_default();
            let type_name = types.get(&type_ref).cloned().unwrap_or_default();
            let mut values = Vec::new();
            let mut text_values = Vec::new();
            for value in object.child("VALUES").iter().flat_map(|v| v.elements()) {
                let value_place = Place {
                    file: *file,
                    offset: value.offset,
                };
                let definition_ref = value
                    .child("DEFINITION")
                    .and_then(|d| d.elements().next())
                    .map(|r| r.text().trim().to_string())
                    .unwrap_or_default();
                let Some(definition) = definitions.get(&definition_ref) else {
                    return Err(reqif.error(
                        value_place,
                        format!(
                            "value of unknown attribute definition {definition_ref:?}: no SPEC-TYPE declares it"
                        ),
                    ));
                };
                let kind = value
                    .name
                    .strip_prefix("ATTRIBUTE-VALUE-")
                    .and_then(Kind::parse);
                if kind != Some(definition.kind) {
                    return Err(reqif.error(
                        value_place,
                        format!(
                            "<{}> for attribute {:?}, whose datatype is {:?}: unknown or mismatched datatype",
                            value.name, definition.name, definition.kind
                        ),
                    ));
                }
                if let Some(text) = value_text(value, definition.kind, &literals, &reqif, *file)? {
                    if matches!(definition.kind, Kind::String | Kind::Xhtml) {
                        text_values.push(definition.name.clone());
                    }
                    values.push((definition.name.clone(), text));
                }
            }
            // Defaults of the type's attributes the object does not set.
            for id in type_definitions.get(&type_ref).into_iter().flatten() {
                if let Some(definition) = definitions.get(id)
                    && let Some(default) = &definition.default
                    && !values.iter().any(|(n, _)| *n == definition.name)
                {
                    values.push((definition.name.clone(), default.clone()));
                }
            }
            reqif.objects.push(SpecObject {
                identifier: identifier.to_string(),
                long_name: object.attribute("LONG-NAME").map(str::to_string),
                type_name,
                values,
                text_values,
                place,
            });
        }
        for relation in content
            .child("SPEC-RELATIONS")
            .iter()
            .flat_map(|r| r.children_named("SPEC-RELATION"))
        {
            let end = |name: &str| {
                relation
                    .child(name)
                    .and_then(|e| e.elements().next())
                    .map(|r| (r.text().trim().to_string(), r.offset))
            };
            let place = Place {
                file: *file,
                offset: relation.offset,
            };
            let (Some(source), Some(target)) = (end("SOURCE"), end("TARGET")) else {
                return Err(
                    reqif.error(place, "SPEC-RELATION without SOURCE and TARGET".to_string())
                );
            };
            let type_name = relation
                .child("TYPE")
                .and_then(|t| t.elements().next())
                .and_then(|r| types.get(r.text().trim()).cloned());
            reqif.relations.push(SpecRelation {
                source: source.0,
                target: target.0,
                type_name,
                place,
            });
        }
        for specification in content
            .child("SPECIFICATIONS")
            .iter()
            .flat_map(|s| s.children_named("SPECIFICATION"))
        {
            let children = hierarchy(specification, *file);
            reqif.specifications.push(Specification {
                long_name: specification.attribute("LONG-NAME").map(str::to_string),
                children,
            });
        }
    }

    // References must resolve (relations may cross the files of an archive).
    let known: std::collections::BTreeSet<&str> = reqif
        .objects
        .iter()
        .map(|o| o.identifier.as_str())
        .collect();
    for relation in &reqif.relations {
        for end in [&relation.source, &relation.target] {
            if !known.contains(end.as_str()) {
                return Err(reqif.error(
                    relation.place,
                    format!("SPEC-RELATION refers to SPEC-OBJECT {end:?}, which no file defines"),
                ));
            }
        }
    }
    Ok(reqif)
}

fn hierarchy(parent: &Element, file: usize) -> Vec<Hierarchy> {
    parent
        .child("CHILDREN")
        .iter()
        .flat_map(|c| c.children_named("SPEC-HIERARCHY"))
        .map(|entry| Hierarchy {
            object: entry
                .child("OBJECT")
                .and_then(|o| o.elements().next())
                .map(|r| r.text().trim().to_string())
                .unwrap_or_default(),
            children: hierarchy(entry, file),
            place: Place {
                file,
                offset: entry.offset,
            },
        })
        .collect()
}

/// The text of an `ATTRIBUTE-VALUE-*` element: XHTML as plain text, enumeration literals
/// by name (comma-separated), other kinds as written.
fn value_text(
    value: &Element,
    kind: Kind,
    literals: &BTreeMap<String, String>,
    reqif: &Reqif,
    file: usize,
) -> Result<Option<String>, ReqifError> {
    Ok(match kind {
        Kind::Xhtml => value.child("THE-VALUE").map(xhtml::to_text),
        Kind::Enumeration => {
            let mut names = Vec::new();
            for literal in value
                .child("VALUES")
                .iter()
                .flat_map(|v| v.children_named("ENUM-VALUE-REF"))
            {
                let id = literal.text().trim().to_string();
                match literals.get(&id) {
                    Some(name) => names.push(name.clone()),
                    None => {
                        return Err(reqif.error(
                            Place {
                                file,
                                offset: literal.offset,
                            },
                            format!("unknown enumeration value {id:?}: no ENUM-VALUE declares it"),
                        ));
                    }
                }
            }
            Some(names.join(", "))
        }
        _ => value.attribute("THE-VALUE").map(str::to_string),
    })
}
