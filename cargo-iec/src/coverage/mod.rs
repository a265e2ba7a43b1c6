//! Verification that provably executes: per-test coverage joined to the trace.
//!
//! `cargo iec test --coverage` builds the test targets once with `-C instrument-coverage`
//! (into `target/iec-coverage`, apart from the normal build), runs every test in its own
//! process with its own LLVM profile ([`run`]), and reads the profiles with the toolchain's
//! `llvm-profdata` and `llvm-cov` ([`llvm`]). The result, [`CoverageData`], is what the
//! evidence bundle keeps (`coverage.json`, with `coverage.lcov` beside it) and what
//! `cargo iec trace --coverage BUNDLE` reads back; [`apply`] joins it to a trace:
//!
//! - each verification link gets `exercised`: whether the test executed any code region of
//!   the requirement's implementing items ([`spans`] says which lines those are);
//! - each requirement gets `coverage` of its implementing code by its verifying tests;
//! - each unit gets `coverage` by all tests and by its verifying tests, and a unit below its
//!   class's threshold (`[workspace.metadata.iec.coverage]`) is a `coverage` gap;
//! - a verifying test that passed without executing any of its requirement's code is an
//!   `unexercised` gap.

pub mod html;
pub mod llvm;
pub mod run;
pub mod spans;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use iec_model::SafetyClass;
use iec_runtime::requirement;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::results::{TestResult, harness_name};
use crate::trace::{Gap, GapKind, Link, Trace};
use llvm::RegionKey;
use spans::{Lines, Sources};

/// The version of `coverage.json`.
pub const SCHEMA: &str = "iec-trace/coverage/v1";

/// Lines and regions of some code, and how many of them ran.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeCoverage {
    /// Lines that ran.
    pub lines_covered: usize,
    /// Lines with code.
    pub lines_total: usize,
    /// Code regions that ran.
    pub regions_covered: usize,
    /// Code regions.
    pub regions_total: usize,
}

impl CodeCoverage {
    /// Percent of lines covered; 100 for code without lines.
    pub fn line_percent(&self) -> f64 {
        if self.lines_total == 0 {
            100.0
        } else {
            self.lines_covered as f64 * 100.0 / self.lines_total as f64
        }
    }
}

/// Lines of one file that no test ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uncovered {
    /// The file, relative to the workspace root.
    pub file: String,
    /// The lines, ascending.
    pub lines: Vec<u32>,
}

/// One line of a source excerpt in the HTML report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcerptLine {
    /// The file.
    pub file: String,
    /// The line number.
    pub line: u32,
    /// Its text.
    pub text: String,
    /// `Some(true)` ran, `Some(false)` has code that did not run, `None` no code.
    pub covered: Option<bool>,
}

/// A unit's structural coverage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitCoverage {
    /// By every test of the run.
    #[serde(flatten)]
    pub all: CodeCoverage,
    /// By the tests verifying the requirements the unit implements.
    pub by_verifying_tests: CodeCoverage,
    /// The lines no test ran, per file.
    pub uncovered: Vec<Uncovered>,
    /// The threshold for the unit's class, in percent of lines, when one is configured.
    pub threshold: Option<f64>,
    /// Source excerpts around the uncovered lines (HTML only).
    #[serde(skip)]
    pub excerpt: Vec<ExcerptLine>,
}

/// The coverage part of the trace JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoverageSummary {
    /// Where it comes from: `cargo iec test --coverage`, or the bundle read back.
    pub source: String,
    /// `llvm-cov --version`.
    pub llvm_cov: Option<String>,
    /// Verifying tests with a profile of their own.
    pub tests: usize,
    /// The workspace's code by all tests.
    #[serde(flatten)]
    pub all: CodeCoverage,
    /// Thresholds per class, in percent of lines.
    pub thresholds: BTreeMap<String, f64>,
}

/// One file's coverage by all tests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCoverage {
    /// Lines with code and how often each ran.
    pub lines: BTreeMap<u32, u64>,
    /// Code regions `[line, column, end line, end column, count]`.
    pub regions: Vec<[u64; 5]>,
}

/// What one test executed in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestHits {
    /// Lines it ran.
    pub lines: Vec<u32>,
    /// Code regions it ran, `[line, column, end line, end column]`.
    pub regions: Vec<RegionKey>,
}

/// One test's coverage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestCoverage {
    /// Package.
    pub package: String,
    /// `lib`, `test:NAME`, ...
    pub target: String,
    /// The harness name.
    pub name: String,
    /// Its result in the run.
    pub result: TestResult,
    /// Lines of the workspace it ran.
    pub lines_covered: usize,
    /// Code regions of the workspace it ran.
    pub regions_covered: usize,
    /// Per file, what it ran.
    pub files: BTreeMap<String, TestHits>,
}

/// `coverage.json`: everything the join needs, so a bundle can be joined again later.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageData {
    /// [`SCHEMA`].
    pub schema: String,
    /// `llvm-cov --version`.
    pub llvm_cov: Option<String>,
    /// Per workspace file (relative), coverage by all tests.
    pub files: BTreeMap<String, FileCoverage>,
    /// Per verifying test that ran, sorted by package, target, name.
    pub tests: Vec<TestCoverage>,
}

impl CoverageData {
    /// Lines and regions of the workspace by all tests.
    pub fn totals(&self) -> CodeCoverage {
        let mut total = CodeCoverage::default();
        for file in self.files.values() {
            total.lines_total += file.lines.len();
            total.lines_covered += file.lines.values().filter(|c| **c > 0).count();
            total.regions_total += file.regions.len();
            total.regions_covered += file.regions.iter().filter(|r| r[4] > 0).count();
        }
        total
    }

    /// The data as pretty JSON with a trailing newline.
    pub fn json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self)
            .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
        text.push('\n');
        text
    }

    /// Reads `coverage.json` of a bundle (or the file itself).
    #[requirement("TR-COVERAGE-BUNDLE")]
    pub fn read(path: &Path) -> Result<CoverageData, Error> {
        let file = if path.is_dir() {
            path.join("coverage.json")
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).map_err(|source| Error::Io {
            context: format!(
                "--coverage {}: cannot read {} (write one with `cargo iec test --coverage`)",
                path.display(),
                file.display()
            ),
            source,
        })?;
        let data: CoverageData = serde_json::from_str(&text).map_err(|error| {
            Error::Input(format!(
                "{}:{}:{}: not coverage data this cargo-iec reads: {error}",
                file.display(),
                error.line(),
                error.column()
            ))
        })?;
        if data.schema != SCHEMA {
            return Err(Error::Input(format!(
                "{}: schema `{}`, expected `{SCHEMA}`",
                file.display(),
                data.schema
            )));
        }
        Ok(data)
    }

    /// The run as an lcov tracefile: per file its line counts (`DA`) and totals.
    #[requirement("TR-COVERAGE-BUNDLE")]
    pub fn lcov(&self) -> String {
        let mut out = String::new();
        for (file, coverage) in &self.files {
            out.push_str("TN:\nSF:");
            out.push_str(file);
            out.push('\n');
            for (line, count) in &coverage.lines {
                out.push_str(&format!("DA:{line},{count}\n"));
            }
            let hit = coverage.lines.values().filter(|c| **c > 0).count();
            out.push_str(&format!(
                "LF:{}\nLH:{hit}\nend_of_record\n",
                coverage.lines.len()
            ));
        }
        out
    }
}

/// Line-coverage thresholds per class, from `[workspace.metadata.iec.coverage]`.
pub type Thresholds = BTreeMap<SafetyClass, f64>;

/// Reads `[workspace.metadata.iec.coverage]`: `A`, `B`, `C` = percent of lines (0 to 100).
#[requirement("TR-COVERAGE-UNITS")]
pub fn thresholds(metadata: &serde_json::Value, manifest: &Path) -> Result<Thresholds, Error> {
    let mut thresholds = Thresholds::new();
    let Some(table) = metadata.get("iec").and_then(|iec| iec.get("coverage")) else {
        return Ok(thresholds);
    };
    let bad = |message: String| Error::Config {
        manifest: manifest.to_path_buf(),
        message,
    };
    let table = table.as_object().ok_or_else(|| {
        bad("`coverage` must be a table of class thresholds, e.g. [workspace.metadata.iec.coverage] C = 100".to_string())
    })?;
    for (name, value) in table {
        let class = SafetyClass::parse(name).ok_or_else(|| {
            bad(format!(
                "`coverage.{name}`: keys are the classes \"A\", \"B\" and \"C\""
            ))
        })?;
        let percent = value
            .as_f64()
            .filter(|p| (0.0..=100.0).contains(p))
            .ok_or_else(|| {
                bad(format!(
                    "`coverage.{name}` = {value}: a threshold is a percentage of lines from 0 to 100"
                ))
            })?;
        thresholds.insert(class, percent);
    }
    Ok(thresholds)
}

/// Lines and regions of some code, each keyed by file.
#[derive(Debug, Default, Clone)]
struct Code {
    lines: BTreeSet<(String, u32)>,
    regions: BTreeSet<(String, RegionKey)>,
}

impl Code {
    fn extend(&mut self, other: Code) {
        self.lines.extend(other.lines);
        self.regions.extend(other.regions);
    }
}

/// The code of a workspace file that lies in `ranges`, tests cut out.
fn code_in(
    data: &CoverageData,
    sources: &mut Sources,
    root: &Path,
    file: &str,
    ranges: &[Lines],
) -> Code {
    let mut code = Code::default();
    let Some(coverage) = data.files.get(file) else {
        return code;
    };
    let items = sources.items(root, file).cloned().unwrap_or_default();
    let inside = |line: u32| ranges.iter().any(|&(a, b)| a <= line && line <= b);
    for line in coverage.lines.keys() {
        if inside(*line) && !items.is_test_line(*line) {
            code.lines.insert((file.to_string(), *line));
        }
    }
    for region in &coverage.regions {
        let key = region_key(region);
        if inside(key[0]) && !items.is_test_line(key[0]) {
            code.regions.insert((file.to_string(), key));
        }
    }
    code
}

fn region_key(region: &[u64; 5]) -> RegionKey {
    let at = |i: usize| u32::try_from(region[i]).unwrap_or(u32::MAX);
    [at(0), at(1), at(2), at(3)]
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// The lines of the item a link or unit names.
fn ranges_of(
    sources: &mut Sources,
    root: &Path,
    file: &str,
    kind: &str,
    path: &str,
    line: u32,
) -> Vec<Lines> {
    sources
        .items(root, file)
        .map(|items| items.item_lines(kind, last_segment(path), line))
        .unwrap_or_default()
}

fn link_code(data: &CoverageData, sources: &mut Sources, root: &Path, link: &Link) -> Code {
    let ranges = ranges_of(sources, root, &link.file, &link.kind, &link.path, link.line);
    code_in(data, sources, root, &link.file, &ranges)
}

/// What a set of tests ran.
fn hits_of<'a>(tests: impl Iterator<Item = &'a TestCoverage>) -> Code {
    let mut code = Code::default();
    for test in tests {
        for (file, hits) in &test.files {
            code.lines
                .extend(hits.lines.iter().map(|l| (file.clone(), *l)));
            code.regions
                .extend(hits.regions.iter().map(|r| (file.clone(), *r)));
        }
    }
    code
}

fn measure(code: &Code, hits: &Code) -> CodeCoverage {
    CodeCoverage {
        lines_covered: code.lines.intersection(&hits.lines).count(),
        lines_total: code.lines.len(),
        regions_covered: code.regions.intersection(&hits.regions).count(),
        regions_total: code.regions.len(),
    }
}

/// The coverage records of the harness tests a verification link names (the cases of a
/// parameterised test included).
fn tests_of<'a>(data: &'a CoverageData, link: &Link) -> Vec<&'a TestCoverage> {
    let target = link.target.as_deref().unwrap_or("lib");
    let name = harness_name(&link.path);
    data.tests
        .iter()
        .filter(|t| {
            t.package == link.package
                && t.target == target
                && (t.name == name
                    || t.name
                        .strip_prefix(name)
                        .is_some_and(|rest| rest.starts_with("::")))
        })
        .collect()
}

fn ran(test: &TestCoverage) -> bool {
    matches!(test.result, TestResult::Passed | TestResult::Failed)
}

/// `12-14, 20` for people.
fn line_ranges(lines: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut index = 0;
    while index < lines.len() {
        let start = lines[index];
        let mut end = start;
        while index + 1 < lines.len() && lines[index + 1] == end + 1 {
            index += 1;
            end = lines[index];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        index += 1;
    }
    parts.join(", ")
}

/// Joins coverage to the trace: `exercised` on verification links, `coverage` on
/// requirements and units, `unexercised` and `coverage` gaps, and `trace.coverage`.
#[requirement("TR-COVERAGE-JOIN", "TR-COVERAGE-UNITS")]
pub fn apply(
    trace: &mut Trace,
    data: &CoverageData,
    root: &Path,
    thresholds: &Thresholds,
    source: &str,
) {
    let mut sources = Sources::default();
    let mut gaps = BTreeSet::new();
    for requirement in &mut trace.requirements {
        let mut code = Code::default();
        for link in &requirement.implemented_by {
            code.extend(link_code(data, &mut sources, root, link));
        }
        let mut verifying: Vec<&TestCoverage> = Vec::new();
        for link in &mut requirement.verified_by {
            let tests: Vec<&TestCoverage> = tests_of(data, link)
                .into_iter()
                .filter(|t| ran(t))
                .collect();
            verifying.extend(tests.iter().copied());
            link.exercised = if code.regions.is_empty() || tests.is_empty() {
                None
            } else {
                let hits = hits_of(tests.iter().copied());
                Some(!code.regions.is_disjoint(&hits.regions))
            };
            let passed = tests.iter().all(|t| t.result == TestResult::Passed);
            if link.exercised == Some(false) && passed {
                gaps.insert(Gap {
                    kind: GapKind::Unexercised,
                    requirement: Some(requirement.id.clone()),
                    unit: None,
                    problem: None,
                    advisory: None,
                    class: requirement.class.clone(),
                    path: Some(link.path.clone()),
                    file: Some(link.file.clone()),
                    line: Some(link.line),
                    message: format!(
                        "test {} ({}) verifies {} and passed, but executed none of its code ({} region{} in {})",
                        link.path,
                        link.target.as_deref().unwrap_or("lib"),
                        requirement.id,
                        code.regions.len(),
                        if code.regions.len() == 1 { "" } else { "s" },
                        requirement
                            .implemented_by
                            .iter()
                            .map(|l| l.path.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
        }
        requirement.coverage = Some(measure(&code, &hits_of(verifying.into_iter())));
    }

    // Units: each line and region belongs to the innermost unit whose lines hold it.
    let mut unit_ranges: Vec<(usize, String, Vec<Lines>)> = Vec::new();
    for (index, unit) in trace.units.iter().enumerate() {
        let ranges = ranges_of(
            &mut sources,
            root,
            &unit.file,
            &unit.kind,
            &unit.path,
            unit.line,
        );
        unit_ranges.push((index, unit.file.clone(), ranges));
    }
    let owner = |file: &str, line: u32| -> Option<usize> {
        unit_ranges
            .iter()
            .filter(|(_, f, _)| f == file)
            .filter_map(|(index, _, ranges)| {
                ranges
                    .iter()
                    .filter(|&&(a, b)| a <= line && line <= b)
                    .map(|&(a, b)| b - a)
                    .min()
                    .map(|size| (size, *index))
            })
            .min()
            .map(|(_, index)| index)
    };
    let everything = hits_of(data.tests.iter().filter(|t| ran(t)));
    let mut all_hits = Code::default();
    for (file, coverage) in &data.files {
        for (line, count) in &coverage.lines {
            if *count > 0 {
                all_hits.lines.insert((file.clone(), *line));
            }
        }
        for region in &coverage.regions {
            if region[4] > 0 {
                all_hits.regions.insert((file.clone(), region_key(region)));
            }
        }
    }
    all_hits.extend(everything);
    for (index, file, ranges) in &unit_ranges {
        let mut code = code_in(data, &mut sources, root, file, ranges);
        code.lines
            .retain(|(f, line)| owner(f, *line) == Some(*index));
        code.regions
            .retain(|(f, key)| owner(f, key[0]) == Some(*index));
        let unit = &trace.units[*index];
        let verifying: Vec<&TestCoverage> = trace
            .requirements
            .iter()
            .filter(|r| unit.requirements.contains(&r.id))
            .flat_map(|r| r.verified_by.iter())
            .flat_map(|link| tests_of(data, link))
            .filter(|t| ran(t))
            .collect();
        let all = measure(&code, &all_hits);
        let by_verifying_tests = measure(&code, &hits_of(verifying.into_iter()));
        let mut uncovered: BTreeMap<String, Vec<u32>> = BTreeMap::new();
        for (f, line) in code.lines.difference(&all_hits.lines) {
            uncovered.entry(f.clone()).or_default().push(*line);
        }
        let uncovered: Vec<Uncovered> = uncovered
            .into_iter()
            .map(|(file, lines)| Uncovered { file, lines })
            .collect();
        let class = SafetyClass::parse(&unit.class);
        let threshold = class.and_then(|c| thresholds.get(&c)).copied();
        if let Some(threshold) = threshold
            && all.lines_total > 0
            && all.line_percent() < threshold
        {
            let first = uncovered.first();
            gaps.insert(Gap {
                kind: GapKind::Coverage,
                requirement: None,
                unit: Some(unit.id.clone()),
                problem: None,
                advisory: None,
                class: Some(unit.class.clone()),
                path: Some(unit.path.clone()),
                file: first.map(|u| u.file.clone()).or_else(|| Some(unit.file.clone())),
                line: first.and_then(|u| u.lines.first().copied()).or(Some(unit.line)),
                message: format!(
                    "unit {} (class {}): tests ran {} of {} lines ({:.1}%), below the class {} threshold of {}%; not run: {}",
                    unit.id,
                    unit.class,
                    all.lines_covered,
                    all.lines_total,
                    all.line_percent(),
                    unit.class,
                    threshold,
                    uncovered
                        .iter()
                        .map(|u| format!("{}:{}", u.file, line_ranges(&u.lines)))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            });
        }
        let excerpt = excerpt(&mut sources, root, &code, &all_hits, &uncovered);
        trace.units[*index].coverage = Some(UnitCoverage {
            all,
            by_verifying_tests,
            uncovered,
            threshold,
            excerpt,
        });
    }

    trace.gaps.extend(gaps);
    trace.gaps.sort();
    trace.gaps.dedup();
    trace.summary.gaps = trace.gaps.len();
    trace.coverage = Some(CoverageSummary {
        source: source.to_string(),
        llvm_cov: data.llvm_cov.clone(),
        tests: data.tests.iter().filter(|t| ran(t)).count(),
        all: data.totals(),
        thresholds: thresholds
            .iter()
            .map(|(class, percent)| (class.to_string(), *percent))
            .collect(),
    });
}

/// The uncovered lines with two lines of context, at most 200 lines per unit.
fn excerpt(
    sources: &mut Sources,
    root: &Path,
    code: &Code,
    hits: &Code,
    uncovered: &[Uncovered],
) -> Vec<ExcerptLine> {
    const CONTEXT: u32 = 2;
    const MOST: usize = 200;
    let mut out = Vec::new();
    for entry in uncovered {
        let Some(text) = sources.text(root, &entry.file).map(str::to_string) else {
            continue;
        };
        let lines: Vec<&str> = text.lines().collect();
        let mut shown: BTreeSet<u32> = BTreeSet::new();
        for line in &entry.lines {
            for n in line.saturating_sub(CONTEXT).max(1)..=line + CONTEXT {
                if (n as usize) <= lines.len() {
                    shown.insert(n);
                }
            }
        }
        for n in shown {
            if out.len() >= MOST {
                return out;
            }
            let key = (entry.file.clone(), n);
            out.push(ExcerptLine {
                file: entry.file.clone(),
                line: n,
                text: lines[n as usize - 1].to_string(),
                covered: code.lines.contains(&key).then(|| hits.lines.contains(&key)),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ranges_read_as_people_write_them() {
        assert_eq!(line_ranges(&[3, 4, 5, 9, 11, 12]), "3-5, 9, 11-12");
        assert_eq!(line_ranges(&[]), "");
    }

    #[test]
    #[requirement("TR-COVERAGE-UNITS")]
    fn thresholds_are_percentages_per_class() {
        let manifest = Path::new("Cargo.toml");
        let good = serde_json::json!({"iec": {"coverage": {"C": 100, "B": 80.5}}});
        let parsed = thresholds(&good, manifest).unwrap();
        assert_eq!(parsed.get(&SafetyClass::C), Some(&100.0));
        assert_eq!(parsed.get(&SafetyClass::B), Some(&80.5));
        let bad_class = serde_json::json!({"iec": {"coverage": {"D": 10}}});
        assert!(thresholds(&bad_class, manifest).is_err());
        let bad_value = serde_json::json!({"iec": {"coverage": {"C": 120}}});
        let error = thresholds(&bad_value, manifest).unwrap_err().to_string();
        assert!(error.contains("from 0 to 100"), "{error}");
    }
}
