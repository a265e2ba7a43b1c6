//! `cargo iec import reqif`: a ReqIF document as a catalogue in our TOML format.
//!
//! Mapping (docs/INTEROP.md has the full table):
//! * a SPEC-OBJECT is a heading (a `[[section]]`) when its type is named like a heading or
//!   chapter, or when it has a `ReqIF.ChapterName` and no text; else a `[[requirement]]`;
//! * ID: `--id-attribute` (default `ReqIF.ForeignID`, used when every requirement has a
//!   valid, unique one), else the SPEC-OBJECT identifier;
//! * title: `--title-attribute`, else `ReqIF.Name`, `ReqIF.ChapterName`, the object's
//!   LONG-NAME, the first line of the text, the first other string value, the ID;
//! * text: `--text-attribute`, else `ReqIF.Text`, else `ReqIF.Description` (XHTML as text);
//! * parent: the requirement a requirement is nested under in a SPEC-HIERARCHY (below the
//!   nearest heading), and the target of every SPEC-RELATION whose source it is;
//! * section: the nearest heading above it in the hierarchy;
//! * source: the file and the SPEC-OBJECT identifier, for the export.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use iec_model::catalogue::is_valid_id;

use super::reqif::{Hierarchy, Reqif, ReqifError, SpecObject};

/// SPEC-OBJECT-TYPE names of the code objects `cargo iec export reqif` writes; importing an
/// export skips them (they are the trace, not requirements).
pub const CODE_OBJECT_TYPES: [&str; 2] = ["iec-trace software item", "iec-trace test"];

/// The SPEC-OBJECT-TYPE name of system requirements (the export writes it; importing
/// any document, objects of a type of this name become `[[system_requirement]]`s).
pub const SYSTEM_REQUIREMENT_TYPE: &str = "System requirement";

/// The default ID attribute.
pub const DEFAULT_ID_ATTRIBUTE: &str = "ReqIF.ForeignID";

/// How to map attributes.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The attribute holding the requirement ID, when the user named one (then required).
    pub id_attribute: Option<String>,
    /// The attribute holding the title.
    pub title_attribute: Option<String>,
    /// The attribute holding the text.
    pub text_attribute: Option<String>,
    /// The file name recorded in each requirement's `source`.
    pub source_file: String,
}

/// An imported heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedSection {
    /// Section ID.
    pub id: String,
    /// Heading text.
    pub title: String,
    /// Enclosing section.
    pub parent: Option<String>,
    /// SPEC-OBJECT identifier.
    pub reqif_id: String,
}

/// An imported requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRequirement {
    /// Requirement ID.
    pub id: String,
    /// Title.
    pub title: String,
    /// Plain text.
    pub text: String,
    /// Parents, in the order found.
    pub parent: Vec<String>,
    /// Nearest heading.
    pub section: Option<String>,
    /// SPEC-OBJECT identifier.
    pub reqif_id: String,
}

/// The import.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    /// Headings, in document order.
    pub sections: Vec<ImportedSection>,
    /// Requirements, in document order (objects outside every hierarchy last).
    pub requirements: Vec<ImportedRequirement>,
    /// System requirements (objects of type `System requirement`), in document order.
    pub system_requirements: Vec<ImportedRequirement>,
    /// Code and test objects of an iec-trace export, skipped.
    pub skipped_code_objects: usize,
    /// Things the user should know (the import went on).
    pub warnings: Vec<String>,
}

fn is_heading(object: &SpecObject, text: &str) -> bool {
    let type_name = object.type_name.to_ascii_lowercase();
    let named = ["heading", "chapter", "section", "überschrift", "kapitel"]
        .iter()
        .any(|word| type_name.contains(word));
    named || (object.value("ReqIF.ChapterName").is_some() && text.trim().is_empty())
}

fn text_of(object: &SpecObject, options: &ImportOptions) -> String {
    match &options.text_attribute {
        Some(name) => object.value(name),
        None => object
            .value("ReqIF.Text")
            .or_else(|| object.value("ReqIF.Description")),
    }
    .unwrap_or_default()
    .trim()
    .to_string()
}

fn first_line(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut title: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        title.push('…');
    }
    Some(title)
}

fn title_of(object: &SpecObject, text: &str, id: &str, options: &ImportOptions) -> String {
    let one_line = |v: &str| v.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(name) = &options.title_attribute {
        return object
            .value(name)
            .map(one_line)
            .unwrap_or_else(|| id.to_string());
    }
    object
        .value("ReqIF.Name")
        .or_else(|| object.value("ReqIF.ChapterName"))
        .map(one_line)
        .or_else(|| object.long_name.clone().filter(|n| !n.trim().is_empty()))
        .or_else(|| first_line(text))
        .or_else(|| {
            let skip = [
                options
                    .id_attribute
                    .as_deref()
                    .unwrap_or(DEFAULT_ID_ATTRIBUTE),
                "ReqIF.Text",
                "ReqIF.Description",
            ];
            object
                .text_values
                .iter()
                .filter(|n| !skip.contains(&n.as_str()) && !n.starts_with("ReqIF.Foreign"))
                .find_map(|n| object.value(n).and_then(first_line))
        })
        .unwrap_or_else(|| id.to_string())
}

struct Classified<'a> {
    object: &'a SpecObject,
    heading: bool,
    system: bool,
    text: String,
}

/// Decides each object's ID: the ID attribute when every object of the kind has a valid,
/// unique one (or the user asked for it), else the SPEC-OBJECT identifier.
fn choose_ids(
    reqif: &Reqif,
    objects: &[&Classified<'_>],
    options: &ImportOptions,
    what: &str,
    warnings: &mut Vec<String>,
) -> Result<BTreeMap<String, String>, ReqifError> {
    let attribute = options
        .id_attribute
        .as_deref()
        .unwrap_or(DEFAULT_ID_ATTRIBUTE);
    let mut by_value: BTreeMap<&str, usize> = BTreeMap::new();
    for c in objects {
        if let Some(v) = c.object.value(attribute) {
            *by_value.entry(v.trim()).or_default() += 1;
        }
    }
    let problem = objects.iter().find_map(|c| match c.object.value(attribute) {
        None => Some((c, format!("has no {attribute}"))),
        Some(v) if !is_valid_id(v.trim()) => Some((
            c,
            format!("has {attribute} {v:?}, which is not a valid ID (ASCII letters, digits and `-_.:/`)"),
        )),
        Some(v) if by_value[v.trim()] > 1 => Some((
            c,
            format!("shares {attribute} {v:?} with {} other objects", by_value[v.trim()] - 1),
        )),
        Some(_) => None,
    });
    let use_attribute = match (problem, &options.id_attribute) {
        (None, _) => true,
        (Some((c, why)), Some(_)) => {
            return Err(reqif.error(
                c.object.place,
                format!(
                    "{what} {} {why}; --id-attribute needs a valid, unique ID on every {what}",
                    c.object.identifier
                ),
            ));
        }
        (Some((c, why)), None) => {
            if !objects.is_empty() {
                warnings.push(format!(
                    "{what}s take their SPEC-OBJECT identifier as ID: {} {why} ({}); name the attribute that holds IDs with --id-attribute",
                    c.object.identifier,
                    reqif.at(c.object.place)
                ));
            }
            false
        }
    };
    let mut ids = BTreeMap::new();
    for c in objects {
        let id = if use_attribute {
            c.object
                .value(attribute)
                .unwrap_or_default()
                .trim()
                .to_string()
        } else {
            c.object.identifier.clone()
        };
        if !is_valid_id(&id) {
            return Err(reqif.error(
                c.object.place,
                format!(
                    "the {what} identifier {id:?} is not a valid ID (ASCII letters, digits and `-_.:/`); name an attribute that holds IDs with --id-attribute"
                ),
            ));
        }
        ids.insert(c.object.identifier.clone(), id);
    }
    Ok(ids)
}

/// Maps the ReqIF content to sections and requirements.
pub fn import(reqif: &Reqif, options: &ImportOptions) -> Result<Imported, ReqifError> {
    let mut imported = Imported {
        warnings: reqif.warnings.clone(),
        ..Imported::default()
    };
    let mut classified: Vec<Classified<'_>> = Vec::new();
    for object in &reqif.objects {
        if CODE_OBJECT_TYPES.contains(&object.type_name.as_str()) {
            imported.skipped_code_objects += 1;
            continue;
        }
        let text = text_of(object, options);
        let system = object
            .type_name
            .eq_ignore_ascii_case(SYSTEM_REQUIREMENT_TYPE);
        classified.push(Classified {
            heading: !system && is_heading(object, &text),
            system,
            object,
            text,
        });
    }
    // Software and system requirements share one ID space.
    let requirements: Vec<&Classified<'_>> = classified.iter().filter(|c| !c.heading).collect();
    let headings: Vec<&Classified<'_>> = classified.iter().filter(|c| c.heading).collect();
    let requirement_ids = choose_ids(
        reqif,
        &requirements,
        options,
        "requirement",
        &mut imported.warnings,
    )?;
    let section_ids = choose_ids(
        reqif,
        &headings,
        &ImportOptions {
            id_attribute: None,
            ..options.clone()
        },
        "heading",
        &mut Vec::new(),
    )?;
    let by_identifier: BTreeMap<&str, &Classified<'_>> = classified
        .iter()
        .map(|c| (c.object.identifier.as_str(), c))
        .collect();

    // Walk the outlines in document order.
    let mut order: Vec<String> = Vec::new();
    let mut sections: BTreeMap<String, ImportedSection> = BTreeMap::new();
    let mut section_order: Vec<String> = Vec::new();
    let mut placed: BTreeMap<String, (Option<String>, Vec<String>)> = BTreeMap::new();
    fn walk(
        entries: &[Hierarchy],
        section: Option<&str>,
        parent: Option<&str>,
        ctx: &mut Walk<'_, '_>,
    ) {
        for entry in entries {
            let Some(c) = ctx.by_identifier.get(entry.object.as_str()) else {
                if ctx.reqif.object(&entry.object).is_none() {
                    ctx.warnings.push(format!(
                        "{}: SPEC-HIERARCHY names SPEC-OBJECT {:?}, which no file defines; skipped",
                        ctx.reqif.at(entry.place),
                        entry.object
                    ));
                }
                walk(&entry.children, section, parent, ctx);
                continue;
            };
            if c.heading {
                let id = ctx.section_ids[&c.object.identifier].clone();
                if !ctx.sections.contains_key(&id) {
                    let title = c
                        .object
                        .value("ReqIF.ChapterName")
                        .or_else(|| c.object.value("ReqIF.Name"))
                        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
                        .or_else(|| c.object.long_name.clone())
                        .or_else(|| first_line(&c.text))
                        .unwrap_or_else(|| id.clone());
                    ctx.sections.insert(
                        id.clone(),
                        ImportedSection {
                            id: id.clone(),
                            title,
                            parent: section.map(str::to_string),
                            reqif_id: c.object.identifier.clone(),
                        },
                    );
                    ctx.section_order.push(id.clone());
                }
                walk(&entry.children, Some(&id), None, ctx);
            } else if c.system {
                walk(&entry.children, section, parent, ctx);
            } else {
                let id = ctx.requirement_ids[&c.object.identifier].clone();
                let slot = ctx.placed.entry(id.clone()).or_insert_with(|| {
                    ctx.order.push(id.clone());
                    (section.map(str::to_string), Vec::new())
                });
                if let Some(parent) = parent
                    && !slot.1.iter().any(|p| p == parent)
                {
                    slot.1.push(parent.to_string());
                }
                walk(&entry.children, section, Some(&id), ctx);
            }
        }
    }
    struct Walk<'a, 'b> {
        reqif: &'a Reqif,
        by_identifier: &'b BTreeMap<&'a str, &'b Classified<'a>>,
        requirement_ids: &'b BTreeMap<String, String>,
        section_ids: &'b BTreeMap<String, String>,
        sections: &'b mut BTreeMap<String, ImportedSection>,
        section_order: &'b mut Vec<String>,
        placed: &'b mut BTreeMap<String, (Option<String>, Vec<String>)>,
        order: &'b mut Vec<String>,
        warnings: &'b mut Vec<String>,
    }
    let mut ctx = Walk {
        reqif,
        by_identifier: &by_identifier,
        requirement_ids: &requirement_ids,
        section_ids: &section_ids,
        sections: &mut sections,
        section_order: &mut section_order,
        placed: &mut placed,
        order: &mut order,
        warnings: &mut imported.warnings,
    };
    for specification in &reqif.specifications {
        walk(&specification.children, None, None, &mut ctx);
    }
    // Objects outside every outline still are requirements (relations may name them).
    for c in requirements.iter().filter(|c| !c.system) {
        let id = &requirement_ids[&c.object.identifier];
        if !placed.contains_key(id) {
            order.push(id.clone());
            placed.insert(id.clone(), (None, Vec::new()));
        }
    }
    for c in &headings {
        let id = &section_ids[&c.object.identifier];
        if !sections.contains_key(id) {
            section_order.push(id.clone());
            sections.insert(
                id.clone(),
                ImportedSection {
                    id: id.clone(),
                    title: c
                        .object
                        .value("ReqIF.ChapterName")
                        .unwrap_or(id)
                        .to_string(),
                    parent: None,
                    reqif_id: c.object.identifier.clone(),
                },
            );
        }
    }
    // Relations between requirements are upward traces: source's parent is the target.
    for relation in &reqif.relations {
        let (Some(source), Some(target)) = (
            requirement_ids.get(&relation.source),
            requirement_ids.get(&relation.target),
        ) else {
            continue;
        };
        if source == target {
            continue;
        }
        if let Some(slot) = placed.get_mut(source)
            && !slot.1.contains(target)
        {
            slot.1.push(target.clone());
        }
    }
    let identifier_of: BTreeMap<&str, &Classified<'_>> = requirements
        .iter()
        .map(|c| (requirement_ids[&c.object.identifier].as_str(), *c))
        .collect();
    for c in requirements.iter().filter(|c| c.system) {
        let id = requirement_ids[&c.object.identifier].clone();
        imported.system_requirements.push(ImportedRequirement {
            title: title_of(c.object, &c.text, &id, options),
            text: c.text.clone(),
            parent: Vec::new(),
            section: None,
            reqif_id: c.object.identifier.clone(),
            id,
        });
    }
    for id in order {
        let c = identifier_of[id.as_str()];
        let (section, parent) = placed.remove(&id).unwrap_or_default();
        imported.requirements.push(ImportedRequirement {
            title: title_of(c.object, &c.text, &id, options),
            text: c.text.clone(),
            parent,
            section,
            reqif_id: c.object.identifier.clone(),
            id,
        });
    }
    imported.sections = section_order
        .into_iter()
        .filter_map(|id| sections.remove(&id))
        .collect();
    Ok(imported)
}

/// A TOML basic string.
pub fn toml_string(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML string that stays readable: multi-line text as a `"""` block.
fn toml_text(value: &str) -> String {
    if !value.contains('\n') {
        return toml_string(value);
    }
    let mut out = String::from("\"\"\"\n");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push('\n'),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push_str("\"\"\"");
    out
}

fn source_table(file: &str, reqif_id: &str) -> String {
    format!(
        "{{ file = {}, reqif_id = {} }}",
        toml_string(file),
        toml_string(reqif_id)
    )
}

/// The catalogue text: a header comment, `[[section]]`s, then `[[requirement]]`s, in
/// document order, fields always in the same order: the same input gives the same bytes.
pub fn render(imported: &Imported, options: &ImportOptions, tool: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Imported by `cargo iec import reqif` from {}{}.",
        options.source_file,
        tool.map(|t| format!(" (exported by {t})"))
            .unwrap_or_default()
    );
    out.push_str(
        "# Import again to update it: requirements are replaced, and changed ones are reported.\n",
    );
    let _ = writeln!(
        out,
        "# {} section{}, {} requirement{}.",
        imported.sections.len(),
        if imported.sections.len() == 1 {
            ""
        } else {
            "s"
        },
        imported.requirements.len(),
        if imported.requirements.len() == 1 {
            ""
        } else {
            "s"
        }
    );
    for section in &imported.sections {
        out.push_str("\n[[section]]\n");
        let _ = writeln!(out, "id = {}", toml_string(&section.id));
        let _ = writeln!(out, "title = {}", toml_string(&section.title));
        if let Some(parent) = &section.parent {
            let _ = writeln!(out, "parent = {}", toml_string(parent));
        }
        let _ = writeln!(
            out,
            "source = {}",
            source_table(&options.source_file, &section.reqif_id)
        );
    }
    for requirement in &imported.system_requirements {
        out.push_str("\n[[system_requirement]]\n");
        let _ = writeln!(out, "id = {}", toml_string(&requirement.id));
        let _ = writeln!(out, "title = {}", toml_string(&requirement.title));
        if !requirement.text.is_empty() {
            let _ = writeln!(out, "text = {}", toml_text(&requirement.text));
        }
        let _ = writeln!(
            out,
            "source = {}",
            source_table(&options.source_file, &requirement.reqif_id)
        );
    }
    for requirement in &imported.requirements {
        out.push_str("\n[[requirement]]\n");
        let _ = writeln!(out, "id = {}", toml_string(&requirement.id));
        let _ = writeln!(out, "title = {}", toml_string(&requirement.title));
        if !requirement.text.is_empty() {
            let _ = writeln!(out, "text = {}", toml_text(&requirement.text));
        }
        if !requirement.parent.is_empty() {
            let parents: Vec<String> = requirement.parent.iter().map(|p| toml_string(p)).collect();
            let _ = writeln!(out, "parent = [{}]", parents.join(", "));
        }
        if let Some(section) = &requirement.section {
            let _ = writeln!(out, "section = {}", toml_string(section));
        }
        let _ = writeln!(
            out,
            "source = {}",
            source_table(&options.source_file, &requirement.reqif_id)
        );
    }
    out
}

/// What a re-import changed, by requirement ID.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// New IDs.
    pub added: Vec<String>,
    /// IDs whose title or text changed (their reviewed links become suspect).
    pub changed: Vec<String>,
    /// IDs no longer in the import.
    pub removed: Vec<String>,
}

/// Compares the previous catalogue with the new one by the review hash of title and text.
pub fn changes(previous: &iec_model::Catalogue, next: &iec_model::Catalogue) -> Changes {
    let hashes = |c: &iec_model::Catalogue| -> BTreeMap<String, String> {
        c.requirements
            .iter()
            .map(|r| {
                (
                    r.id.clone(),
                    crate::review::requirement_hash(&r.title, &r.text),
                )
            })
            .collect()
    };
    let (old, new) = (hashes(previous), hashes(next));
    let old_ids: BTreeSet<&String> = old.keys().collect();
    let new_ids: BTreeSet<&String> = new.keys().collect();
    let sorted = |mut ids: Vec<String>| {
        ids.sort_by(|a, b| iec_model::catalogue::natural_cmp(a, b));
        ids
    };
    Changes {
        added: sorted(new_ids.difference(&old_ids).map(|s| (*s).clone()).collect()),
        removed: sorted(old_ids.difference(&new_ids).map(|s| (*s).clone()).collect()),
        changed: sorted(
            new.iter()
                .filter(|(id, hash)| old.get(*id).is_some_and(|h| h != *hash))
                .map(|(id, _)| id.clone())
                .collect(),
        ),
    }
}
