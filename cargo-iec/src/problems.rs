//! Problem reports in the trace (IEC 62304 clause 9): each `[[problem]]` of the catalogue
//! with its regression tests (`#[problem("PR-17")]`), their results when a run is joined,
//! and the commits whose `Problem:` or `Fixes:` trailer names it.
//!
//! Gaps: `unverified-fix` (a resolved or closed problem without a regression test, or whose
//! regression tests did not all run and pass) and `open-problem` (open, investigating or
//! deferred without a rationale for releasing with it).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use iec_model::{Catalogue, ProblemReport, SafetyClass};
use iec_runtime::requirement;
use serde::Serialize;

use crate::record::{Declares, Record};
use crate::results::{TestResult, TestRun};
use crate::trace::{Gap, GapKind, Link, Trace};

/// A problem report as the trace shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ProblemTrace {
    /// ID, e.g. `PR-17`.
    pub id: String,
    /// Title.
    pub title: String,
    /// `open`, `investigating`, `resolved`, `closed` or `deferred`.
    pub status: String,
    /// Its effect on safety, performance or security, as the catalogue states it.
    pub criticality: Option<String>,
    /// The requirements it affects.
    pub affects: Vec<String>,
    /// Why it is acceptable for release while not fixed.
    pub rationale: Option<String>,
    /// The release or commit that fixes it.
    pub fixed_in: Option<String>,
    /// Where it is defined.
    pub file: String,
    /// Line of its table.
    pub line: u32,
    /// Tests marked `#[problem("ID")]`, sorted by path.
    pub regression_tests: Vec<RegressionTest>,
    /// Commits whose message has a `Problem: ID` or `Fixes: ID` trailer, newest first.
    pub commits: Vec<CommitLink>,
}

/// A regression test of a problem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RegressionTest {
    /// Full Rust path of the test.
    pub path: String,
    /// The test target, e.g. `lib`, `test:alarms`.
    pub target: String,
    /// The package.
    pub package: String,
    /// Source file.
    pub file: String,
    /// Line of the test's name.
    pub line: u32,
    /// With results joined: `passed`, `failed`, `ignored` or `not-run`; `null` otherwise.
    pub result: Option<TestResult>,
}

/// A commit linked to a problem by a trailer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitLink {
    /// Full commit hash.
    pub commit: String,
    /// The subject line.
    pub summary: String,
    /// The trailer that links it: `Problem` or `Fixes`.
    pub trailer: String,
}

/// Commits by the problem IDs their trailers name.
pub type CommitIndex = BTreeMap<String, Vec<CommitLink>>;

/// The highest class among the requirements a problem affects, for per-class policies.
fn class_of(catalogue: &Catalogue, problem: &ProblemReport) -> Option<String> {
    problem
        .affects
        .iter()
        .filter_map(|id| catalogue.requirement(id).and_then(|r| r.class))
        .max()
        .map(|c: SafetyClass| c.to_string())
}

fn shown_file(root: &Path, file: &Path) -> String {
    file.strip_prefix(root)
        .unwrap_or(file)
        .to_string_lossy()
        .replace('\\', "/")
}

fn problem_gap(
    kind: GapKind,
    problem: &ProblemTrace,
    class: Option<String>,
    message: String,
) -> Gap {
    Gap {
        kind,
        requirement: None,
        unit: None,
        problem: Some(problem.id.clone()),
        advisory: None,
        class,
        path: None,
        file: Some(problem.file.clone()),
        line: Some(problem.line),
        message,
    }
}

/// Adds `problems` to the trace, with their regression tests and commits, and the
/// `unverified-fix`, `open-problem` and `unknown-id` gaps they show.
#[requirement("TR-PROBLEM-TRACE")]
pub fn apply(
    trace: &mut Trace,
    catalogue: &Catalogue,
    root: &Path,
    records: &[Record],
    commits: &CommitIndex,
) {
    let mut tests: BTreeMap<&str, BTreeSet<RegressionTest>> = BTreeMap::new();
    for record in records {
        let Declares::Problems { ids } = &record.declares else {
            continue;
        };
        for id in ids {
            if catalogue.problem(id).is_none() {
                let close = catalogue.closest_problem_ids(id);
                trace.gaps.push(Gap {
                    kind: GapKind::UnknownId,
                    requirement: None,
                    unit: None,
                    problem: Some(id.clone()),
                    advisory: None,
                    class: None,
                    path: Some(record.path.clone()),
                    file: Some(record.file.clone()),
                    line: Some(record.line),
                    message: format!(
                        "{} names problem {id:?}, which is not in the catalogue{}",
                        record.path,
                        if close.is_empty() {
                            String::new()
                        } else {
                            format!("; did you mean {}?", close.join(", "))
                        }
                    ),
                });
                continue;
            }
            if !record.is_test {
                continue;
            }
            tests
                .entry(id.as_str())
                .or_default()
                .insert(RegressionTest {
                    path: record.path.clone(),
                    target: crate::trace::target_label(&record.target),
                    package: record.package.clone(),
                    file: record.file.clone(),
                    line: record.line,
                    result: None,
                });
        }
    }
    for problem in &catalogue.problems {
        let entry = ProblemTrace {
            id: problem.id.clone(),
            title: problem.title.clone(),
            status: problem.status.as_str().to_string(),
            criticality: problem.criticality.clone(),
            affects: problem.affects.clone(),
            rationale: problem.stated_rationale().map(str::to_string),
            fixed_in: problem.fixed_in.clone(),
            file: shown_file(root, &problem.file),
            line: u32::try_from(problem.line).unwrap_or(u32::MAX),
            regression_tests: tests
                .remove(problem.id.as_str())
                .unwrap_or_default()
                .into_iter()
                .collect(),
            commits: commits.get(&problem.id).cloned().unwrap_or_default(),
        };
        let class = class_of(catalogue, problem);
        if problem.status.is_fixed() && entry.regression_tests.is_empty() {
            trace.gaps.push(problem_gap(
                GapKind::UnverifiedFix,
                &entry,
                class,
                format!(
                    "problem {} ({}) is {} but no test is its regression test: mark the test that shows the fix with #[problem({:?})]",
                    problem.id, problem.title, problem.status, problem.id
                ),
            ));
        } else if !problem.status.is_fixed() && entry.rationale.is_none() {
            trace.gaps.push(problem_gap(
                GapKind::OpenProblem,
                &entry,
                class,
                format!(
                    "problem {} ({}) is {} without a rationale: fix it, or state in `rationale` why the software may be released with it (IEC 62304 5.8.3)",
                    problem.id, problem.title, problem.status
                ),
            ));
        }
        trace.problems.push(entry);
    }
    trace.gaps.sort();
    trace.gaps.dedup();
    trace.summary.gaps = trace.gaps.len();
}

/// Joins a run's results to the regression tests: each gets its result, and a fixed problem
/// whose regression tests did not all run and pass is an `unverified-fix` gap.
#[requirement("TR-PROBLEM-TRACE")]
pub fn apply_results(trace: &mut Trace, run: &TestRun) {
    let mut gaps = Vec::new();
    for problem in &mut trace.problems {
        let mut not_passed = Vec::new();
        for test in &mut problem.regression_tests {
            let link = Link {
                path: test.path.clone(),
                kind: "fn".to_string(),
                file: test.file.clone(),
                line: test.line,
                column: 0,
                package: test.package.clone(),
                unit: None,
                target: Some(test.target.clone()),
                partial: false,
                suspect: None,
                result: None,
                duration_ms: None,
                exercised: None,
            };
            let result = crate::results::link_outcome(run, &link).result;
            test.result = Some(result);
            if result != TestResult::Passed {
                not_passed.push(format!("{} {}", test.path, result.as_str()));
            }
        }
        let fixed = matches!(problem.status.as_str(), "resolved" | "closed");
        if fixed && !not_passed.is_empty() {
            let class = trace
                .gaps
                .iter()
                .find(|g| g.problem.as_deref() == Some(problem.id.as_str()))
                .and_then(|g| g.class.clone());
            gaps.push(problem_gap(
                GapKind::UnverifiedFix,
                problem,
                class,
                format!(
                    "problem {} ({}) is {} but its regression test did not pass: {}",
                    problem.id,
                    problem.title,
                    problem.status,
                    not_passed.join(", ")
                ),
            ));
        }
    }
    trace.gaps.extend(gaps);
    trace.gaps.sort();
    trace.gaps.dedup();
    trace.summary.gaps = trace.gaps.len();
}

/// The separator of fields in the `git log` format below (ASCII unit separator).
const FIELD: char = '\u{1f}';
/// The separator of commits (ASCII record separator).
const RECORD: char = '\u{1e}';

/// The commits of the repository at `root` whose `Problem:` or `Fixes:` trailers name one
/// of `ids`, read with the git CLI. Outside a git repository (or without git) there are
/// none, and a note says so once on stderr.
#[requirement("TR-PROBLEM-COMMITS")]
pub fn commits(root: &Path, ids: &BTreeSet<&str>) -> CommitIndex {
    let mut index = CommitIndex::new();
    if ids.is_empty() {
        return index;
    }
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "log",
            "--no-color",
            "--format=%H%x1f%s%x1f%(trailers:key=Problem,key=Fixes,separator=%x1f)%x1e",
        ])
        .stdin(std::process::Stdio::null())
        .output();
    let text = match output {
        Ok(output) if output.status.success() => {
            String::from_utf8_lossy(&output.stdout).into_owned()
        }
        Ok(output) => {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let reason = crate::results::first_line(&stderr);
            crate::note(&format!(
                "problem reports are listed without commits: cannot read the git history ({})",
                if reason.is_empty() {
                    "git log failed"
                } else {
                    reason
                }
            ));
            return index;
        }
        Err(error) => {
            crate::note(&format!(
                "problem reports are listed without commits: cannot run git ({error})"
            ));
            return index;
        }
    };
    parse_log(&text, ids, &mut index);
    index
}

/// Parses the `git log` output of [`commits`].
fn parse_log(text: &str, ids: &BTreeSet<&str>, index: &mut CommitIndex) {
    for entry in text.split(RECORD) {
        let entry = entry.trim_start_matches('\n');
        let mut fields = entry.split(FIELD);
        let (Some(commit), Some(summary)) = (fields.next(), fields.next()) else {
            continue;
        };
        if commit.is_empty() {
            continue;
        }
        let mut linked: BTreeSet<(String, String)> = BTreeSet::new();
        for trailer in fields {
            let Some((key, value)) = trailer.split_once(':') else {
                continue;
            };
            let key = key.trim();
            let key = if key.eq_ignore_ascii_case("problem") {
                "Problem"
            } else if key.eq_ignore_ascii_case("fixes") {
                "Fixes"
            } else {
                continue;
            };
            for id in value.split([',', ' ', '\t', '\n']).map(str::trim) {
                if ids.contains(id) {
                    linked.insert((id.to_string(), key.to_string()));
                }
            }
        }
        for (id, trailer) in linked {
            let links = index.entry(id).or_default();
            if !links.iter().any(|l: &CommitLink| l.commit == commit) {
                links.push(CommitLink {
                    commit: commit.to_string(),
                    summary: summary.to_string(),
                    trailer,
                });
            }
        }
    }
}

fn tests_text(problem: &ProblemTrace) -> String {
    if problem.regression_tests.is_empty() {
        return "no regression test".to_string();
    }
    problem
        .regression_tests
        .iter()
        .map(|t| match t.result {
            Some(result) => format!("{} ({})", t.path, result.as_str()),
            None => t.path.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn commits_text(problem: &ProblemTrace) -> String {
    problem
        .commits
        .iter()
        .map(|c| format!("{} {}", &c.commit[..c.commit.len().min(12)], c.summary))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The problem reports for the table output; empty when there are none.
pub fn table_section(trace: &Trace) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if trace.problems.is_empty() {
        return out;
    }
    let _ = writeln!(out, "Problem reports ({}):", trace.problems.len());
    for problem in &trace.problems {
        let _ = writeln!(
            out,
            "  {}  {}  {}{}",
            problem.id,
            problem.status,
            problem.title,
            problem
                .criticality
                .as_deref()
                .map(|c| format!(" [{c}]"))
                .unwrap_or_default()
        );
        let _ = writeln!(out, "      regression tests: {}", tests_text(problem));
        if let Some(rationale) = &problem.rationale {
            let _ = writeln!(out, "      rationale: {rationale}");
        }
        if !problem.commits.is_empty() {
            let _ = writeln!(out, "      commits: {}", commits_text(problem));
        }
    }
    out.push('\n');
    out
}

/// The problem reports as a Markdown section; empty when there are none.
pub fn markdown_section(trace: &Trace) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    if trace.problems.is_empty() {
        return out;
    }
    let cell = |text: &str| text.replace('|', "\\|").replace('\n', " ");
    let _ = writeln!(
        out,
        "## Problem reports\n\n| problem | status | title | regression tests | rationale | commits |\n|---|---|---|---|---|---|"
    );
    for problem in &trace.problems {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&problem.id),
            problem.status,
            cell(&problem.title),
            cell(&tests_text(problem)),
            cell(problem.rationale.as_deref().unwrap_or("")),
            cell(&commits_text(problem))
        );
    }
    out.push('\n');
    out
}

/// The problem reports as an HTML section; empty when there are none.
pub fn html_section(trace: &Trace) -> String {
    use std::fmt::Write as _;
    let escape = crate::formats::html::escape;
    let mut out = String::new();
    if trace.problems.is_empty() {
        return out;
    }
    out.push_str("<h2 id=\"problems\">Problem reports</h2>\n<table><thead><tr><th>Problem</th><th>Status</th><th>Title</th><th>Regression tests</th><th>Rationale</th><th>Commits</th></tr></thead><tbody>\n");
    for problem in &trace.problems {
        let gap = trace
            .gaps
            .iter()
            .any(|g| g.problem.as_deref() == Some(problem.id.as_str()));
        let _ = writeln!(
            out,
            "<tr data-search=\"{}\" data-gap=\"{gap}\"><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&format!("{} {} {}", problem.id, problem.status, problem.title).to_lowercase()),
            escape(&problem.id),
            if gap { "status-gap" } else { "status-ok" },
            escape(&problem.status),
            escape(&problem.title),
            escape(&tests_text(problem)),
            escape(problem.rationale.as_deref().unwrap_or("")),
            escape(&commits_text(problem)),
        );
    }
    out.push_str("</tbody></table>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[requirement("TR-PROBLEM-COMMITS")]
    fn trailers_link_commits_to_known_problems_only() {
        let ids: BTreeSet<&str> = ["PR-1", "PR-2"].into_iter().collect();
        let log = "aaa\u{1f}Fix overshoot\u{1f}Fixes: PR-1\u{1f}Problem: PR-2, PR-9\u{1e}\nbbb\u{1f}Unrelated\u{1f}\u{1e}\nccc\u{1f}Another\u{1f}problem: PR-1\u{1e}\n";
        let mut index = CommitIndex::new();
        parse_log(log, &ids, &mut index);
        let one: Vec<(&str, &str)> = index["PR-1"]
            .iter()
            .map(|c| (c.commit.as_str(), c.trailer.as_str()))
            .collect();
        assert_eq!(one, vec![("aaa", "Fixes"), ("ccc", "Problem")]);
        assert_eq!(index["PR-2"][0].summary, "Fix overshoot");
        assert!(!index.contains_key("PR-9"), "not a known problem");
    }
}
