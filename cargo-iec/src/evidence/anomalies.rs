//! anomalies.json: the known anomalies of the run (IEC 62304 5.8.2, 5.8.3): failed and
//! ignored tests, verifying tests that did not run, test binaries that crashed, and the
//! problem reports not fixed (open, investigating, deferred) with their rationale.

use iec_runtime::requirement;
use serde::Serialize;

use super::report::TestIndex;
use crate::problems::ProblemTrace;
use crate::results::{TestResult, TestRun};

/// Schema of anomalies.json.
pub const SCHEMA: &str = "iec-trace/anomalies/v1";

/// One anomaly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anomaly {
    /// `failed`, `ignored`, `not-run` or `crashed-binary`.
    pub kind: String,
    /// The package.
    pub package: String,
    /// The target label.
    pub target: String,
    /// The harness name; `null` for a binary.
    pub test: Option<String>,
    /// Why: panic message, ignore reason, why it did not run.
    pub reason: Option<String>,
    /// Requirements the test verifies (empty when it verifies none).
    pub requirements: Vec<String>,
    /// Its source, `file:line`, when the trace knows it.
    pub source: Option<String>,
    /// The captured output of a failure.
    pub output: Option<String>,
}

/// anomalies.json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anomalies {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// Failed tests.
    pub failed: usize,
    /// Ignored tests.
    pub ignored: usize,
    /// Verifying tests that did not run.
    pub not_run: usize,
    /// Test binaries that stopped early.
    pub crashed_binaries: usize,
    /// Why the runner stopped, when it did without a failed test to show for it.
    pub runner_stopped: Option<String>,
    /// Every anomaly, sorted by kind, package, target, test.
    pub anomalies: Vec<Anomaly>,
    /// Problem reports not fixed: open, investigating or deferred.
    pub open_problems: usize,
    /// Those problem reports, sorted by ID, each with why it is acceptable for release.
    pub problems: Vec<OpenProblem>,
}

/// A known residual anomaly from the problem reports (IEC 62304 5.8.2, 5.8.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenProblem {
    /// Problem ID.
    pub id: String,
    /// Title.
    pub title: String,
    /// `open`, `investigating` or `deferred`.
    pub status: String,
    /// Its effect on safety, performance or security.
    pub criticality: Option<String>,
    /// The requirements it affects.
    pub affects: Vec<String>,
    /// Why the software may be released with it; `null` is itself an `open-problem` gap.
    pub rationale: Option<String>,
}

/// The anomalies of a run: every failed and ignored test, every verifying test that did
/// not run (a not-run test that verifies nothing is only filtered out), crashed binaries.
#[requirement("TR-EVIDENCE-ANOMALIES", "TR-PROBLEM-ANOMALIES")]
pub fn collect(run: &TestRun, index: &TestIndex, problems: &[ProblemTrace]) -> Anomalies {
    let mut anomalies = Vec::new();
    for (key, outcome) in &run.outcomes {
        let facts = index.get(key);
        let kind = match outcome.result {
            TestResult::Passed => continue,
            TestResult::NotRun if facts.is_none() => continue,
            other => other.as_str(),
        };
        anomalies.push(Anomaly {
            kind: kind.to_string(),
            package: key.package.clone(),
            target: key.target.clone(),
            test: Some(key.name.clone()),
            reason: outcome.reason.clone(),
            requirements: facts
                .map(|f| f.requirements.iter().cloned().collect())
                .unwrap_or_default(),
            source: facts.map(|f| f.source.clone()),
            output: outcome.output.clone(),
        });
    }
    for broken in &run.broken {
        anomalies.push(Anomaly {
            kind: "crashed-binary".to_string(),
            package: broken.package.clone(),
            target: broken.target.clone(),
            test: None,
            reason: Some(broken.message.clone()),
            requirements: Vec::new(),
            source: None,
            output: None,
        });
    }
    anomalies.sort_by(|a, b| {
        (&a.kind, &a.package, &a.target, &a.test).cmp(&(&b.kind, &b.package, &b.target, &b.test))
    });
    let count = |kind: &str| anomalies.iter().filter(|a| a.kind == kind).count();
    let problems: Vec<OpenProblem> = problems
        .iter()
        .filter(|p| matches!(p.status.as_str(), "open" | "investigating" | "deferred"))
        .map(|p| OpenProblem {
            id: p.id.clone(),
            title: p.title.clone(),
            status: p.status.clone(),
            criticality: p.criticality.clone(),
            affects: p.affects.clone(),
            rationale: p.rationale.clone(),
        })
        .collect();
    Anomalies {
        schema: SCHEMA,
        failed: count("failed"),
        ignored: count("ignored"),
        not_run: count("not-run"),
        crashed_binaries: count("crashed-binary"),
        runner_stopped: run.stopped.clone(),
        anomalies,
        open_problems: problems.len(),
        problems,
    }
}
