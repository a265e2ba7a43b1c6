//! SARIF 2.1.0: one result per gap, at the annotation or at the requirement in the
//! catalogue, for code-scanning dashboards.

use serde_json::{Value, json};

use crate::policy::Policy;
use crate::trace::{GapKind, Trace};

/// The SARIF schema this output follows.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

fn rule(kind: GapKind) -> Value {
    let (short, full) = match kind {
        GapKind::Unimplemented => (
            "Requirement not implemented",
            "No code carries #[requirement(...)] naming this requirement.",
        ),
        GapKind::Untested => (
            "Requirement not verified by a test",
            "No test carries #[requirement(...)] naming this requirement, and its verification method is `test`.",
        ),
        GapKind::UnknownId => (
            "Annotation names an unknown requirement or item",
            "An annotation names an ID that the requirements catalogue does not contain.",
        ),
        GapKind::OrphanTest => (
            "Test verifies no requirement",
            "A test carries no #[requirement(...)]: it verifies nothing the trace can show.",
        ),
        GapKind::UnannotatedUnit => (
            "Public item of a unit without a requirement",
            "A public fn or type inside a software unit traces to no requirement: it is interface nobody asked for, or an annotation is missing.",
        ),
        GapKind::UntestedUnit => (
            "Software unit without verification",
            "A software unit implements requirements, none of which any test verifies (IEC 62304 5.5).",
        ),
        GapKind::Suspect => (
            "Suspect link",
            "The requirement's text or the linked item's signature changed since the link was reviewed with `cargo iec review`.",
        ),
        GapKind::ClassMismatch => (
            "Unit class lower than its item's",
            "A software unit declares a safety class lower than its software item's without a segregation rationale (IEC 62304 5.3.5).",
        ),
        GapKind::Failed => (
            "Verifying test failed",
            "A test that verifies this requirement failed in the test run joined to the trace: the requirement is not verified (IEC 62304 5.5.5).",
        ),
        GapKind::NotRun => (
            "Verifying test did not run",
            "A test that verifies this requirement was ignored, filtered out, or did not run (its target did not build, or the run stopped) in the test run joined to the trace: the requirement is not verified on this run.",
        ),
    };
    json!({
        "id": kind.as_str(),
        "name": kind.as_str(),
        "shortDescription": { "text": short },
        "fullDescription": { "text": full },
        "helpUri": "https://github.com/iec-trace/iec-trace/blob/main/docs/trace-json.md",
    })
}

/// Renders the gaps as a SARIF log; gaps the policy denies are `error`, the others `warning`.
#[iec_runtime::requirement("TR-OUT-SARIF")]
pub fn render(trace: &Trace, policy: &Policy) -> String {
    let rules: Vec<Value> = GapKind::ALL.into_iter().map(rule).collect();
    let results: Vec<Value> = trace
        .gaps
        .iter()
        .map(|gap| {
            let rule_index = GapKind::ALL
                .iter()
                .position(|k| *k == gap.kind)
                .unwrap_or_default();
            let mut result = json!({
                "ruleId": gap.kind.as_str(),
                "ruleIndex": rule_index,
                "level": if policy.denies(gap) { "error" } else { "warning" },
                "message": { "text": gap.message },
                "partialFingerprints": {
                    "iecTraceGap/v1": format!("{}:{}:{}", gap.kind, gap.subject(), gap.path.as_deref().unwrap_or("")),
                },
            });
            if let (Some(file), Some(line)) = (&gap.file, gap.line) {
                result["locations"] = json!([{
                    "physicalLocation": {
                        "artifactLocation": { "uri": file, "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": line.max(1) },
                    },
                    "logicalLocations": gap.path.as_ref().map(|path| json!([{
                        "fullyQualifiedName": path,
                        "kind": "function",
                    }])).unwrap_or(json!([])),
                }]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cargo-iec",
                    "version": env!("CARGO_PKG_VERSION"),
                    "informationUri": "https://github.com/iec-trace/iec-trace",
                    "rules": rules,
                }
            },
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The workspace root." } } },
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
