//! Accepted gaps: adopting the gate on an existing codebase.
//!
//! A committed file (`iec-accepted.toml` in the workspace root, or `accepted = "PATH"` in
//! `[workspace.metadata.iec]`, or `--accepted FILE`) lists gaps the project accepts for now,
//! each with a rationale and a reviewer:
//!
//! ```toml
//! [[accepted]]
//! kind = "untested"
//! requirement = "SRS-12"
//! rationale = "Verified by the bench test protocol BT-4 until the HIL rig exists."
//! reviewer = "J. Doe"
//! ```
//!
//! A gap matches an entry when its kind and every key it has (`requirement`, `unit`,
//! `problem`, `advisory`, `path`) are the entry's: positions and messages do not count, so
//! an entry survives edits elsewhere. Matching gaps are listed as accepted and pass the gate;
//! every other gap is judged as before; an entry that matches no gap any more is a
//! `stale-acceptance` gap, which always fails the run, so the list only shrinks.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use iec_model::Position;
use iec_runtime::requirement;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use crate::error::Error;
use crate::trace::{Gap, GapKind, Trace};

/// The file's default name, in the workspace root.
pub const DEFAULT_FILE: &str = "iec-accepted.toml";

/// The rationale and reviewer `--write-accepted` writes, to be replaced by people.
pub const PLACEHOLDER: &str = "TODO";

/// What identifies a gap across runs.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct GapKey {
    /// The gap kind's stable name.
    pub kind: String,
    /// The requirement, when the gap has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    /// The unit, when the gap has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The problem report, when the gap has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The advisory, when the gap has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advisory: Option<String>,
    /// The item or test path, when the gap has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl GapKey {
    /// The key of `gap`.
    pub fn of(gap: &Gap) -> GapKey {
        GapKey {
            kind: gap.kind.as_str().to_string(),
            requirement: gap.requirement.clone(),
            unit: gap.unit.clone(),
            problem: gap.problem.clone(),
            advisory: gap.advisory.clone(),
            path: gap.path.clone(),
        }
    }

    fn describe(&self) -> String {
        let mut parts = vec![self.kind.clone()];
        for (name, value) in [
            ("requirement", &self.requirement),
            ("unit", &self.unit),
            ("problem", &self.problem),
            ("advisory", &self.advisory),
            ("path", &self.path),
        ] {
            if let Some(value) = value {
                parts.push(format!("{name} {value}"));
            }
        }
        parts.join(", ")
    }
}

/// A gap accepted by an entry of the file, as the trace lists it.
#[derive(Debug, Clone, Serialize)]
pub struct AcceptedGap {
    /// The gap, as it would have been reported.
    pub gap: Gap,
    /// Why it is acceptable.
    pub rationale: String,
    /// Who reviewed the acceptance.
    pub reviewer: String,
}

/// One entry of the file, with the line it starts on.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Kind and keys.
    pub key: GapKey,
    /// Why.
    pub rationale: String,
    /// Who.
    pub reviewer: String,
    /// Line of its table.
    pub line: usize,
}

/// The accepted-gaps file, read and validated.
#[derive(Debug, Clone)]
pub struct AcceptedGaps {
    /// Where it was read, relative to the workspace root for messages.
    pub file: String,
    /// Its entries, in file order.
    pub entries: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    accepted: Vec<Spanned<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    kind: Spanned<String>,
    requirement: Option<String>,
    unit: Option<String>,
    problem: Option<String>,
    advisory: Option<String>,
    path: Option<String>,
    rationale: Option<Spanned<String>>,
    reviewer: Option<Spanned<String>>,
}

/// Where the file is: `--accepted`, else `accepted = "PATH"` in `[workspace.metadata.iec]`,
/// else `iec-accepted.toml` in the root; `explicit` says whether it must exist.
pub fn location(
    root: &Path,
    metadata: &serde_json::Value,
    option: Option<&Path>,
) -> (PathBuf, bool) {
    crate::workspace::configured_file(root, metadata, option, "accepted", DEFAULT_FILE)
}

fn is_placeholder(text: &str) -> bool {
    let text = text.trim();
    text.is_empty() || text.starts_with(PLACEHOLDER)
}

/// Reads and validates the file; `Ok(None)` when it does not exist and was not named.
/// `lenient` lets placeholders through (for rewriting the file with `--write-accepted`).
#[requirement("TR-ACCEPTED-GAPS")]
pub fn read(
    path: &Path,
    shown: &str,
    explicit: bool,
    lenient: bool,
) -> Result<Option<AcceptedGaps>, Error> {
    let Some(text) = crate::error::read_optional(path, shown, "the accepted-gaps file", explicit)?
    else {
        return Ok(None);
    };
    let at = |offset: usize| Position::of_offset(&text, offset);
    let raw: RawFile = crate::error::from_toml(&text, shown, "")?;
    let mut problems = Vec::new();
    let mut entries = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in raw.accepted {
        let start = at(entry.span().start);
        let raw = entry.into_inner();
        let kind_position = at(raw.kind.span().start);
        let kind = raw.kind.into_inner();
        if GapKind::parse(&kind).is_none() || kind == GapKind::StaleAcceptance.as_str() {
            problems.push(format!(
                "{shown}:{kind_position}: unknown or unacceptable gap kind {kind:?}; accepted gaps are of the kinds {}",
                GapKind::ALL
                    .iter()
                    .filter(|k| **k != GapKind::StaleAcceptance)
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        let mut text_of = |value: Option<Spanned<String>>, name: &str| -> String {
            match value {
                Some(value) if lenient || !is_placeholder(value.get_ref()) => value.into_inner(),
                Some(value) => {
                    problems.push(format!(
                        "{shown}:{}: `{name}` of this accepted gap is {}: write {} before the file can be used",
                        at(value.span().start),
                        if value.get_ref().trim().is_empty() {
                            "empty".to_string()
                        } else {
                            format!("still {:?}", value.get_ref())
                        },
                        if name == "rationale" {
                            "why the gap is acceptable"
                        } else {
                            "who reviewed the acceptance"
                        }
                    ));
                    String::new()
                }
                None => {
                    problems.push(format!(
                        "{shown}:{start}: this accepted gap has no `{name}`; every entry needs a rationale and a reviewer"
                    ));
                    String::new()
                }
            }
        };
        let rationale = text_of(raw.rationale, "rationale");
        let reviewer = text_of(raw.reviewer, "reviewer");
        let key = GapKey {
            kind,
            requirement: raw.requirement,
            unit: raw.unit,
            problem: raw.problem,
            advisory: raw.advisory,
            path: raw.path,
        };
        if !seen.insert(key.clone()) {
            problems.push(format!(
                "{shown}:{start}: the gap {} is accepted twice; remove one entry",
                key.describe()
            ));
        }
        entries.push(Entry {
            key,
            rationale,
            reviewer,
            line: start.line,
        });
    }
    if !problems.is_empty() {
        return Err(Error::Input(format!(
            "invalid accepted-gaps file:\n{}",
            problems.join("\n")
        )));
    }
    Ok(Some(AcceptedGaps {
        file: shown.to_string(),
        entries,
    }))
}

/// Moves the gaps the file accepts to `trace.accepted`, and adds a `stale-acceptance` gap
/// for every entry that matches no gap.
#[requirement("TR-ACCEPTED-GAPS")]
pub fn apply(trace: &mut Trace, accepted: &AcceptedGaps) {
    let mut used = vec![false; accepted.entries.len()];
    let mut kept = Vec::new();
    for gap in std::mem::take(&mut trace.gaps) {
        let key = GapKey::of(&gap);
        match accepted.entries.iter().position(|e| e.key == key) {
            Some(index) => {
                used[index] = true;
                let entry = &accepted.entries[index];
                trace.accepted.push(AcceptedGap {
                    gap,
                    rationale: entry.rationale.clone(),
                    reviewer: entry.reviewer.clone(),
                });
            }
            None => kept.push(gap),
        }
    }
    for (entry, used) in accepted.entries.iter().zip(used) {
        if used {
            continue;
        }
        kept.push(Gap {
            kind: GapKind::StaleAcceptance,
            requirement: entry.key.requirement.clone(),
            unit: entry.key.unit.clone(),
            problem: entry.key.problem.clone(),
            advisory: entry.key.advisory.clone(),
            class: None,
            path: entry.key.path.clone(),
            file: Some(accepted.file.clone()),
            line: Some(u32::try_from(entry.line).unwrap_or(u32::MAX)),
            message: format!(
                "the accepted gap ({}) no longer exists: remove its entry from {}, so the list only shrinks",
                entry.key.describe(),
                accepted.file
            ),
        });
    }
    kept.sort();
    trace.gaps = kept;
    trace.summary.gaps = trace.gaps.len();
}

/// The file `--write-accepted` writes: an entry for every gap of `trace` (accepted ones
/// included), keeping the rationale and reviewer of entries that already exist, else the
/// placeholder to be filled in. Sorted by kind and keys.
#[requirement("TR-ACCEPTED-WRITE")]
pub fn render(trace: &Trace, previous: Option<&AcceptedGaps>) -> String {
    let mut keys: Vec<GapKey> = trace
        .gaps
        .iter()
        .chain(trace.accepted.iter().map(|a| &a.gap))
        .filter(|g| g.kind != GapKind::StaleAcceptance)
        .map(GapKey::of)
        .collect();
    keys.sort();
    keys.dedup();
    let mut out = String::from(
        "# Gaps accepted for now (cargo iec trace reads this file; see docs/problems.md).\n\
# Every entry needs a rationale and a reviewer: replace each TODO before committing.\n\
# An entry whose gap is fixed fails the trace until it is removed: the list only shrinks.\n",
    );
    for key in keys {
        let existing = previous.and_then(|p| p.entries.iter().find(|e| e.key == key));
        out.push_str("\n[[accepted]]\n");
        out.push_str(&format!("kind = {}\n", quoted(&key.kind)));
        for (name, value) in [
            ("requirement", &key.requirement),
            ("unit", &key.unit),
            ("problem", &key.problem),
            ("advisory", &key.advisory),
            ("path", &key.path),
        ] {
            if let Some(value) = value {
                out.push_str(&format!("{name} = {}\n", quoted(value)));
            }
        }
        let (rationale, reviewer) = existing.map_or_else(
            || {
                (
                    format!("{PLACEHOLDER}: why this gap is acceptable"),
                    PLACEHOLDER.to_string(),
                )
            },
            |e| (e.rationale.clone(), e.reviewer.clone()),
        );
        out.push_str(&format!("rationale = {}\n", quoted(&rationale)));
        out.push_str(&format!("reviewer = {}\n", quoted(&reviewer)));
    }
    out
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The accepted gaps for the table output; empty when there are none.
pub fn table_section(trace: &Trace) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if trace.accepted.is_empty() {
        return out;
    }
    let _ = writeln!(out, "Accepted gaps ({}):", trace.accepted.len());
    for accepted in &trace.accepted {
        let _ = writeln!(
            out,
            "  {}  {}  accepted by {}: {}",
            accepted.gap.kind,
            accepted.gap.subject(),
            accepted.reviewer,
            accepted.rationale
        );
    }
    out.push('\n');
    out
}

/// The accepted gaps as a Markdown section; empty when there are none.
pub fn markdown_section(trace: &Trace) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if trace.accepted.is_empty() {
        return out;
    }
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let _ = writeln!(
        out,
        "## Accepted gaps\n\n| kind | subject | rationale | reviewer |\n|---|---|---|---|"
    );
    for accepted in &trace.accepted {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            accepted.gap.kind,
            cell(accepted.gap.subject()),
            cell(&accepted.rationale),
            cell(&accepted.reviewer)
        );
    }
    out.push('\n');
    out
}
