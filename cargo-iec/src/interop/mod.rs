//! Interoperability with requirements tools: `cargo iec import reqif` and `cargo iec export
//! reqif` (docs/INTEROP.md). Doorstop and StrictDoc documents need no command: the catalogue
//! reads them in place (`iec_model::sources`).

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use iec_runtime::requirement;

use crate::cli::PackageSelection;
use crate::error::{Error, exit_code};

pub mod problem_import;
pub mod reqif;
pub mod reqif_export;
pub mod reqif_import;
pub mod xhtml;
pub mod xml;

/// `cargo iec import` formats.
#[derive(Debug, Subcommand)]
pub enum ImportFormat {
    /// Import a ReqIF 1.0-1.2 document (.reqif, or a .reqifz archive) as a TOML catalogue.
    #[command(
        long_about = "Reads a ReqIF 1.0-1.2 document (.reqif, or every .reqif of a .reqifz \
archive) exported by DOORS, Polarion, Jama, Codebeamer, ReqIF Studio or EA, and writes a \
catalogue in iec-trace's TOML format: one [[requirement]] per SPEC-OBJECT that is not a \
heading (ID, title, text as plain text, parents from the SPEC-HIERARCHY nesting and the \
SPEC-RELATIONs, its section, and source = { file, reqif_id } for the export), one [[section]] \
per heading.\n\nImporting over an earlier import lists the requirements added, changed \
(title or text) and removed; links to changed requirements become `suspect` in the next \
trace once reviewed links exist (iec.lock).\n\nMalformed input is an error with file, line \
and column, and nothing is written.",
        after_help = "Exit codes:\n  0  imported\n  2  unreadable or malformed input, or the output cannot be written"
    )]
    Reqif(ReqifImportArgs),
    /// Import problem reports from an issue tracker's CSV or JSON export as [[problem]]
    /// entries.
    #[command(
        long_about = "Reads a CSV export (a header row, one row per issue) or a JSON export (an \
array of issues, or an object with an `issues` array; nested keys as `fields.summary`) of an \
issue tracker and writes [[problem]] entries (IEC 62304 clause 9) in ID order, to name in \
the catalogue with problems = [\"problems.toml\"].\n\n\
Example (a Jira CSV export):\n  \
cargo iec import problems issues.csv \\\n    \
--map id=\"Issue key\",title=Summary,status=Status,criticality=Priority,affects=Requirements \\\n    \
--status-map \"To Do=open,In Progress=investigating,Done=resolved,Won't Do=deferred\" \\\n    \
-o problems.toml\n\n\
A missing column, an empty id, title or status, a duplicate ID or an unmapped status is an \
error naming the row (CSV line, or JSON issue index) and column, and nothing is written.",
        after_help = "Exit codes:\n  0  imported\n  2  unreadable or malformed input, or the output cannot be written"
    )]
    Problems(problem_import::ProblemImportArgs),
}

/// `cargo iec import reqif` options.
#[derive(Debug, Args)]
pub struct ReqifImportArgs {
    /// The ReqIF document: FILE.reqif or FILE.reqifz.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Where to write the catalogue (atomically).
    #[arg(short, long, value_name = "FILE", default_value = "requirements.toml")]
    pub output: PathBuf,
    /// The attribute (LONG-NAME) holding requirement IDs; every requirement must then have a
    /// valid, unique one [default: ReqIF.ForeignID when every requirement has a valid, unique
    /// one, else the SPEC-OBJECT identifier].
    #[arg(long, value_name = "NAME")]
    pub id_attribute: Option<String>,
    /// The attribute holding titles [default: ReqIF.Name, ReqIF.ChapterName, the first line
    /// of the text].
    #[arg(long, value_name = "NAME")]
    pub title_attribute: Option<String>,
    /// The attribute holding the requirement text [default: ReqIF.Text, else
    /// ReqIF.Description].
    #[arg(long, value_name = "NAME")]
    pub text_attribute: Option<String>,
}

/// `cargo iec export` formats.
#[derive(Debug, Subcommand)]
pub enum ExportFormat {
    /// Export the catalogue with its trace links as ReqIF 1.2.
    #[command(
        long_about = "Writes the catalogue's sections and requirements, the items that implement \
them and the tests that verify them (with their last results when --results is given) as \
ReqIF SPEC-OBJECTs and SPEC-RELATIONs (parent, implements, verifies), with every datatype and \
spec type declared and identifiers that stay the same from one export to the next (an \
imported requirement keeps its SPEC-OBJECT identifier). The output validates against the \
ReqIF 1.2 schema (scripts/check-reqif).",
        after_help = "Exit codes:\n  0  exported\n  2  usage, input or environment error"
    )]
    Reqif(ReqifExportArgs),
}

/// `cargo iec export reqif` options.
#[derive(Debug, Args)]
pub struct ReqifExportArgs {
    /// Which packages.
    #[command(flatten)]
    pub selection: PackageSelection,
    /// Where to write the ReqIF document (atomically).
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Join the test results of a JUnit file: each test object carries its last result.
    #[arg(long, value_name = "FILE.xml")]
    pub results: Option<PathBuf>,
}

#[allow(clippy::print_stderr)] // reports go to stderr; stdout stays free
fn say(message: &str) {
    eprintln!("{message}");
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// `cargo iec import reqif`.
#[requirement(
    "TR-INTEROP-REQIF-IMPORT",
    "TR-INTEROP-REQIF-REIMPORT",
    "TR-INTEROP-REQIF-ERRORS"
)]
pub fn run_import(format: &ImportFormat) -> Result<u8, Error> {
    let args = match format {
        ImportFormat::Reqif(args) => args,
        ImportFormat::Problems(args) => return problem_import::run(args),
    };
    let document = reqif::read(&args.file).map_err(|e| Error::Input(e.to_string()))?;
    let source_file = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let options = reqif_import::ImportOptions {
        id_attribute: args.id_attribute.clone(),
        title_attribute: args.title_attribute.clone(),
        text_attribute: args.text_attribute.clone(),
        source_file,
    };
    let imported =
        reqif_import::import(&document, &options).map_err(|e| Error::Input(e.to_string()))?;
    for warning in &imported.warnings {
        crate::warn(warning);
    }
    let text = reqif_import::render(&imported, &options, document.source_tool.as_deref());
    let next = iec_model::Catalogue::parse(&text, &args.output).map_err(|error| {
        Error::Input(format!(
            "{}: the import would not be a valid catalogue, so nothing was written:\n{error}",
            args.file.display()
        ))
    })?;
    let previous = previous_import(&args.output)?;
    crate::output::write(Some(&args.output), &text)?;
    let mut report = format!(
        "imported {} and {} from {} into {}",
        plural(imported.requirements.len(), "requirement"),
        plural(imported.sections.len(), "section"),
        args.file.display(),
        args.output.display()
    );
    if imported.skipped_code_objects > 0 {
        report.push_str(&format!(
            "; skipped {} of an iec-trace export",
            plural(imported.skipped_code_objects, "code or test object")
        ));
    }
    say(&report);
    if let Some(previous) = previous {
        let changes = reqif_import::changes(&previous, &next);
        let list = |ids: &[String]| {
            if ids.is_empty() {
                String::new()
            } else {
                format!(": {}", ids.join(", "))
            }
        };
        say(&format!(
            "added {}{}",
            plural(changes.added.len(), "requirement"),
            list(&changes.added)
        ));
        say(&format!(
            "changed {}{}{}",
            plural(changes.changed.len(), "requirement"),
            list(&changes.changed),
            if changes.changed.is_empty() {
                ""
            } else {
                " (their reviewed links are suspect until `cargo iec review`)"
            }
        ));
        say(&format!(
            "removed {}{}",
            plural(changes.removed.len(), "requirement"),
            list(&changes.removed)
        ));
    }
    Ok(exit_code::OK)
}

/// The catalogue an earlier import wrote at `output`, to compare with; refuses to replace a
/// file that holds anything not imported.
fn previous_import(output: &Path) -> Result<Option<iec_model::Catalogue>, Error> {
    if !output.exists() {
        return Ok(None);
    }
    let previous = iec_model::Catalogue::load(output).map_err(|error| {
        Error::Input(format!(
            "{} exists and is not a valid catalogue, so it was left alone; remove it or choose another --output:\n{error}",
            output.display()
        ))
    })?;
    let hand_written: Vec<&str> = previous
        .requirements
        .iter()
        .filter(|r| r.source.is_none())
        .map(|r| r.id.as_str())
        .chain(previous.items.iter().map(|i| i.id.as_str()))
        .chain(
            previous
                .system_requirements
                .iter()
                .filter(|r| r.source.is_none())
                .map(|r| r.id.as_str()),
        )
        .collect();
    if !hand_written.is_empty() {
        return Err(Error::Input(format!(
            "{} holds entries that were not imported ({}), so it was left alone: import into a file of its own and list both in `catalogue = [...]`",
            output.display(),
            hand_written.join(", ")
        )));
    }
    Ok(Some(previous))
}

/// `cargo iec export reqif`.
#[requirement("TR-INTEROP-REQIF-EXPORT")]
pub fn run_export(format: &ExportFormat) -> Result<u8, Error> {
    let ExportFormat::Reqif(args) = format;
    let workspace = crate::workspace::Workspace::load(&args.selection)?;
    let (catalogue, mut trace, collected, _) = crate::traced_with_tests(
        &workspace,
        &args.selection,
        &crate::cli::ChannelArgs::default(),
        false,
    )?;
    if let Some(path) = &args.results {
        let run = crate::run::from_junit_file(path, &workspace, &collected)?;
        crate::results::apply(&mut trace, &run);
    }
    let title = workspace.root.file_name().map_or_else(
        || "Software requirements".to_string(),
        |n| format!("{} software requirements", n.to_string_lossy()),
    );
    let text = reqif_export::render(
        &catalogue,
        &trace,
        &reqif_export::ExportOptions {
            timestamp: reqif_export::timestamp_now(),
            title,
        },
    );
    crate::output::write(Some(&args.output), &text)?;
    say(&format!(
        "exported {} and {} with their trace links to {}",
        plural(catalogue.requirements.len(), "requirement"),
        plural(catalogue.sections.len(), "section"),
        args.output.display()
    ));
    Ok(exit_code::OK)
}
