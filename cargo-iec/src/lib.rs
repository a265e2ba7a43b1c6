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
pub mod review;
pub mod trace;
pub mod workspace;

use cli::{Cargo, Command, PackageSelection, ReviewArgs, TraceArgs, TraceFormat};
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
        Command::Review(args) => run_review(&args),
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

/// Reads the workspace, collects the records and joins them with the catalogue.
fn traced(
    selection: &PackageSelection,
    include_orphans: bool,
) -> Result<(workspace::Workspace, iec_model::Catalogue, trace::Trace), Error> {
    let workspace = workspace::Workspace::load(selection)?;
    let catalogue = workspace.catalogue()?;
    let collected = compiled::collect(&workspace, selection)?;
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
        include_orphans,
    });
    Ok((workspace, catalogue, trace))
}

fn run_review(args: &ReviewArgs) -> Result<u8, Error> {
    let (workspace, catalogue, trace) = traced(&args.selection, false)?;
    for id in &args.requirements {
        if catalogue.requirement(id).is_none() {
            return Err(Error::Input(format!(
                "--requirement {id}: not in the catalogue {}",
                workspace.relative(&catalogue.path)
            )));
        }
    }
    let path = review::lock_path(&workspace.root, &workspace.metadata.workspace_metadata);
    let previous = review::read_lock(&path)?;
    let lock = review::reviewed(
        &trace,
        &catalogue,
        &workspace.root,
        previous.as_ref(),
        &args.requirements,
    );
    output::write(Some(&path), &review::render(&lock)?)?;
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "reviewed {} link{}; wrote {}",
            lock.links.len(),
            if lock.links.len() == 1 { "" } else { "s" },
            workspace.relative(&path)
        );
    }
    Ok(exit_code::OK)
}

fn run_trace(args: &TraceArgs) -> Result<u8, Error> {
    // The policy is checked before building, so a typo fails fast.
    let configured = workspace::Workspace::load(&args.selection)?.configured_deny()?;
    let deny = policy(&args.deny, &configured)?;
    let include_orphans = args.orphans || deny.contains(&GapKind::OrphanTest);
    let (workspace, catalogue, mut trace) = traced(&args.selection, include_orphans)?;
    let lock_path = review::lock_path(&workspace.root, &workspace.metadata.workspace_metadata);
    if let Some(lock) = review::read_lock(&lock_path)? {
        review::apply(&mut trace, &catalogue, &workspace.root, &lock);
    }
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
