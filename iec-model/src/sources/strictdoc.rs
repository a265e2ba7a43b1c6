//! StrictDoc documents (`.sdoc`), read in place.
//!
//! | StrictDoc | catalogue |
//! |---|---|
//! | `[REQUIREMENT]` (also `[COMPOSITE_REQUIREMENT]`, `[[REQUIREMENT]]`) `UID` | `id` |
//! | `TITLE` (else the first line of `STATEMENT`, else the UID) | `title` |
//! | `STATEMENT` (single line, or `>>>` ... `<<<`) | `text` |
//! | `RELATIONS` / `REFS`: `- TYPE: Parent` `VALUE: X` | `parent = ["X"]` |
//! | `RELATIONS`: `- TYPE: Child` `VALUE: X` | X gets this requirement as parent |
//! | a requirement nested in a composite requirement | the composite is its parent |
//! | `[SECTION]` ... `[/SECTION]`, `[[SECTION]]` ... `[[/SECTION]]` | a section (heading) |
//! | fields `CLASS`, `VERIFICATION`, `RISK_CONTROLS` (comma-separated) | the same fields |
//!
//! Other node types (`[TEXT]`, `[FREETEXT]`, custom grammar elements) and other fields are
//! not requirements and are skipped; `[DOCUMENT_FROM_FILE]` and `[FRAGMENT_FROM_FILE]` are
//! errors: list the included file as a catalogue source of its own.

use std::path::Path;

use super::{Draft, DraftRequirement, DraftSection, Located, Place};
use crate::Position;
use crate::catalogue::{CatalogueError, Problems};

/// One `NAME: value` field of a node, with the position of its value.
struct Field {
    name: String,
    value: String,
    at: Position,
    /// Indented lines under a `NAME:` with no value (`RELATIONS:`), with their line numbers.
    nested: Vec<(usize, String)>,
}

/// A node header: `[NAME]`, `[/NAME]`, `[[NAME]]` or `[[/NAME]]`.
struct Header<'a> {
    name: &'a str,
    closing: bool,
    composite: bool,
}

fn header(line: &str) -> Option<Header<'_>> {
    let line = line.trim_end();
    let (inner, composite) = match line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
        Some(inner) => (inner, true),
        None => (line.strip_prefix('[')?.strip_suffix(']')?, false),
    };
    let (name, closing) = match inner.strip_prefix('/') {
        Some(name) => (name, true),
        None => (inner, false),
    };
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '_')).then_some(
        Header {
            name,
            closing,
            composite,
        },
    )
}

struct Reader<'a> {
    lines: Vec<&'a str>,
    next: usize,
    path: &'a Path,
    problems: Problems,
}

impl Reader<'_> {
    fn place(&self, line: usize, column: usize) -> Place {
        Place::new(self.path, Position { line, column })
    }

    /// The fields after a node header, up to the first blank line outside a `>>>` block.
    fn fields(&mut self) -> Vec<Field> {
        let mut fields: Vec<Field> = Vec::new();
        while let Some(&line) = self.lines.get(self.next) {
            let number = self.next + 1;
            if line.trim().is_empty() || header(line).is_some() {
                break;
            }
            self.next += 1;
            if line.starts_with([' ', '-']) {
                match fields.last_mut() {
                    Some(field) => field.nested.push((number, line.to_string())),
                    None => {
                        let place = self.place(number, 1);
                        self.problems.at(
                            &place,
                            "expected a field `NAME: value` after the node header".to_string(),
                        );
                    }
                }
                continue;
            }
            let Some((name, rest)) = line.split_once(':') else {
                let place = self.place(number, 1);
                self.problems.at(
                    &place,
                    format!("expected a field `NAME: value`, found {:?}", line.trim()),
                );
                continue;
            };
            let column = name.chars().count() + 2 + usize::from(rest.starts_with(' '));
            let value = rest.strip_prefix(' ').unwrap_or(rest);
            let value = if value.trim_end() == ">>>" {
                let mut text = Vec::new();
                let mut closed = false;
                while let Some(&line) = self.lines.get(self.next) {
                    self.next += 1;
                    if line.trim_end() == "<<<" {
                        closed = true;
                        break;
                    }
                    text.push(line);
                }
                if !closed {
                    let place = self.place(number, column);
                    self.problems.at(
                        &place,
                        format!("the multi-line value of {name} has no closing `<<<`"),
                    );
                }
                text.join("\n")
            } else {
                value.trim_end().to_string()
            };
            fields.push(Field {
                name: name.to_string(),
                value,
                at: Position {
                    line: number,
                    column,
                },
                nested: Vec::new(),
            });
        }
        fields
    }

    /// Skips lines up to and including `[/end]`.
    fn skip_to(&mut self, end: &str, from: usize) {
        while let Some(&line) = self.lines.get(self.next) {
            self.next += 1;
            if line.trim_end() == end {
                return;
            }
        }
        let place = self.place(from, 1);
        self.problems
            .at(&place, format!("this block has no closing `{end}`"));
    }
}

/// `- TYPE: Parent` / `VALUE: X` entries of `RELATIONS` (or the older `REFS`): parent and
/// child UIDs, each with its position.
fn relations(field: &Field, reader: &Reader<'_>) -> (Vec<Located<String>>, Vec<Located<String>>) {
    let (mut parents, mut children) = (Vec::new(), Vec::new());
    let mut kind: Option<String> = None;
    for (number, line) in &field.nested {
        let trimmed = line.trim_start().trim_start_matches("- ");
        let indent = line.len() - trimmed.len();
        if let Some(value) = trimmed.strip_prefix("TYPE:") {
            kind = Some(value.trim().to_string());
        } else if let Some(value) = trimmed.strip_prefix("VALUE:") {
            let uid = value.trim().to_string();
            let place = reader.place(*number, indent + 1 + "VALUE: ".len());
            match kind.as_deref() {
                Some("Parent") => parents.push(Located::new(uid, place)),
                Some("Child") => children.push(Located::new(uid, place)),
                _ => {}
            }
        }
    }
    (parents, children)
}

/// Reads StrictDoc document `text` (from `path`).
pub(crate) fn read(text: &str, path: &Path) -> Result<Draft, CatalogueError> {
    let stem: String = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if super::super::catalogue::is_valid_id(&c.to_string()) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut reader = Reader {
        lines: text.lines().collect(),
        next: 0,
        path,
        problems: Problems::default(),
    };
    let mut draft = Draft {
        files: vec![path.to_path_buf()],
        ..Draft::default()
    };
    // Open sections and composite nodes; a composite that is not a requirement holds None.
    let mut sections: Vec<String> = Vec::new();
    let mut composites: Vec<Option<String>> = Vec::new();
    let mut children: Vec<(Located<String>, Located<String>)> = Vec::new();
    let mut section_count = 0;
    while let Some(&line) = reader.lines.get(reader.next) {
        let number = reader.next + 1;
        reader.next += 1;
        if line.trim().is_empty() {
            continue;
        }
        let Some(node) = header(line) else {
            let place = reader.place(number, 1);
            reader.problems.at(
                &place,
                format!(
                    "expected a node such as [REQUIREMENT] or [SECTION], found {:?}",
                    line.trim()
                ),
            );
            continue;
        };
        let at = reader.place(number, 1);
        match (node.name, node.closing) {
            ("SECTION", true) => {
                if sections.pop().is_none() {
                    reader
                        .problems
                        .at(&at, "a section end with no open section".to_string());
                }
            }
            ("SECTION", false) => {
                let fields = reader.fields();
                section_count += 1;
                let get = |name: &str| fields.iter().find(|f| f.name == name);
                let id = match get("UID") {
                    Some(uid) => {
                        Located::new(uid.value.clone(), reader.place(uid.at.line, uid.at.column))
                    }
                    None => Located::new(format!("{stem}:section-{section_count}"), at.clone()),
                };
                draft.sections.push(DraftSection {
                    id: id.clone(),
                    title: get("TITLE").map(|t| t.value.clone()).unwrap_or_default(),
                    parent: sections.last().map(|p| Located::new(p.clone(), at.clone())),
                    source: None,
                    place: at,
                });
                sections.push(id.value);
            }
            ("FREETEXT", false) => reader.skip_to("[/FREETEXT]", number),
            ("DOCUMENT_FROM_FILE" | "FRAGMENT_FROM_FILE", _) => {
                reader.problems.at(
                    &at,
                    format!(
                        "[{}] is not followed: list the included file in `catalogue` as a source of its own",
                        node.name
                    ),
                );
                reader.fields();
            }
            (_, true) => {
                if composites.pop().is_none() {
                    reader
                        .problems
                        .at(&at, format!("[/{}] closes no open node", node.name));
                }
            }
            (name, false) => {
                let fields = reader.fields();
                let is_requirement = matches!(name, "REQUIREMENT" | "COMPOSITE_REQUIREMENT");
                let composite = node.composite || name.starts_with("COMPOSITE_");
                if !is_requirement {
                    if composite {
                        composites.push(None);
                    }
                    continue;
                }
                let get = |name: &str| fields.iter().find(|f| f.name == name);
                let located = |field: &Field| {
                    Located::new(
                        field.value.trim().to_string(),
                        reader.place(field.at.line, field.at.column),
                    )
                };
                let Some(uid) = get("UID").map(located) else {
                    reader.problems.at(
                        &at,
                        format!("this [{name}] has no UID: give it one (`UID: SRS-1`) so code and tests can name it"),
                    );
                    if composite {
                        composites.push(None);
                    }
                    continue;
                };
                let statement = get("STATEMENT")
                    .or_else(|| get("CONTENT"))
                    .map(|f| f.value.trim().to_string())
                    .unwrap_or_default();
                let title = get("TITLE")
                    .map(|t| t.value.trim().to_string())
                    .filter(|t| !t.is_empty())
                    .or_else(|| super::title_from_text(&statement))
                    .unwrap_or_else(|| uid.value.clone());
                let mut parent = Vec::new();
                if let Some(Some(composite)) = composites.last() {
                    parent.push(Located::new(composite.clone(), at.clone()));
                }
                for field in fields
                    .iter()
                    .filter(|f| f.name == "RELATIONS" || f.name == "REFS")
                {
                    let (parents, kids) = relations(field, &reader);
                    parent.extend(parents);
                    children.extend(kids.into_iter().map(|kid| (kid, uid.clone())));
                }
                let risk_controls = get("RISK_CONTROLS")
                    .map(|f| {
                        f.value
                            .split(',')
                            .map(str::trim)
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                draft.requirements.push(DraftRequirement {
                    id: uid.clone(),
                    title,
                    text: statement,
                    class: get("CLASS").map(located),
                    parent,
                    risk_controls,
                    verification: get("VERIFICATION").map(located),
                    section: sections.last().map(|s| Located::new(s.clone(), at.clone())),
                    source: None,
                    place: at,
                });
                if composite {
                    composites.push(Some(uid.value));
                }
            }
        }
    }
    for (child, parent) in children {
        match draft
            .requirements
            .iter_mut()
            .find(|r| r.id.value == child.value)
        {
            Some(requirement) => requirement
                .parent
                .push(Located::new(parent.value, child.place)),
            None => reader.problems.at(
                &child.place,
                format!(
                    "Child relation to {:?}, which is not a requirement of this document",
                    child.value
                ),
            ),
        }
    }
    if !sections.is_empty() {
        let place = reader.place(reader.lines.len().max(1), 1);
        reader.problems.at(
            &place,
            format!(
                "{} section(s) are not closed with [/SECTION]",
                sections.len()
            ),
        );
    }
    match reader.problems.into_error(path) {
        Some(error) => Err(error),
        None => Ok(draft),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(text: &str) -> Draft {
        match read(text, Path::new("srs.sdoc")) {
            Ok(draft) => draft,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn requirements_sections_and_relations_are_read() {
        let draft = draft(
            "[DOCUMENT]\nTITLE: SRS\n\n[[SECTION]]\nTITLE: Dosing\n\n[REQUIREMENT]\nUID: SRS-1\nTITLE: Bolus\nSTATEMENT: >>>\nThe pump shall\n\ndeliver.\n<<<\nRELATIONS:\n- TYPE: Parent\n  VALUE: SYS-1\n\n[[/SECTION]]\n",
        );
        assert_eq!(draft.sections.len(), 1);
        assert_eq!(draft.sections[0].title, "Dosing");
        let requirement = &draft.requirements[0];
        assert_eq!(requirement.id.value, "SRS-1");
        assert_eq!(requirement.text, "The pump shall\n\ndeliver.");
        assert_eq!(requirement.parent[0].value, "SYS-1");
        assert_eq!(
            requirement.parent[0].place.position,
            Position {
                line: 17,
                column: 10
            }
        );
        assert_eq!(requirement.section.as_ref().unwrap().value, "srs:section-1");
    }

    #[test]
    fn a_requirement_without_uid_is_an_error_at_its_header() {
        let error = read(
            "[DOCUMENT]\nTITLE: SRS\n\n[REQUIREMENT]\nTITLE: x\n",
            Path::new("srs.sdoc"),
        )
        .err()
        .unwrap();
        assert!(
            error
                .to_string()
                .starts_with("srs.sdoc:4:1: this [REQUIREMENT] has no UID"),
            "{error}"
        );
    }
}
