//! Rendering the design record: JSON for machines, Markdown and one self-contained HTML
//! page for people, and the architecture diagram as SVG (laid out here, offline).

use std::fmt::Write as _;

use iec_runtime::requirement;

use super::{Design, ItemDesign, UnitDesign};
use crate::formats::html::escape;

/// Sorted, schema-versioned JSON with a trailing newline.
pub fn json(design: &Design) -> String {
    let mut text = serde_json::to_string_pretty(design)
        .unwrap_or_else(|error| format!("{{\"error\": \"cannot serialise the design: {error}\"}}"));
    text.push('\n');
    text
}

fn class_colour(class: Option<&str>) -> &'static str {
    match class {
        Some("A") => "#1b7f3b",
        Some("B") => "#b06000",
        Some("C") => "#b3261e",
        _ => "#5f6368",
    }
}

const COLUMN: u32 = 270;
const BOX_W: u32 = 220;
const BOX_H: u32 = 34;
const ROW: u32 = 48;
const TOP: u32 = 64;

/// The items that have units, in record order.
fn drawn(design: &Design) -> Vec<&ItemDesign> {
    design
        .items
        .iter()
        .filter(|i| !i.units.is_empty())
        .collect()
}

/// Where each unit's box is: (x, y) of its top-left corner, by unit ID.
fn positions(design: &Design) -> Vec<(&UnitDesign, u32, u32, u32)> {
    let mut out = Vec::new();
    for (column, item) in drawn(design).into_iter().enumerate() {
        let column = u32::try_from(column).unwrap_or(0);
        for (row, unit) in item.units.iter().enumerate() {
            let row = u32::try_from(row).unwrap_or(0);
            out.push((
                unit,
                column,
                20 + column * COLUMN + 15,
                TOP + row * ROW + 10,
            ));
        }
    }
    out
}

/// The architecture diagram: one column per item with its units, an arrow per unit
/// dependency, boxes outlined in their class's colour. Deterministic.
#[requirement("TR-DESIGN-DIAGRAM")]
pub fn svg(design: &Design) -> String {
    let items = drawn(design);
    let boxes = positions(design);
    let rows = items.iter().map(|i| i.units.len()).max().unwrap_or(0);
    let rows = u32::try_from(rows).unwrap_or(0);
    let width = 40 + u32::try_from(items.len()).unwrap_or(0) * COLUMN;
    let height = TOP + rows * ROW + 60;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"system-ui, sans-serif\" font-size=\"12\" role=\"img\" aria-label=\"Software architecture: items, units and their dependencies\">"
    );
    out.push_str("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#5f6368\"/></marker></defs>\n");
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    for (column, item) in items.iter().enumerate() {
        let x = 20 + u32::try_from(column).unwrap_or(0) * COLUMN;
        let n = u32::try_from(item.units.len()).unwrap_or(0);
        let colour = class_colour(item.class.as_deref());
        let label = item.id.as_deref().unwrap_or("(no item)");
        let class = item
            .class
            .as_deref()
            .map(|c| format!(" · class {c}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<g class=\"item\"><rect x=\"{x}\" y=\"20\" width=\"{w}\" height=\"{h}\" rx=\"8\" fill=\"#f8f9fa\" stroke=\"{colour}\" stroke-width=\"1.5\"/><text x=\"{tx}\" y=\"40\" font-weight=\"bold\">{label}{class}</text><text x=\"{tx}\" y=\"55\" fill=\"#5f6368\">{title}</text></g>",
            w = COLUMN - 10,
            h = TOP - 20 + n * ROW + 10,
            tx = x + 10,
            label = escape(label),
            class = escape(&class),
            title = escape(&shorten(item.title.as_deref().unwrap_or(""), 34)),
        );
    }
    let find = |id: &str| boxes.iter().find(|(u, ..)| u.id == id);
    for dependency in design.dependencies.iter().filter(|d| d.level == "unit") {
        let (Some(from), Some(to)) = (find(&dependency.from), find(&dependency.to)) else {
            continue;
        };
        let (_, fc, fx, fy) = *from;
        let (_, tc, tx, ty) = *to;
        let fy = fy + BOX_H / 2;
        let ty = ty + BOX_H / 2;
        let path = if tc > fc {
            let (x1, x2) = (fx + BOX_W, tx);
            let mid = (x1 + x2) / 2;
            format!("M{x1},{fy} C{mid},{fy} {mid},{ty} {x2},{ty}")
        } else if tc < fc {
            let (x1, x2) = (fx, tx + BOX_W);
            let mid = (x1 + x2) / 2;
            format!("M{x1},{fy} C{mid},{fy} {mid},{ty} {x2},{ty}")
        } else {
            let x = fx + BOX_W;
            let bulge = x + 14 + (fy.abs_diff(ty) / ROW).min(4) * 2;
            format!("M{x},{fy} C{bulge},{fy} {bulge},{ty} {x},{ty}")
        };
        let _ = writeln!(
            out,
            "<path d=\"{path}\" fill=\"none\" stroke=\"#5f6368\" stroke-opacity=\"0.55\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"><title>{} uses {}</title></path>",
            escape(&dependency.from),
            escape(&dependency.to)
        );
    }
    for (unit, _, x, y) in &boxes {
        let colour = class_colour(Some(&unit.class));
        let _ = writeln!(
            out,
            "<g class=\"unit\"><title>{path}</title><rect x=\"{x}\" y=\"{y}\" width=\"{BOX_W}\" height=\"{BOX_H}\" rx=\"5\" fill=\"#ffffff\" stroke=\"{colour}\" stroke-width=\"1.5\"/><text x=\"{tx}\" y=\"{ty}\">{id}</text><text x=\"{cx}\" y=\"{ty}\" text-anchor=\"end\" fill=\"{colour}\" font-weight=\"bold\">{class}</text></g>",
            path = escape(&unit.path),
            tx = x + 8,
            ty = y + 21,
            cx = x + BOX_W - 8,
            id = escape(&shorten(&unit.id, 28)),
            class = escape(&unit.class),
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"20\" y=\"{}\" fill=\"#5f6368\">Arrows: a unit's code uses the unit pointed to. Outline colour: class A green, B amber, C red.</text>",
        height - 20
    );
    out.push_str("</svg>\n");
    out
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(max - 1).collect();
        short.push('…');
        short
    }
}

fn class_line(class: Option<&str>, source: Option<&str>) -> String {
    match (class, source) {
        (Some(class), Some(source)) => format!("class {class} ({source})"),
        (Some(class), None) => format!("class {class}"),
        _ => "no class".to_string(),
    }
}

/// Markdown; `diagram` is the path of the SVG to link, relative to the Markdown file.
#[requirement("TR-DESIGN-RECORD")]
pub fn markdown(design: &Design, diagram: Option<&str>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Software design record\n");
    let _ = writeln!(
        out,
        "Catalogue `{}` · schema `{}`. Generated by cargo-iec from the code (IEC 62304 5.3, 5.4).\n",
        design.catalogue, design.schema
    );
    if let Some(diagram) = diagram {
        let _ = writeln!(out, "![Architecture diagram]({diagram})\n");
    }
    out.push_str("## Software items\n\n");
    for item in tree(design) {
        let depth = ancestors(design, item);
        let _ = writeln!(
            out,
            "{}- **{}** {} — {}{}",
            "  ".repeat(depth),
            item.id.as_deref().unwrap_or("(units naming no item)"),
            item.title.as_deref().unwrap_or(""),
            class_line(item.class.as_deref(), item.class_source),
            item.segregation
                .as_deref()
                .map(|s| format!("; segregation: {s}"))
                .unwrap_or_default()
        );
    }
    out.push('\n');
    for item in design.items.iter().filter(|i| !i.units.is_empty()) {
        let _ = writeln!(
            out,
            "## {} {}\n",
            item.id.as_deref().unwrap_or("Units naming no item"),
            item.title.as_deref().unwrap_or("")
        );
        for unit in &item.units {
            let _ = writeln!(out, "### {}\n", unit.id);
            let _ = writeln!(
                out,
                "`{}` ({}) · {} · `{}:{}`{}\n",
                unit.path,
                unit.kind,
                class_line(Some(&unit.class), Some(unit.class_source)),
                unit.file,
                unit.line,
                unit.segregation
                    .as_deref()
                    .map(|s| format!(" · segregation: {s}"))
                    .unwrap_or_default()
            );
            if unit.design_text.is_empty() {
                out.push_str("*No design text.*\n\n");
            } else {
                for line in unit.design_text.lines() {
                    let _ = writeln!(out, "> {line}");
                    if line.is_empty() {
                        out.truncate(out.len() - 2);
                        out.push('\n');
                    }
                }
                out.push('\n');
            }
            if !unit.interface.is_empty() {
                out.push_str("Interface:\n\n```rust\n");
                for (i, entry) in unit.interface.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    let _ = writeln!(out, "// {}", entry.path);
                    let _ = writeln!(out, "{}", entry.signature);
                }
                out.push_str("```\n\n");
            }
            if !unit.requirements.is_empty() {
                out.push_str("Requirements:\n\n");
                for r in &unit.requirements {
                    let tests: Vec<String> = r
                        .tests
                        .iter()
                        .map(|t| match &t.result {
                            Some(result) => format!("`{}` ({result})", t.path),
                            None => format!("`{}`", t.path),
                        })
                        .collect();
                    let _ = writeln!(
                        out,
                        "- {} {} — verified by {}",
                        r.id,
                        r.title,
                        if tests.is_empty() {
                            "no test".to_string()
                        } else {
                            tests.join(", ")
                        }
                    );
                }
                out.push('\n');
            }
            if !unit.uses.is_empty() {
                let _ = writeln!(out, "Uses units: {}\n", unit.uses.join(", "));
            }
            if !unit.soup.is_empty() {
                let _ = writeln!(out, "Uses SOUP: {}\n", unit.soup.join(", "));
            }
        }
    }
    out.push_str("## Dependencies\n\n");
    if design.dependencies.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str("| level | from | to |\n|---|---|---|\n");
        for d in &design.dependencies {
            let _ = writeln!(out, "| {} | {} | {} |", d.level, d.from, d.to);
        }
        out.push('\n');
    }
    out.push_str("## SOUP\n\n");
    if design.soup.is_empty() {
        out.push_str("No unit uses a third-party crate.\n");
    } else {
        out.push_str("| crate | version | used by |\n|---|---|---|\n");
        for s in &design.soup {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                s.name,
                s.version,
                s.used_by.join(", ")
            );
        }
    }
    out
}

/// The items as a tree: each root in record order followed by its descendants, depth first.
fn tree(design: &Design) -> Vec<&ItemDesign> {
    fn visit<'a>(design: &'a Design, parent: Option<&str>, out: &mut Vec<&'a ItemDesign>) {
        for item in &design.items {
            let is_root = match parent {
                None => item
                    .parent
                    .as_deref()
                    .is_none_or(|p| !design.items.iter().any(|i| i.id.as_deref() == Some(p))),
                Some(parent) => item.parent.as_deref() == Some(parent),
            };
            if is_root && !out.iter().any(|seen| std::ptr::eq(*seen, item)) {
                out.push(item);
                if let Some(id) = item.id.as_deref() {
                    visit(design, Some(id), out);
                }
            }
        }
    }
    let mut out = Vec::new();
    visit(design, None, &mut out);
    out
}

fn ancestors(design: &Design, item: &ItemDesign) -> usize {
    let mut depth = 0;
    let mut parent = item.parent.as_deref();
    while let Some(id) = parent {
        depth += 1;
        if depth > design.items.len() {
            break;
        }
        parent = design
            .items
            .iter()
            .find(|i| i.id.as_deref() == Some(id))
            .and_then(|i| i.parent.as_deref());
    }
    depth
}

const STYLE: &str = r#"
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 78rem; padding: 0 1rem; color: #202124; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #dadce0; padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1.5rem 0 .25rem; }
.meta { color: #5f6368; }
.diagram svg { max-width: 100%; height: auto; }
.diagram { overflow-x: auto; border: 1px solid #dadce0; border-radius: 8px; padding: .5rem; }
.unit { border-left: 4px solid #dadce0; padding: 0 0 .25rem 1rem; margin: 1rem 0; }
.unit.class-C { border-color: #b3261e; } .unit.class-B { border-color: #b06000; } .unit.class-A { border-color: #1b7f3b; }
.text { white-space: pre-wrap; background: #f8f9fa; padding: .5rem .75rem; border-radius: 6px; }
pre { background: #f1f3f4; padding: .5rem .75rem; border-radius: 6px; overflow-x: auto; font-size: 12.5px; }
table { border-collapse: collapse; } td, th { border: 1px solid #dadce0; padding: .2rem .5rem; text-align: left; }
.missing { color: #b3261e; }
ul.tree { list-style: none; padding-left: 1rem; }
@media print { .diagram { overflow: visible; } }
"#;

/// One self-contained HTML page with the diagram embedded.
#[requirement("TR-DESIGN-RECORD")]
pub fn html(design: &Design) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"generator\" content=\"cargo-iec {version}\">\n\
<title>Software design: {catalogue}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
<h1>Software design record</h1>\n<p class=\"meta\">Catalogue <code>{catalogue}</code> · schema {schema} · IEC 62304 5.3 (architecture), 5.4 (detailed design)</p>\n",
        version = env!("CARGO_PKG_VERSION"),
        catalogue = escape(&design.catalogue),
        schema = escape(design.schema),
    );
    out.push_str("<h2 id=\"diagram\">Architecture</h2>\n<div class=\"diagram\">\n");
    out.push_str(&svg(design));
    out.push_str("</div>\n<h2 id=\"items\">Software items</h2>\n<ul class=\"tree\">\n");
    for item in tree(design) {
        let depth = ancestors(design, item);
        let _ = writeln!(
            out,
            "<li style=\"margin-left:{}rem\"><b>{}</b> {} — {}{}</li>",
            depth * 2,
            escape(item.id.as_deref().unwrap_or("(units naming no item)")),
            escape(item.title.as_deref().unwrap_or("")),
            escape(&class_line(item.class.as_deref(), item.class_source)),
            item.segregation
                .as_deref()
                .map(|s| format!("; segregation: {}", escape(s)))
                .unwrap_or_default()
        );
    }
    out.push_str("</ul>\n");
    for item in design.items.iter().filter(|i| !i.units.is_empty()) {
        let _ = writeln!(
            out,
            "<h2 id=\"item-{id}\">{id} {title}</h2>",
            id = escape(item.id.as_deref().unwrap_or("no-item")),
            title = escape(item.title.as_deref().unwrap_or(""))
        );
        for unit in &item.units {
            let _ = writeln!(
                out,
                "<section class=\"unit class-{class}\" id=\"unit-{id}\">\n<h3>{id}</h3>\n<p class=\"meta\"><code>{path}</code> ({kind}) · {cl} · <code>{file}:{line}</code>{seg}</p>",
                class = escape(&unit.class),
                id = escape(&unit.id),
                path = escape(&unit.path),
                kind = escape(&unit.kind),
                cl = escape(&class_line(Some(&unit.class), Some(unit.class_source))),
                file = escape(&unit.file),
                line = unit.line,
                seg = unit
                    .segregation
                    .as_deref()
                    .map(|s| format!(" · segregation: {}", escape(s)))
                    .unwrap_or_default(),
            );
            if unit.design_text.is_empty() {
                out.push_str("<p class=\"missing\">No design text.</p>\n");
            } else {
                let _ = writeln!(
                    out,
                    "<div class=\"text\">{}</div>",
                    escape(&unit.design_text)
                );
            }
            if !unit.interface.is_empty() {
                out.push_str("<p>Interface:</p>\n<pre><code>");
                for (i, entry) in unit.interface.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    let _ = writeln!(out, "// {}", escape(&entry.path));
                    let _ = writeln!(out, "{}", escape(&entry.signature));
                }
                out.push_str("</code></pre>\n");
            }
            if !unit.requirements.is_empty() {
                out.push_str("<p>Requirements:</p>\n<ul>\n");
                for r in &unit.requirements {
                    let tests: Vec<String> = r
                        .tests
                        .iter()
                        .map(|t| match &t.result {
                            Some(result) => {
                                format!("<code>{}</code> ({})", escape(&t.path), escape(result))
                            }
                            None => format!("<code>{}</code>", escape(&t.path)),
                        })
                        .collect();
                    let _ = writeln!(
                        out,
                        "<li>{} {} — verified by {}</li>",
                        escape(&r.id),
                        escape(&r.title),
                        if tests.is_empty() {
                            "<span class=\"missing\">no test</span>".to_string()
                        } else {
                            tests.join(", ")
                        }
                    );
                }
                out.push_str("</ul>\n");
            }
            if !unit.uses.is_empty() {
                let links: Vec<String> = unit
                    .uses
                    .iter()
                    .map(|u| format!("<a href=\"#unit-{0}\">{0}</a>", escape(u)))
                    .collect();
                let _ = writeln!(out, "<p>Uses units: {}</p>", links.join(", "));
            }
            if !unit.soup.is_empty() {
                let _ = writeln!(out, "<p>Uses SOUP: {}</p>", escape(&unit.soup.join(", ")));
            }
            out.push_str("</section>\n");
        }
    }
    out.push_str("<h2 id=\"soup\">SOUP</h2>\n");
    if design.soup.is_empty() {
        out.push_str("<p>No unit uses a third-party crate.</p>\n");
    } else {
        out.push_str("<table><tr><th>crate</th><th>version</th><th>used by</th></tr>\n");
        for s in &design.soup {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&s.name),
                escape(&s.version),
                escape(&s.used_by.join(", "))
            );
        }
        out.push_str("</table>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}
