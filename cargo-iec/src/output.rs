//! Rendering the trace for people (table) and machines (JSON), and writing it atomically.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use iec_runtime::requirement;

use crate::cli::TraceView;
use crate::error::Error;
use crate::trace::{Link, Trace};

/// Sorted, schema-versioned JSON with a trailing newline; byte-identical for equal traces.
#[requirement("TR-OUT-JSON")]
pub fn json(trace: &Trace) -> String {
    let mut buffer = Vec::new();
    // Writing plain data to memory cannot fail.
    let _ = write_json(&mut buffer, trace);
    String::from_utf8(buffer).unwrap_or_default()
}

/// Writes the trace's JSON (pretty-printed, newline-terminated) to `out`: streamed, so the
/// 11 MB of a 20,000-annotation trace are never held in memory (docs/PERFORMANCE.md).
pub fn write_json(out: &mut dyn Write, trace: &Trace) -> std::io::Result<()> {
    // A statically typed buffer: serde_json writes a few bytes at a time, which through
    // `dyn Write` would be a call each.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, trace)?;
    out.write_all(b"\n")?;
    out.flush()
}

fn link_rows(label: &str, links: &[Link], out: &mut Vec<[String; 4]>) {
    if links.is_empty() {
        out.push([
            label.to_string(),
            "(none)".to_string(),
            String::new(),
            String::new(),
        ]);
        return;
    }
    for (i, link) in links.iter().enumerate() {
        let mut note = Vec::new();
        if let Some(unit) = &link.unit {
            note.push(format!("unit {unit}"));
        }
        if let Some(target) = &link.target {
            note.push(target.clone());
        }
        if link.partial {
            note.push("partial".to_string());
        }
        if let Some(result) = link.result {
            match link.duration_ms {
                Some(duration) => note.push(format!("{result} in {}", duration.human())),
                None => note.push(result.to_string()),
            }
        }
        out.push([
            if i == 0 {
                label.to_string()
            } else {
                String::new()
            },
            link.path.clone(),
            format!("{}:{}", link.file, link.line),
            note.join(", "),
        ]);
    }
}

/// Prints `rows` with aligned columns (the last column is not padded).
fn aligned<const N: usize>(out: &mut String, indent: &str, rows: &[[String; N]]) {
    let widths: Vec<usize> = (0..N)
        .map(|column| {
            rows.iter()
                .map(|r| r[column].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = indent.to_string();
        for (column, cell) in row.iter().enumerate() {
            if column + 1 == N {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:width$}  ", width = widths[column]);
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
}

fn requirements_view(out: &mut String, trace: &Trace) {
    for requirement in &trace.requirements {
        let mut header = format!("{}  {}", requirement.id, requirement.title);
        let mut facts = Vec::new();
        if let Some(class) = &requirement.class {
            facts.push(format!("class {class}"));
        }
        if requirement.verification != "test" {
            facts.push(format!("verified by {}", requirement.verification));
        }
        if !requirement.parent.is_empty() {
            facts.push(format!("parent {}", requirement.parent.join(", ")));
        }
        if !requirement.risk_controls.is_empty() {
            facts.push(format!(
                "risk control {}",
                requirement.risk_controls.join(", ")
            ));
        }
        if !facts.is_empty() {
            let _ = write!(header, "  [{}]", facts.join("; "));
        }
        let _ = writeln!(out, "{header}");
        let mut rows = Vec::new();
        link_rows("implemented by", &requirement.implemented_by, &mut rows);
        link_rows("verified by", &requirement.verified_by, &mut rows);
        aligned(out, "    ", &rows);
        out.push('\n');
    }
}

fn title_of<'a>(trace: &'a Trace, id: &str) -> &'a str {
    trace
        .requirements
        .iter()
        .find(|r| r.id == id)
        .map_or("", |r| r.title.as_str())
}

fn units_view(out: &mut String, trace: &Trace) {
    if trace.units.is_empty() {
        out.push_str(
            "No software units are declared: use #[software_unit(...)] or module_unit!(...).\n\n",
        );
    }
    for unit in &trace.units {
        let mut facts = vec![format!("class {} ({})", unit.class, unit.class_source)];
        if let Some(item) = &unit.item {
            facts.insert(0, format!("item {item}"));
        }
        let _ = writeln!(
            out,
            "{}  {}  {}:{}  [{}]",
            unit.id,
            unit.path,
            unit.file,
            unit.line,
            facts.join("; ")
        );
        let rows: Vec<[String; 3]> = if unit.requirements.is_empty() {
            vec![[
                "implements".to_string(),
                "(none)".to_string(),
                String::new(),
            ]]
        } else {
            unit.requirements
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    [
                        if i == 0 {
                            "implements".to_string()
                        } else {
                            String::new()
                        },
                        id.clone(),
                        title_of(trace, id).to_string(),
                    ]
                })
                .collect()
        };
        aligned(out, "    ", &rows);
        out.push('\n');
    }
}

fn tests_view(out: &mut String, trace: &Trace) {
    if trace.tests.is_empty() {
        out.push_str("No test verifies a requirement.\n\n");
    }
    for test in &trace.tests {
        let _ = writeln!(
            out,
            "{}  ({})  {}:{}",
            test.path, test.target, test.file, test.line
        );
        let rows: Vec<[String; 3]> = test
            .requirements
            .iter()
            .enumerate()
            .map(|(i, id)| {
                [
                    if i == 0 {
                        "verifies".to_string()
                    } else {
                        String::new()
                    },
                    id.clone(),
                    title_of(trace, id).to_string(),
                ]
            })
            .collect();
        aligned(out, "    ", &rows);
        out.push('\n');
    }
}

/// The human-readable trace in one of three views (requirement -> items -> tests, unit ->
/// requirements, test -> requirements), then the records needed, the gaps and a summary.
#[requirement("TR-OUT-TABLE")]
pub fn table(trace: &Trace, view: TraceView) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} requirement{} in {}, traced in {}\n",
        trace.requirements.len(),
        plural(trace.requirements.len()),
        trace.catalogue,
        trace.packages.join(", ")
    );
    match view {
        TraceView::Requirements => requirements_view(&mut out, trace),
        TraceView::Units => units_view(&mut out, trace),
        TraceView::Tests => tests_view(&mut out, trace),
    }
    if !trace.records_needed.is_empty() {
        let _ = writeln!(
            out,
            "Verified by other means, each needs its own record ({}):",
            trace.records_needed.len()
        );
        let rows: Vec<[String; 3]> = trace
            .records_needed
            .iter()
            .map(|r| {
                [
                    r.requirement.clone(),
                    r.verification.clone(),
                    r.title.clone(),
                ]
            })
            .collect();
        aligned(&mut out, "  ", &rows);
        out.push('\n');
    }
    out.push_str(&crate::problems::table_section(trace));
    out.push_str(&crate::accepted::table_section(trace));
    if trace.gaps.is_empty() {
        out.push_str("Gaps: none\n");
    } else {
        let _ = writeln!(out, "Gaps ({}):", trace.gaps.len());
        let rows: Vec<[String; 3]> = trace
            .gaps
            .iter()
            .map(|gap| {
                let location = match (&gap.path, &gap.file, gap.line) {
                    (Some(_), Some(file), Some(line)) => format!(" at {file}:{line}"),
                    _ => String::new(),
                };
                [
                    gap.kind.as_str().to_string(),
                    gap.subject().to_string(),
                    format!("{}{location}", gap.message),
                ]
            })
            .collect();
        aligned(&mut out, "  ", &rows);
    }
    let summary = &trace.summary;
    let _ = writeln!(
        out,
        "\n{} requirement{}: {} implemented, {} tested, {} verified by other means; {} gap{}",
        summary.requirements,
        plural(summary.requirements),
        summary.implemented,
        summary.tested,
        summary.records_needed,
        summary.gaps,
        plural(summary.gaps)
    );
    if let Some(results) = &trace.results {
        let _ = writeln!(
            out,
            "Tests ({}): {} passed, {} failed, {} ignored, {} not run; {} of {} requirement{} verified by tests that all ran and passed",
            results.source(),
            results.tests.passed,
            results.tests.failed,
            results.tests.ignored,
            results.tests.not_run,
            results.requirements_verified,
            results.requirements_verified_by_test,
            plural(results.requirements_verified_by_test)
        );
    }
    out
}

/// The plural ending of a count's noun: "1 gap", "2 gaps".
fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename, so
/// an interrupted run never leaves half a file; or to stdout when `path` is `None`.
#[requirement("TR-OUT-FILE")]
pub fn write(path: Option<&Path>, text: &str) -> Result<(), Error> {
    write_with(path, |out| out.write_all(text.as_bytes()))
}

/// [`write`] for output produced piece by piece: `produce` writes into a buffered writer
/// (stdout, or the temporary file renamed over `path` once `produce` succeeded), so a
/// large output is never held in memory whole.
#[requirement("TR-OUT-FILE")]
pub fn write_with(
    path: Option<&Path>,
    produce: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Error> {
    let Some(path) = path else {
        let stdout = std::io::stdout().lock();
        let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout);
        return produce(&mut out)
            .and_then(|()| out.flush())
            .map_err(|source| Error::Write {
                path: "<stdout>".into(),
                source,
            });
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(Error::Write {
            path: path.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!(
                    "the directory {} does not exist; create it first",
                    dir.display()
                ),
            ),
        });
    }
    let write_error = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let temporary = tempfile::NamedTempFile::new_in(dir).map_err(write_error)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, temporary);
    produce(&mut out)
        .and_then(|()| out.flush())
        .map_err(write_error)?;
    let temporary = out
        .into_inner()
        .map_err(|error| write_error(error.into_error()))?;
    temporary.as_file().sync_all().map_err(write_error)?;
    temporary.persist(path).map_err(|error| {
        // Name the destination, not the temporary file's random name.
        write_error(std::io::Error::new(
            error.error.kind(),
            error.error.kind().to_string(),
        ))
    })?;
    Ok(())
}
