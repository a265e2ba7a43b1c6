//! Doorstop documents, read in place: a directory with `.doorstop.yml` (its `settings.prefix`
//! names the items) and one YAML file per item, the item's UID being the file name.
//!
//! | Doorstop | catalogue |
//! |---|---|
//! | file name `SRS001.yml` | `id = "SRS001"` |
//! | `header` (else the first line of `text`, else the UID) | `title` |
//! | `text` | `text` |
//! | `links` (`- SYS001` or `- SYS001: <fingerprint>`) | `parent` |
//! | `active: false` | not read |
//! | `normative: false` with a `level` ending in `.0` | a section (heading), not a requirement |
//! | other `normative: false` items | not read: informative text |
//! | `level` | the section: the heading whose level is the item's longest prefix |
//! | extended attributes `class`, `verification`, `risk_controls` | the same fields |
//!
//! Child documents (subdirectories with their own `.doorstop.yml`) are separate sources: list
//! each document that holds software requirements in `catalogue`.

use std::path::{Path, PathBuf};

use super::yaml::{self, Node};
use super::{Draft, DraftRequirement, DraftSection, Located, Place};
use crate::Position;
use crate::catalogue::{CatalogueError, Problems};

/// The document configuration file.
pub const CONFIG: &str = ".doorstop.yml";

/// One item as read, before headings are matched to levels.
struct Entry {
    uid: String,
    file: PathBuf,
    level: Option<Vec<u32>>,
    heading: bool,
    requirement: Option<DraftRequirement>,
    title: String,
}

fn start(file: &Path) -> Place {
    Place::new(file, Position { line: 1, column: 1 })
}

fn yaml_file(path: &Path, problems: &mut Problems) -> Option<Node> {
    let text = match super::read_text(path, "the Doorstop file") {
        Ok(text) => text,
        Err(error) => {
            problems
                .found
                .extend(error.problems.into_iter().map(|mut p| {
                    p.file = Some(path.to_path_buf());
                    p
                }));
            return None;
        }
    };
    match yaml::parse(&text) {
        Ok(node) => node,
        Err(error) => {
            problems.at(
                &Place::new(path, error.at),
                format!("invalid YAML: {}", error.message),
            );
            None
        }
    }
}

/// The item files of the document in `dir`: `.yml` files named after the prefix, in this
/// directory and in subdirectories that are not documents of their own, sorted.
fn item_files(dir: &Path, prefix: &str, found: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for path in entries {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let Some(name) = name else { continue };
        if path.is_dir() {
            if !name.starts_with('.') && !path.join(CONFIG).is_file() {
                item_files(&path, prefix, found)?;
            }
        } else if let Some(stem) = name.strip_suffix(".yml")
            && !name.starts_with('.')
            && stem != "index"
            && stem
                .to_ascii_lowercase()
                .starts_with(&prefix.to_ascii_lowercase())
        {
            found.push(path);
        }
    }
    Ok(())
}

fn string(node: Option<&Node>) -> Option<String> {
    node.and_then(Node::as_str).map(str::to_string)
}

fn located(node: Option<&Node>, file: &Path) -> Option<Located<String>> {
    let node = node?;
    Some(Located::new(
        node.as_str()?.trim().to_string(),
        Place::new(file, node.at()),
    ))
}

/// Parses `1.2.0` (or a YAML number `1.2`, or `1`) into its parts.
fn level(node: &Node, file: &Path, problems: &mut Problems) -> Option<Vec<u32>> {
    let text = node.as_str()?;
    let parts: Result<Vec<u32>, _> = text.trim().split('.').map(str::parse).collect();
    match parts {
        Ok(parts) => Some(parts),
        Err(_) => {
            problems.at(
                &Place::new(file, node.at()),
                format!(
                    "invalid Doorstop level {text:?}: use numbers separated by dots, e.g. 1.2.0"
                ),
            );
            None
        }
    }
}

fn read_item(path: &Path, uid: String, problems: &mut Problems) -> Option<Entry> {
    let node = yaml_file(path, problems)?;
    if !matches!(node, Node::Mapping { .. }) {
        problems.at(
            &Place::new(path, node.at()),
            "a Doorstop item is a YAML mapping (`text: ...`, `links: [...]`)".to_string(),
        );
        return None;
    }
    if node.get("active").and_then(Node::as_bool) == Some(false) {
        return None;
    }
    let normative = node
        .get("normative")
        .and_then(Node::as_bool)
        .unwrap_or(true);
    let level = node.get("level").and_then(|l| level(l, path, problems));
    let text = string(node.get("text"))
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    let header = string(node.get("header")).map(|h| h.trim().to_string());
    let title = header
        .filter(|h| !h.is_empty())
        .or_else(|| super::title_from_text(&text))
        .unwrap_or_else(|| uid.clone());
    if !normative {
        // Doorstop's rule: a non-normative item whose level ends in .0 is a heading.
        let heading = level
            .as_ref()
            .is_some_and(|l| l.len() > 1 && l.last() == Some(&0));
        return heading.then(|| Entry {
            uid,
            file: path.to_path_buf(),
            level,
            heading: true,
            requirement: None,
            title,
        });
    }
    let mut parent = Vec::new();
    if let Some(links) = node.get("links") {
        match links {
            Node::Sequence { items, .. } => {
                for link in items {
                    let key = match link {
                        Node::Mapping { entries, .. } => entries.first().map(|(k, _)| k),
                        other => Some(other),
                    };
                    match key.and_then(|k| k.as_str().map(|s| (s, k.at()))) {
                        Some((id, at)) => {
                            parent.push(Located::new(id.trim().to_string(), Place::new(path, at)))
                        }
                        None => problems.at(
                            &Place::new(path, link.at()),
                            "a Doorstop link is a parent UID, e.g. `- SYS001` or `- SYS001: null`"
                                .to_string(),
                        ),
                    }
                }
            }
            other if other.as_str().is_none() && matches!(other, Node::Scalar { .. }) => {}
            other => problems.at(
                &Place::new(path, other.at()),
                "`links` is a list of parent UIDs, e.g. `links: [SYS001]`".to_string(),
            ),
        }
    }
    let risk_controls = match node.get("risk_controls") {
        Some(Node::Sequence { items, .. }) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Some(single) => single.as_str().map(str::to_string).into_iter().collect(),
        None => Vec::new(),
    };
    let requirement = DraftRequirement {
        id: Located::new(uid.clone(), start(path)),
        title: title.clone(),
        text,
        class: located(node.get("class"), path),
        parent,
        risk_controls,
        verification: located(node.get("verification"), path),
        section: None,
        source: None,
        place: start(path),
    };
    Some(Entry {
        uid,
        file: path.to_path_buf(),
        level,
        heading: false,
        requirement: Some(requirement),
        title,
    })
}

/// The heading that contains `level`: the one whose level (less its trailing `.0`) is the
/// longest proper prefix of it.
fn enclosing<'a>(headings: &'a [(Vec<u32>, &'a Entry)], level: &[u32]) -> Option<&'a Entry> {
    headings
        .iter()
        .filter(|(key, _)| key.len() < level.len() && level.starts_with(key))
        .max_by_key(|(key, _)| key.len())
        .map(|(_, entry)| *entry)
}

/// Reads the Doorstop document in `dir`.
pub(crate) fn read(dir: &Path) -> Result<Draft, CatalogueError> {
    let config = dir.join(CONFIG);
    let mut problems = Problems::default();
    if !config.is_file() {
        return Err(CatalogueError::single(
            dir,
            None,
            format!(
                "a directory in `catalogue` must be a Doorstop document, with a {CONFIG} file; none is in {}",
                dir.display()
            ),
        ));
    }
    let settings = yaml_file(&config, &mut problems);
    let prefix = settings
        .as_ref()
        .and_then(|s| s.get("settings"))
        .and_then(|s| s.get("prefix"))
        .and_then(Node::as_str)
        .unwrap_or("REQ")
        .to_string();
    if let Some(format) = settings
        .as_ref()
        .and_then(|s| s.get("settings"))
        .and_then(|s| s.get("itemformat"))
        && format.as_str().is_some_and(|f| f != "yaml")
    {
        problems.at(
            &Place::new(&config, format.at()),
            "only Doorstop's `yaml` item format is read; convert the items with Doorstop, or import them another way"
                .to_string(),
        );
    }
    let mut files = Vec::new();
    item_files(dir, &prefix, &mut files).map_err(|error| {
        CatalogueError::single(
            dir,
            None,
            format!("cannot list the Doorstop document: {error}"),
        )
    })?;
    let mut entries = Vec::new();
    for file in &files {
        let uid = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(entry) = read_item(file, uid, &mut problems) {
            entries.push(entry);
        }
    }
    if let Some(error) = problems.into_error(dir) {
        return Err(error);
    }

    let trimmed = |level: &[u32]| -> Vec<u32> {
        let mut key = level.to_vec();
        while key.len() > 1 && key.last() == Some(&0) {
            key.pop();
        }
        key
    };
    let headings: Vec<(Vec<u32>, &Entry)> = entries
        .iter()
        .filter(|e| e.heading)
        .filter_map(|e| e.level.as_deref().map(|l| (trimmed(l), e)))
        .collect();
    let mut draft = Draft {
        files: std::iter::once(config.clone()).chain(files).collect(),
        ..Draft::default()
    };
    let mut ordered: Vec<&Entry> = entries.iter().collect();
    ordered.sort_by(|a, b| a.level.cmp(&b.level).then_with(|| a.uid.cmp(&b.uid)));
    for entry in &ordered {
        let section = entry
            .level
            .as_deref()
            .map(|l| {
                if entry.heading {
                    trimmed(l)
                } else {
                    l.to_vec()
                }
            })
            .and_then(|l| enclosing(&headings, &l))
            .map(|h| Located::new(h.uid.clone(), start(&entry.file)));
        if entry.heading {
            draft.sections.push(DraftSection {
                id: Located::new(entry.uid.clone(), start(&entry.file)),
                title: entry.title.clone(),
                parent: section,
                source: None,
                place: start(&entry.file),
            });
        }
    }
    let sections: Vec<Option<String>> = entries
        .iter()
        .map(|entry| {
            entry
                .level
                .as_deref()
                .and_then(|l| enclosing(&headings, l))
                .map(|h| h.uid.clone())
        })
        .collect();
    drop(ordered);
    drop(headings);
    for (entry, section) in entries.into_iter().zip(sections) {
        if let Some(mut requirement) = entry.requirement {
            requirement.section = section.map(|s| Located::new(s, start(&entry.file)));
            draft.requirements.push(requirement);
        }
    }
    Ok(draft)
}
