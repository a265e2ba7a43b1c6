//! The traceability join: catalogue + annotation records -> requirements with their
//! implementing items and verifying tests, units, tests, and gaps.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use iec_model::Catalogue;
use iec_runtime::requirement;
use serde::Serialize;

use crate::record::{Declares, Record};

/// The version of the trace JSON; bump on any incompatible change (docs/trace-json.md).
pub const SCHEMA: &str = "iec-trace/trace/v1";

/// A kind of gap, with its stable name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GapKind {
    /// A requirement no code implements.
    Unimplemented,
    /// A requirement verified by test that no test verifies.
    Untested,
    /// An annotation names an ID the catalogue lacks.
    UnknownId,
}

impl GapKind {
    /// Every kind, in the order they are listed.
    pub const ALL: [GapKind; 3] = [
        GapKind::Unimplemented,
        GapKind::Untested,
        GapKind::UnknownId,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            GapKind::Unimplemented => "unimplemented",
            GapKind::Untested => "untested",
            GapKind::UnknownId => "unknown-id",
        }
    }

    /// Parses a stable name.
    pub fn parse(name: &str) -> Option<GapKind> {
        GapKind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for GapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A link from a requirement to an implementing item or a verifying test.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Link {
    /// The item's full Rust path.
    pub path: String,
    /// `fn`, `impl`, `mod`, ...
    pub kind: String,
    /// Source file relative to the workspace root.
    pub file: String,
    /// Line of the item's name.
    pub line: u32,
    /// The package.
    pub package: String,
    /// The software unit the item belongs to (implementation links).
    pub unit: Option<String>,
    /// The test target that runs it (verification links), e.g. `lib`, `test:alarms`.
    pub target: Option<String>,
    /// The annotation says the link covers part of the requirement.
    pub partial: bool,
}

/// One requirement and its links.
#[derive(Debug, Clone, Serialize)]
pub struct RequirementTrace {
    /// ID.
    pub id: String,
    /// Title.
    pub title: String,
    /// Class, when the catalogue states one.
    pub class: Option<String>,
    /// How it is verified (`test`, `inspection`, ...).
    pub verification: String,
    /// Parent requirements.
    pub parent: Vec<String>,
    /// Risk control measures.
    pub risk_controls: Vec<String>,
    /// Implementing items, sorted by path.
    pub implemented_by: Vec<Link>,
    /// Verifying tests, sorted by path.
    pub verified_by: Vec<Link>,
}

/// A software unit and what it implements.
#[derive(Debug, Clone, Serialize)]
pub struct UnitTrace {
    /// Declared ID, or the Rust path.
    pub id: String,
    /// Rust path.
    pub path: String,
    /// The software item it belongs to.
    pub item: Option<String>,
    /// Its class: declared, else its item's.
    pub class: Option<String>,
    /// Source file.
    pub file: String,
    /// Line.
    pub line: u32,
    /// Requirements implemented by items inside it.
    pub requirements: Vec<String>,
}

/// A test and what it verifies.
#[derive(Debug, Clone, Serialize)]
pub struct TestTrace {
    /// Full Rust path.
    pub path: String,
    /// The test target, e.g. `lib`, `test:alarms`.
    pub target: String,
    /// Source file.
    pub file: String,
    /// Line.
    pub line: u32,
    /// Requirements it verifies.
    pub requirements: Vec<String>,
}

/// Something the trace lacks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Gap {
    /// Stable kind.
    pub kind: GapKind,
    /// The requirement concerned.
    pub requirement: String,
    /// The annotated item, for gaps found at an annotation.
    pub path: Option<String>,
    /// Where to look: the annotation, or the requirement in the catalogue.
    pub file: Option<String>,
    /// Line in `file`.
    pub line: Option<u32>,
    /// What is wrong, for people.
    pub message: String,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Requirements in the catalogue.
    pub requirements: usize,
    /// With at least one implementing item.
    pub implemented: usize,
    /// With at least one verifying test.
    pub tested: usize,
    /// Gaps found.
    pub gaps: usize,
}

/// The whole trace.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    /// Schema version of this JSON.
    pub schema: &'static str,
    /// The catalogue, relative to the workspace root.
    pub catalogue: String,
    /// Requirements, sorted by ID.
    pub requirements: Vec<RequirementTrace>,
    /// Software units, sorted by ID.
    pub units: Vec<UnitTrace>,
    /// Tests that verify requirements, sorted by path.
    pub tests: Vec<TestTrace>,
    /// Gaps, sorted by kind, requirement, path.
    pub gaps: Vec<Gap>,
    /// Counts.
    pub summary: Summary,
}

fn target_label(record: &Record) -> String {
    if record.target.kind == "lib" {
        "lib".to_string()
    } else {
        format!("{}:{}", record.target.kind, record.target.name)
    }
}

struct Unit<'a> {
    record: &'a Record,
    declaration: &'a crate::record::UnitDeclaration,
}

impl Unit<'_> {
    fn id(&self) -> String {
        self.declaration
            .id
            .clone()
            .unwrap_or_else(|| self.record.path.clone())
    }
}

/// The innermost unit whose path contains `path`.
fn unit_of<'a>(units: &'a [Unit<'a>], path: &str) -> Option<&'a Unit<'a>> {
    units
        .iter()
        .filter(|u| {
            path == u.record.path
                || path
                    .strip_prefix(u.record.path.as_str())
                    .is_some_and(|rest| rest.starts_with("::"))
        })
        .max_by_key(|u| u.record.path.len())
}

fn line_u32(line: usize) -> u32 {
    u32::try_from(line).unwrap_or(u32::MAX)
}

/// Joins `records` with `catalogue`.
#[requirement("TR-TRACE-GAPS", "TR-ANN-UNIT")]
pub fn build(catalogue: &Catalogue, catalogue_path: String, records: &[Record]) -> Trace {
    let units: Vec<Unit<'_>> = records
        .iter()
        .filter_map(|record| match &record.declares {
            Declares::Unit(declaration) => Some(Unit {
                record,
                declaration,
            }),
            Declares::Requirements { .. } => None,
        })
        .collect();

    let mut implemented: BTreeMap<&str, BTreeSet<Link>> = BTreeMap::new();
    let mut verified: BTreeMap<&str, BTreeSet<Link>> = BTreeMap::new();
    let mut unit_requirements: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut tests: BTreeMap<(String, String), TestTrace> = BTreeMap::new();
    let mut gaps = BTreeSet::new();

    for record in records {
        let Declares::Requirements { ids, qualifiers } = &record.declares else {
            continue;
        };
        let partial = qualifiers.iter().any(|q| q == "partial");
        let unit = if record.is_test {
            None
        } else {
            unit_of(&units, &record.path)
        };
        for id in ids {
            if catalogue.requirement(id).is_none() {
                let close = catalogue.closest_ids(id);
                let hint = if close.is_empty() {
                    String::new()
                } else {
                    format!(" (did you mean {}?)", close.join(", "))
                };
                gaps.insert(Gap {
                    kind: GapKind::UnknownId,
                    requirement: id.clone(),
                    path: Some(record.path.clone()),
                    file: Some(record.file.clone()),
                    line: Some(record.line),
                    message: format!(
                        "{} names {id:?}, which is not in the catalogue{hint}",
                        record.path
                    ),
                });
                continue;
            }
            let link = Link {
                path: record.path.clone(),
                kind: record.item_kind.clone(),
                file: record.file.clone(),
                line: record.line,
                package: record.package.clone(),
                unit: unit.map(Unit::id),
                target: record.is_test.then(|| target_label(record)),
                partial,
            };
            if record.is_test {
                verified.entry(id.as_str()).or_default().insert(link);
                let test = tests
                    .entry((record.path.clone(), target_label(record)))
                    .or_insert_with(|| TestTrace {
                        path: record.path.clone(),
                        target: target_label(record),
                        file: record.file.clone(),
                        line: record.line,
                        requirements: Vec::new(),
                    });
                test.requirements.push(id.clone());
            } else {
                implemented.entry(id.as_str()).or_default().insert(link);
                if let Some(unit) = unit {
                    unit_requirements
                        .entry(unit.id())
                        .or_default()
                        .insert(id.clone());
                }
            }
        }
    }

    let mut requirements = Vec::new();
    let mut summary = Summary {
        requirements: catalogue.requirements.len(),
        implemented: 0,
        tested: 0,
        gaps: 0,
    };
    for requirement in &catalogue.requirements {
        let implemented_by: Vec<Link> = implemented
            .remove(requirement.id.as_str())
            .unwrap_or_default()
            .into_iter()
            .collect();
        let verified_by: Vec<Link> = verified
            .remove(requirement.id.as_str())
            .unwrap_or_default()
            .into_iter()
            .collect();
        if implemented_by.is_empty() {
            gaps.insert(Gap {
                kind: GapKind::Unimplemented,
                requirement: requirement.id.clone(),
                path: None,
                file: Some(catalogue_path.clone()),
                line: Some(line_u32(requirement.line)),
                message: format!(
                    "no code implements {} ({})",
                    requirement.id, requirement.title
                ),
            });
        } else {
            summary.implemented += 1;
        }
        if !verified_by.is_empty() {
            summary.tested += 1;
        } else if requirement.verification == iec_model::Verification::Test {
            gaps.insert(Gap {
                kind: GapKind::Untested,
                requirement: requirement.id.clone(),
                path: None,
                file: Some(catalogue_path.clone()),
                line: Some(line_u32(requirement.line)),
                message: format!(
                    "no test verifies {} ({})",
                    requirement.id, requirement.title
                ),
            });
        }
        requirements.push(RequirementTrace {
            id: requirement.id.clone(),
            title: requirement.title.clone(),
            class: requirement.class.map(|c| c.to_string()),
            verification: requirement.verification.as_str().to_string(),
            parent: requirement.parent.clone(),
            risk_controls: requirement.risk_controls.clone(),
            implemented_by,
            verified_by,
        });
    }

    let mut unit_traces: Vec<UnitTrace> = units
        .iter()
        .map(|unit| {
            let declared = unit.declaration.class.clone();
            let inherited = unit
                .declaration
                .item
                .as_deref()
                .and_then(|item| catalogue.item_class(item))
                .map(|(class, _)| class.to_string());
            UnitTrace {
                id: unit.id(),
                path: unit.record.path.clone(),
                item: unit.declaration.item.clone(),
                class: declared.or(inherited),
                file: unit.record.file.clone(),
                line: unit.record.line,
                requirements: unit_requirements
                    .get(&unit.id())
                    .map(|ids| ids.iter().cloned().collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    unit_traces.sort_by(|a, b| (&a.id, &a.path).cmp(&(&b.id, &b.path)));

    let mut tests: Vec<TestTrace> = tests.into_values().collect();
    for test in &mut tests {
        test.requirements.sort();
        test.requirements.dedup();
    }

    let gaps: Vec<Gap> = gaps.into_iter().collect();
    summary.gaps = gaps.len();
    Trace {
        schema: SCHEMA,
        catalogue: catalogue_path,
        requirements,
        units: unit_traces,
        tests,
        gaps,
        summary,
    }
}
