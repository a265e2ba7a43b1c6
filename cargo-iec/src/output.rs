//! Rendering the trace for people (table) and machines (JSON), and writing it atomically.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use iec_runtime::requirement;

use crate::error::Error;
use crate::trace::{Link, Trace};

/// Sorted, schema-versioned JSON with a trailing newline; byte-identical for equal traces.
#[requirement("TR-OUT-JSON")]
pub fn json(trace: &Trace) -> String {
    let mut text = serde_json::to_string_pretty(trace).unwrap_or_else(|error| {
        // Serialising plain data to a String cannot fail; say so loudly if it ever does.
        format!("{{\"error\": \"cannot serialise the trace: {error}\"}}")
    });
    text.push('\n');
    text
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

/// The human-readable trace: each requirement with its implementing items and verifying
/// tests, then the gaps and a summary.
#[requirement("TR-OUT-TABLE")]
pub fn table(trace: &Trace) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} requirements in {}\n",
        trace.requirements.len(),
        trace.catalogue
    );
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
        let widths: Vec<usize> = (0..3)
            .map(|column| {
                rows.iter()
                    .map(|r| r[column].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in rows {
            let mut line = format!(
                "    {:w0$}  {:w1$}  {:w2$}  {}",
                row[0],
                row[1],
                row[2],
                row[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            );
            line.truncate(line.trim_end().len());
            let _ = writeln!(out, "{line}");
        }
        out.push('\n');
    }
    if trace.gaps.is_empty() {
        out.push_str("Gaps: none\n");
    } else {
        let _ = writeln!(out, "Gaps ({}):", trace.gaps.len());
        let kind_width = trace
            .gaps
            .iter()
            .map(|g| g.kind.as_str().len())
            .max()
            .unwrap_or(0);
        let id_width = trace
            .gaps
            .iter()
            .map(|g| g.requirement.len())
            .max()
            .unwrap_or(0);
        for gap in &trace.gaps {
            let location = match (&gap.path, &gap.file, gap.line) {
                (Some(_), Some(file), Some(line)) => format!(" at {file}:{line}"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {:kind_width$}  {:id_width$}  {}{location}",
                gap.kind.as_str(),
                gap.requirement,
                gap.message
            );
        }
    }
    let summary = &trace.summary;
    let _ = writeln!(
        out,
        "\n{} requirements: {} implemented, {} tested; {} gap{}",
        summary.requirements,
        summary.implemented,
        summary.tested,
        summary.gaps,
        if summary.gaps == 1 { "" } else { "s" }
    );
    out
}

/// Writes `text` to `path` through a temporary file in the same directory and a rename, so
/// an interrupted run never leaves half a file; or to stdout when `path` is `None`.
#[requirement("TR-OUT-FILE")]
pub fn write(path: Option<&Path>, text: &str) -> Result<(), Error> {
    let Some(path) = path else {
        let mut stdout = std::io::stdout().lock();
        return stdout
            .write_all(text.as_bytes())
            .and_then(|()| stdout.flush())
            .map_err(|source| Error::Write {
                path: "<stdout>".into(),
                source,
            });
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let write_error = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut temporary = tempfile::NamedTempFile::new_in(dir).map_err(write_error)?;
    temporary.write_all(text.as_bytes()).map_err(write_error)?;
    temporary.as_file().sync_all().map_err(write_error)?;
    temporary
        .persist(path)
        .map_err(|error| write_error(error.error))?;
    Ok(())
}
