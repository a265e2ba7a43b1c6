//! HTML: one self-contained, offline file an auditor can read, filter and print. Every
//! catalogue and source text is escaped; no external resources are loaded.

use std::fmt::Write as _;

use crate::results::TestResult;
use crate::trace::{Link, Trace};

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --ok: #1b7f3b; --gap: #b3261e; --muted: #5f6368; --line: #dadce0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 78rem; padding: 0 1rem; color: #202124; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
.meta { color: var(--muted); }
.cards { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem; min-width: 9rem; }
.card b { display: block; font-size: 1.4rem; }
.card.bad b { color: var(--gap); }
.card.good b { color: var(--ok); }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--line); }
th { background: #f1f3f4; font-weight: 600; }
code { font: 12.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
.banner { border: 2px solid var(--line); border-radius: 6px; padding: .5rem 1rem; margin: 1rem 0; }
.banner.dirty { border-color: var(--gap); background: #fce8e6; }
.banner.dirty b.tree { color: var(--gap); font-size: 1.1rem; }
.status-ok { color: var(--ok); font-weight: 600; }
.status-gap { color: var(--gap); font-weight: 600; }
.none { color: var(--gap); }
.controls { position: sticky; top: 0; background: #fff; padding: .5rem 0; border-bottom: 1px solid var(--line); display: flex; gap: 1rem; align-items: center; }
.controls input[type=search] { flex: 1; padding: .35rem .5rem; font-size: 14px; }
tr.hidden { display: none; }
.text { color: var(--muted); font-size: 13px; }
@media print {
  .controls { display: none; }
  tr.hidden { display: table-row; }
  body { margin: 0; max-width: none; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
}
"#;

const SCRIPT: &str = r#"
(function () {
  var search = document.getElementById('filter');
  var gapsOnly = document.getElementById('gaps-only');
  function apply() {
    var needle = search.value.toLowerCase();
    document.querySelectorAll('tr[data-search]').forEach(function (row) {
      var text = row.getAttribute('data-search');
      var hide = (needle && text.indexOf(needle) < 0) || (gapsOnly.checked && row.getAttribute('data-gap') !== 'true');
      row.classList.toggle('hidden', !!hide);
    });
  }
  search.addEventListener('input', apply);
  gapsOnly.addEventListener('change', apply);
  // A link can carry a filter: trace.html#filter=SRS-12 (and #gaps to show only gaps).
  var hash = decodeURIComponent(window.location.hash.slice(1));
  hash.split('&').forEach(function (part) {
    if (part.indexOf('filter=') === 0) { search.value = part.slice(7); }
    if (part === 'gaps') { gapsOnly.checked = true; }
  });
  apply();
  document.body.setAttribute('data-ready', 'true');
})();
"#;

fn link_list(links: &[Link]) -> String {
    if links.is_empty() {
        return "<span class=\"none\">none</span>".to_string();
    }
    let mut out = String::new();
    for link in links {
        let mut notes = Vec::new();
        if let Some(unit) = &link.unit {
            notes.push(format!("unit {}", escape(unit)));
        }
        if let Some(target) = &link.target {
            notes.push(escape(target));
        }
        if link.partial {
            notes.push("partial".to_string());
        }
        let result = link.result.map_or(String::new(), |result| {
            let class = if result == TestResult::Passed {
                "status-ok"
            } else {
                "status-gap"
            };
            let duration = link
                .duration_ms
                .map_or(String::new(), |d| format!(" · {}", escape(&d.human())));
            format!(" <span class=\"{class} result\">{result}{duration}</span>")
        });
        let result = format!(
            "{result}{}",
            crate::coverage::html::exercised_marker(link.exercised)
        );
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" <span class=\"text\">({})</span>", notes.join(", "))
        };
        let _ = write!(
            out,
            "<div><code>{}</code> <span class=\"text\">{}:{}</span>{notes}{result}</div>",
            escape(&link.path),
            escape(&link.file),
            link.line
        );
    }
    out
}

/// Renders the trace as one HTML page.
#[iec_runtime::requirement("TR-OUT-HTML")]
pub fn render(trace: &Trace) -> String {
    render_with_header(trace, "", None)
}

/// Renders the trace as one HTML page with `header`, trusted HTML (escape what goes into
/// it), under the title: the evidence bundle puts the commit and the tree's state there.
/// With `design`, the relative address of the design record's HTML (`design.html` in a
/// bundle), each unit links to its section there.
pub fn render_with_header(trace: &Trace, header: &str, design: Option<&str>) -> String {
    let summary = &trace.summary;
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"generator\" content=\"cargo-iec {version}\">\n\
<title>Traceability: {catalogue}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
<h1>Traceability</h1>\n<p class=\"meta\">Requirements catalogue <code>{catalogue}</code> · packages {packages} · schema {schema}</p>\n",
        packages = escape(&trace.packages.join(", ")),
        version = env!("CARGO_PKG_VERSION"),
        catalogue = escape(&trace.catalogue),
        schema = escape(trace.schema),
    );
    out.push_str(header);
    if let Some(results) = &trace.results {
        let _ = writeln!(
            out,
            "<p class=\"meta\" id=\"results\">Test results from {}: {} passed, {} failed, {} ignored, {} not run</p>",
            escape(&results.source()),
            results.tests.passed,
            results.tests.failed,
            results.tests.ignored,
            results.tests.not_run,
        );
    }
    let card = |class: &str, value: usize, label: &str| {
        format!("<div class=\"card {class}\"><b>{value}</b>{label}</div>")
    };
    let _ = writeln!(
        out,
        "<div class=\"cards\">{}{}{}{}</div>",
        card("", summary.requirements, "requirements"),
        card(
            if summary.implemented == summary.requirements {
                "good"
            } else {
                "bad"
            },
            summary.implemented,
            "implemented"
        ),
        card(
            if summary.tested == summary.requirements {
                "good"
            } else {
                ""
            },
            summary.tested,
            "tested"
        ),
        card(
            if summary.gaps == 0 { "good" } else { "bad" },
            summary.gaps,
            "gaps"
        ),
    );
    if let Some(results) = &trace.results {
        let _ = writeln!(
            out,
            "<div class=\"cards\">{}</div>",
            card(
                if results.requirements_verified == results.requirements_verified_by_test {
                    "good"
                } else {
                    "bad"
                },
                results.requirements_verified,
                &format!(
                    "of {} verified: every verifying test ran and passed",
                    results.requirements_verified_by_test
                )
            )
        );
    }
    out.push_str(
        "<div class=\"controls\"><input type=\"search\" id=\"filter\" placeholder=\"Filter by ID, title, path, file…\" aria-label=\"Filter\">\
<label><input type=\"checkbox\" id=\"gaps-only\"> only rows with gaps</label></div>\n",
    );

    out.push_str("<h2 id=\"gaps\">Gaps</h2>\n");
    if trace.gaps.is_empty() {
        out.push_str("<p class=\"status-ok\">No gaps.</p>\n");
    } else {
        out.push_str("<table><thead><tr><th>Kind</th><th>Subject</th><th>Where</th><th>What</th></tr></thead><tbody>\n");
        for gap in &trace.gaps {
            let location = match (&gap.file, gap.line) {
                (Some(file), Some(line)) => format!("{}:{line}", escape(file)),
                _ => String::new(),
            };
            let search = format!(
                "{} {} {} {}",
                gap.kind,
                gap.subject(),
                location,
                gap.message
            )
            .to_lowercase();
            let _ = writeln!(
                out,
                "<tr data-search=\"{}\" data-gap=\"true\"><td class=\"status-gap\">{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
                escape(&search),
                escape(gap.kind.as_str()),
                escape(gap.subject()),
                location,
                escape(&gap.message)
            );
        }
        out.push_str("</tbody></table>\n");
    }

    out.push_str(&crate::problems::html_section(trace));
    out.push_str("<h2 id=\"requirements\">Requirements → implementation → tests</h2>\n");
    out.push_str("<table><thead><tr><th>Requirement</th><th>Status</th><th>Implemented by</th><th>Verified by</th></tr></thead><tbody>\n");
    for requirement in &trace.requirements {
        let kinds: Vec<&str> = trace
            .gaps
            .iter()
            .filter(|g| g.requirement.as_deref() == Some(requirement.id.as_str()))
            .map(|g| g.kind.as_str())
            .collect();
        let status = if kinds.is_empty() {
            "<span class=\"status-ok\">ok</span>".to_string()
        } else {
            format!(
                "<span class=\"status-gap\">{}</span>",
                escape(&kinds.join(", "))
            )
        };
        let mut facts = vec![format!(
            "verification: {}",
            escape(&requirement.verification)
        )];
        if let Some(class) = &requirement.class {
            facts.push(format!("class {}", escape(class)));
        }
        if !requirement.parent.is_empty() {
            facts.push(format!("parent {}", escape(&requirement.parent.join(", "))));
        }
        if !requirement.risk_controls.is_empty() {
            facts.push(format!(
                "risk controls {}",
                escape(&requirement.risk_controls.join(", "))
            ));
        }
        let search = format!(
            "{} {} {} {}",
            requirement.id,
            requirement.title,
            requirement
                .implemented_by
                .iter()
                .chain(&requirement.verified_by)
                .map(|l| format!("{} {}", l.path, l.file))
                .collect::<Vec<_>>()
                .join(" "),
            kinds.join(" ")
        )
        .to_lowercase();
        let _ = writeln!(
            out,
            "<tr id=\"req-{id_attr}\" data-search=\"{search}\" data-gap=\"{gap}\"><td><b>{id}</b> {title}<div class=\"text\">{facts}</div></td><td>{status}</td><td>{implemented}</td><td>{verified}</td></tr>",
            id_attr = escape(&requirement.id),
            search = escape(&search),
            gap = !kinds.is_empty(),
            id = escape(&requirement.id),
            title = escape(&requirement.title),
            facts = facts.join(" · "),
            implemented = link_list(&requirement.implemented_by),
            verified = link_list(&requirement.verified_by),
        );
    }
    out.push_str("</tbody></table>\n");

    if !trace.units.is_empty() {
        out.push_str("<h2 id=\"units\">Software units → requirements</h2>\n<table><thead><tr><th>Unit</th><th>Item</th><th>Class</th><th>Requirements</th></tr></thead><tbody>\n");
        for unit in &trace.units {
            let search =
                format!("{} {} {}", unit.id, unit.path, unit.requirements.join(" ")).to_lowercase();
            let _ = writeln!(
                out,
                "<tr data-search=\"{}\" data-gap=\"false\"><td><b>{}</b><div><code>{}</code> <span class=\"text\">{}:{}</span></div></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&search),
                match design {
                    Some(design) => format!(
                        "<a href=\"{}#unit-{}\" title=\"design of this unit\">{}</a>",
                        escape(design),
                        escape(&unit.id),
                        escape(&unit.id)
                    ),
                    None => escape(&unit.id),
                },
                escape(&unit.path),
                escape(&unit.file),
                unit.line,
                escape(unit.item.as_deref().unwrap_or("")),
                escape(&format!("{} ({})", unit.class, unit.class_source)),
                escape(&unit.requirements.join(", "))
            );
        }
        out.push_str("</tbody></table>\n");
    }

    out.push_str(&crate::coverage::html::section(trace));

    if !trace.tests.is_empty() {
        out.push_str("<h2 id=\"tests\">Tests → requirements</h2>\n<table><thead><tr><th>Test</th><th>Target</th><th>Verifies</th></tr></thead><tbody>\n");
        for test in &trace.tests {
            let search = format!(
                "{} {} {}",
                test.path,
                test.target,
                test.requirements.join(" ")
            )
            .to_lowercase();
            let _ = writeln!(
                out,
                "<tr data-search=\"{}\" data-gap=\"false\"><td><code>{}</code> <span class=\"text\">{}:{}</span></td><td><code>{}</code></td><td>{}</td></tr>",
                escape(&search),
                escape(&test.path),
                escape(&test.file),
                test.line,
                escape(&test.target),
                escape(&test.requirements.join(", "))
            );
        }
        out.push_str("</tbody></table>\n");
    }
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn catalogue_text_is_escaped() {
        assert_eq!(
            escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
