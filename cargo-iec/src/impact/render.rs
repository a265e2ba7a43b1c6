//! The impact record as a table, JSON (docs/impact-json.md) and Markdown (to paste into
//! a change request or pull-request comment).

use std::fmt::Write as _;

use super::{Change, Impact, Reason, TestReason};

fn json_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn reasons<T: serde::Serialize>(list: &[T]) -> String {
    list.iter().map(json_name).collect::<Vec<_>>().join(", ")
}

fn revision(r: &super::Revision) -> String {
    match &r.commit {
        Some(commit) => format!("{} ({})", r.revision, &commit[..commit.len().min(12)]),
        None => r.revision.clone(),
    }
}

/// Versioned JSON, pretty, with a trailing newline.
pub fn json(impact: &Impact) -> String {
    let mut text = serde_json::to_string_pretty(impact)
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
    text.push('\n');
    text
}

fn change_name(change: Change) -> String {
    json_name(&change)
}

/// Aligned text for people.
pub fn table(impact: &Impact) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "impact of {} .. {}",
        revision(&impact.base),
        revision(&impact.head)
    );
    let _ = writeln!(
        out,
        "highest class touched: {}",
        impact.highest_class.as_deref().unwrap_or("none")
    );
    let _ = writeln!(out, "\nchanged items ({}):", impact.changed_items.len());
    for item in &impact.changed_items {
        let _ = writeln!(
            out,
            "  {:<11} {} ({}, {}){}",
            change_name(item.change),
            item.path,
            item.kind,
            item.file,
            item.unit
                .as_ref()
                .map(|u| format!(" [unit {u}]"))
                .unwrap_or_default()
        );
        for note in &item.notes {
            let _ = writeln!(out, "              {note}");
        }
    }
    for file in impact.files.iter().filter(|f| f.note.is_some()) {
        let _ = writeln!(
            out,
            "  file {} {}: {}",
            file.status,
            file.path,
            file.note.as_deref().unwrap_or("")
        );
    }
    let catalogue = &impact.catalogue;
    if !catalogue.requirements.added.is_empty()
        || !catalogue.requirements.removed.is_empty()
        || !catalogue.requirements.changed.is_empty()
        || !catalogue.classes.is_empty()
    {
        let _ = writeln!(out, "\ncatalogue:");
        for id in &catalogue.requirements.added {
            let _ = writeln!(out, "  added       {id}");
        }
        for id in &catalogue.requirements.removed {
            let _ = writeln!(out, "  removed     {id}");
        }
        for changed in &catalogue.requirements.changed {
            let _ = writeln!(
                out,
                "  changed     {} ({})",
                changed.id,
                changed.fields.join(", ")
            );
        }
        for class in &catalogue.classes {
            let _ = writeln!(
                out,
                "  class       {} {}: {} -> {}",
                class.kind,
                class.id,
                class.base.as_deref().unwrap_or("none"),
                class.head.as_deref().unwrap_or("none")
            );
        }
    }
    let _ = writeln!(out, "\nrequirements ({}):", impact.requirements.len());
    for requirement in &impact.requirements {
        let _ = writeln!(
            out,
            "  {:<4} {:<12} {}  [{}]",
            requirement.class.as_deref().unwrap_or("-"),
            requirement.id,
            requirement.title,
            reasons(&requirement.reasons)
        );
    }
    let _ = writeln!(out, "\ntests to re-run ({}):", impact.tests.len());
    for test in &impact.tests {
        let _ = writeln!(
            out,
            "  {} ({})  [{}]",
            test.path,
            test.target,
            reasons(&test.reasons)
        );
    }
    if !impact.stale_requirements.is_empty() {
        let _ = writeln!(
            out,
            "\nverification stale until they pass again: {}",
            impact.stale_requirements.join(", ")
        );
    }
    if let Some(baseline) = &impact.baseline {
        let _ = writeln!(out, "\nbaseline {}: {}", baseline.bundle, baseline.note);
    }
    out
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// Markdown for a change request or pull-request comment.
pub fn markdown(impact: &Impact) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Change impact: `{}` .. `{}`\n",
        revision(&impact.base),
        revision(&impact.head)
    );
    let _ = writeln!(
        out,
        "**Highest safety class touched: {}**\n",
        impact.highest_class.as_deref().unwrap_or("none")
    );
    let _ = writeln!(
        out,
        "### Requirements affected ({})\n",
        impact.requirements.len()
    );
    if impact.requirements.is_empty() {
        let _ = writeln!(out, "None.\n");
    } else {
        let _ = writeln!(
            out,
            "| class | requirement | title | reasons |\n|---|---|---|---|"
        );
        for requirement in &impact.requirements {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                requirement.class.as_deref().unwrap_or("-"),
                requirement.id,
                cell(&requirement.title),
                reasons::<Reason>(&requirement.reasons)
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "### Changed items ({})\n", impact.changed_items.len());
    if impact.changed_items.is_empty() {
        let _ = writeln!(out, "None.\n");
    } else {
        let _ = writeln!(
            out,
            "| change | item | kind | file | unit | notes |\n|---|---|---|---|---|---|"
        );
        for item in &impact.changed_items {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} | {} | {} |",
                change_name(item.change),
                item.path,
                item.kind,
                item.file,
                item.unit.as_deref().unwrap_or(""),
                cell(&item.notes.join("; "))
            );
        }
        out.push('\n');
    }
    let catalogue = &impact.catalogue;
    let _ = writeln!(out, "### Catalogue changes\n");
    let list = |ids: &[String]| {
        if ids.is_empty() {
            "none".to_string()
        } else {
            ids.join(", ")
        }
    };
    let _ = writeln!(out, "- added: {}", list(&catalogue.requirements.added));
    let _ = writeln!(out, "- removed: {}", list(&catalogue.requirements.removed));
    let changed: Vec<String> = catalogue
        .requirements
        .changed
        .iter()
        .map(|c| format!("{} ({})", c.id, c.fields.join(", ")))
        .collect();
    let _ = writeln!(out, "- changed: {}", list(&changed));
    let classes: Vec<String> = catalogue
        .classes
        .iter()
        .map(|c| {
            format!(
                "{} {}: {} -> {}",
                c.kind,
                c.id,
                c.base.as_deref().unwrap_or("none"),
                c.head.as_deref().unwrap_or("none")
            )
        })
        .collect();
    let _ = writeln!(out, "- class changes: {}\n", list(&classes));
    let _ = writeln!(out, "### Tests to re-run ({})\n", impact.tests.len());
    if impact.tests.is_empty() {
        let _ = writeln!(out, "None.\n");
    } else {
        let _ = writeln!(
            out,
            "| test | target | reasons | verifies |\n|---|---|---|---|"
        );
        for test in &impact.tests {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} |",
                test.path,
                test.target,
                reasons::<TestReason>(&test.reasons),
                test.requirements.join(", ")
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "Verification stale until these tests pass again: {}",
        list(&impact.stale_requirements)
    );
    if let Some(baseline) = &impact.baseline {
        let _ = writeln!(out, "\nBaseline `{}`: {}", baseline.bundle, baseline.note);
    }
    out
}
