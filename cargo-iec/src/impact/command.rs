//! `cargo iec impact [BASE[..HEAD]]`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use iec_runtime::requirement;

use super::side::Side;
use super::{Baseline, Impact, render};
use crate::cli::{PackageSelection, RunnerChoice, TestArgs};
use crate::error::{Error, exit_code};
use crate::git::Repository;
use crate::workspace::Workspace;

/// Formats of the impact record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImpactFormat {
    /// Aligned text for people.
    Table,
    /// Versioned JSON (schema iec-trace/impact/v1, docs/impact-json.md).
    Json,
    /// Markdown, to paste into a change request or pull-request comment.
    Markdown,
}

/// `cargo iec impact` options.
#[derive(Debug, Args)]
pub struct ImpactArgs {
    /// The change: `BASE` (.. the working tree) or `BASE..HEAD`; default: the merge base
    /// with the default branch (origin/HEAD, else main, else master) .. the working tree.
    #[arg(value_name = "BASE[..HEAD]")]
    pub range: Option<String>,
    /// Which packages.
    #[command(flatten)]
    pub selection: PackageSelection,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ImpactFormat::Table)]
    pub format: ImpactFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// The evidence bundle of the last recorded run: with per-test coverage, the tests that
    /// executed changed code are re-run too (reason `executed`).
    #[arg(long, value_name = "BUNDLE")]
    pub baseline: Option<PathBuf>,
    /// Run exactly the tests to re-run with `cargo iec test` and write an evidence bundle
    /// that includes this impact record (impact.json). Needs the working tree as head.
    #[arg(long)]
    pub run: bool,
    /// With --run: the test runner.
    #[arg(long, value_enum, default_value_t = RunnerChoice::Auto, requires = "run")]
    pub runner: RunnerChoice,
    /// With --run: write the bundle to DIR, which must not exist.
    #[arg(long, value_name = "DIR", requires = "run")]
    pub out: Option<PathBuf>,
}

/// The base and head of the range, as (label, commit) with `None` for the working tree.
type Range = ((String, String), Option<(String, String)>);

fn resolve(repository: &Repository, range: Option<&str>) -> Result<Range, Error> {
    let (base, head) = match range {
        Some(range) => match range.split_once("..") {
            Some((base, head)) => (
                if base.is_empty() { "HEAD" } else { base }.to_string(),
                Some(if head.is_empty() { "HEAD" } else { head }.to_string()),
            ),
            None => (range.to_string(), None),
        },
        None => {
            let default = repository.default_branch()?;
            let head = repository.commit("HEAD")?;
            let branch = repository.commit(&default)?;
            let base = repository.merge_base(&branch, &head)?;
            return Ok(((format!("merge-base({default}, HEAD)"), base), None));
        }
    };
    let base_commit = repository.commit(&base)?;
    let head = match head {
        Some(head) => {
            let commit = repository.commit(&head)?;
            Some((head, commit))
        }
        None => None,
    };
    Ok(((base, base_commit), head))
}

/// Reads the baseline bundle: what it can contribute to `executed`.
#[requirement("TR-IMPACT-TESTS")]
fn baseline(path: &std::path::Path) -> Result<Baseline, Error> {
    if !path.join("environment.json").is_file() || !path.join("trace.json").is_file() {
        return Err(Error::Input(format!(
            "--baseline {}: not an evidence bundle (no environment.json and trace.json); give a directory written by `cargo iec test`",
            path.display()
        )));
    }
    // Per-test coverage is not part of the iec-trace/evidence/v1 bundle yet; until a
    // bundle documents a per-test coverage file, `executed` cannot be decided and this says
    // so rather than guessing.
    Ok(Baseline {
        bundle: path.display().to_string(),
        coverage: false,
        note: "the bundle has no per-test coverage, so no test is selected as `executed`; that needs a bundle recorded with per-test coverage".to_string(),
    })
}

/// The files that differ, relative to the workspace root.
fn changed_files(
    repository: &Repository,
    workspace: &Workspace,
    base: &str,
    head: Option<&str>,
) -> Result<Vec<String>, Error> {
    let inside = workspace
        .root
        .strip_prefix(&repository.top)
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        })
        .unwrap_or_default();
    let files = repository.changed_files(base, head)?;
    Ok(files
        .into_iter()
        .filter_map(|f| {
            if inside.is_empty() {
                Some(f)
            } else {
                f.strip_prefix(&format!("{inside}/")).map(str::to_string)
            }
        })
        .collect())
}

/// Computes the impact for `range` in the workspace `selection` names.
pub fn impact_of(selection: &PackageSelection, range: Option<&str>) -> Result<Impact, Error> {
    let current = Workspace::load(selection)?;
    let repository = Repository::discover(&current.root)?;
    let ((base_label, base_commit), head) = resolve(&repository, range)?;
    let base = Side::revision(&repository, &base_label, &base_commit, &current)?;
    let changed = changed_files(
        &repository,
        &current,
        &base_commit,
        head.as_ref().map(|(_, c)| c.as_str()),
    )?;
    let head = match &head {
        Some((label, commit)) => Side::revision(&repository, label, commit, &current)?,
        None => Side::working_tree(current)?,
    };
    Ok(super::compute(&base, &head, &changed))
}

/// Runs `cargo iec impact`.
#[requirement("TR-IMPACT-CLI", "TR-IMPACT-FORMATS")]
pub fn run(args: &ImpactArgs, command_line: Vec<String>) -> Result<u8, Error> {
    if args.run
        && let Some(range) = &args.range
        && range.contains("..")
    {
        return Err(Error::Input(format!(
            "--run runs the tests of the working tree, but the range `{range}` ends at a revision; give only the base (`cargo iec impact BASE --run`)"
        )));
    }
    let baseline = args.baseline.as_deref().map(baseline).transpose()?;
    let mut impact = impact_of(&args.selection, args.range.as_deref())?;
    if let Some(baseline) = baseline {
        crate::note(&format!("--baseline: {}", baseline.note));
        impact.baseline = Some(baseline);
    }
    let text = match args.format {
        ImpactFormat::Table => render::table(&impact),
        ImpactFormat::Json => render::json(&impact),
        ImpactFormat::Markdown => render::markdown(&impact),
    };
    crate::output::write(args.output.as_deref(), &text)?;
    if !args.run {
        return Ok(exit_code::OK);
    }
    run_tests(args, &impact, command_line)
}

/// `--run`: exactly the tests to re-run, through `cargo iec test`.
#[requirement("TR-IMPACT-RUN")]
fn run_tests(args: &ImpactArgs, impact: &Impact, command_line: Vec<String>) -> Result<u8, Error> {
    if impact.tests.is_empty() {
        crate::note("--run: the change affects no test; nothing was run and no bundle written");
        return Ok(exit_code::OK);
    }
    let runner = crate::run::choose(args.runner)?;
    let names: Vec<&str> = impact
        .tests
        .iter()
        .map(|t| crate::results::harness_name(&t.path))
        .collect();
    let runner_args: Vec<String> = match runner {
        crate::run::Runner::Nextest(_) => {
            let filter: Vec<String> = names.iter().map(|n| format!("test(={n})")).collect();
            vec!["-E".to_string(), filter.join(" | ")]
        }
        crate::run::Runner::Cargo(_) => std::iter::once("--".to_string())
            .chain(std::iter::once("--exact".to_string()))
            .chain(names.iter().map(|n| (*n).to_string()))
            .collect(),
    };
    let packages: std::collections::BTreeSet<&str> = impact
        .tests
        .iter()
        .map(|t| t.package.as_str())
        .filter(|p| !p.is_empty())
        .collect();
    let mut selection = args.selection.clone();
    if !packages.is_empty() && selection.packages.is_empty() && !selection.workspace {
        selection.packages = packages.iter().map(|p| (*p).to_string()).collect();
    }
    let test_args = TestArgs {
        selection,
        runner: args.runner,
        out: args.out.clone(),
        require_clean: false,
        no_doc: true,
        deny: Vec::new(),
        warn: Vec::new(),
        runner_args,
    };
    crate::test_command::run_with(
        &test_args,
        command_line,
        &[("impact.json", render::json(impact))],
    )
}
