//! `cargo iec`: IEC 62304 traceability for Rust workspaces.
//!
//! The binary is a thin shell over [`main_with_args`]; each command lives in its own module.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use iec_runtime::requirement;

pub mod cli;
pub mod compiled;
pub mod error;
pub mod formats;
pub mod output;
pub mod record;
pub mod trace;
pub mod workspace;

use cli::{Cargo, Command, TraceArgs, TraceFormat};
use error::{Error, exit_code};
use trace::GapKind;

/// Parses `args` (as `cargo-iec iec ...`), runs the command and returns the exit code.
#[requirement("TR-CLI-EXIT")]
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let Cargo::Iec(iec) = match Cargo::try_parse_from(args) {
        Ok(parsed) => parsed,
        Err(error) => {
            let code = if error.use_stderr() {
                exit_code::ERROR
            } else {
                exit_code::OK
            };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let result = match iec.command {
        Command::Trace(args) => run_trace(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            report(&error);
            ExitCode::from(exit_code::ERROR)
        }
    }
}

/// Prints an error for people on stderr.
fn report(error: &Error) {
    #[allow(clippy::print_stderr)] // the binary's edge: errors go to stderr
    {
        eprintln!("error: {error}");
    }
}

fn warn(message: &str) {
    #[allow(clippy::print_stderr)] // warnings and progress go to stderr
    {
        eprintln!("warning: {message}");
    }
}

/// Resolves the policy: `--deny` plus `deny` from `[workspace.metadata.iec]`.
#[requirement("TR-CLI-POLICY")]
fn policy(cli: &[String], configured: &[String]) -> Result<Vec<GapKind>, Error> {
    let mut kinds = Vec::new();
    for name in cli.iter().chain(configured) {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        if name == "all" {
            kinds.extend(GapKind::ALL);
            continue;
        }
        let kind = GapKind::parse(name).ok_or_else(|| {
            Error::UnknownGapKind(
                name.to_string(),
                GapKind::ALL.map(GapKind::as_str).join(", "),
            )
        })?;
        kinds.push(kind);
    }
    kinds.sort();
    kinds.dedup();
    Ok(kinds)
}

fn run_trace(args: &TraceArgs) -> Result<u8, Error> {
    let workspace = workspace::Workspace::load(&args.selection)?;
    let deny = policy(&args.deny, &workspace.configured_deny()?)?;
    let catalogue = workspace.catalogue()?;
    let collected = compiled::collect(&workspace, &args.selection)?;
    for target in &collected.skipped {
        warn(&format!(
            "{target} uses `harness = false`; it was not run, so its annotations are not in the trace"
        ));
    }
    let trace = trace::build(&trace::TraceInput {
        catalogue: &catalogue,
        catalogue_path: workspace.relative(&catalogue.path),
        records: &collected.records,
        listed_tests: &collected.tests,
        include_orphans: args.orphans || deny.contains(&GapKind::OrphanTest),
    });
    let text = match args.format {
        TraceFormat::Table => output::table(&trace, args.view),
        TraceFormat::Json => output::json(&trace),
        TraceFormat::Markdown => formats::markdown::render(&trace),
        TraceFormat::Csv => formats::csv::render(&trace).map_err(|error| Error::Io {
            context: "cannot render the CSV".to_string(),
            source: error.into(),
        })?,
        TraceFormat::Html => formats::html::render(&trace),
        TraceFormat::Sarif => formats::sarif::render(&trace, &deny),
    };
    output::write(args.output.as_deref(), &text)?;
    let denied: Vec<_> = trace
        .gaps
        .iter()
        .filter(|g| deny.contains(&g.kind))
        .collect();
    if denied.is_empty() {
        return Ok(exit_code::OK);
    }
    let mut kinds: Vec<&str> = denied.iter().map(|g| g.kind.as_str()).collect();
    kinds.dedup();
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "error: the policy denies {}: {} gap{} found",
            kinds.join(", "),
            denied.len(),
            if denied.len() == 1 { "" } else { "s" }
        );
    }
    Ok(exit_code::POLICY_GAPS)
}
