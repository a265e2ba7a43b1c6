//! `cargo iec`: IEC 62304 traceability for Rust workspaces.
//!
//! The binary is a thin shell over [`main_with_args`]; each command lives in its own module.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use iec_runtime::requirement;

pub mod accepted;
pub mod cli;
pub mod compiled;
pub mod compiled_out;
pub mod coverage;
pub mod cross_check;
pub mod design;
pub mod diff;
pub mod environment;
pub mod error;
pub mod evidence;
pub mod formats;
pub mod git;
pub mod impact;
pub mod interface;
pub mod interop;
pub mod junit;
pub mod libtest;
pub mod nextest_reuse;
pub mod output;
pub mod policy;
pub mod problems;
pub mod record;
pub mod results;
pub mod review;
pub mod run;
pub mod selftest;
pub mod soup;
pub mod static_scan;
pub mod test_command;
pub(crate) mod timing;
pub mod trace;
pub mod verify;
pub mod workspace;

use cli::{Cargo, Command, PackageSelection, ReviewArgs, TraceArgs, TraceFormat};
use error::{Error, exit_code};
use trace::GapKind;

/// Parses `args` (as `cargo-iec iec ...`), runs the command and returns the exit code.
#[requirement("TR-CLI-EXIT")]
pub fn main_with_args(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let args: Vec<OsString> = args.into_iter().collect();
    let command_line: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
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
        Command::Test(args) => test_command::run(&args, command_line),
        Command::Verify(args) => run_verify(&args),
        Command::Soup(args) => run_soup(&args),
        Command::Design(args) => design::command::run(&args),
        Command::Import(format) => interop::run_import(&format),
        Command::Export(format) => interop::run_export(&format),
        Command::Impact(args) => impact::command::run(&args, command_line),
        Command::Diff(args) => diff::run(&args),
        Command::Selftest(args) => selftest::run(&args),
    };
    timing::phase("free");
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

/// A note for people on stderr (never on stdout, which carries the results).
pub(crate) fn note(message: &str) {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("note: {message}");
    }
}

pub(crate) fn warn(message: &str) {
    #[allow(clippy::print_stderr)] // warnings and progress go to stderr
    {
        eprintln!("warning: {message}");
    }
}

/// Reads the workspace, collects the records and joins them with the catalogue.
fn traced(
    workspace: &workspace::Workspace,
    selection: &PackageSelection,
    channels: &cli::ChannelArgs,
    include_orphans: bool,
) -> Result<(iec_model::Catalogue, trace::Trace, usize), Error> {
    traced_with_tests(workspace, selection, channels, include_orphans)
        .map(|(catalogue, trace, _, scan_errors)| (catalogue, trace, scan_errors))
}

/// The host's target triple (`rustc -vV`), to tell whether test binaries can run here.
fn host_triple(root: &std::path::Path) -> Option<String> {
    environment::rustc(root).host
}

/// A trace with what it was built from: the catalogue, what the compiled channel collected,
/// and how many source files the static scan could not read.
pub(crate) type Traced = (
    iec_model::Catalogue,
    trace::Trace,
    compiled::Collected,
    usize,
);

/// [`traced`], also returning what the compiled channel collected (test binaries and the
/// tests their harnesses list), which joining test results needs, and how many source files
/// the static scan could not read (each reported on stderr).
pub(crate) fn traced_with_tests(
    workspace: &workspace::Workspace,
    selection: &PackageSelection,
    channels: &cli::ChannelArgs,
    include_orphans: bool,
) -> Result<Traced, Error> {
    traced_with_build(
        workspace,
        selection,
        channels,
        include_orphans,
        &compiled::BuildMode::default(),
    )
}

/// [`traced_with_tests`] with the test targets built as `mode` says (instrumented for
/// `cargo iec test --coverage`).
pub(crate) fn traced_with_build(
    workspace: &workspace::Workspace,
    selection: &PackageSelection,
    channels: &cli::ChannelArgs,
    include_orphans: bool,
    mode: &compiled::BuildMode,
) -> Result<Traced, Error> {
    traced_with_build_then(
        workspace,
        selection,
        channels,
        include_orphans,
        mode,
        None::<fn(&compiled::Collected)>,
    )
    .map(|(traced, _)| traced)
}

/// [`traced_with_build`], running `beside_join` on its own thread, with what the compiled
/// channel collected, while the records are joined with the catalogue: `cargo iec test`
/// runs the tests there, so that the join costs the run no time (docs/PERFORMANCE.md).
/// Not run when nothing is built (`--static`, a foreign `--target`); its result is `None`
/// then.
#[requirement("TR-PERF-TEST-OVERLAP")]
pub(crate) fn traced_with_build_then<R: Send>(
    workspace: &workspace::Workspace,
    selection: &PackageSelection,
    channels: &cli::ChannelArgs,
    include_orphans: bool,
    mode: &compiled::BuildMode,
    beside_join: Option<impl FnOnce(&compiled::Collected) -> R + Send>,
) -> Result<(Traced, Option<R>), Error> {
    // A workspace read without its Cargo graph (`--static`) needs it for the design gaps
    // as soon as it has a unit: resolved beside the scan from the first file naming one
    // (docs/PERFORMANCE.md), and waited for by `design::apply`.
    std::thread::scope(|scope| {
        let (hinted, hint) = std::sync::mpsc::channel::<()>();
        if workspace.is_unresolved() {
            scope.spawn(move || {
                // Nothing sent: the scan found no unit name and dropped its sender.
                if hint.recv().is_ok() {
                    // An error is reported by the resolution that needs the graph.
                    let _ = workspace.resolve();
                }
            });
        }
        // Given once per file naming a unit; the first wakes the thread, the rest are
        // never read.
        let unit_hint = static_scan::UnitHint::new(move || {
            let _ = hinted.send(());
        });
        traced_beside(
            workspace,
            selection,
            channels,
            include_orphans,
            mode,
            unit_hint,
            beside_join,
        )
    })
}

/// The result of a scoped thread, its panic passed on.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// [`traced_with_build_then`], its scan giving `unit_hint`.
fn traced_beside<R: Send>(
    workspace: &workspace::Workspace,
    selection: &PackageSelection,
    channels: &cli::ChannelArgs,
    include_orphans: bool,
    mode: &compiled::BuildMode,
    unit_hint: static_scan::UnitHint,
    beside_join: Option<impl FnOnce(&compiled::Collected) -> R + Send>,
) -> Result<(Traced, Option<R>), Error> {
    let foreign_target = selection
        .target
        .as_deref()
        .filter(|target| host_triple(&workspace.root).as_deref() != Some(*target));
    if let Some(target) = foreign_target {
        note(&format!(
            "test binaries for {target} cannot run on this host: reading the sources only (static channel)"
        ));
    }
    let static_only = channels.static_only || foreign_target.is_some();
    // The catalogue and the sources are independent: read side by side (the scan's
    // threads take the catalogue's while it parses).
    let scan_sources = || static_scan::scan_with_hint(workspace, unit_hint);
    let (catalogue, mut scan, built) = if static_only {
        let (catalogue, scan) = rayon::join(|| workspace.catalogue(), scan_sources);
        timing::phase("catalogue and scan");
        (catalogue?, scan, None)
    } else {
        // A catalogue the macros cannot read fails here, before a build that would fail on
        // it (it was mostly read while `cargo metadata` ran: `Workspace::catalogue`). The
        // sources are independent of the build, which is cargo's work in a child process:
        // they are read while it runs.
        let catalogue = workspace.catalogue()?;
        timing::phase("catalogue");
        let (scan, built) = std::thread::scope(|scope| {
            let reading = scope.spawn(|| timing::overlapped("scan", scan_sources));
            let built = compiled::build(workspace, selection, mode);
            timing::phase(compiled::build_phase(mode));
            (joined(reading), built)
        });
        (catalogue, scan, Some(built))
    };
    for error in &scan.errors {
        report_scan_error(error, channels.keep_going);
    }
    for finding in &scan.unresolved {
        let message = format!(
            "{}:{}:{}: the static scan cannot name this annotation's item ({})",
            finding.file, finding.line, finding.column, finding.reason
        );
        if static_only {
            warn(&format!(
                "{message}; its link is missing from this sources-only trace"
            ));
        } else {
            note(&format!("{message}; the compiled registry is used for it"));
        }
    }
    let collected = match built {
        None => compiled::Collected::default(),
        Some(built) => {
            let collected = compiled::read_built(workspace, built?, Some(&scan))?;
            for package in &collected.without_runtime {
                warn(&format!(
                    "package `{package}` does not depend on iec-runtime, so it can carry no annotations; it adds nothing to the trace"
                ));
            }
            for target in &collected.skipped {
                warn(&format!(
                    "{target} uses `harness = false`; it was not run, so its annotations come from the sources only"
                ));
            }
            collected
        }
    };
    let (trace, beside) = std::thread::scope(|scope| {
        let beside = beside_join
            .filter(|_| !static_only)
            .map(|work| scope.spawn(|| work(&collected)));
        let trace = join_records(
            workspace,
            &catalogue,
            &collected,
            std::mem::take(&mut scan.records),
            static_only,
            include_orphans,
        );
        (trace, beside.map(joined))
    });
    Ok(((catalogue, trace?, collected, scan.errors.len()), beside))
}

/// Joins the records of both channels with `catalogue`: the trace, its gaps and the
/// cross-check of the channels.
fn join_records(
    workspace: &workspace::Workspace,
    catalogue: &iec_model::Catalogue,
    collected: &compiled::Collected,
    scanned: Vec<record::Record>,
    static_only: bool,
    include_orphans: bool,
) -> Result<trace::Trace, Error> {
    // Targets the compiled channel read are traced from their registries; the others
    // (`harness = false`, or everything with --static) from the sources.
    let read: std::collections::BTreeSet<record::TargetRef> =
        collected.tests.keys().cloned().collect();
    // Moved, not cloned: the scan's records are not used after this.
    let (scanned_read, from_sources): (Vec<record::Record>, Vec<record::Record>) = scanned
        .into_iter()
        .partition(|r| !static_only && read.contains(&r.target));
    let mut records = collected.records.clone();
    records.extend(from_sources);
    records.sort();
    let mut trace = trace::build(&trace::TraceInput {
        catalogue,
        catalogue_path: workspace.relative(&catalogue.path),
        records: &records,
        listed_tests: &collected.tests,
        include_orphans,
        packages: workspace
            .selected
            .iter()
            .map(|p| p.name.to_string())
            .collect(),
    });
    interface::apply(&mut trace, &workspace.root, &records);
    let problem_ids: std::collections::BTreeSet<&str> =
        catalogue.problems.iter().map(|p| p.id.as_str()).collect();
    let commits = if workspace.history {
        problems::commits(&workspace.root, &problem_ids)
    } else {
        problems::CommitIndex::new()
    };
    problems::apply(&mut trace, catalogue, &workspace.root, &records, &commits);
    design::apply(&mut trace, catalogue, workspace)?;
    if !static_only {
        trace.gaps.extend(cross_check::compare(
            &collected.records,
            &scanned_read,
            &read,
        ));
        trace.gaps.sort();
        trace.gaps.dedup();
        trace.summary.gaps = trace.gaps.len();
    }
    timing::phase("join");
    Ok(trace)
}

fn report_scan_error(error: &static_scan::ScanError, keep_going: bool) {
    #[allow(clippy::print_stderr)]
    {
        let level = if keep_going { "warning" } else { "error" };
        eprintln!("{level}: {error}");
    }
}

fn run_review(args: &ReviewArgs) -> Result<u8, Error> {
    let workspace = workspace::Workspace::load(&args.selection)?;
    let (catalogue, trace, scan_errors) =
        traced(&workspace, &args.selection, &args.channels, false)?;
    if scan_errors > 0 && !args.channels.keep_going {
        return Err(Error::Input(format!(
            "{scan_errors} source file{} could not be read (above); nothing was reviewed. Fix them, or pass --keep-going",
            if scan_errors == 1 { "" } else { "s" }
        )));
    }
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
    timing::start();
    // The static trace reads the members only; the Cargo graph is resolved if needed.
    let workspace = if args.channels.static_only {
        workspace::Workspace::load_members(&args.selection)?
    } else {
        workspace::Workspace::load(&args.selection)?
    };
    timing::phase("cargo metadata");
    // The policy is resolved before building, so a typo fails fast.
    let policy = policy::Policy::resolve(
        &args.deny,
        &args.warn,
        &workspace.metadata.workspace_metadata,
        &workspace.root.join("Cargo.toml"),
    )?;
    // Coverage to join is read before building, so a wrong path fails fast.
    let coverage_input = match &args.coverage {
        Some(bundle) => {
            let thresholds = coverage::thresholds(
                &workspace.metadata.workspace_metadata,
                &workspace.root.join("Cargo.toml"),
            )?;
            Some((coverage::CoverageData::read(bundle)?, thresholds))
        }
        None => None,
    };
    let include_orphans = args.orphans || policy.mentions(GapKind::OrphanTest);
    let (catalogue, mut trace, collected, scan_errors) =
        traced_with_tests(&workspace, &args.selection, &args.channels, include_orphans)?;
    let lock_path = review::lock_path(&workspace.root, &workspace.metadata.workspace_metadata);
    if let Some(lock) = review::read_lock(&lock_path)? {
        review::apply(&mut trace, &catalogue, &workspace.root, &lock);
    }
    let mut tests_failed = false;
    if let Some(path) = &args.results {
        let run = run::from_junit_file(path, &workspace, &collected)?;
        tests_failed = run.has_failures();
        results::apply(&mut trace, &run);
    }
    if let (Some(bundle), Some((data, thresholds))) = (&args.coverage, &coverage_input) {
        coverage::apply(
            &mut trace,
            data,
            &workspace.root,
            thresholds,
            &bundle.display().to_string(),
        );
    }
    soup::advisories::apply_configured(&mut trace, &workspace)?;
    let (accepted_path, explicit) = accepted::location(
        &workspace.root,
        &workspace.metadata.workspace_metadata,
        args.accepted.as_deref(),
    );
    let accepted_file = accepted::read(
        &accepted_path,
        &workspace.relative(&accepted_path),
        explicit,
        args.write_accepted.is_some(),
    )?;
    if let Some(path) = &args.write_accepted {
        let text = accepted::render(&trace, accepted_file.as_ref());
        output::write(Some(path), &text)?;
        note(&format!(
            "wrote {} accepted gap{} to {}: replace every TODO with the rationale and the reviewer, then commit it",
            text.matches("[[accepted]]").count(),
            if text.matches("[[accepted]]").count() == 1 {
                ""
            } else {
                "s"
            },
            path.display()
        ));
        return Ok(exit_code::OK);
    }
    if let Some(file) = &accepted_file {
        accepted::apply(&mut trace, file);
    }
    // Every unreadable file was reported above (the scan goes on past each); without
    // --keep-going nothing is written, as for any other input error.
    if scan_errors > 0 && !args.channels.keep_going {
        return Err(Error::Input(format!(
            "{scan_errors} source file{} could not be read (above), so the trace would lack their annotations; nothing was written. Fix them, or pass --keep-going to accept a trace without them",
            if scan_errors == 1 { "" } else { "s" }
        )));
    }
    // JSON is streamed to its destination: a large trace's is never held whole
    // (docs/PERFORMANCE.md); the other formats are rendered first.
    let text = match args.format {
        TraceFormat::Json => None,
        TraceFormat::Table => Some(output::table(&trace, args.view)),
        TraceFormat::Markdown => Some(formats::markdown::render(&trace)),
        TraceFormat::Csv => Some(formats::csv::render(&trace).map_err(|error| Error::Io {
            context: "cannot render the CSV".to_string(),
            source: error.into(),
        })?),
        TraceFormat::Html => Some(formats::html::render(&trace)),
        TraceFormat::Sarif => Some(formats::sarif::render(&trace, &policy)),
    };
    timing::phase("render");
    match &text {
        Some(text) => output::write(args.output.as_deref(), text)?,
        None => output::write_with(args.output.as_deref(), |out| {
            output::write_json(out, &trace)
        })?,
    }
    timing::phase("write");
    let code = trace_outcome(&trace, &policy, tests_failed);
    // The process ends next: freeing the records, the trace and its text one allocation at
    // a time would cost more than the JSON took to write (docs/PERFORMANCE.md).
    std::mem::forget((workspace, catalogue, trace, collected, text));
    Ok(code)
}

/// The exit code of a written trace: failed tests or gaps the policy denies (on stderr).
fn trace_outcome(trace: &trace::Trace, policy: &policy::Policy, tests_failed: bool) -> u8 {
    let denied: Vec<_> = trace.gaps.iter().filter(|g| policy.denies(g)).collect();
    if !trace.accepted.is_empty() {
        note(&format!(
            "{} gap{} accepted by the accepted-gaps file",
            trace.accepted.len(),
            if trace.accepted.len() == 1 {
                " is"
            } else {
                "s are"
            }
        ));
    }
    if tests_failed {
        warn("the JUnit file has failed tests");
        return exit_code::POLICY_GAPS;
    }
    if denied.is_empty() {
        return exit_code::OK;
    }
    let kinds: std::collections::BTreeSet<&str> = denied.iter().map(|g| g.kind.as_str()).collect();
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "error: the policy denies {}: {} gap{} found",
            kinds.into_iter().collect::<Vec<_>>().join(", "),
            denied.len(),
            if denied.len() == 1 { "" } else { "s" }
        );
    }
    exit_code::POLICY_GAPS
}

fn run_verify(args: &cli::VerifyArgs) -> Result<u8, Error> {
    match verify::verify(&args.bundle, args.manifest_sha256.as_deref())? {
        Ok(verified) => {
            output::write(
                None,
                &format!(
                    "verified {}: {} files match MANIFEST.sha256 (sha256 {}); {}\n",
                    args.bundle.display(),
                    verified.files,
                    verified.manifest_sha256,
                    verified.source
                ),
            )?;
            Ok(exit_code::OK)
        }
        Err(problems) => {
            #[allow(clippy::print_stderr)]
            {
                for problem in &problems {
                    eprintln!("error: {problem}");
                }
                eprintln!(
                    "error: {} does not verify: {} problem{}",
                    args.bundle.display(),
                    problems.len(),
                    if problems.len() == 1 { "" } else { "s" }
                );
            }
            Ok(exit_code::POLICY_GAPS)
        }
    }
}

fn run_soup(args: &cli::SoupArgs) -> Result<u8, Error> {
    let workspace = workspace::Workspace::load(&args.selection)?;
    let roots: Vec<&cargo_metadata::Package> = workspace.selected.iter().collect();
    let cargo = run::version_line(
        std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .arg("-V")
            .current_dir(&workspace.root),
    );
    let list = soup::list(
        &workspace.metadata,
        &roots,
        &workspace.root,
        environment::rustc(&workspace.root),
        cargo,
    )?;
    if args.advisories {
        return soup::advisories::run(args, &workspace, &list);
    }
    let text = match args.format {
        cli::SoupFormat::Table => soup::table(&list),
        cli::SoupFormat::Json => soup::json(&list),
        cli::SoupFormat::Csv => soup::csv(&list).map_err(|error| Error::Io {
            context: "cannot render the CSV".to_string(),
            source: error.into(),
        })?,
        cli::SoupFormat::Cyclonedx => soup::cyclonedx(&list),
    };
    output::write(args.output.as_deref(), &text)?;
    Ok(exit_code::OK)
}
