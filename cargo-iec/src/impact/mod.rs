//! `cargo iec impact`: what a change touches (IEC 62304 6.2, 7.4, 9.7), computed from two
//! revisions of the sources: the items whose tokens changed, the catalogue changes, the
//! requirements they affect (highest class first) and the tests to re-run
//! (docs/impact-json.md).
//!
//! Both sides are traced by the static channel; a revision is read from git without
//! checking anything out ([`crate::git`]). Items are compared file by file as token hashes
//! ([`items`]); each change is reported at the innermost item the trace knows (annotated
//! items, items inside a unit, tests), or at the enclosing unit or module.

pub mod command;
pub mod items;
pub mod render;
pub mod side;

use std::collections::{BTreeMap, BTreeSet};

use iec_runtime::requirement;
use serde::Serialize;

use crate::review::requirement_hash;
use crate::trace::Trace;
use crate::workspace::Workspace;
use items::{Entry, FileItems};
use side::Side;

/// The version of the impact JSON (docs/impact-json.md).
pub const SCHEMA: &str = "iec-trace/impact/v1";

/// Why a requirement is affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reason {
    /// An implementing item (or code of a unit implementing it) changed.
    Code,
    /// Its title or text changed.
    Text,
    /// A new implementing item or verifying test.
    LinkAdded,
    /// An implementing item or verifying test no longer links to it.
    LinkRemoved,
    /// Its class, or the class of a unit implementing it, changed.
    Class,
    /// A verifying test changed.
    Test,
    /// Its parent requirements changed.
    Parent,
    /// It is new in the catalogue.
    Added,
    /// It was removed from the catalogue.
    Removed,
}

/// Why a test is to be re-run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TestReason {
    /// It verifies an affected requirement.
    Verifies,
    /// It changed itself (or is new).
    Changed,
    /// It executed changed code in the baseline run (needs per-test coverage).
    Executed,
}

/// How an item changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    /// Only in the head revision.
    Added,
    /// Its tokens changed.
    Modified,
    /// Only in the base revision.
    Removed,
    /// A unit's design text (its doc comments, or those of an item inside it) changed,
    /// not its code.
    DesignText,
}

/// A revision as the record names it.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    /// As given (`main`, `HEAD~1`), or `working tree`.
    pub revision: String,
    /// Its full commit hash; `null` for the working tree.
    pub commit: Option<String>,
}

/// A changed item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ChangedItem {
    /// The trace's path of the item.
    pub path: String,
    /// Its file, relative to the workspace root.
    pub file: String,
    /// How it changed.
    pub change: Change,
    /// `fn`, `mod`, `impl`, ..., `file` for a file module.
    pub kind: String,
    /// The innermost unit holding it (its ID), if any.
    pub unit: Option<String>,
    /// Whether it is a test.
    pub test: bool,
    /// What was attributed to it when the change was not to the item itself (code
    /// outside any traced item, a doc comment inside a unit), sorted.
    pub notes: Vec<String>,
}

/// An affected requirement.
#[derive(Debug, Clone, Serialize)]
pub struct AffectedRequirement {
    /// ID.
    pub id: String,
    /// Its class (the catalogue's, else the highest of the units implementing it).
    pub class: Option<String>,
    /// Title (head revision's, else base's).
    pub title: String,
    /// Why, sorted.
    pub reasons: Vec<Reason>,
}

/// A test to re-run.
#[derive(Debug, Clone, Serialize)]
pub struct TestToRun {
    /// The trace's path.
    pub path: String,
    /// Its target (`lib`, `test:NAME`, ...).
    pub target: String,
    /// Package.
    pub package: String,
    /// Why, sorted.
    pub reasons: Vec<TestReason>,
    /// The affected requirements it verifies.
    pub requirements: Vec<String>,
}

/// A changed file.
#[derive(Debug, Clone, Serialize)]
pub struct ChangedFile {
    /// Relative to the workspace root.
    pub path: String,
    /// `added`, `modified`, `removed`.
    pub status: &'static str,
    /// Why its change is attributed as it is (not in a traced target, does not parse, ...).
    pub note: Option<String>,
}

/// A catalogue entry that changed, with the fields that did.
#[derive(Debug, Clone, Serialize)]
pub struct FieldsChanged {
    /// ID.
    pub id: String,
    /// `text`, `class`, `parent`, `title`, ...
    pub fields: Vec<&'static str>,
}

/// Added, removed and changed catalogue entries.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EntryChanges {
    /// IDs only in the head revision.
    pub added: Vec<String>,
    /// IDs only in the base revision.
    pub removed: Vec<String>,
    /// Entries in both whose fields differ.
    pub changed: Vec<FieldsChanged>,
}

/// A class change of an item, system or unit.
#[derive(Debug, Clone, Serialize)]
pub struct ClassChange {
    /// Its ID.
    pub id: String,
    /// `item`, `system` or `unit`.
    pub kind: &'static str,
    /// Class at base.
    pub base: Option<String>,
    /// Class at head.
    pub head: Option<String>,
}

/// Catalogue changes.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CatalogueChanges {
    /// Software requirements.
    pub requirements: EntryChanges,
    /// Class changes of systems, items and units.
    pub classes: Vec<ClassChange>,
}

/// A trace link.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LinkKey {
    /// Requirement ID.
    pub requirement: String,
    /// `implements` or `verifies`.
    pub relation: &'static str,
    /// The item's path.
    pub path: String,
}

/// Links added and removed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LinkChanges {
    /// Only in the head revision.
    pub added: Vec<LinkKey>,
    /// Only in the base revision.
    pub removed: Vec<LinkKey>,
}

/// What `--baseline` contributed.
#[derive(Debug, Clone, Serialize)]
pub struct Baseline {
    /// The bundle.
    pub bundle: String,
    /// Whether it had per-test coverage (only then can `executed` be decided).
    pub coverage: bool,
    /// What was or could not be done with it.
    pub note: String,
}

/// The impact record.
#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The base revision.
    pub base: Revision,
    /// The head revision.
    pub head: Revision,
    /// The highest class among the affected requirements and the units of changed items
    /// (`null`: none classified): it decides how much verification the change needs.
    pub highest_class: Option<String>,
    /// Changed items, sorted by file and path.
    pub changed_items: Vec<ChangedItem>,
    /// Changed files, sorted.
    pub files: Vec<ChangedFile>,
    /// Catalogue changes.
    pub catalogue: CatalogueChanges,
    /// Links added and removed.
    pub links: LinkChanges,
    /// Affected requirements, highest class first, then by ID.
    pub requirements: Vec<AffectedRequirement>,
    /// Tests to re-run, sorted by path.
    pub tests: Vec<TestToRun>,
    /// Affected requirements verified by tests: their last verification no longer holds.
    pub stale_requirements: Vec<String>,
    /// The baseline bundle, when given.
    pub baseline: Option<Baseline>,
}

/// Class rank for ordering: C before B before A before unclassified.
fn rank(class: Option<&str>) -> u8 {
    match class {
        Some("C") => 3,
        Some("B") => 2,
        Some("A") => 1,
        _ => 0,
    }
}

/// Natural order for IDs (`SRS-2` before `SRS-10`).
pub fn natural(a: &str, b: &str) -> std::cmp::Ordering {
    fn key(s: &str) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        let mut text = String::new();
        let mut digits = String::new();
        for c in s.chars() {
            if c.is_ascii_digit() {
                digits.push(c);
            } else {
                if !digits.is_empty() {
                    out.push((
                        std::mem::take(&mut text),
                        digits.parse().unwrap_or(u64::MAX),
                    ));
                    digits.clear();
                }
                text.push(c);
            }
        }
        out.push((text, digits.parse().unwrap_or(0)));
        out
    }
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

/// What one side knows about the entries of one file.
struct Known {
    /// Per entry: requirements it implements.
    implements: Vec<BTreeSet<String>>,
    /// Per entry: requirements it verifies (a test).
    verifies: Vec<BTreeSet<String>>,
    /// Per entry: the unit it declares (ID).
    unit: Vec<Option<String>>,
    /// Per entry: the trace's path when an annotation names it.
    path: Vec<Option<String>>,
}

impl Known {
    fn of(entries: &[Entry], file: &str, trace: &Trace) -> Known {
        let n = entries.len();
        let mut known = Known {
            implements: vec![BTreeSet::new(); n],
            verifies: vec![BTreeSet::new(); n],
            unit: vec![None; n],
            path: vec![None; n],
        };
        // The deepest entry whose name or keyword is on `line`; a module-level
        // annotation (`module_unit!`, `module_requirement!`) is the file's module.
        let at = |line: u32, kind: &str| -> Option<usize> {
            entries
                .iter()
                .rposition(|e| e.lines.contains(&line))
                .or_else(|| (kind == "mod").then_some(0))
        };
        for requirement in &trace.requirements {
            for link in requirement.implemented_by.iter().filter(|l| l.file == file) {
                if let Some(i) = at(link.line, &link.kind) {
                    known.implements[i].insert(requirement.id.clone());
                    known.path[i] = Some(link.path.clone());
                }
            }
            for link in requirement.verified_by.iter().filter(|l| l.file == file) {
                if let Some(i) = at(link.line, &link.kind) {
                    known.verifies[i].insert(requirement.id.clone());
                    known.path[i] = Some(link.path.clone());
                }
            }
        }
        for unit in trace.units.iter().filter(|u| u.file == file) {
            if let Some(i) = at(unit.line, &unit.kind) {
                known.unit[i] = Some(unit.id.clone());
                known.path[i] = Some(unit.path.clone());
            }
        }
        known
    }

    fn chain(entries: &[Entry], index: usize) -> Vec<usize> {
        let mut out = vec![index];
        let mut at = index;
        while let Some(parent) = entries[at].parent {
            out.push(parent);
            at = parent;
        }
        out
    }

    /// The innermost unit holding (or being) `index`.
    fn unit_of(&self, entries: &[Entry], index: usize) -> Option<(usize, String)> {
        Known::chain(entries, index)
            .into_iter()
            .find_map(|i| self.unit[i].clone().map(|u| (i, u)))
    }

    fn is_known(&self, entries: &[Entry], index: usize) -> bool {
        entries[index].is_test
            || !self.implements[index].is_empty()
            || !self.verifies[index].is_empty()
            || self.unit[index].is_some()
            || self.unit_of(entries, index).is_some()
    }

    fn path(&self, entries: &[Entry], index: usize) -> String {
        self.path[index]
            .clone()
            .unwrap_or_else(|| entries[index].path.clone())
    }
}

/// The accumulated result while comparing.
#[derive(Default)]
struct Collect {
    items: BTreeMap<(String, String, Change), ChangedItem>,
    reasons: BTreeMap<String, BTreeSet<Reason>>,
    changed_tests: BTreeSet<String>,
    changed_units: BTreeSet<String>,
    /// Lines of the base revision whose code changed: (file, first, last).
    base_ranges: Vec<(String, u32, u32)>,
}

impl Collect {
    fn item(&mut self, item: ChangedItem) {
        let key = (item.file.clone(), item.path.clone(), item.change);
        let entry = self.items.entry(key).or_insert_with(|| ChangedItem {
            notes: Vec::new(),
            ..item.clone()
        });
        for note in item.notes {
            if !entry.notes.contains(&note) {
                entry.notes.push(note);
            }
        }
        entry.notes.sort();
    }

    fn reason(&mut self, id: &str, reason: Reason) {
        self.reasons
            .entry(id.to_string())
            .or_default()
            .insert(reason);
    }
}

/// One file's entries at one side.
struct At<'a> {
    entries: &'a [Entry],
    /// The base side (its lines are those a baseline run's coverage names).
    base: bool,
    /// Per entry: it exists at this side only (added, or removed).
    fresh: Vec<bool>,
    known: Known,
    trace: &'a Trace,
}

impl At<'_> {
    /// Records a code change of entry `index`: where it is reported, and the
    /// requirements it affects.
    fn code_change(
        &self,
        index: usize,
        change: Change,
        file: &str,
        out: &mut Collect,
        report: bool,
    ) {
        let entries = self.entries;
        let known = &self.known;
        let entry = &entries[index];
        let chain = Known::chain(entries, index);
        let unit = known.unit_of(entries, index);
        if self.base {
            let (first, last) = entry.extent;
            out.base_ranges.push((file.to_string(), first, last));
        }
        // Where it is reported: the item if known, else the nearest known ancestor, else
        // the enclosing module.
        let reported = chain
            .iter()
            .copied()
            .find(|i| known.is_known(entries, *i))
            .or_else(|| {
                chain
                    .iter()
                    .copied()
                    .skip(1)
                    .find(|i| matches!(entries[*i].kind, "mod" | "file"))
            })
            .unwrap_or(0);
        let note = (reported != index && !self.fresh[reported]).then(|| {
            let verb = match change {
                Change::Added => "added",
                Change::Removed => "removed",
                _ => "changed",
            };
            let what = if entry.kind == "file" {
                "module-level code".to_string()
            } else {
                format!("{} `{}`", entry.kind, entry.path)
            };
            format!("{what} {verb} inside (not itself a traced item)")
        });
        let is_test = chain.iter().any(|i| entries[*i].is_test);
        if !report {
            // The base side of a modified item: only what it linked counts.
        } else {
            out.item(ChangedItem {
                path: known.path(entries, reported),
                file: file.to_string(),
                change: if reported == index || self.fresh[reported] {
                    change
                } else {
                    Change::Modified
                },
                kind: entries[reported].kind.to_string(),
                unit: unit.as_ref().map(|(_, u)| u.clone()),
                test: entries[reported].is_test,
                notes: note.into_iter().collect(),
            });
        }
        if let Some((_, unit)) = &unit {
            out.changed_units.insert(unit.clone());
        }
        // Requirements: the implementing items holding the change, else the unit's.
        let implementing: BTreeSet<String> = chain
            .iter()
            .flat_map(|i| known.implements[*i].iter().cloned())
            .collect();
        if implementing.is_empty() {
            if let Some((_, unit)) = &unit
                && let Some(trace_unit) = self.trace.units.iter().find(|u| &u.id == unit)
            {
                for id in &trace_unit.requirements {
                    out.reason(id, Reason::Code);
                }
            }
        } else {
            for id in &implementing {
                out.reason(id, Reason::Code);
            }
        }
        for i in &chain {
            for id in &known.verifies[*i] {
                out.reason(id, Reason::Test);
            }
        }
        if is_test && change != Change::Removed {
            let test = chain
                .iter()
                .copied()
                .find(|i| entries[*i].is_test)
                .unwrap_or(index);
            out.changed_tests.insert(known.path(entries, test));
        }
    }

    /// Records a doc-only change of entry `index`: the design text of its unit.
    fn doc_change(&self, index: usize, file: &str, out: &mut Collect) {
        let entries = self.entries;
        if let Some((unit_index, unit)) = self.known.unit_of(entries, index) {
            out.item(ChangedItem {
                path: self.known.path(entries, unit_index),
                file: file.to_string(),
                change: Change::DesignText,
                kind: entries[unit_index].kind.to_string(),
                unit: Some(unit),
                test: false,
                notes: (unit_index != index)
                    .then(|| {
                        format!(
                            "doc comment of {} `{}` changed",
                            entries[index].kind, entries[index].path
                        )
                    })
                    .into_iter()
                    .collect(),
            });
        }
    }
}

/// Compares one source file between the sides.
fn compare_file(
    rel: &str,
    module: &str,
    base: Option<&str>,
    head: Option<&str>,
    sides: (&Side, &Side),
    out: &mut Collect,
) -> Option<String> {
    let parse = |text: Option<&str>| text.map(|t| items::extract(t, module));
    let (before, after) = (parse(base), parse(head));
    let failed = |side: &str, items: &Option<FileItems>| match items {
        Some(FileItems::Unparsable(message)) => {
            Some(format!("does not parse at {side} ({message})"))
        }
        _ => None,
    };
    let failures: Vec<String> = [
        failed(&sides.0.label, &before),
        failed(&sides.1.label, &after),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !failures.is_empty() {
        let note = format!(
            "{}: the whole file is attributed to its module",
            failures.join("; ")
        );
        whole_file(
            rel,
            module,
            base.is_some(),
            head.is_some(),
            sides,
            &note,
            out,
        );
        return Some(note);
    }
    let empty = Vec::new();
    let entries = |items: &Option<FileItems>| -> Vec<Entry> {
        match items {
            Some(FileItems::Parsed(entries)) => entries.clone(),
            _ => empty.clone(),
        }
    };
    let (old, new) = (entries(&before), entries(&after));
    let old_keys: BTreeMap<&str, usize> = old
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key.as_str(), i))
        .collect();
    let new_keys: BTreeMap<&str, usize> = new
        .iter()
        .enumerate()
        .map(|(i, e)| (e.key.as_str(), i))
        .collect();
    let at_base = At {
        base: true,
        fresh: old
            .iter()
            .map(|e| !new_keys.contains_key(e.key.as_str()))
            .collect(),
        known: Known::of(&old, rel, &sides.0.trace),
        entries: &old,
        trace: &sides.0.trace,
    };
    let at_head = At {
        base: false,
        fresh: new
            .iter()
            .map(|e| !old_keys.contains_key(e.key.as_str()))
            .collect(),
        known: Known::of(&new, rel, &sides.1.trace),
        entries: &new,
        trace: &sides.1.trace,
    };
    for (key, &i) in &new_keys {
        match old_keys.get(key) {
            None => {
                // A file that is new as a whole: its module is added too.
                at_head.code_change(i, Change::Added, rel, out, true);
            }
            Some(&j) => {
                if old[j].code != new[i].code {
                    at_head.code_change(i, Change::Modified, rel, out, true);
                    // What the base side linked to it is affected as well.
                    at_base.code_change(j, Change::Modified, rel, out, false);
                }
                if old[j].doc != new[i].doc {
                    at_head.doc_change(i, rel, out);
                }
            }
        }
    }
    for (key, &j) in &old_keys {
        if !new_keys.contains_key(key) {
            at_base.code_change(j, Change::Removed, rel, out, true);
        }
    }
    None
}

/// A file that does not parse at one side: one change for its module, and every link in
/// it affected.
fn whole_file(
    rel: &str,
    module: &str,
    at_base: bool,
    at_head: bool,
    sides: (&Side, &Side),
    note: &str,
    out: &mut Collect,
) {
    let change = match (at_base, at_head) {
        (false, _) => Change::Added,
        (_, false) => Change::Removed,
        _ => Change::Modified,
    };
    out.item(ChangedItem {
        path: module.to_string(),
        file: rel.to_string(),
        change,
        kind: "file".to_string(),
        unit: None,
        test: false,
        notes: vec![note.to_string()],
    });
    if at_base {
        out.base_ranges.push((rel.to_string(), 1, u32::MAX));
    }
    for trace in [&sides.0.trace, &sides.1.trace] {
        for requirement in &trace.requirements {
            if requirement.implemented_by.iter().any(|l| l.file == rel) {
                out.reason(&requirement.id, Reason::Code);
            }
            if requirement.verified_by.iter().any(|l| l.file == rel) {
                out.reason(&requirement.id, Reason::Test);
            }
        }
        for unit in trace.units.iter().filter(|u| u.file == rel) {
            for id in &unit.requirements {
                out.reason(id, Reason::Code);
            }
        }
    }
    for test in sides.1.trace.tests.iter().filter(|t| t.file == rel) {
        out.changed_tests.insert(test.path.clone());
    }
}

fn links(trace: &Trace) -> BTreeSet<LinkKey> {
    let mut out = BTreeSet::new();
    for requirement in &trace.requirements {
        for link in &requirement.implemented_by {
            out.insert(LinkKey {
                requirement: requirement.id.clone(),
                relation: "implements",
                path: link.path.clone(),
            });
        }
        for link in &requirement.verified_by {
            out.insert(LinkKey {
                requirement: requirement.id.clone(),
                relation: "verifies",
                path: link.path.clone(),
            });
        }
    }
    out
}

fn class_name(class: Option<iec_model::SafetyClass>) -> Option<String> {
    class.map(|c| c.as_str().to_string())
}

/// The catalogue changes between the sides, with the reasons they give requirements.
#[requirement("TR-IMPACT-CATALOGUE")]
fn catalogue_changes(base: &Side, head: &Side, out: &mut Collect) -> CatalogueChanges {
    let mut changes = CatalogueChanges::default();
    let old: BTreeMap<&str, &iec_model::catalogue::Requirement> = base
        .catalogue
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    let new: BTreeMap<&str, &iec_model::catalogue::Requirement> = head
        .catalogue
        .requirements
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    for (id, requirement) in &new {
        match old.get(id) {
            None => {
                changes.requirements.added.push((*id).to_string());
                out.reason(id, Reason::Added);
            }
            Some(before) => {
                let mut fields = Vec::new();
                if requirement_hash(&before.title, &before.text)
                    != requirement_hash(&requirement.title, &requirement.text)
                {
                    fields.push("text");
                    out.reason(id, Reason::Text);
                }
                if before.class != requirement.class {
                    fields.push("class");
                    out.reason(id, Reason::Class);
                }
                if before.parent != requirement.parent {
                    fields.push("parent");
                    out.reason(id, Reason::Parent);
                }
                if before.verification != requirement.verification {
                    fields.push("verification");
                    out.reason(id, Reason::Text);
                }
                if !fields.is_empty() {
                    changes.requirements.changed.push(FieldsChanged {
                        id: (*id).to_string(),
                        fields,
                    });
                }
            }
        }
    }
    for id in old.keys().filter(|id| !new.contains_key(*id)) {
        changes.requirements.removed.push((*id).to_string());
        out.reason(id, Reason::Removed);
    }
    let old_items: BTreeMap<&str, &iec_model::catalogue::Item> = base
        .catalogue
        .items
        .iter()
        .map(|i| (i.id.as_str(), i))
        .collect();
    for item in &head.catalogue.items {
        let before = old_items.get(item.id.as_str()).map(|i| i.class);
        if let Some(before) = before
            && before != item.class
        {
            changes.classes.push(ClassChange {
                id: item.id.clone(),
                kind: if item.is_system { "system" } else { "item" },
                base: class_name(before),
                head: class_name(item.class),
            });
        }
    }
    let old_units: BTreeMap<&str, &str> = base
        .trace
        .units
        .iter()
        .map(|u| (u.id.as_str(), u.class.as_str()))
        .collect();
    for unit in &head.trace.units {
        if let Some(before) = old_units.get(unit.id.as_str())
            && *before != unit.class
        {
            changes.classes.push(ClassChange {
                id: unit.id.clone(),
                kind: "unit",
                base: Some((*before).to_string()),
                head: Some(unit.class.clone()),
            });
            for id in &unit.requirements {
                out.reason(id, Reason::Class);
            }
        }
    }
    let by_id = |list: &mut Vec<String>| list.sort_by(|a, b| natural(a, b));
    by_id(&mut changes.requirements.added);
    by_id(&mut changes.requirements.removed);
    changes
        .requirements
        .changed
        .sort_by(|a, b| natural(&a.id, &b.id));
    changes
        .classes
        .sort_by(|a, b| natural(&a.id, &b.id).then(a.kind.cmp(b.kind)));
    changes
}

/// A requirement's class: the catalogue's, else the highest of its implementing units.
fn requirement_class(side: &Side, id: &str) -> Option<String> {
    if let Some(class) = side.catalogue.requirement(id).and_then(|r| r.class) {
        return Some(class.as_str().to_string());
    }
    let trace_requirement = side.trace.requirements.iter().find(|r| r.id == id)?;
    trace_requirement
        .implemented_by
        .iter()
        .filter_map(|l| l.unit.as_deref())
        .filter_map(|u| side.trace.units.iter().find(|t| t.id == u))
        .map(|u| u.class.clone())
        .max_by_key(|c| rank(Some(c)))
}

/// What one test executed in a baseline run (`coverage.json` of an evidence bundle,
/// schema `iec-trace/coverage/v1`, `tests[]`).
#[derive(Debug, Clone, Default)]
pub struct TestLines {
    /// Package.
    pub package: String,
    /// `lib`, `test:NAME`, ...
    pub target: String,
    /// The harness name.
    pub name: String,
    /// Per file (relative to the workspace root), the lines it ran.
    pub files: BTreeMap<String, BTreeSet<u32>>,
}

/// The trace path of a test a coverage record names by target and harness name.
fn coverage_test_path(head: &Side, test: &TestLines) -> String {
    if let Some(found) = head
        .trace
        .tests
        .iter()
        .find(|t| t.target == test.target && crate::results::harness_name(&t.path) == test.name)
    {
        return found.path.clone();
    }
    let krate = match test.target.split_once(':') {
        Some((_, name)) => name.replace('-', "_"),
        None => test.package.replace('-', "_"),
    };
    format!("{krate}::{}", test.name)
}

/// Why a changed Rust file has no traced items: the package it belongs to, when that
/// package was not selected, says what to select instead.
fn untraced_file_note(workspace: &Workspace, rel: &str) -> String {
    let path = workspace.root.join(rel);
    let owner = workspace
        .metadata
        .workspace_packages()
        .into_iter()
        .filter(|package| {
            package
                .manifest_path
                .parent()
                .is_some_and(|dir| path.starts_with(dir.as_std_path()))
        })
        .max_by_key(|package| package.manifest_path.as_str().len());
    match owner {
        Some(package) if !workspace.selected.iter().any(|s| s.id == package.id) => format!(
            "in package {}, which is not selected: no items are traced in it (select it with -p {} or --workspace)",
            package.name, package.name
        ),
        Some(_) => "not in the module tree of a traced target (a build script, a bench, or a file no target includes): no items are traced in it".to_string(),
        None => "outside every package of the workspace: no items are traced in it".to_string(),
    }
}

/// Computes the impact of the change from `base` to `head`; `changed` are the files that
/// differ, relative to the workspace root; `coverage` is what each test executed in a
/// baseline run of the base revision, when known.
#[requirement("TR-IMPACT-ITEMS", "TR-IMPACT-REQUIREMENTS", "TR-IMPACT-TESTS")]
pub fn compute(
    base: &Side,
    head: &Side,
    changed: &[String],
    coverage: Option<&[TestLines]>,
) -> Impact {
    let mut out = Collect::default();
    let mut files = Vec::new();
    for rel in changed {
        let old_text = base.read(rel);
        let new_text = head.read(rel);
        let status = match (&old_text, &new_text) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            (None, None) => continue,
            _ => "modified",
        };
        let module = head.files.get(rel).or_else(|| base.files.get(rel));
        let note = if !rel.ends_with(".rs") {
            None
        } else if let Some(module) = module {
            compare_file(
                rel,
                &module.module,
                old_text.as_deref(),
                new_text.as_deref(),
                (base, head),
                &mut out,
            )
        } else {
            Some(untraced_file_note(&head.workspace, rel))
        };
        files.push(ChangedFile {
            path: rel.clone(),
            status,
            note,
        });
    }
    let catalogue = catalogue_changes(base, head, &mut out);
    let (old_links, new_links) = (links(&base.trace), links(&head.trace));
    let mut link_changes = LinkChanges::default();
    for link in new_links.difference(&old_links) {
        out.reason(&link.requirement, Reason::LinkAdded);
        link_changes.added.push(link.clone());
    }
    for link in old_links.difference(&new_links) {
        out.reason(&link.requirement, Reason::LinkRemoved);
        link_changes.removed.push(link.clone());
    }
    // Requirements, highest class first.
    let mut requirements: Vec<AffectedRequirement> = out
        .reasons
        .iter()
        .map(|(id, reasons)| {
            let side = if head.catalogue.requirement(id).is_some() {
                head
            } else {
                base
            };
            AffectedRequirement {
                id: id.clone(),
                class: requirement_class(side, id),
                title: side
                    .catalogue
                    .requirement(id)
                    .map(|r| r.title.clone())
                    .unwrap_or_default(),
                reasons: reasons.iter().copied().collect(),
            }
        })
        .collect();
    requirements.sort_by(|a, b| {
        rank(b.class.as_deref())
            .cmp(&rank(a.class.as_deref()))
            .then_with(|| natural(&a.id, &b.id))
    });
    let affected: BTreeSet<&str> = requirements
        .iter()
        .filter(|r| !r.reasons.contains(&Reason::Removed))
        .map(|r| r.id.as_str())
        .collect();
    // Tests: verifying an affected requirement, or changed.
    let mut tests: BTreeMap<String, TestToRun> = BTreeMap::new();
    for test in &head.trace.tests {
        let verifies: Vec<String> = test
            .requirements
            .iter()
            .filter(|id| affected.contains(id.as_str()))
            .cloned()
            .collect();
        let changed = out.changed_tests.contains(&test.path);
        if verifies.is_empty() && !changed {
            continue;
        }
        let mut reasons = Vec::new();
        if !verifies.is_empty() {
            reasons.push(TestReason::Verifies);
        }
        if changed {
            reasons.push(TestReason::Changed);
        }
        tests.insert(
            test.path.clone(),
            TestToRun {
                path: test.path.clone(),
                target: test.target.clone(),
                package: head
                    .files
                    .get(&test.file)
                    .map(|f| f.target.package.clone())
                    .unwrap_or_default(),
                reasons,
                requirements: verifies,
            },
        );
    }
    // Changed tests that verify nothing are re-run too.
    for item in out
        .items
        .values()
        .filter(|i| i.test && i.change != Change::Removed)
    {
        if tests.contains_key(&item.path) {
            continue;
        }
        let target = head.files.get(&item.file);
        tests.insert(
            item.path.clone(),
            TestToRun {
                path: item.path.clone(),
                target: target
                    .map(|f| crate::results::target_label(&f.target))
                    .unwrap_or_default(),
                package: target.map(|f| f.target.package.clone()).unwrap_or_default(),
                reasons: vec![TestReason::Changed],
                requirements: Vec::new(),
            },
        );
    }
    // Tests that executed changed code in the baseline run.
    for test in coverage.unwrap_or(&[]) {
        let executed = out.base_ranges.iter().any(|(file, first, last)| {
            test.files
                .get(file)
                .is_some_and(|lines| lines.range(*first..=*last).next().is_some())
        });
        if !executed {
            continue;
        }
        let path = coverage_test_path(head, test);
        let entry = tests.entry(path.clone()).or_insert_with(|| TestToRun {
            path,
            target: test.target.clone(),
            package: test.package.clone(),
            reasons: Vec::new(),
            requirements: Vec::new(),
        });
        if !entry.reasons.contains(&TestReason::Executed) {
            entry.reasons.push(TestReason::Executed);
            entry.reasons.sort();
        }
    }
    let verified_by_tests: BTreeSet<&str> = head
        .trace
        .tests
        .iter()
        .flat_map(|t| t.requirements.iter().map(String::as_str))
        .collect();
    let mut stale: Vec<String> = affected
        .iter()
        .filter(|id| verified_by_tests.contains(*id))
        .map(|id| (*id).to_string())
        .collect();
    stale.sort_by(|a, b| natural(a, b));
    let unit_classes = out.changed_units.iter().filter_map(|u| {
        head.trace
            .units
            .iter()
            .chain(&base.trace.units)
            .find(|t| &t.id == u)
            .map(|t| t.class.clone())
    });
    let highest_class = requirements
        .iter()
        .filter_map(|r| r.class.clone())
        .chain(unit_classes)
        .max_by_key(|c| rank(Some(c)));
    let revision = |side: &Side| Revision {
        revision: side.label.clone(),
        commit: side.commit.clone(),
    };
    Impact {
        schema: SCHEMA,
        base: revision(base),
        head: revision(head),
        highest_class,
        changed_items: out.items.into_values().collect(),
        files,
        catalogue,
        links: link_changes,
        requirements,
        tests: tests.into_values().collect(),
        stale_requirements: stale,
        baseline: None,
    }
}

#[cfg(test)]
mod tests {
    use super::{natural, rank};
    use iec_runtime::requirement;

    #[test]
    #[requirement("TR-IMPACT-REQUIREMENTS")]
    fn ids_sort_as_people_read_them_and_classes_rank_c_first() {
        let mut ids = vec!["SRS-10", "SRS-2", "ABC", "SRS-1"];
        ids.sort_by(|a, b| natural(a, b));
        assert_eq!(ids, ["ABC", "SRS-1", "SRS-2", "SRS-10"]);
        assert!(rank(Some("C")) > rank(Some("B")));
        assert!(rank(Some("B")) > rank(Some("A")));
        assert!(rank(Some("A")) > rank(None));
    }
}
