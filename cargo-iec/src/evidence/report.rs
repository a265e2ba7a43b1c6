//! What the bundle says about each test: the requirements it verifies, its unit and its
//! source, for junit.xml and anomalies.json; and the HTML report's evidence header.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use iec_runtime::requirement;

use crate::environment::Environment;
use crate::formats::html::escape;
use crate::junit::{ReportCase, ReportSuite};
use crate::results::{DurationMs, TestKey, TestRun, harness_name};
use crate::trace::Trace;

/// What the trace knows about one test.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestFacts {
    /// The test's full Rust path.
    pub path: String,
    /// Requirements it verifies.
    pub requirements: BTreeSet<String>,
    /// Software units it verifies: the unit containing it, else the units implementing the
    /// requirements it verifies.
    pub units: BTreeSet<String>,
    /// `file:line`.
    pub source: String,
}

/// The trace's verification links, by test identity.
pub struct TestIndex {
    facts: BTreeMap<(String, String, String), TestFacts>,
}

impl TestIndex {
    /// Indexes every verification link of `trace`.
    pub fn new(trace: &Trace) -> TestIndex {
        let mut facts: BTreeMap<(String, String, String), TestFacts> = BTreeMap::new();
        for requirement in &trace.requirements {
            let implementing_units: BTreeSet<String> = requirement
                .implemented_by
                .iter()
                .filter_map(|l| l.unit.clone())
                .collect();
            for link in &requirement.verified_by {
                let key = (
                    link.package.clone(),
                    link.target.clone().unwrap_or_else(|| "lib".to_string()),
                    harness_name(&link.path).to_string(),
                );
                let entry = facts.entry(key).or_insert_with(|| TestFacts {
                    path: link.path.clone(),
                    source: format!("{}:{}", link.file, link.line),
                    ..TestFacts::default()
                });
                entry.requirements.insert(requirement.id.clone());
                let containing = trace
                    .units
                    .iter()
                    .filter(|u| link.path.starts_with(&format!("{}::", u.path)))
                    .max_by_key(|u| u.path.len());
                match containing {
                    Some(unit) => {
                        entry.units.insert(unit.id.clone());
                    }
                    None => entry.units.extend(implementing_units.iter().cloned()),
                }
            }
        }
        TestIndex { facts }
    }

    /// The facts of a test: its own, or those of the parameterised test it is a case of.
    pub fn get(&self, key: &TestKey) -> Option<&TestFacts> {
        let mut name = key.name.as_str();
        loop {
            if let Some(facts) =
                self.facts
                    .get(&(key.package.clone(), key.target.clone(), name.to_string()))
            {
                return Some(facts);
            }
            name = name.rsplit_once("::")?.0;
        }
    }
}

/// cargo-nextest's binary ID for a target label (the suite name), `pkg::doc` for doc tests.
pub fn suite_name(package: &str, target: &str) -> String {
    match target.split_once(':') {
        None if target == "lib" => package.to_string(),
        None => format!("{package}::{target}"),
        Some(("test", name)) => format!("{package}::{name}"),
        Some((kind, name)) => format!("{package}::{kind}/{name}"),
    }
}

/// The JUnit suites of a run: one per test binary, one testcase per test with the
/// requirements it verifies, its unit, its source and its result as properties.
#[requirement("TR-EVIDENCE-JUNIT")]
pub fn junit_suites(run: &TestRun, index: &TestIndex) -> Vec<ReportSuite> {
    let mut suites: BTreeMap<(String, String), ReportSuite> = BTreeMap::new();
    for (key, outcome) in &run.outcomes {
        let suite = suites
            .entry((key.package.clone(), key.target.clone()))
            .or_insert_with(|| ReportSuite {
                name: suite_name(&key.package, &key.target),
                properties: vec![
                    ("package".to_string(), key.package.clone()),
                    ("target".to_string(), key.target.clone()),
                ],
                time: run
                    .binary_durations
                    .get(&(key.package.clone(), key.target.clone()))
                    .copied(),
                cases: Vec::new(),
            });
        let mut properties = Vec::new();
        if let Some(facts) = index.get(key) {
            properties.extend(
                facts
                    .requirements
                    .iter()
                    .map(|r| ("requirement".to_string(), r.clone())),
            );
            properties.extend(facts.units.iter().map(|u| ("unit".to_string(), u.clone())));
            properties.push(("path".to_string(), facts.path.clone()));
            properties.push(("source".to_string(), facts.source.clone()));
        }
        properties.push(("result".to_string(), outcome.result.to_string()));
        suite.cases.push(ReportCase {
            name: key.name.clone(),
            classname: suite.name.clone(),
            outcome: outcome.clone(),
            properties,
        });
    }
    let mut suites: Vec<ReportSuite> = suites.into_values().collect();
    for suite in &mut suites {
        if suite.time.is_none() {
            let times: Option<Vec<u64>> = suite
                .cases
                .iter()
                .map(|c| c.outcome.duration.map(|d| d.0))
                .collect();
            suite.time = times.map(|t| DurationMs(t.iter().sum()));
        }
    }
    suites
}

/// The evidence header of trace.html: commit, tree state (a red banner when dirty), time,
/// tools and who ran it.
#[requirement("TR-EVIDENCE-CLEAN")]
pub fn html_header(environment: &Environment, manifest_note: &str) -> String {
    let source = &environment.source;
    let dirty = !source.is_clean();
    let mut out = String::new();
    let _ = write!(
        out,
        "<div class=\"banner{}\" id=\"evidence\"><b>Evidence</b> · commit <code>{}</code>{} · tree <b class=\"tree\">{}</b>",
        if dirty { " dirty" } else { "" },
        escape(source.commit.as_deref().unwrap_or("(not in git)")),
        source
            .branch
            .as_deref()
            .map_or(String::new(), |b| format!(" ({})", escape(b))),
        match source.tree.as_str() {
            "clean" => "clean".to_string(),
            "dirty" => format!(
                "DIRTY: {} uncommitted change{}; these results are not those of the commit",
                source.changed_files.len(),
                if source.changed_files.len() == 1 {
                    ""
                } else {
                    "s"
                }
            ),
            _ => "UNKNOWN: not a git work tree; the results name no commit".to_string(),
        }
    );
    if dirty && !source.changed_files.is_empty() {
        out.push_str("<div class=\"text\">");
        for file in &source.changed_files {
            let _ = write!(
                out,
                "<code>{} {}</code><br>",
                escape(&file.status),
                escape(&file.path)
            );
        }
        out.push_str("</div>");
    }
    let _ = writeln!(
        out,
        "<div class=\"text\">{} UTC ({}) · {} · {} · target {} · by {} on {} · {}</div></div>",
        escape(&environment.time),
        escape(environment.time_source),
        escape(
            environment
                .tools
                .rustc
                .verbose_version
                .lines()
                .next()
                .unwrap_or("rustc")
        ),
        escape(&environment.tools.runner),
        escape(environment.target.as_deref().unwrap_or("?")),
        escape(environment.user.as_deref().unwrap_or("?")),
        escape(environment.os.hostname.as_deref().unwrap_or("?")),
        escape(manifest_note),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suites_are_named_as_cargo_nextest_names_binaries() {
        assert_eq!(suite_name("pump", "lib"), "pump");
        assert_eq!(suite_name("pump", "test:alarms"), "pump::alarms");
        assert_eq!(suite_name("pump", "bin:pump-cli"), "pump::bin/pump-cli");
        assert_eq!(suite_name("pump", "example:demo"), "pump::example/demo");
        assert_eq!(suite_name("pump", "doc"), "pump::doc");
    }
}
