//! The requirements catalogue: software requirements, the system requirements they trace
//! up to, and the software systems and items of the architecture, each with its safety class.
//!
//! Read from TOML (SPEC section 3), and from Doorstop and StrictDoc documents in place (see
//! [`crate::sources`]); a catalogue may be several sources, validated together. Every
//! problem carries the file, line and column at fault; all problems are reported at once
//! rather than the first only.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use crate::Position;
use crate::sources::{Draft, Located, Place};

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
    pub(crate) const NAMES: [&'static str; 4] = ["test", "inspection", "analysis", "demonstration"];

    pub(crate) fn parse(text: &str) -> Option<Verification> {
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

/// Where a requirement or section came from when it was imported from another tool, so
/// that a later export can give the other tool its own identifiers back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Source {
    /// The file it was imported from, as given to the importer (e.g. `srs.reqifz`).
    pub file: String,
    /// The ReqIF `SPEC-OBJECT` identifier, for requirements and sections imported from
    /// ReqIF.
    pub reqif_id: Option<String>,
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
    /// The section (heading) of the document it stands in, if any.
    pub section: Option<String>,
    /// The tool and identifier it was imported from, if any.
    pub source: Option<Source>,
    /// The file that defines it (one of the catalogue's sources, or a file inside one).
    pub file: PathBuf,
    /// Line of its definition in `file`.
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
    /// The tool and identifier it was imported from, if any.
    pub source: Option<Source>,
    /// The file that defines it.
    pub file: PathBuf,
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
    /// The workspace crates (package names) that make it up: their units belong to it
    /// unless they name another item.
    pub crates: Vec<String>,
    /// `true` for a `[[system]]`, `false` for an `[[item]]`.
    pub is_system: bool,
    /// The file that defines it.
    pub file: PathBuf,
    /// Line of its table in the catalogue.
    pub line: usize,
}

/// A third-party crate's requirements and needs (`[[soup]]`, IEC 62304 5.3.3, 5.3.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Soup {
    /// The crate's package name.
    pub name: String,
    /// The functional requirements the software places on it.
    pub functional: Option<String>,
    /// Its performance requirements.
    pub performance: Option<String>,
    /// The hardware and software it needs; `None` when not stated.
    pub needs: Option<Vec<String>>,
    /// The file that defines it.
    pub file: PathBuf,
    /// Line of its table.
    pub line: usize,
}

impl Soup {
    /// Whether it states functional and performance requirements and its needs.
    pub fn is_specified(&self) -> bool {
        let stated = |text: &Option<String>| text.as_deref().is_some_and(|t| !t.trim().is_empty());
        stated(&self.functional) && stated(&self.performance) && self.needs.is_some()
    }
}

/// A heading of a requirements document: structure, not a requirement. Imported documents
/// keep their outline in sections so that an export can rebuild it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// Unique among sections (its own namespace, apart from requirement IDs).
    pub id: String,
    /// The heading text.
    pub title: String,
    /// The enclosing section, if any.
    pub parent: Option<String>,
    /// The tool and identifier it was imported from, if any.
    pub source: Option<Source>,
    /// The file that defines it.
    pub file: PathBuf,
    /// Line of its definition.
    pub line: usize,
}

/// A parsed, validated requirements catalogue.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    /// The first (usually the only) source it was read from.
    pub path: PathBuf,
    /// Every configured source: TOML files, Doorstop document directories, `.sdoc` files.
    pub sources: Vec<PathBuf>,
    /// Every file that was read, sources' items included: what a build must watch.
    pub files: Vec<PathBuf>,
    /// Software requirements, sorted by ID.
    pub requirements: Vec<Requirement>,
    /// System requirements, sorted by ID.
    pub system_requirements: Vec<SystemRequirement>,
    /// Software systems and items, sorted by ID.
    pub items: Vec<Item>,
    /// Sections (document headings), in document order.
    pub sections: Vec<Section>,
    /// `[[soup]]` entries, sorted by name.
    pub soup: Vec<Soup>,
    /// Problem reports (`[[problem]]`), sorted by ID.
    pub problems: Vec<crate::ProblemReport>,
    requirement_index: BTreeMap<String, usize>,
    item_index: BTreeMap<String, usize>,
}

/// One problem found in a catalogue, at a position when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file at fault, when it is not the catalogue's [`CatalogueError::path`] (a
    /// catalogue of several sources, a Doorstop item).
    pub file: Option<PathBuf>,
    /// Where in the file.
    pub position: Option<Position>,
    /// What is wrong and what to do about it.
    pub message: String,
}

/// Everything wrong with a catalogue (never empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueError {
    /// The catalogue file (the first source).
    pub path: PathBuf,
    /// The problems, in file order.
    pub problems: Vec<Problem>,
}

impl CatalogueError {
    pub(crate) fn single(
        path: &Path,
        position: Option<Position>,
        message: String,
    ) -> CatalogueError {
        CatalogueError {
            path: path.to_path_buf(),
            problems: vec![Problem {
                file: None,
                position,
                message,
            }],
        }
    }

    /// The file a problem is in.
    pub fn file_of<'a>(&'a self, problem: &'a Problem) -> &'a Path {
        problem.file.as_deref().unwrap_or(&self.path)
    }
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let file = self.file_of(problem).display();
            match problem.position {
                Some(position) => write!(f, "{file}:{position}: {}", problem.message)?,
                None => write!(f, "{file}: {}", problem.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for CatalogueError {}

/// Collects problems while validating, like serde_derive's `Ctxt`.
#[derive(Default)]
pub(crate) struct Problems {
    pub(crate) found: Vec<Problem>,
}

impl Problems {
    pub(crate) fn at(&mut self, place: &Place, message: String) {
        self.found.push(Problem {
            file: Some(place.file.clone()),
            position: Some(place.position),
            message,
        });
    }

    /// The problems as an error of the catalogue at `path`, in file and position order.
    pub(crate) fn into_error(mut self, path: &Path) -> Option<CatalogueError> {
        if self.found.is_empty() {
            return None;
        }
        for problem in &mut self.found {
            if problem.file.as_deref() == Some(path) {
                problem.file = None;
            }
        }
        self.found.sort_by(|a, b| {
            (a.file.as_deref().unwrap_or(path), a.position)
                .cmp(&(b.file.as_deref().unwrap_or(path), b.position))
        });
        self.found.dedup();
        Some(CatalogueError {
            path: path.to_path_buf(),
            problems: self.found,
        })
    }
}

/// Whether `value` is a well-formed ID: non-empty, ASCII letters, digits and `-_.:/`.
pub fn is_valid_id(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'))
}

fn check_id(problems: &mut Problems, id: &Located<String>, what: &str) {
    if !is_valid_id(&id.value) {
        problems.at(
            &id.place,
            format!(
                "invalid {what} ID {:?}: IDs are non-empty and use only ASCII letters, digits and `-_.:/`",
                id.value
            ),
        );
    }
}

fn parse_class(problems: &mut Problems, class: Option<&Located<String>>) -> Option<SafetyClass> {
    let class = class?;
    match SafetyClass::parse(&class.value) {
        Some(parsed) => Some(parsed),
        None => {
            problems.at(
                &class.place,
                format!(
                    "invalid safety class {:?}: use \"A\", \"B\" or \"C\" (IEC 62304 4.3)",
                    class.value
                ),
            );
            None
        }
    }
}

/// Where an ID was first defined, for "already defined at" messages.
fn first_definition(first: &Place, here: &Place) -> String {
    if first.file == here.file {
        format!("line {}", first.position.line)
    } else {
        format!("{}:{}", first.file.display(), first.position.line)
    }
}

impl Catalogue {
    /// Reads and validates the catalogue at `path`: a TOML file, a Doorstop document
    /// directory, or a StrictDoc `.sdoc` file.
    pub fn load(path: &Path) -> Result<Catalogue, CatalogueError> {
        Catalogue::load_sources(std::slice::from_ref(&path.to_path_buf()))
    }

    /// Reads every source and validates them together: IDs are unique across sources and
    /// parents may name requirements of another source.
    pub fn load_sources(paths: &[PathBuf]) -> Result<Catalogue, CatalogueError> {
        let Some(first) = paths.first() else {
            return Err(CatalogueError::single(
                Path::new("Cargo.toml"),
                None,
                "the catalogue names no source: give `catalogue` a path or a list of paths"
                    .to_string(),
            ));
        };
        let mut drafts = Vec::new();
        let mut problems = Problems::default();
        for path in paths {
            match crate::sources::read(path) {
                Ok(draft) => drafts.push(draft),
                Err(error) => {
                    for mut problem in error.problems {
                        problem.file.get_or_insert_with(|| error.path.clone());
                        problems.found.push(problem);
                    }
                }
            }
        }
        if let Some(error) = problems.into_error(first) {
            return Err(error);
        }
        Catalogue::validate(first, paths.to_vec(), drafts)
    }

    /// Parses and validates TOML catalogue `text`; `path` is used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Catalogue, CatalogueError> {
        let draft = crate::sources::toml::read(text, path)?;
        Catalogue::validate(path, vec![path.to_path_buf()], vec![draft])
    }

    fn validate(
        path: &Path,
        sources: Vec<PathBuf>,
        drafts: Vec<Draft>,
    ) -> Result<Catalogue, CatalogueError> {
        let mut problems = Problems::default();
        let mut seen: BTreeMap<String, Place> = BTreeMap::new();
        let mut note_id = |problems: &mut Problems, id: &Located<String>| {
            if let Some(first) = seen.get(&id.value) {
                problems.at(
                    &id.place,
                    format!(
                        "duplicate ID {:?}: already defined at {}; every requirement, system and item needs its own ID",
                        id.value,
                        first_definition(first, &id.place)
                    ),
                );
            } else {
                seen.insert(id.value.clone(), id.place.clone());
            }
        };

        let mut files = Vec::new();
        let mut requirements = Vec::new();
        let mut requirement_parents = Vec::new();
        let mut requirement_sections = Vec::new();
        let mut system_requirements = Vec::new();
        let mut items = Vec::new();
        let mut soup: Vec<Soup> = Vec::new();
        let mut item_parents = Vec::new();
        let mut sections = Vec::new();
        let mut section_parents = Vec::new();
        let mut problem_drafts = Vec::new();
        for draft in drafts {
            problem_drafts.extend(draft.problems);
            files.extend(draft.files);
            for raw in draft.requirements {
                check_id(&mut problems, &raw.id, "requirement");
                note_id(&mut problems, &raw.id);
                let class = parse_class(&mut problems, raw.class.as_ref());
                let verification = match &raw.verification {
                    None => Verification::Test,
                    Some(v) => Verification::parse(&v.value).unwrap_or_else(|| {
                        problems.at(
                            &v.place,
                            format!(
                                "invalid verification method {:?}: use one of {}",
                                v.value,
                                Verification::NAMES.join(", ")
                            ),
                        );
                        Verification::Test
                    }),
                };
                let mut parent: Vec<String> = Vec::new();
                for id in &raw.parent {
                    if !parent.contains(&id.value) {
                        parent.push(id.value.clone());
                    }
                }
                requirement_parents.push(raw.parent);
                requirement_sections.push(raw.section.clone());
                requirements.push(Requirement {
                    id: raw.id.value,
                    title: raw.title,
                    text: raw.text,
                    class,
                    parent,
                    risk_controls: raw.risk_controls,
                    verification,
                    section: raw.section.map(|s| s.value),
                    source: raw.source,
                    file: raw.place.file,
                    line: raw.place.position.line,
                });
            }
            for raw in draft.system_requirements {
                check_id(&mut problems, &raw.id, "system requirement");
                note_id(&mut problems, &raw.id);
                system_requirements.push(SystemRequirement {
                    id: raw.id.value,
                    title: raw.title,
                    text: raw.text,
                    source: raw.source,
                    file: raw.place.file,
                    line: raw.place.position.line,
                });
            }
            for raw in draft.items {
                let what = if raw.is_system {
                    "software system"
                } else {
                    "software item"
                };
                check_id(&mut problems, &raw.id, what);
                note_id(&mut problems, &raw.id);
                let class = parse_class(&mut problems, raw.class.as_ref());
                if raw.is_system
                    && let Some(parent) = &raw.parent
                {
                    problems.at(
                        &parent.place,
                        "a software system has no parent: remove `parent` or declare it as an [[item]]"
                            .to_string(),
                    );
                }
                item_parents.push(raw.parent.clone());
                items.push(Item {
                    id: raw.id.value,
                    title: raw.title,
                    class,
                    parent: raw.parent.map(|p| p.value),
                    segregation: raw.segregation,
                    crates: raw.crates,
                    is_system: raw.is_system,
                    file: raw.place.file,
                    line: raw.place.position.line,
                });
            }
            for raw in draft.soup {
                if soup.iter().any(|s: &Soup| s.name == raw.name.value) {
                    problems.at(
                        &raw.name.place,
                        format!("duplicate [[soup]] entry for {:?}", raw.name.value),
                    );
                    continue;
                }
                soup.push(Soup {
                    name: raw.name.value,
                    functional: raw.functional,
                    performance: raw.performance,
                    needs: raw.needs,
                    file: raw.place.file,
                    line: raw.place.position.line,
                });
            }
            for raw in draft.sections {
                check_id(&mut problems, &raw.id, "section");
                section_parents.push(raw.parent.clone());
                sections.push((raw.id, raw.title, raw.parent, raw.source, raw.place));
            }
        }

        // Section IDs are their own namespace, unique among sections.
        let mut section_seen: BTreeMap<&str, &Place> = BTreeMap::new();
        for (id, ..) in &sections {
            if let Some(first) = section_seen.get(id.value.as_str()) {
                problems.at(
                    &id.place,
                    format!(
                        "duplicate section ID {:?}: already defined at {}",
                        id.value,
                        first_definition(first, &id.place)
                    ),
                );
            } else {
                section_seen.insert(&id.value, &id.place);
            }
        }

        // Parents must exist.
        let requirement_ids: BTreeSet<&str> = requirements.iter().map(|r| r.id.as_str()).collect();
        let system_requirement_ids: BTreeSet<&str> =
            system_requirements.iter().map(|r| r.id.as_str()).collect();
        let item_ids: BTreeSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
        let section_ids: BTreeSet<&str> = section_seen.keys().copied().collect();
        for parents in &requirement_parents {
            for parent in parents {
                let id = parent.value.as_str();
                if !requirement_ids.contains(id) && !system_requirement_ids.contains(id) {
                    problems.at(
                        &parent.place,
                        format!(
                            "unknown parent {id:?}: declare it as a [[requirement]] or [[system_requirement]]{}",
                            suggestion(id, requirement_ids.iter().chain(&system_requirement_ids).copied())
                        ),
                    );
                }
            }
        }
        for parent in item_parents.iter().flatten() {
            let id = parent.value.as_str();
            if !item_ids.contains(id) {
                problems.at(
                    &parent.place,
                    format!(
                        "unknown parent {id:?}: declare it as a [[system]] or [[item]]{}",
                        suggestion(id, item_ids.iter().copied())
                    ),
                );
            }
        }
        for section in requirement_sections
            .iter()
            .flatten()
            .chain(section_parents.iter().flatten())
        {
            let id = section.value.as_str();
            if !section_ids.contains(id) {
                problems.at(
                    &section.place,
                    format!(
                        "unknown section {id:?}: declare it as a [[section]]{}",
                        suggestion(id, section_ids.iter().copied())
                    ),
                );
            }
        }

        let problem_reports = validate_problems(
            &mut problems,
            problem_drafts,
            &requirement_ids,
            &system_requirement_ids,
        );

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
                    &first.place,
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
                    &parent.place,
                    format!(
                        "item parents form a cycle: {}; an item cannot contain itself",
                        cycle.join(" -> ")
                    ),
                );
            }
        }
        let section_graph: BTreeMap<&str, Vec<&str>> = sections
            .iter()
            .map(|(id, _, parent, ..)| {
                (
                    id.value.as_str(),
                    parent.iter().map(|p| p.value.as_str()).collect(),
                )
            })
            .collect();
        for (id, _, parent, ..) in &sections {
            if let Some(cycle) = find_cycle(&section_graph, &id.value)
                && cycle.first() == Some(&id.value)
                && let Some(parent) = parent
            {
                problems.at(
                    &parent.place,
                    format!(
                        "section parents form a cycle: {}; a section cannot contain itself",
                        cycle.join(" -> ")
                    ),
                );
            }
        }

        if let Some(error) = problems.into_error(path) {
            return Err(error);
        }

        let sections = sections
            .into_iter()
            .map(|(id, title, parent, source, place)| Section {
                id: id.value,
                title,
                parent: parent.map(|p| p.value),
                source,
                file: place.file,
                line: place.position.line,
            })
            .collect();
        requirements.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        system_requirements.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        items.sort_by(|a, b| natural_cmp(&a.id, &b.id));
        files.sort();
        files.dedup();
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
        soup.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(Catalogue {
            path: path.to_path_buf(),
            sources,
            files,
            requirements,
            system_requirements,
            items,
            sections,
            soup,
            problems: problem_reports,
            requirement_index,
            item_index,
        })
    }

    /// The section with this ID.
    pub fn section(&self, id: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.id == id)
    }

    /// The software requirement with this ID.
    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirement_index
            .get(id)
            .map(|&i| &self.requirements[i])
    }

    /// The `[[soup]]` entry for the crate named `name`.
    pub fn soup_entry(&self, name: &str) -> Option<&Soup> {
        self.soup.iter().find(|s| s.name == name)
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

    /// The problem report with this ID.
    pub fn problem(&self, id: &str) -> Option<&crate::ProblemReport> {
        self.problems.iter().find(|p| p.id == id)
    }

    /// Up to three known problem IDs closest to `unknown`, best first.
    pub fn closest_problem_ids(&self, unknown: &str) -> Vec<&str> {
        closest(unknown, self.problems.iter().map(|p| p.id.as_str()))
    }

    /// Up to three known system or item IDs closest to `unknown`, best first.
    pub fn closest_item_ids(&self, unknown: &str) -> Vec<&str> {
        closest(unknown, self.items.iter().map(|i| i.id.as_str()))
    }
}

/// Checks `[[problem]]` entries: IDs well-formed and unique among problems, a known status,
/// `affects` naming requirements of the catalogue.
fn validate_problems(
    problems: &mut Problems,
    drafts: Vec<crate::sources::DraftProblem>,
    requirement_ids: &BTreeSet<&str>,
    system_requirement_ids: &BTreeSet<&str>,
) -> Vec<crate::ProblemReport> {
    use crate::ProblemStatus;
    let mut seen: BTreeMap<String, Place> = BTreeMap::new();
    let mut reports = Vec::new();
    for raw in drafts {
        check_id(problems, &raw.id, "problem");
        if let Some(first) = seen.get(&raw.id.value) {
            problems.at(
                &raw.id.place,
                format!(
                    "duplicate problem ID {:?}: already defined at {}; every problem report needs its own ID",
                    raw.id.value,
                    first_definition(first, &raw.id.place)
                ),
            );
        } else {
            seen.insert(raw.id.value.clone(), raw.id.place.clone());
        }
        let status = ProblemStatus::parse(&raw.status.value).unwrap_or_else(|| {
            problems.at(
                &raw.status.place,
                format!(
                    "invalid problem status {:?}: use one of {}",
                    raw.status.value,
                    ProblemStatus::NAMES.join(", ")
                ),
            );
            ProblemStatus::Open
        });
        let mut affects = Vec::new();
        for id in &raw.affects {
            let known = requirement_ids.contains(id.value.as_str())
                || system_requirement_ids.contains(id.value.as_str());
            if !known {
                problems.at(
                    &id.place,
                    format!(
                        "problem {} affects unknown requirement {:?}: name a [[requirement]] or [[system_requirement]] of the catalogue{}",
                        raw.id.value,
                        id.value,
                        suggestion(&id.value, requirement_ids.iter().chain(system_requirement_ids).copied())
                    ),
                );
            }
            if !affects.contains(&id.value) {
                affects.push(id.value.clone());
            }
        }
        reports.push(crate::ProblemReport {
            id: raw.id.value,
            title: raw.title,
            status,
            criticality: raw.criticality,
            affects,
            rationale: raw.rationale,
            fixed_in: raw.fixed_in,
            file: raw.place.file,
            line: raw.place.position.line,
        });
    }
    reports.sort_by(|a, b| natural_cmp(&a.id, &b.id));
    reports
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

    const PROBLEM_BASE: &str = "[[requirement]]\nid = \"SRS-1\"\ntitle = \"a\"\n";

    #[test]
    fn problem_reports_are_read_sorted_with_their_status() {
        let catalogue = parse(&format!(
            "{PROBLEM_BASE}[[problem]]\nid = \"PR-10\"\ntitle = \"b\"\nstatus = \"deferred\"\naffects = [\"SRS-1\"]\nrationale = \"  \"\n\n[[problem]]\nid = \"PR-9\"\ntitle = \"c\"\nstatus = \"closed\"\nfixed_in = \"1.2\"\n"
        ))
        .expect("valid");
        let ids: Vec<&str> = catalogue.problems.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["PR-9", "PR-10"]);
        let deferred = catalogue.problem("PR-10").expect("PR-10");
        assert_eq!(deferred.status, crate::ProblemStatus::Deferred);
        assert_eq!(deferred.stated_rationale(), None, "blank is no rationale");
        assert_eq!(deferred.line, 4);
        assert!(catalogue.problem("PR-9").expect("PR-9").status.is_fixed());
        assert_eq!(catalogue.closest_problem_ids("PR-1"), ["PR-10", "PR-9"]);
    }

    #[test]
    fn malformed_problem_reports_are_errors_at_their_position() {
        let message = messages(&format!(
            "{PROBLEM_BASE}[[problem]]\nid = \"PR-1\"\ntitle = \"b\"\nstatus = \"done\"\naffects = [\"SRS-2\"]\n\n[[problem]]\nid = \"PR-1\"\ntitle = \"c\"\nstatus = \"open\"\n"
        ));
        assert_eq!(
            message,
            "requirements.toml:7:10: invalid problem status \"done\": use one of open, investigating, resolved, closed, deferred\n\
requirements.toml:8:12: problem PR-1 affects unknown requirement \"SRS-2\": name a [[requirement]] or [[system_requirement]] of the catalogue (did you mean SRS-1?)\n\
requirements.toml:11:6: duplicate problem ID \"PR-1\": already defined at line 5; every problem report needs its own ID"
        );
        let message = messages(&format!(
            "{PROBLEM_BASE}[[problem]]\nid = \"PR-1\"\ntitle = \"b\"\n"
        ));
        assert!(message.contains("missing field `status`"), "{message}");
    }

    #[test]
    fn items_list_their_crates_and_soup_entries_state_requirements_and_needs() {
        let catalogue = parse(
            r#"
[[item]]
id = "SI-CTRL"
title = "Control"
crates = ["pump-ctrl", "pump-hal"]

[[soup]]
name = "heapless"
functional = "Fixed-capacity queues without allocation."
performance = "O(1) push and pop."
needs = ["no_std"]

[[soup]]
name = "bitflags"
functional = "Flag sets."
"#,
        )
        .unwrap();
        assert_eq!(catalogue.items[0].crates, ["pump-ctrl", "pump-hal"]);
        assert_eq!(catalogue.soup.len(), 2);
        assert_eq!(catalogue.soup[0].name, "bitflags");
        assert!(!catalogue.soup_entry("bitflags").unwrap().is_specified());
        assert!(catalogue.soup_entry("heapless").unwrap().is_specified());
        assert!(
            messages("[[soup]]\nname = \"x\"\nfunctionnal = \"typo\"\n").contains("functionnal")
        );
        assert!(
            messages("[[soup]]\nname = \"x\"\n[[soup]]\nname = \"x\"\n")
                .contains("duplicate [[soup]]")
        );
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
