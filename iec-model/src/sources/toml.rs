//! The TOML catalogue (SPEC section 3): `[[requirement]]`, `[[system_requirement]]`,
//! `[[system]]`, `[[item]]` and `[[section]]` tables. Unknown keys are errors: a silently
//! ignored typo is a false record.

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{
    Draft, DraftItem, DraftProblem, DraftRequirement, DraftSection, DraftSoup,
    DraftSystemRequirement, Located, Place,
};
use crate::catalogue::{CatalogueError, Problems, Source};
use crate::{LineIndex, Position};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    #[serde(default)]
    requirement: Vec<Spanned<RawRequirement>>,
    #[serde(default)]
    system_requirement: Vec<Spanned<RawSystemRequirement>>,
    #[serde(default)]
    system: Vec<Spanned<RawItem>>,
    #[serde(default)]
    item: Vec<Spanned<RawItem>>,
    #[serde(default)]
    section: Vec<Spanned<RawSection>>,
    #[serde(default)]
    soup: Vec<Spanned<RawSoup>>,
    #[serde(default)]
    problem: Vec<Spanned<RawProblem>>,
    /// Files of `[[problem]]` entries, relative to this file.
    problems: Option<Spanned<Vec<Spanned<String>>>>,
}

/// A file named by `problems = [...]`: problem reports only.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProblemFile {
    #[serde(default)]
    problem: Vec<Spanned<RawProblem>>,
}

/// `[[problem]]`: a problem report (IEC 62304 clause 9).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProblem {
    id: Spanned<String>,
    title: String,
    status: Spanned<String>,
    criticality: Option<String>,
    #[serde(default)]
    affects: Vec<Spanned<String>>,
    rationale: Option<String>,
    fixed_in: Option<String>,
}

/// `[[soup]]`: what a third-party crate must do and needs (IEC 62304 5.3.3, 5.3.4).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSoup {
    name: Spanned<String>,
    functional: Option<String>,
    performance: Option<String>,
    needs: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    text: String,
    class: Option<Spanned<String>>,
    parent: Option<Spanned<toml::Value>>,
    #[serde(default)]
    risk_controls: Vec<String>,
    verification: Option<Spanned<String>>,
    section: Option<Spanned<String>>,
    source: Option<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSystemRequirement {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    text: String,
    source: Option<RawSource>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    title: String,
    class: Option<Spanned<String>>,
    parent: Option<Spanned<String>>,
    segregation: Option<String>,
    #[serde(default)]
    crates: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: Spanned<String>,
    title: String,
    parent: Option<Spanned<String>>,
    source: Option<RawSource>,
}

/// `source = { file = "srs.reqif", reqif_id = "_a1b2" }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    file: String,
    reqif_id: Option<String>,
}

impl From<RawSource> for Source {
    fn from(raw: RawSource) -> Source {
        Source {
            file: raw.file,
            reqif_id: raw.reqif_id,
        }
    }
}

struct Reader<'a> {
    text: &'a str,
    lines: LineIndex<'a>,
    path: &'a Path,
    problems: Problems,
}

impl Reader<'_> {
    fn place(&self, offset: usize) -> Place {
        Place::new(self.path, self.lines.position(offset))
    }

    fn located(&self, value: Spanned<String>) -> Located<String> {
        let place = self.place(value.span().start);
        Located::new(value.into_inner(), place)
    }

    /// `parent = "SYS-1"` or `parent = ["SYS-1", "SRS-2"]`, each ID at the position of its
    /// string in the file (serde's untagged enums cannot carry `Spanned` values).
    fn parent_ids(&mut self, value: Option<Spanned<toml::Value>>) -> Vec<Located<String>> {
        let Some(value) = value else {
            return Vec::new();
        };
        let span = value.span();
        let text = self.text;
        let located = |id: &str, from: usize| -> (usize, usize) {
            let quoted = format!("\"{id}\"");
            let start = text
                .get(from..span.end)
                .and_then(|slice| slice.find(&quoted).map(|i| from + i))
                .or_else(|| {
                    let literal = format!("'{id}'");
                    text.get(from..span.end)
                        .and_then(|slice| slice.find(&literal).map(|i| from + i))
                })
                .unwrap_or(span.start);
            (start, start + id.len() + 2)
        };
        match value.into_inner() {
            toml::Value::String(id) => {
                let (start, _) = located(&id, span.start);
                vec![Located::new(id, self.place(start))]
            }
            toml::Value::Array(values) => {
                let mut ids = Vec::new();
                let mut from = span.start;
                for value in values {
                    match value {
                        toml::Value::String(id) => {
                            let (start, end) = located(&id, from);
                            from = end;
                            ids.push(Located::new(id, self.place(start)));
                        }
                        _ => {
                            let place = self.place(span.start);
                            self.problems.at(
                                &place,
                                "`parent` lists requirement IDs as strings, e.g. `parent = [\"SYS-3\"]`"
                                    .to_string(),
                            );
                        }
                    }
                }
                ids
            }
            _ => {
                let place = self.place(span.start);
                self.problems.at(
                    &place,
                    "`parent` is a requirement ID or a list of them, e.g. `parent = [\"SYS-3\"]`"
                        .to_string(),
                );
                Vec::new()
            }
        }
    }
}

/// Reads TOML catalogue `text` (from `path`, used in messages) into a draft.
pub(crate) fn read(text: &str, path: &Path) -> Result<Draft, CatalogueError> {
    let raw: RawCatalogue = toml::from_str(text).map_err(|error| {
        let position = error
            .span()
            .map(|span| Position::of_offset(text, span.start));
        let message = error.message().trim_end().to_string();
        CatalogueError::single(path, position, message)
    })?;
    let mut reader = Reader {
        text,
        lines: LineIndex::new(text),
        path,
        problems: Problems::default(),
    };
    let mut draft = Draft {
        files: vec![path.to_path_buf()],
        ..Draft::default()
    };
    for entry in raw.requirement {
        let place = reader.place(entry.span().start);
        let raw = entry.into_inner();
        let parent = reader.parent_ids(raw.parent);
        draft.requirements.push(DraftRequirement {
            id: reader.located(raw.id),
            title: raw.title,
            text: raw.text,
            class: raw.class.map(|c| reader.located(c)),
            parent,
            risk_controls: raw.risk_controls,
            verification: raw.verification.map(|v| reader.located(v)),
            section: raw.section.map(|s| reader.located(s)),
            source: raw.source.map(Source::from),
            place,
        });
    }
    for entry in raw.system_requirement {
        let place = reader.place(entry.span().start);
        let raw = entry.into_inner();
        draft.system_requirements.push(DraftSystemRequirement {
            id: reader.located(raw.id),
            title: raw.title,
            text: raw.text,
            source: raw.source.map(Source::from),
            place,
        });
    }
    let items = raw
        .system
        .into_iter()
        .map(|e| (true, e))
        .chain(raw.item.into_iter().map(|e| (false, e)));
    for (is_system, entry) in items {
        let place = reader.place(entry.span().start);
        let raw = entry.into_inner();
        draft.items.push(DraftItem {
            id: reader.located(raw.id),
            title: raw.title,
            class: raw.class.map(|c| reader.located(c)),
            parent: raw.parent.map(|p| reader.located(p)),
            segregation: raw.segregation,
            crates: raw.crates,
            is_system,
            place,
        });
    }
    for entry in raw.soup {
        let place = reader.place(entry.span().start);
        let raw = entry.into_inner();
        draft.soup.push(DraftSoup {
            name: reader.located(raw.name),
            functional: raw.functional,
            performance: raw.performance,
            needs: raw.needs,
            place,
        });
    }
    for entry in raw.problem {
        let problem = problem_draft(&reader, entry);
        draft.problems.push(problem);
    }
    if let Some(files) = raw.problems {
        for name in files.into_inner() {
            let place = reader.place(name.span().start);
            let name = name.into_inner();
            let file = path.parent().unwrap_or(Path::new("")).join(&name);
            match read_problem_file(&file) {
                Ok(problems) => {
                    draft.files.push(file);
                    draft.problems.extend(problems);
                }
                Err(found) => {
                    if found.is_empty() {
                        reader.problems.at(
                            &place,
                            format!(
                                "cannot read the problem reports {name:?} (relative to this catalogue): create the file or correct the path"
                            ),
                        );
                    } else {
                        draft.files.push(file);
                        reader.problems.found.extend(found);
                    }
                }
            }
        }
    }
    for entry in raw.section {
        let place = reader.place(entry.span().start);
        let raw = entry.into_inner();
        draft.sections.push(DraftSection {
            id: reader.located(raw.id),
            title: raw.title,
            parent: raw.parent.map(|p| reader.located(p)),
            source: raw.source.map(Source::from),
            place,
        });
    }
    match reader.problems.into_error(path) {
        Some(error) => Err(error),
        None => Ok(draft),
    }
}

fn problem_draft(reader: &Reader<'_>, entry: Spanned<RawProblem>) -> DraftProblem {
    let place = reader.place(entry.span().start);
    let raw = entry.into_inner();
    DraftProblem {
        id: reader.located(raw.id),
        title: raw.title,
        status: reader.located(raw.status),
        criticality: raw.criticality,
        affects: raw.affects.into_iter().map(|a| reader.located(a)).collect(),
        rationale: raw.rationale,
        fixed_in: raw.fixed_in,
        place,
    }
}

/// Reads a file of `[[problem]]` entries; `Err(empty)` when it cannot be read at all.
fn read_problem_file(file: &Path) -> Result<Vec<DraftProblem>, Vec<crate::catalogue::Problem>> {
    let Ok(text) = std::fs::read_to_string(file) else {
        return Err(Vec::new());
    };
    let raw: RawProblemFile = toml::from_str(&text).map_err(|error| {
        vec![crate::catalogue::Problem {
            file: Some(file.to_path_buf()),
            position: error
                .span()
                .map(|span| Position::of_offset(&text, span.start)),
            message: error.message().trim_end().to_string(),
        }]
    })?;
    let reader = Reader {
        text: &text,
        lines: LineIndex::new(&text),
        path: file,
        problems: Problems::default(),
    };
    Ok(raw
        .problem
        .into_iter()
        .map(|entry| problem_draft(&reader, entry))
        .collect())
}
