//! Test outcomes and their join with the trace.
//!
//! A test is identified exactly as the trace identifies it: its package, its target (`lib`,
//! `bin:NAME`, `test:NAME`, `example:NAME`, `bench:NAME`, or `doc` for doc tests) and the
//! name its harness reports (`module::test`, the trace's path without the crate segment).
//! A requirement counts as verified only when every test verifying it ran and passed in the
//! run; a failed test is a `failed` gap, an ignored or not-run test a `not-run` gap.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::time::Duration;

use iec_runtime::requirement;
use serde::{Serialize, Serializer};

use crate::record::TargetRef;
use crate::trace::{Gap, GapKind, Link, Trace};

/// What happened to one test in a run.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum TestResult {
    /// It ran and passed.
    Passed,
    /// It ran and failed (or its process crashed or timed out).
    Failed,
    /// It is marked `#[ignore]` and was not run.
    Ignored,
    /// It was not run: filtered out, its target did not build, or the run stopped first.
    NotRun,
}

impl TestResult {
    /// The stable name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            TestResult::Passed => "passed",
            TestResult::Failed => "failed",
            TestResult::Ignored => "ignored",
            TestResult::NotRun => "not-run",
        }
    }

    /// How bad the result is for the requirement, worst first when sorted by it.
    fn severity(self) -> u8 {
        match self {
            TestResult::Failed => 0,
            TestResult::NotRun => 1,
            TestResult::Ignored => 2,
            TestResult::Passed => 3,
        }
    }
}

impl fmt::Display for TestResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A test's duration, kept in microseconds (so links stay `Ord`) and written as
/// milliseconds with three decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DurationMs(pub u64);

impl DurationMs {
    /// From a standard duration.
    pub fn from_duration(duration: Duration) -> DurationMs {
        DurationMs(u64::try_from(duration.as_micros()).unwrap_or(u64::MAX))
    }

    /// From seconds as JUnit writes them (`0.012`); `None` for a negative or invalid value.
    pub fn from_seconds(seconds: f64) -> Option<DurationMs> {
        (seconds.is_finite() && seconds >= 0.0)
            .then(|| DurationMs::from_duration(Duration::from_secs_f64(seconds)))
    }

    /// Milliseconds, as a float.
    pub fn millis(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// Seconds with three decimals, as JUnit writes them.
    pub fn seconds_text(self) -> String {
        format!("{:.3}", self.0 as f64 / 1_000_000.0)
    }

    /// For people: `12 ms`, `1.25 s`, `<1 ms`.
    pub fn human(self) -> String {
        match self.0 {
            0..1_000 => "<1 ms".to_string(),
            1_000..1_000_000 => format!("{} ms", self.0 / 1_000),
            _ => format!("{:.2} s", self.0 as f64 / 1_000_000.0),
        }
    }
}

impl Serialize for DurationMs {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.millis())
    }
}

/// The exact identity of a test.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TestKey {
    /// The package.
    pub package: String,
    /// `lib`, `bin:NAME`, `test:NAME`, `example:NAME`, `bench:NAME` or `doc`.
    pub target: String,
    /// The name the harness reports: `module::test` (doc tests: `src/lib.rs - item (line 3)`).
    pub name: String,
}

impl fmt::Display for TestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({} {})", self.name, self.package, self.target)
    }
}

/// The target label the trace uses for a compiled target.
pub fn target_label(target: &TargetRef) -> String {
    if target.kind == "lib" {
        "lib".to_string()
    } else {
        format!("{}:{}", target.kind, target.name)
    }
}

/// The harness name of a trace path: the path without its crate segment.
pub fn harness_name(path: &str) -> &str {
    path.split_once("::").map_or(path, |(_, rest)| rest)
}

/// What happened to one test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestOutcome {
    /// The result.
    pub result: TestResult,
    /// How long it ran, when the runner says.
    pub duration: Option<DurationMs>,
    /// Why: the ignore reason, why it did not run, or the failure's first line.
    pub reason: Option<String>,
    /// Its captured output, for failures.
    pub output: Option<String>,
}

impl TestOutcome {
    /// An outcome with only a result.
    pub fn new(result: TestResult) -> TestOutcome {
        TestOutcome {
            result,
            duration: None,
            reason: None,
            output: None,
        }
    }

    /// The same outcome with a reason.
    pub fn because(mut self, reason: impl Into<String>) -> TestOutcome {
        self.reason = Some(reason.into());
        self
    }
}

/// A test binary that stopped without reporting all its tests, or did not build.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct BrokenBinary {
    /// The package.
    pub package: String,
    /// The target label.
    pub target: String,
    /// What happened.
    pub message: String,
}

/// The outcomes of one test run, whichever runner produced them.
#[derive(Debug, Clone, Default)]
pub struct TestRun {
    /// Who ran the tests: `cargo-nextest`, `cargo test`, or `junit` for a file read back.
    pub runner: String,
    /// The runner's version, when known.
    pub runner_version: Option<String>,
    /// Every test with an outcome.
    pub outcomes: BTreeMap<TestKey, TestOutcome>,
    /// Per-binary wall time the runner reported (`cargo test`: `finished in`).
    pub binary_durations: BTreeMap<(String, String), DurationMs>,
    /// Binaries that crashed or did not build.
    pub broken: Vec<BrokenBinary>,
    /// Why the runner stopped early, when it failed without a failed test to show for it
    /// (a target that did not build): tests without a result did not run because of it.
    pub stopped: Option<String>,
}

impl TestRun {
    /// Counts of each result.
    pub fn counts(&self) -> ResultCounts {
        let mut counts = ResultCounts::default();
        for outcome in self.outcomes.values() {
            match outcome.result {
                TestResult::Passed => counts.passed += 1,
                TestResult::Failed => counts.failed += 1,
                TestResult::Ignored => counts.ignored += 1,
                TestResult::NotRun => counts.not_run += 1,
            }
        }
        counts
    }

    /// Whether anything failed: a test, or a binary that stopped early.
    pub fn has_failures(&self) -> bool {
        !self.broken.is_empty()
            || self.stopped.is_some()
            || self
                .outcomes
                .values()
                .any(|o| o.result == TestResult::Failed)
    }

    /// Adds an outcome for every test a harness listed that the run did not report:
    /// `ignored` when the harness marks it ignored (with its reason when known), else
    /// `not-run`. Doc tests and targets the registry never listed are left as they are.
    #[requirement("TR-TEST-OUTCOMES")]
    pub fn complete(
        &mut self,
        listed: &BTreeMap<TargetRef, BTreeSet<String>>,
        ignored: &BTreeMap<TargetRef, BTreeMap<String, Option<String>>>,
    ) {
        for (target, tests) in listed {
            let label = target_label(target);
            let broken = self
                .broken
                .iter()
                .find(|b| b.package == target.package && b.target == label)
                .map(|b| b.message.clone());
            for path in tests {
                let key = TestKey {
                    package: target.package.clone(),
                    target: label.clone(),
                    name: harness_name(path).to_string(),
                };
                if self.outcomes.contains_key(&key) {
                    continue;
                }
                let marked = ignored.get(target).and_then(|names| names.get(&key.name));
                let outcome = match (marked, &broken) {
                    (Some(reason), _) => TestOutcome {
                        reason: Some(
                            reason
                                .clone()
                                .unwrap_or_else(|| "marked #[ignore]".to_string()),
                        ),
                        ..TestOutcome::new(TestResult::Ignored)
                    },
                    (None, Some(message)) => TestOutcome::new(TestResult::NotRun).because(format!(
                        "its test binary stopped before reporting it: {message}"
                    )),
                    (None, None) => match &self.stopped {
                        Some(stopped) => TestOutcome::new(TestResult::NotRun).because(format!(
                            "{stopped} before running it (did its target build?)"
                        )),
                        None => TestOutcome::new(TestResult::NotRun)
                            .because("filtered out, or the runner did not report it"),
                    },
                };
                self.outcomes.insert(key, outcome);
            }
        }
    }

    /// The outcomes of the harness tests a trace link names: its exact name, or the cases of
    /// a parameterised test (`name::case_1`, ...).
    pub fn outcomes_of<'a>(
        &'a self,
        package: &str,
        target: &str,
        path: &str,
    ) -> Vec<(&'a TestKey, &'a TestOutcome)> {
        let name = harness_name(path);
        let start = TestKey {
            package: package.to_string(),
            target: target.to_string(),
            name: name.to_string(),
        };
        self.outcomes
            .range(start..)
            .take_while(|(key, _)| {
                key.package == package && key.target == target && key.name.starts_with(name)
            })
            .filter(|(key, _)| {
                key.name == name
                    || key
                        .name
                        .strip_prefix(name)
                        .is_some_and(|rest| rest.starts_with("::"))
            })
            .collect()
    }
}

/// How many tests had each result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ResultCounts {
    /// Ran and passed.
    pub passed: usize,
    /// Ran and failed.
    pub failed: usize,
    /// Ignored.
    pub ignored: usize,
    /// Not run.
    pub not_run: usize,
}

/// The results part of the trace JSON (`results`, `null` without a run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultsSummary {
    /// `cargo-nextest`, `cargo test`, or `junit`.
    pub runner: String,
    /// The runner's version, or the JUnit file read.
    pub runner_version: Option<String>,
    /// Counts over every test of the run (not only verifying tests).
    pub tests: ResultCounts,
    /// Requirements verified by test whose verifying tests all ran and passed.
    pub requirements_verified: usize,
    /// Requirements whose verification method is `test`.
    pub requirements_verified_by_test: usize,
}

impl ResultsSummary {
    /// Who produced the results, for people: `cargo-nextest 0.9.143 (...)`,
    /// `cargo test (cargo 1.95.0 ...)`, `junit (results.xml)`.
    pub fn source(&self) -> String {
        match &self.runner_version {
            Some(version) if version.starts_with(&self.runner) => version.clone(),
            Some(version) => format!("{} ({version})", self.runner),
            None => self.runner.clone(),
        }
    }
}

/// The combined result of the harness tests behind one link.
pub(crate) fn link_outcome(run: &TestRun, link: &Link) -> TestOutcome {
    let target = link.target.as_deref().unwrap_or("lib");
    let found = run.outcomes_of(&link.package, target, &link.path);
    if found.is_empty() {
        return TestOutcome::new(TestResult::NotRun).because("the run has no result for this test");
    }
    let worst = found
        .iter()
        .min_by_key(|(_, o)| o.result.severity())
        .map(|(key, o)| (*key, *o));
    let Some((worst_key, worst)) = worst else {
        return TestOutcome::new(TestResult::NotRun);
    };
    let duration = found
        .iter()
        .map(|(_, o)| o.duration)
        .try_fold(0u64, |sum, d| d.map(|d| sum.saturating_add(d.0)))
        .map(DurationMs);
    let mut reason = worst.reason.clone();
    if found.len() > 1 && worst.result != TestResult::Passed {
        reason = Some(format!(
            "case {}: {}",
            worst_key.name,
            reason.unwrap_or_default()
        ));
    }
    TestOutcome {
        result: worst.result,
        duration,
        reason,
        output: worst.output.clone(),
    }
}

/// Joins a run's outcomes to the trace: sets each verifying link's `result` and
/// `duration_ms`, adds `failed` and `not-run` gaps, and fills `results` and
/// `summary.verified`.
#[requirement("TR-TEST-JOIN")]
pub fn apply(trace: &mut Trace, run: &TestRun) {
    let mut gaps = BTreeSet::new();
    let mut verified = 0;
    let mut by_test = 0;
    for requirement in &mut trace.requirements {
        let mut all_passed = !requirement.verified_by.is_empty();
        for link in &mut requirement.verified_by {
            let outcome = link_outcome(run, link);
            link.result = Some(outcome.result);
            link.duration_ms = outcome.duration;
            if outcome.result == TestResult::Passed {
                continue;
            }
            all_passed = false;
            let target = link.target.clone().unwrap_or_default();
            let reason = outcome.reason.clone().unwrap_or_default();
            let (kind, what) = match outcome.result {
                TestResult::Failed => (GapKind::Failed, "failed"),
                TestResult::Ignored => (GapKind::NotRun, "was ignored"),
                _ => (GapKind::NotRun, "did not run"),
            };
            gaps.insert(Gap {
                kind,
                problem: None,
                advisory: None,
                requirement: Some(requirement.id.clone()),
                unit: None,
                class: requirement.class.clone(),
                path: Some(link.path.clone()),
                file: Some(link.file.clone()),
                line: Some(link.line),
                message: format!(
                    "{} is not verified: test {} ({target}) {what}{}",
                    requirement.id,
                    link.path,
                    if reason.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", first_line(&reason))
                    }
                ),
            });
        }
        if requirement.verification == "test" {
            by_test += 1;
            if all_passed {
                verified += 1;
            }
        }
    }
    trace.gaps.extend(gaps);
    trace.gaps.sort();
    trace.gaps.dedup();
    trace.summary.gaps = trace.gaps.len();
    trace.summary.verified = Some(verified);
    trace.results = Some(ResultsSummary {
        runner: run.runner.clone(),
        runner_version: run.runner_version.clone(),
        tests: run.counts(),
        requirements_verified: verified,
        requirements_verified_by_test: by_test,
    });
    crate::problems::apply_results(trace, run);
}

/// The first non-empty line of a message, for one-line listings.
pub fn first_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> TestKey {
        TestKey {
            package: "pump".to_string(),
            target: "lib".to_string(),
            name: name.to_string(),
        }
    }

    #[test]
    #[requirement("TR-TEST-JOIN")]
    fn a_parameterised_test_is_the_worst_of_its_cases() {
        let mut run = TestRun::default();
        run.outcomes
            .insert(key("m::t::case_1"), TestOutcome::new(TestResult::Passed));
        run.outcomes.insert(
            key("m::t::case_2"),
            TestOutcome::new(TestResult::Failed).because("boom"),
        );
        run.outcomes
            .insert(key("m::tt"), TestOutcome::new(TestResult::Passed));
        let found = run.outcomes_of("pump", "lib", "pump::m::t");
        assert_eq!(found.len(), 2, "m::tt is another test: {found:?}");
    }

    #[test]
    #[requirement("TR-TEST-OUTCOMES")]
    fn listed_tests_without_a_result_are_ignored_or_not_run() {
        let target = TargetRef {
            package: "pump".to_string(),
            kind: "lib".to_string(),
            name: "pump".to_string(),
        };
        let listed = BTreeMap::from([(
            target.clone(),
            BTreeSet::from([
                "pump::a".to_string(),
                "pump::b".to_string(),
                "pump::c".to_string(),
            ]),
        )]);
        let ignored = BTreeMap::from([(
            target,
            BTreeMap::from([("b".to_string(), Some("slow".to_string()))]),
        )]);
        let mut run = TestRun::default();
        run.outcomes
            .insert(key("a"), TestOutcome::new(TestResult::Passed));
        run.complete(&listed, &ignored);
        assert_eq!(run.outcomes[&key("a")].result, TestResult::Passed);
        assert_eq!(run.outcomes[&key("b")].result, TestResult::Ignored);
        assert_eq!(run.outcomes[&key("b")].reason.as_deref(), Some("slow"));
        assert_eq!(run.outcomes[&key("c")].result, TestResult::NotRun);
    }

    #[test]
    fn durations_print_for_people_and_junit() {
        assert_eq!(DurationMs(12_345).human(), "12 ms");
        assert_eq!(DurationMs(999).human(), "<1 ms");
        assert_eq!(DurationMs(1_250_000).human(), "1.25 s");
        assert_eq!(DurationMs(12_345).seconds_text(), "0.012");
        assert_eq!(DurationMs::from_seconds(0.5), Some(DurationMs(500_000)));
        assert_eq!(DurationMs::from_seconds(-1.0), None);
    }
}
