//! The requirements catalogue: software requirements, the system requirements they trace
//! up to, and the software systems and items of the architecture, each with its safety class.
//!
//! Parsed from TOML (SPEC section 3). Every problem carries the file, line and column at
//! fault; all problems of a file are reported at once rather than the first only.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::Position;

/// An IEC 62304 software safety class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SafetyClass {
    /// No injury or damage to health is possible.
    A,
    /// Non-serious injury is possible.
    B,
    /// Death or serious injury is possible.
    C,
}

impl SafetyClass {
    /// Parses `"A"`, `"B"` or `"C"`.
    pub fn parse(text: &str) -> Option<SafetyClass> {
        match text {
            "A" => Some(SafetyClass::A),
            "B" => Some(SafetyClass::B),
            "C" => Some(SafetyClass::C),
            _ => None,
        }
    }

    /// `"A"`, `"B"` or `"C"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SafetyClass::A => "A",
            SafetyClass::B => "B",
            SafetyClass::C => "C",
        }
    }
}

impl fmt::Display for SafetyClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an item's effective safety class comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassSource {
    /// The catalogue assigns it.
    Assigned,
    /// Inherited from the parent item or system.
    Inherited,
    /// Nothing assigns it: IEC 62304 treats an unclassified item as class C.
    Default,
}

impl ClassSource {
    /// `assigned`, `inherited` or `default`.
    pub fn as_str(self) -> &'static str {
        match self {
            ClassSource::Assigned => "assigned",
            ClassSource::Inherited => "inherited",
            ClassSource::Default => "default",
        }
    }
}

/// How a requirement is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verification {
    /// By tests: an untested requirement is a gap.
    #[default]
    Test,
    /// By inspection: needs a review record, not a test.
    Inspection,
    /// By analysis: needs an analysis record, not a test.
    Analysis,
    /// By demonstration: needs a demonstration record, not a test.
    Demonstration,
}

impl Verification {
    const NAMES: [&'static str; 4] = ["test", "inspection", "analysis", "demonstration"];

    fn parse(text: &str) -> Option<Verification> {
        match text {
            "test" => Some(Verification::Test),
            "inspection" => Some(Verification::Inspection),
            "analysis" => Some(Verification::Analysis),
            "demonstration" => Some(Verification::Demonstration),
            _ => None,
        }
    }

    /// The name used in the catalogue.
    pub fn as_str(self) -> &'static str {
        match self {
            Verification::Test => "test",
            Verification::Inspection => "inspection",
            Verification::Analysis => "analysis",
            Verification::Demonstration => "demonstration",
        }
    }
}

/// A software requirement (IEC 62304 5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Unique ID, e.g. `SRS-12`.
    pub id: String,
    /// Short title.
    pub title: String,
    /// The requirement text.
    pub text: String,
    /// Safety class, when the catalogue states one.
    pub class: Option<SafetyClass>,
    /// Parent requirements (system requirements or higher-level software requirements).
    pub parent: Vec<String>,
    /// Risk control measures this requirement implements.
    pub risk_controls: Vec<String>,
    /// How it is verified.
    pub verification: Verification,
    /// Line of its `[[requirement]]` table in the catalogue.
    pub line: usize,
}

/// A system requirement: the target of upward traces, not implemented in code directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemRequirement {
    /// Unique ID, e.g. `SYS-3`.
    pub id: String,
    /// Short title.
    pub title: String,
    /// The requirement text.
    pub text: String,
    /// Line of its table in the catalogue.
    pub line: usize,
}

/// A software system or software item of the architecture (IEC 62304 5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Unique ID, e.g. `SI-PUMP-CTRL`.
    pub id: String,
    /// Short title.
    pub title: String,
    /// Assigned safety class, if any.
    pub class: Option<SafetyClass>,
    /// The parent item or system.
    pub parent: Option<String>,
    /// Why this item may carry a lower class than its parent (IEC 62304 5.3.5).
    pub segregation: Option<String>,
    /// `true` for a `[[system]]`, `false` for an `[[item]]`.
    pub is_system: bool,
    /// Line of its table in the catalogue.
    pub line: usize,
}

/// A parsed, validated requirements catalogue.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// The file it was read from.
    pub path: PathBuf,
    /// Software requirements, sorted by ID.
    pub requirements: Vec<Requirement>,
    /// System requirements, sorted by ID.
    pub system_requirements: Vec<SystemRequirement>,
    /// Software systems and items, sorted by ID.
    pub items: Vec<Item>,
    requirement_index: BTreeMap<String, usize>,
    item_index: BTreeMap<String, usize>,
}

/// One problem found in a catalogue, at a position when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Where in the file.
    pub position: Option<Position>,
    /// What is wrong and what to do about it.
    pub message: String,
}

/// Everything wrong with a catalogue file (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueError {
    /// The catalogue file.
    pub path: PathBuf,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl CatalogueError {
    fn single(path: &Path, position: Option<Position>, message: String) -> CatalogueError {
        CatalogueError {
            path: path.to_path_buf(),
            problems: vec![Problem { position, message }],
        }
    }
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match problem.position {
                Some(position) => write!(
                    f,
                    "{}:{}: {}",
                    self.path.display(),
                    position,
                    problem.message
                )?,
                None => write!(f, "{}: {}", self.path.display(), problem.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for CatalogueError {}

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
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSystemRequirement {
    id: Spanned<String>,
    title: String,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Spanned<String>,
    title: String,
    class: Option<Spanned<String>>,
    parent: Option<Spanned<String>>,
    segregation: Option<String>,
}

/// `parent = "SYS-1"` or `parent = ["SYS-1", "SRS-2"]`, each ID with the span of its
/// string in the file (serde's untagged enums cannot carry `Spanned` values).
fn parent_ids(
    text: &str,
    value: Option<Spanned<toml::Value>>,
    problems: &mut Problems<'_>,
) -> Vec<Spanned<String>> {
    let Some(value) = value else {
        return Vec::new();
    };
    let span = value.span();
    let located = |id: &str, from: usize| -> Spanned<String> {
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
        Spanned::new(start..start + id.len() + 2, id.to_string())
    };
    match value.into_inner() {
        toml::Value::String(id) => vec![located(&id, span.start)],
        toml::Value::Array(values) => {
            let mut ids = Vec::new();
            let mut from = span.start;
            for value in values {
                match value {
                    toml::Value::String(id) => {
                        let spanned = located(&id, from);
                        from = spanned.span().end;
                        ids.push(spanned);
                    }
                    _ => problems.at(
                        span.clone(),
                        "`parent` lists requirement IDs as strings, e.g. `parent = [\"SYS-3\"]`"
                            .to_string(),
                    ),
                }
            }
            ids
        }
        _ => {
            problems.at(
                span,
                "`parent` is a requirement ID or a list of them, e.g. `parent = [\"SYS-3\"]`"
                    .to_string(),
            );
            Vec::new()
        }
    }
}

/// Collects problems while validating, like serde_derive's `Ctxt`.
struct Problems<'a> {
    text: &'a str,
    found: Vec<Problem>,
}

impl Problems<'_> {
    fn at(&mut self, span: std::ops::Range<usize>, message: String) {
        self.found.push(Problem {
            position: Some(Position::of_offset(self.text, span.start)),
            message,
        });
    }
}

fn check_id(problems: &mut Problems<'_>, id: &Spanned<String>, what: &str) {
    let value = id.get_ref();
    let valid = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'));
    if !valid {
        problems.at(
            id.span(),
            format!(
                "invalid {what} ID {value:?}: IDs are non-empty and use only ASCII letters, digits and `-_.:/`"
            ),
        );
    }
}

fn parse_class(problems: &mut Problems<'_>, class: Option<Spanned<String>>) -> Option<SafetyClass> {
    let class = class?;
    match SafetyClass::parse(class.get_ref()) {
        Some(parsed) => Some(parsed),
        None => {
            problems.at(
                class.span(),
                format!(
                    "invalid safety class {:?}: use \"A\", \"B\" or \"C\" (IEC 62304 4.3)",
                    class.get_ref()
                ),
            );
            None
        }
    }
}

impl Catalogue {
    /// Reads and validates the catalogue at `path`.
    pub fn load(path: &Path) -> Result<Catalogue, CatalogueError> {
        let bytes = std::fs::read(path).map_err(|error| {
            CatalogueError::single(
                path,
                None,
                format!("cannot read the requirements catalogue: {error}"),
            )
        })?;
        let text = String::from_utf8(bytes).map_err(|error| {
            let offset = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(&error.into_bytes()[..offset]).into_owned();
            CatalogueError::single(
                path,
                Some(Position::of_offset(&text, offset)),
                "the catalogue is not valid UTF-8: save it as UTF-8".to_string(),
            )
        })?;
        Catalogue::parse(&text, path)
    }

    /// Parses and validates catalogue `text`; `path` is used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Catalogue, CatalogueError> {
        let raw: RawCatalogue = toml::from_str(text).map_err(|error| {
            let position = error
                .span()
                .map(|span| Position::of_offset(text, span.start));
            let message = error.message().trim_end().to_string();
            CatalogueError::single(path, position, message)
        })?;
        let mut problems = Problems {
            text,
            found: Vec::new(),
        };
        let mut seen: BTreeMap<String, Position> = BTreeMap::new();
        let mut note_id = |problems: &mut Problems<'_>, id: &Spanned<String>| {
            let position = Position::of_offset(text, id.span().start);
            if let Some(first) = seen.get(id.get_ref()) {
                problems.at(
                    id.span(),
                    format!(
                        "duplicate ID {:?}: already defined at line {}; every requirement, system and item needs its own ID",
                        id.get_ref(),
                        first.line
                    ),
                );
            } else {
                seen.insert(id.get_ref().clone(), position);
            }
        };

        let mut requirements = Vec::new();
        let mut requirement_parents = Vec::new();
        for entry in raw.requirement {
            let line = Position::of_offset(text, entry.span().start).line;
            let raw = entry.into_inner();
            check_id(&mut problems, &raw.id, "requirement");
            note_id(&mut problems, &raw.id);
            let class = parse_class(&mut problems, raw.class);
            let verification = match raw.verification {
                None => Verification::Test,
                Some(v) => Verification::parse(v.get_ref()).unwrap_or_else(|| {
                    problems.at(
                        v.span(),
                        format!(
                            "invalid verification method {:?}: use one of {}",
                            v.get_ref(),
                            Verification::NAMES.join(", ")
                        ),
                    );
                    Verification::Test
                }),
            };
            let parents = parent_ids(text, raw.parent, &mut problems);
            requirement_parents.push(parents.clone());
            requirements.push(Requirement {
                id: raw.id.into_inner(),
                title: raw.title,
                text: raw.text,
                class,
                parent: parents.into_iter().map(Spanned::into_inner).collect(),
                risk_controls: raw.risk_controls,
                verification,
                line,
            });
        }

        let mut system_requirements = Vec::new();
        for entry in raw.system_requirement {
            let line = Position::of_offset(text, entry.span().start).line;
            let raw = entry.into_inner();
            check_id(&mut problems, &raw.id, "system requirement");
            note_id(&mut problems, &raw.id);
            system_requirements.push(SystemRequirement {
                id: raw.id.into_inner(),
                title: raw.title,
                text: raw.text,
                line,
            });
        }

        let mut items = Vec::new();
        let mut item_parents = Vec::new();
        let entries = raw
            .system
            .into_iter()
            .map(|e| (true, e))
            .chain(raw.item.into_iter().map(|e| (false, e)));
        for (is_system, entry) in entries {
            let line = Position::of_offset(text, entry.span().start).line;
            let raw = entry.into_inner();
            check_id(
                &mut problems,
                &raw.id,
                if is_system {
                    "software system"
                } else {
                    "software item"
                },
            );
            note_id(&mut problems, &raw.id);
            let class = parse_class(&mut problems, raw.class);
            if is_system && let Some(parent) = &raw.parent {
                problems.at(
                    parent.span(),
                    "a software system has no parent: remove `parent` or declare it as an [[item]]"
                        .to_string(),
                );
            }
            item_parents.push(raw.parent.clone());
            items.push(Item {
                id: raw.id.into_inner(),
                title: raw.title,
                class,
                parent: raw.parent.map(Spanned::into_inner),
                segregation: raw.segregation,
                is_system,
                line,
            });
        }

        // Parents must exist.
        let requirement_ids: BTreeSet<&str> = requirements.iter().map(|r| r.id.as_str()).collect();
        let system_requirement_ids: BTreeSet<&str> =
            system_requirements.iter().map(|r| r.id.as_str()).collect();
        let item_ids: BTreeSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
        for parents in &requirement_parents {
            for parent in parents {
                let id = parent.get_ref().as_str();
                if !requirement_ids.contains(id) && !system_requirement_ids.contains(id) {
                    problems.at(
                        parent.span(),
                        format!(
                            "unknown parent {id:?}: declare it as a [[requirement]] or [[system_requirement]]{}",
                            suggestion(id, requirement_ids.iter().chain(&system_requirement_ids).copied())
                        ),
                    );
                }
            }
        }
        for parent in item_parents.iter().flatten() {
            let id = parent.get_ref().as_str();
            if !item_ids.contains(id) {
                problems.at(
                    parent.span(),
                    format!(
                        "unknown parent {id:?}: declare it as a [[system]] or [[item]]{}",
                        suggestion(id, item_ids.iter().copied())
                    ),
                );
            }
        }

        // Parent chains must not loop.
        let requirement_graph: BTreeMap<&str, Vec<&str>> = requirements
            .iter()
            .map(|r| (r.id.as_str(), r.parent.iter().map(String::as_str).collect()))
            .collect();
        for (index, parents) in requirement_parents.iter().enumerate() {
            if let Some(cycle) = find_cycle(&requirement_graph, &requirements[index].id)
                && cycle.first().map(String::as_str) == Some(requirements[index].id.as_str())
                && let Some(first) = parents.first()
            {
                problems.at(
                    first.span(),
                    format!(
                        "requirement parents form a cycle: {}; a requirement cannot trace up to itself",
                        cycle.join(" -> ")
                    ),
                );
            }
        }
        let item_graph: BTreeMap<&str, Vec<&str>> = items
            .iter()
            .map(|i| (i.id.as_str(), i.parent.iter().map(String::as_str).collect()))
            .collect();
        for (index, parent) in item_parents.iter().enumerate() {
            if let Some(cycle) = find_cycle(&item_graph, &items[index].id)
                && cycle.first().map(String::as_str) == Some(items[index].id.as_str())
                && let Some(parent) = parent
            {
                problems.at(
                    parent.span(),
                    format!(
                        "item parents form a cycle: {}; an item cannot contain itself",
                        cycle.join(" -> ")
                    ),
                );
            }
        }

        if !problems.found.is_empty() {
            problems.found.sort_by_key(|p| p.position);
            return Err(CatalogueError {
                path: path.to_path_buf(),
                problems: problems.found,
            });
        }

        requirements.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        system_requirements.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        items.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        let requirement_index = requirements
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let item_index = items
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        Ok(Catalogue {
            path: path.to_path_buf(),
            requirements,
            system_requirements,
            items,
            requirement_index,
            item_index,
        })
    }

    /// The software requirement with this ID.
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirement_index
            .get(id)
            .map(|&i| &self.requirements[i])
    }

    /// The software system or item with this ID.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.item_index.get(id).map(|&i| &self.items[i])
    }

    /// The effective safety class of a system or item and where it comes from: assigned,
    /// inherited from its parent (unless a segregation rationale is recorded), or the
    /// IEC 62304 default, class C.
    pub fn item_class(&self, id: &str) -> Option<(SafetyClass, ClassSource)> {
        let mut item = self.item(id)?;
        let mut source = ClassSource::Assigned;
        // Parents are acyclic (validated), so this terminates.
        loop {
            if let Some(class) = item.class {
                return Some((class, source));
            }
            match (&item.parent, &item.segregation) {
                (Some(parent), None) => {
                    item = self.item(parent)?;
                    source = ClassSource::Inherited;
                }
                _ => return Some((SafetyClass::C, ClassSource::Default)),
            }
        }
    }

    /// Up to three known requirement IDs closest to `unknown`, best first.
    pub fn closest_ids(&self, unknown: &str) -> Vec<&str> {
        closest(unknown, self.requirements.iter().map(|r| r.id.as_str()))
    }

    /// Up to three known system or item IDs closest to `unknown`, best first.
    pub fn closest_item_ids(&self, unknown: &str) -> Vec<&str> {
        closest(unknown, self.items.iter().map(|i| i.id.as_str()))
    }
}

/// Orders IDs as people read them: `SRS-2` before `SRS-10`. Runs of digits compare by
/// value, everything else by character; ties (`SRS-01` and `SRS-1`) fall back to the plain
/// string order, so the order is total and deterministic.
pub fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut x, mut y) = (a, b);
    loop {
        match (x.chars().next(), y.chars().next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let end_x = x.find(|c: char| !c.is_ascii_digit()).unwrap_or(x.len());
                let end_y = y.find(|c: char| !c.is_ascii_digit()).unwrap_or(y.len());
                let (nx, ny) = (
                    x[..end_x].trim_start_matches('0'),
                    y[..end_y].trim_start_matches('0'),
                );
                let order = nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny));
                if order != Ordering::Equal {
                    return order;
                }
                x = &x[end_x..];
                y = &y[end_y..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(&d);
                }
                x = &x[c.len_utf8()..];
                y = &y[d.len_utf8()..];
            }
        }
    }
}

/// Up to three candidates within a small edit distance of `unknown`, best first.
///
/// Numbered IDs tie often on edit distance (`SRS-72` is one edit from `SRS-12`, `SRS-2`,
/// `SRS-22` and `SRS-27`), so ties are broken by the longer common prefix, then the closer
/// length, then the fewer differing characters (a transposition keeps the same characters).
pub fn closest<'a>(unknown: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let limit = (unknown.chars().count() / 3).max(2);
    let length = unknown.chars().count();
    let mut sorted_unknown: Vec<char> = unknown.chars().collect();
    sorted_unknown.sort_unstable();
    let mut scored: Vec<(usize, std::cmp::Reverse<usize>, usize, usize, &str)> = candidates
        .filter_map(|c| {
            let distance = strsim::damerau_levenshtein(unknown, c);
            if distance > limit && !c.eq_ignore_ascii_case(unknown) {
                return None;
            }
            let prefix = unknown
                .chars()
                .zip(c.chars())
                .take_while(|(a, b)| a == b)
                .count();
            let mut sorted: Vec<char> = c.chars().collect();
            sorted.sort_unstable();
            let differing = multiset_difference(&sorted_unknown, &sorted);
            Some((
                distance,
                std::cmp::Reverse(prefix),
                length.abs_diff(c.chars().count()),
                differing,
                c,
            ))
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|s| s.4).collect()
}

/// How many characters of two sorted character lists have no partner in the other.
fn multiset_difference(a: &[char], b: &[char]) -> usize {
    let (mut i, mut j, mut unmatched) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                unmatched += 1;
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                unmatched += 1;
                j += 1;
            }
        }
    }
    unmatched + (a.len() - i) + (b.len() - j)
}

fn suggestion<'a>(unknown: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let close = closest(unknown, candidates);
    if close.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", close.join(", "))
    }
}

/// The cycle through `start`, if following parents from it comes back to it.
fn find_cycle(graph: &BTreeMap<&str, Vec<&str>>, start: &str) -> Option<Vec<String>> {
    fn visit<'a>(
        graph: &BTreeMap<&'a str, Vec<&'a str>>,
        start: &str,
        node: &'a str,
        path: &mut Vec<&'a str>,
        seen: &mut BTreeSet<&'a str>,
    ) -> bool {
        for &next in graph.get(node).into_iter().flatten() {
            if next == start {
                path.push(next);
                return true;
            }
            if seen.insert(next) {
                path.push(next);
                if visit(graph, start, next, path, seen) {
                    return true;
                }
                path.pop();
            }
        }
        false
    }
    let (&start_key, _) = graph.get_key_value(start)?;
    let mut path = vec![start_key];
    let mut seen = BTreeSet::new();
    visit(graph, start, start_key, &mut path, &mut seen)
        .then(|| path.into_iter().map(str::to_string).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Catalogue, CatalogueError> {
        Catalogue::parse(text, Path::new("requirements.toml"))
    }

    fn messages(text: &str) -> String {
        parse(text)
            .expect_err("the catalogue should be rejected")
            .to_string()
    }

    #[test]
    fn requirements_are_sorted_and_indexed() {
        let catalogue = parse(
            r#"
[[system_requirement]]
id = "SYS-1"
title = "Deliver"

[[requirement]]
id = "SRS-2"
title = "Two"
parent = "SYS-1"
verification = "inspection"

[[requirement]]
id = "SRS-1"
title = "One"
class = "B"
parent = ["SRS-2"]
risk_controls = ["RC-1"]
"#,
        )
        .unwrap();
        let ids: Vec<_> = catalogue.requirements.iter().map(|r| &r.id).collect();
        assert_eq!(ids, ["SRS-1", "SRS-2"]);
        let one = catalogue.requirement("SRS-1").unwrap();
        assert_eq!(one.class, Some(SafetyClass::B));
        assert_eq!(one.parent, ["SRS-2"]);
        assert_eq!(one.line, 12);
        assert_eq!(
            catalogue.requirement("SRS-2").unwrap().verification,
            Verification::Inspection
        );
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        assert_eq!(
            messages("[[requirement]]\nid = \"SRS-1\"\ntitle = \n"),
            "requirements.toml:3:9: string values must be quoted, expected literal string"
        );
    }

    #[test]
    fn unknown_keys_are_errors() {
        let message = messages("[[requirement]]\nid = \"SRS-1\"\ntitle = \"x\"\ntitel = \"y\"\n");
        assert!(
            message.starts_with("requirements.toml:4:1: unknown field `titel`"),
            "{message}"
        );
    }

    #[test]
    fn duplicate_ids_point_at_the_second_definition() {
        let message = messages(
            "[[requirement]]\nid = \"SRS-1\"\ntitle = \"a\"\n[[requirement]]\nid = \"SRS-1\"\ntitle = \"b\"\n",
        );
        assert_eq!(
            message,
            "requirements.toml:5:6: duplicate ID \"SRS-1\": already defined at line 2; every requirement, system and item needs its own ID"
        );
    }

    #[test]
    fn unknown_parents_suggest_close_ids() {
        let message = messages(
            "[[requirement]]\nid = \"SRS-1\"\ntitle = \"a\"\nparent = [\"SRS-2\"]\n[[requirement]]\nid = \"SRS-3\"\ntitle = \"b\"\n",
        );
        assert_eq!(
            message,
            "requirements.toml:4:11: unknown parent \"SRS-2\": declare it as a [[requirement]] or [[system_requirement]] (did you mean SRS-1, SRS-3?)"
        );
    }

    #[test]
    fn parent_cycles_are_errors() {
        let message = messages(
            "[[requirement]]\nid = \"A\"\ntitle = \"a\"\nparent = \"B\"\n[[requirement]]\nid = \"B\"\ntitle = \"b\"\nparent = \"A\"\n",
        );
        assert!(
            message.contains("4:10: requirement parents form a cycle: A -> B -> A"),
            "{message}"
        );
        assert!(
            message.contains("8:10: requirement parents form a cycle: B -> A -> B"),
            "{message}"
        );
    }

    #[test]
    fn ids_sort_as_people_read_them() {
        let mut ids = vec!["SRS-10", "SRS-2", "SRS-1", "SYS-1", "SRS-02", "SRS-1a"];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            ["SRS-1", "SRS-1a", "SRS-02", "SRS-2", "SRS-10", "SYS-1"]
        );
    }

    #[test]
    fn suggestions_prefer_transpositions_and_longer_prefixes() {
        let ids = [
            "SRS-1", "SRS-2", "SRS-10", "SRS-11", "SRS-12", "SRS-14X", "SRS-22", "SRS-27",
        ];
        assert_eq!(closest("SRS-72", ids.iter().copied())[0], "SRS-27");
        assert_eq!(closest("SRS-14", ids.iter().copied())[0], "SRS-14X");
    }

    #[test]
    fn invalid_classes_are_errors() {
        let message = messages("[[item]]\nid = \"SI-1\"\ntitle = \"a\"\nclass = \"D\"\n");
        assert_eq!(
            message,
            "requirements.toml:4:9: invalid safety class \"D\": use \"A\", \"B\" or \"C\" (IEC 62304 4.3)"
        );
    }

    #[test]
    fn item_classes_are_assigned_inherited_or_default_c() {
        let catalogue = parse(
            r#"
[[system]]
id = "SS"
title = "System"
class = "B"
[[item]]
id = "SI-1"
title = "Inherits"
parent = "SS"
[[item]]
id = "SI-2"
title = "Segregated"
parent = "SS"
segregation = "runs on its own core"
[[item]]
id = "SI-3"
title = "Assigned"
class = "A"
parent = "SI-1"
"#,
        )
        .unwrap();
        assert_eq!(
            catalogue.item_class("SS"),
            Some((SafetyClass::B, ClassSource::Assigned))
        );
        assert_eq!(
            catalogue.item_class("SI-1"),
            Some((SafetyClass::B, ClassSource::Inherited))
        );
        assert_eq!(
            catalogue.item_class("SI-2"),
            Some((SafetyClass::C, ClassSource::Default))
        );
        assert_eq!(
            catalogue.item_class("SI-3"),
            Some((SafetyClass::A, ClassSource::Assigned))
        );
    }
}
