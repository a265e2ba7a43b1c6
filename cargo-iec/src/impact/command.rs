//! `cargo iec impact [BASE[..HEAD]]`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use iec_runtime::requirement;

use super::side::Side;
use super::{Baseline, Impact, TestLines, render};
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

/// The schema of a bundle's per-test coverage file (`coverage.json`).
const COVERAGE_SCHEMA: &str = "iec-trace/coverage/v1";

/// Reads the baseline bundle: what each test executed, when the bundle recorded per-test
/// coverage (`coverage.json`, written by `cargo iec test --coverage`).
#[requirement("TR-IMPACT-TESTS", "TR-IMPACT-ERRORS")]
fn baseline(
    path: &std::path::Path,
    base_commit: &str,
) -> Result<(Baseline, Option<Vec<TestLines>>), Error> {
    if !path.join("environment.json").is_file() || !path.join("trace.json").is_file() {
        return Err(Error::Input(format!(
            "--baseline {}: not an evidence bundle (no environment.json and trace.json); give a directory written by `cargo iec test`",
            path.display()
        )));
    }
    let recorded_at = std::fs::read_to_string(path.join("environment.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            v.pointer("/source/commit")
                .and_then(|c| c.as_str())
                .map(str::to_string)
        });
    let file = path.join("coverage.json");
    let bundle = path.display().to_string();
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Ok((
            Baseline {
                bundle,
                coverage: false,
                note: "the bundle has no per-test coverage (coverage.json), so no test is selected as `executed`; record the baseline with `cargo iec test --coverage`".to_string(),
            },
            None,
        ));
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|error| {
        Error::Input(format!(
            "{}:{}:{}: not valid JSON ({error}); the bundle is damaged (check it with `cargo iec verify`)",
            file.display(),
            error.line(),
            error.column()
        ))
    })?;
    let schema = value.get("schema").and_then(|s| s.as_str()).unwrap_or("");
    if schema != COVERAGE_SCHEMA {
        return Err(Error::Input(format!(
            "{}: schema `{schema}`, but this cargo-iec reads {COVERAGE_SCHEMA}",
            file.display()
        )));
    }
    let text_of = |v: &serde_json::Value, key: &str| {
        v.get(key)
            .and_then(|s| s.as_str())
            .unwrap_or("")
            .to_string()
    };
    let tests: Vec<TestLines> = value
        .get("tests")
        .and_then(|t| t.as_array())
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|test| TestLines {
            package: text_of(test, "package"),
            target: text_of(test, "target"),
            name: text_of(test, "name"),
            files: test
                .get("files")
                .and_then(|f| f.as_object())
                .into_iter()
                .flatten()
                .map(|(file, hits)| {
                    let lines = hits
                        .get("lines")
                        .and_then(|l| l.as_array())
                        .into_iter()
                        .flatten()
                        .filter_map(|l| l.as_u64())
                        .filter_map(|l| u32::try_from(l).ok())
                        .collect();
                    (file.clone(), lines)
                })
                .collect(),
        })
        .collect();
    let mut note = format!(
        "per-test coverage of {} test{} read: a test that executed a changed line of the base revision is re-run (`executed`)",
        tests.len(),
        if tests.len() == 1 { "" } else { "s" }
    );
    if recorded_at.as_deref() != Some(base_commit) {
        note.push_str(&format!(
            "; the baseline was recorded at {}, not at the base {base_commit}, and lines are matched by number",
            recorded_at.as_deref().unwrap_or("an unknown commit")
        ));
    }
    Ok((
        Baseline {
            bundle,
            coverage: true,
            note,
        },
        Some(tests),
    ))
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

/// Computes the impact for `range` in the workspace `selection` names, with the
/// baseline bundle when given.
pub fn impact_of(
    selection: &PackageSelection,
    range: Option<&str>,
    baseline_bundle: Option<&std::path::Path>,
) -> Result<Impact, Error> {
    let current = Workspace::load(selection)?;
    let repository = Repository::discover(&current.root)?;
    let ((base_label, base_commit), head) = resolve(&repository, range)?;
    let baseline = baseline_bundle
        .map(|path| baseline(path, &base_commit))
        .transpose()?;
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
    let coverage = baseline.as_ref().and_then(|(_, tests)| tests.as_deref());
    let mut impact = super::compute(&base, &head, &changed, coverage);
    if let Some((record, _)) = baseline {
        crate::note(&format!("--baseline: {}", record.note));
        impact.baseline = Some(record);
    }
    Ok(impact)
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
    let impact = impact_of(
        &args.selection,
        args.range.as_deref(),
        args.baseline.as_deref(),
    )?;
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
        coverage: false,
    };
    crate::test_command::run_with(
        &test_args,
        command_line,
        &[("impact.json", render::json(impact))],
    )
}
