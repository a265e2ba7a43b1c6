//! The coverage part of the HTML report: per unit its coverage, and its uncovered lines in
//! a source excerpt.

use std::fmt::Write as _;

use iec_runtime::requirement;

use super::CodeCoverage;
use crate::formats::html::escape;
use crate::trace::Trace;

const STYLE: &str = "<style>
pre.excerpt { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #f8f9fa; border: 1px solid var(--line); padding: .4rem 0; overflow-x: auto; }
pre.excerpt span { display: block; padding: 0 .6rem; white-space: pre; }
pre.excerpt span.miss { background: #fce8e6; }
pre.excerpt span.hit { background: #e6f4ea; }
pre.excerpt span.gap { color: var(--muted); }
pre.excerpt i { display: inline-block; width: 4.5em; color: var(--muted); font-style: normal; user-select: none; }
</style>
";

fn percent(coverage: &CodeCoverage) -> String {
    if coverage.lines_total == 0 {
        "no code".to_string()
    } else {
        format!(
            "{:.1}% of lines ({}/{}), {}/{} regions",
            coverage.line_percent(),
            coverage.lines_covered,
            coverage.lines_total,
            coverage.regions_covered,
            coverage.regions_total
        )
    }
}

/// The marker after a verification link: whether the test executed its requirement's code.
pub fn exercised_marker(exercised: Option<bool>) -> &'static str {
    match exercised {
        Some(true) => " <span class=\"status-ok exercised\">exercised</span>",
        Some(false) => " <span class=\"status-gap exercised\">executes none of its code</span>",
        None => "",
    }
}

/// The section, empty without coverage.
#[requirement("TR-COVERAGE-UNITS")]
pub fn section(trace: &Trace) -> String {
    let Some(summary) = &trace.coverage else {
        return String::new();
    };
    let mut out = String::from(STYLE);
    let _ = writeln!(
        out,
        "<h2 id=\"coverage\">Unit coverage</h2>\n<p class=\"meta\">From {}; {}{}.</p>",
        escape(&summary.source),
        escape(&percent(&summary.all)),
        if summary.thresholds.is_empty() {
            String::new()
        } else {
            format!(
                "; thresholds: {}",
                escape(
                    &summary
                        .thresholds
                        .iter()
                        .map(|(class, p)| format!("class {class} {p}%"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            )
        }
    );
    out.push_str("<table><thead><tr><th>Unit</th><th>Class</th><th>By all tests</th><th>By its verifying tests</th><th>Threshold</th></tr></thead><tbody>\n");
    for unit in &trace.units {
        let Some(coverage) = &unit.coverage else {
            continue;
        };
        let below = coverage
            .threshold
            .is_some_and(|t| coverage.all.lines_total > 0 && coverage.all.line_percent() < t);
        let _ = writeln!(
            out,
            "<tr data-search=\"{}\" data-gap=\"{below}\"><td><b>{}</b></td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td></tr>",
            escape(&unit.id.to_lowercase()),
            escape(&unit.id),
            escape(&unit.class),
            if below { "status-gap" } else { "" },
            escape(&percent(&coverage.all)),
            escape(&percent(&coverage.by_verifying_tests)),
            coverage
                .threshold
                .map_or("none".to_string(), |t| format!("{t}%"))
        );
    }
    out.push_str("</tbody></table>\n");
    for unit in &trace.units {
        let Some(coverage) = &unit.coverage else {
            continue;
        };
        if coverage.excerpt.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<h3 id=\"uncovered-{id}\">{id}: lines no test ran</h3>",
            id = escape(&unit.id)
        );
        let mut file = "";
        let mut previous = 0;
        out.push_str("<pre class=\"excerpt\">");
        for line in &coverage.excerpt {
            if line.file != file || line.line != previous + 1 {
                let _ = write!(
                    out,
                    "<span class=\"gap\">{} {}:{}</span>",
                    if file.is_empty() { "" } else { "⋮" },
                    escape(&line.file),
                    line.line
                );
                file = &line.file;
            }
            previous = line.line;
            let class = match line.covered {
                Some(true) => "hit",
                Some(false) => "miss",
                None => "",
            };
            let _ = write!(
                out,
                "<span class=\"{class}\"><i>{}</i>{}</span>",
                line.line,
                escape(&line.text)
            );
        }
        out.push_str("</pre>\n");
    }
    out
}
