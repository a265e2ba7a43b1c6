//! Markdown: the trace as a document to paste into a design history file, a change request
//! or a pull-request comment.

use std::fmt::Write as _;

use crate::trace::{Link, Trace};

/// Escapes text for a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn code(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("`{}`", text.replace('`', "'"))
    }
}

fn links(out: &mut String, relation: &str, links: &[Link]) {
    for link in links {
        let mut note = Vec::new();
        if let Some(unit) = &link.unit {
            note.push(format!("unit {}", code(unit)));
        }
        if let Some(target) = &link.target {
            note.push(code(target));
        }
        if link.partial {
            note.push("partial".to_string());
        }
        if let Some(result) = link.result {
            match link.duration_ms {
                Some(duration) => note.push(format!("**{result}** ({})", duration.human())),
                None => note.push(format!("**{result}**")),
            }
        }
        let _ = writeln!(
            out,
            "| {relation} | {} | {}:{} | {} |",
            code(&link.path),
            cell(&link.file),
            link.line,
            note.join(", ")
        );
    }
}

/// Renders the trace as GitHub-flavoured Markdown.
#[iec_runtime::requirement("TR-OUT-MARKDOWN")]
pub fn render(trace: &Trace) -> String {
    let mut out = String::new();
    let summary = &trace.summary;
    let _ = writeln!(out, "# Traceability\n");
    let _ = writeln!(
        out,
        "Catalogue `{}`, traced in {}: {} requirements, {} implemented, {} tested, {} gap{}.\n",
        trace.catalogue,
        trace.packages.join(", "),
        summary.requirements,
        summary.implemented,
        summary.tested,
        summary.gaps,
        if summary.gaps == 1 { "" } else { "s" }
    );
    let _ = writeln!(out, "## Gaps\n");
    if trace.gaps.is_empty() {
        let _ = writeln!(out, "None.\n");
    } else {
        let _ = writeln!(out, "| kind | subject | where | what |\n|---|---|---|---|");
        for gap in &trace.gaps {
            let location = match (&gap.file, gap.line) {
                (Some(file), Some(line)) => format!("{}:{line}", cell(file)),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                gap.kind,
                cell(gap.subject()),
                location,
                cell(&gap.message)
            );
        }
        out.push('\n');
    }
    out.push_str(&crate::problems::markdown_section(trace));
    out.push_str(&crate::accepted::markdown_section(trace));
    let _ = writeln!(out, "## Requirements\n");
    for requirement in &trace.requirements {
        let _ = writeln!(
            out,
            "### {}: {}\n",
            cell(&requirement.id),
            cell(&requirement.title)
        );
        let mut facts = vec![format!("verification: {}", requirement.verification)];
        if let Some(class) = &requirement.class {
            facts.push(format!("class {class}"));
        }
        if !requirement.parent.is_empty() {
            facts.push(format!("parent {}", cell(&requirement.parent.join(", "))));
        }
        if !requirement.risk_controls.is_empty() {
            facts.push(format!(
                "risk controls {}",
                cell(&requirement.risk_controls.join(", "))
            ));
        }
        let _ = writeln!(out, "{}\n", facts.join(" · "));
        if requirement.implemented_by.is_empty() && requirement.verified_by.is_empty() {
            let _ = writeln!(out, "No links.\n");
            continue;
        }
        let _ = writeln!(out, "| link | item | where | notes |\n|---|---|---|---|");
        links(&mut out, "implemented by", &requirement.implemented_by);
        links(&mut out, "verified by", &requirement.verified_by);
        out.push('\n');
    }
    if !trace.units.is_empty() {
        let _ = writeln!(out, "## Software units\n");
        let _ = writeln!(
            out,
            "| unit | path | item | class | requirements |\n|---|---|---|---|---|"
        );
        for unit in &trace.units {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} ({}) | {} |",
                cell(&unit.id),
                code(&unit.path),
                cell(unit.item.as_deref().unwrap_or("")),
                unit.class,
                unit.class_source,
                cell(&unit.requirements.join(", "))
            );
        }
        out.push('\n');
    }
    if !trace.tests.is_empty() {
        let _ = writeln!(out, "## Tests\n");
        let _ = writeln!(out, "| test | target | requirements |\n|---|---|---|");
        for test in &trace.tests {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                code(&test.path),
                code(&test.target),
                cell(&test.requirements.join(", "))
            );
        }
    }
    out
}
