//! `cargo iec selftest`: the validation suite shipped inside the tool.
//!
//! Case workspaces with seeded defects (every gap kind) and traps for false verification
//! are embedded at build time (`build.rs`, `selftest/cases/`). The suite writes them to a
//! work directory, runs this very binary on each (`cargo-iec iec trace` or `test`) with the
//! user's toolchain, compares each outcome with the case's `expect.toml` and writes the
//! validation report as an evidence bundle `cargo iec verify` checks.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use iec_runtime::requirement;
use serde::{Deserialize, Serialize};

use crate::environment::{self, UtcTime, sha256_hex};
use crate::error::{Error, exit_code};
use crate::evidence::EvidenceBundle;
use crate::trace::GapKind;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/selftest_files.rs"));
}

/// The report's schema version (docs/VALIDATION.md).
pub const SCHEMA: &str = "iec-trace/selftest/v1";

/// The files of a selftest bundle besides the manifest and the per-case logs.
pub const FILES: [&str; 2] = ["selftest.json", "selftest.md"];

/// The placeholder case manifests use for the path of iec-runtime.
const RUNTIME_PLACEHOLDER: &str = "@IEC_RUNTIME@";

/// Gap kinds no case seeds yet; every other kind must be seeded by some case (a unit test
/// checks it, so a new kind cannot be added without a case or a line here).
pub const NOT_YET_SEEDED: &[&str] = &[];

/// What a missing llvm-tools component means for the suite, and how to fix it.
pub const LLVM_TOOLS_INSTALL: &str = "rustup component add llvm-tools";

/// `cargo iec selftest` options.
#[derive(Debug, clap::Args)]
pub struct SelftestArgs {
    /// Write the report bundle to DIR, which must not exist (default:
    /// iec-selftest-<UTC time> in the current directory).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Run the cases of DIR (one sub-directory with an expect.toml each) instead of the
    /// embedded suite.
    #[arg(long, value_name = "DIR")]
    pub cases: Option<PathBuf>,
    /// Run only these cases (by name); the report names the selection.
    #[arg(long = "case", value_name = "NAME")]
    pub only: Vec<String>,
    /// The target directory all case builds share (default: one in the work directory).
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Keep the case workspaces in DIR (must not exist) instead of a temporary directory.
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Fail (exit 2, before any case) when the cases that need per-test coverage cannot
    /// run because the toolchain's llvm-tools component is missing, instead of reporting
    /// them as not run.
    #[arg(long)]
    pub require_coverage: bool,
}

/// One edit of a case's files before its run.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Edit {
    /// File, relative to the case.
    pub file: String,
    /// Text that must occur.
    pub from: String,
    /// Its replacement.
    pub to: String,
}

/// A step before the compared run: a cargo-iec command, or an edit.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// `cargo-iec iec <args>`, which must exit 0.
    #[serde(default)]
    pub run: Vec<String>,
    /// An edit.
    pub edit: Option<Edit>,
}

/// A case's `expect.toml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// What the case shows.
    pub what: String,
    /// Steps before the run.
    #[serde(default)]
    pub step: Vec<Step>,
    /// The compared command: `["trace", ...]` (JSON read from stdout) or `["test", ...]`
    /// (trace.json read from the bundle).
    pub run: Vec<String>,
    /// Its exit code.
    pub exit: i32,
    /// Every gap, as `KIND SUBJECT [PATH]`.
    #[serde(default)]
    pub gaps: Vec<String>,
    /// Every link, as `ID implemented-by PATH` or `ID verified-by PATH [RESULT]`.
    #[serde(default)]
    pub links: Vec<String>,
    /// Text standard error must contain (for runs that fail with exit 2).
    #[serde(default)]
    pub stderr_contains: Vec<String>,
}

/// What a run gave, in the terms of [`Expectation`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// Exit code (-1 when killed).
    pub exit: i32,
    /// Gaps, sorted.
    pub gaps: Vec<String>,
    /// Links, sorted.
    pub links: Vec<String>,
}

/// One case in the report.
#[derive(Debug, Clone, Serialize)]
pub struct CaseReport {
    /// Name (its directory).
    pub name: String,
    /// What it shows.
    pub what: String,
    /// The command compared.
    pub command: Vec<String>,
    /// The expected outcome.
    pub expected: Outcome,
    /// The actual outcome.
    pub actual: Outcome,
    /// Whether they match.
    pub matches: bool,
    /// Each difference, for people.
    pub differences: Vec<String>,
    /// The case's log in the bundle.
    pub log: String,
}

/// A selected case that was not run on this machine, and why.
#[derive(Debug, Clone, Serialize)]
pub struct NotRun {
    /// Name (its directory).
    pub name: String,
    /// What it shows.
    pub what: String,
    /// The command it would have compared.
    pub command: Vec<String>,
    /// The gap kinds its expectation seeds.
    pub seeds: Vec<String>,
    /// Why it did not run, and what to do about it.
    pub reason: String,
}

/// The tool under validation.
#[derive(Debug, Clone, Serialize)]
pub struct ToolIdentity {
    /// `cargo-iec`.
    pub name: &'static str,
    /// Its version.
    pub version: &'static str,
    /// The running executable.
    pub binary: String,
    /// SHA-256 of the running executable.
    pub binary_sha256: String,
}

/// The toolchain the cases were built with.
#[derive(Debug, Clone, Serialize)]
pub struct Toolchain {
    /// `rustc -vV`.
    pub rustc: environment::Rustc,
    /// `cargo -V`.
    pub cargo: Option<String>,
}

/// `selftest.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// UTC time of the run (`SOURCE_DATE_EPOCH` when set).
    pub time: String,
    /// The tool.
    pub tool: ToolIdentity,
    /// The toolchain.
    pub toolchain: Toolchain,
    /// The machine.
    pub os: environment::Os,
    /// `embedded` or the --cases directory.
    pub suite: String,
    /// The iec-runtime the cases build against: `embedded` (this binary's own sources) or
    /// `registry =VERSION`.
    pub runtime: String,
    /// The names given with --case (empty: every case).
    pub selection: Vec<String>,
    /// Gap kinds the cases run seed (expected somewhere).
    pub seeded_gap_kinds: Vec<String>,
    /// Gap kinds of this cargo-iec no case run seeds.
    pub unseeded_gap_kinds: Vec<String>,
    /// Cases run.
    pub cases: usize,
    /// Of which matched.
    pub matched: usize,
    /// Whether every case that ran matched.
    pub passed: bool,
    /// Whether every selected case ran (false: see `not_run`).
    pub complete: bool,
    /// Selected cases that could not run on this machine (the coverage cases without
    /// llvm-tools), each with the reason.
    pub not_run: Vec<NotRun>,
    /// Each case.
    pub results: Vec<CaseReport>,
}

fn progress(message: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{message}");
}

/// A case's files: relative path -> contents.
type Files = BTreeMap<String, Vec<u8>>;

/// The cases (name -> files, expect.toml included) and the runtime's files.
fn load_suite(cases_dir: Option<&Path>) -> Result<(BTreeMap<String, Files>, Files), Error> {
    let mut cases: BTreeMap<String, Files> = BTreeMap::new();
    let mut runtime = Files::new();
    for (path, bytes) in embedded::FILES {
        if let Some(rest) = path.strip_prefix("cases/") {
            if cases_dir.is_none()
                && let Some((case, file)) = rest.split_once('/')
            {
                cases
                    .entry(case.to_string())
                    .or_default()
                    .insert(file.to_string(), bytes.to_vec());
            }
        } else if let Some(rest) = path.strip_prefix("runtime/") {
            runtime.insert(rest.to_string(), bytes.to_vec());
        }
    }
    if let Some(dir) = cases_dir {
        let entries = std::fs::read_dir(dir).map_err(|source| Error::Io {
            context: format!("--cases {}: cannot read the directory", dir.display()),
            source,
        })?;
        for entry in entries.flatten() {
            let case_dir = entry.path();
            if !case_dir.join("expect.toml").is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let mut files = Files::new();
            read_tree(&case_dir, &case_dir, &mut files)?;
            cases.insert(name, files);
        }
        if cases.is_empty() {
            return Err(Error::Input(format!(
                "--cases {}: no case (a sub-directory with an expect.toml) in it",
                dir.display()
            )));
        }
    }
    cases.retain(|_, files| files.contains_key("expect.toml"));
    Ok((cases, runtime))
}

fn read_tree(base: &Path, dir: &Path, files: &mut Files) -> Result<(), Error> {
    let io = |path: &Path| {
        let context = format!("cannot read {}", path.display());
        move |source| Error::Io { context, source }
    };
    for entry in std::fs::read_dir(dir).map_err(io(dir))?.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if entry.file_name() != "target" {
                read_tree(base, &path, files)?;
            }
        } else {
            let relative = path
                .strip_prefix(base)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            files.insert(relative, std::fs::read(&path).map_err(io(&path))?);
        }
    }
    Ok(())
}

/// Parses a case's expect.toml; errors name the case and the position.
pub fn parse_expectation(case: &str, text: &str) -> Result<Expectation, Error> {
    toml::from_str(text).map_err(|error| {
        Error::Input(format!(
            "case {case}: expect.toml: {}",
            error.to_string().trim_end()
        ))
    })
}

fn write_files(dir: &Path, files: &Files, runtime_dir: Option<&Path>) -> Result<(), Error> {
    for (name, bytes) in files {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                context: format!("cannot create {}", parent.display()),
                source,
            })?;
        }
        let bytes = if name.ends_with("Cargo.toml") {
            let text = String::from_utf8_lossy(bytes);
            let replaced = match runtime_dir {
                Some(runtime) => text.replace(
                    RUNTIME_PLACEHOLDER,
                    &runtime.to_string_lossy().replace('\\', "/"),
                ),
                None => text.replace(
                    &format!("path = \"{RUNTIME_PLACEHOLDER}\""),
                    &format!("version = \"={}\"", env!("CARGO_PKG_VERSION")),
                ),
            };
            replaced.into_bytes()
        } else {
            bytes.clone()
        };
        std::fs::write(&path, bytes).map_err(|source| Error::Write { path, source })?;
    }
    Ok(())
}

/// The gaps and links of a trace JSON, in the terms of [`Expectation`].
pub fn outcome_of(trace: &serde_json::Value, exit: i32) -> Outcome {
    let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
    let mut gaps: Vec<String> = trace["gaps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|gap| {
            let kind = gap["kind"].as_str().unwrap_or("?");
            let subject = text(&gap["requirement"])
                .or_else(|| text(&gap["unit"]))
                .or_else(|| text(&gap["problem"]))
                .or_else(|| text(&gap["advisory"]))
                .or_else(|| text(&gap["path"]))
                .unwrap_or_default();
            match text(&gap["path"]) {
                Some(path) if path != subject => format!("{kind} {subject} {path}"),
                _ => format!("{kind} {subject}"),
            }
        })
        .collect();
    gaps.sort();
    let mut links = Vec::new();
    for requirement in trace["requirements"].as_array().into_iter().flatten() {
        let id = requirement["id"].as_str().unwrap_or("?");
        for (field, relation) in [
            ("implemented_by", "implemented-by"),
            ("verified_by", "verified-by"),
        ] {
            for link in requirement[field].as_array().into_iter().flatten() {
                let path = link["path"].as_str().unwrap_or("?");
                match text(&link["result"]) {
                    Some(result) => links.push(format!("{id} {relation} {path} {result}")),
                    None => links.push(format!("{id} {relation} {path}")),
                }
            }
        }
    }
    links.sort();
    Outcome { exit, gaps, links }
}

/// The differences between `expected` and `actual`, for people; empty when they match.
#[requirement("TR-VALIDATION-SELFTEST")]
pub fn differences(expected: &Outcome, actual: &Outcome) -> Vec<String> {
    let mut out = Vec::new();
    if expected.exit != actual.exit {
        out.push(format!(
            "exit code: expected {}, got {}",
            expected.exit, actual.exit
        ));
    }
    for (what, want, got) in [
        ("gap", &expected.gaps, &actual.gaps),
        ("link", &expected.links, &actual.links),
    ] {
        let want_set: BTreeSet<&String> = want.iter().collect();
        let got_set: BTreeSet<&String> = got.iter().collect();
        for missing in want_set.difference(&got_set) {
            out.push(format!("missing {what}: {missing}"));
        }
        for extra in got_set.difference(&want_set) {
            out.push(format!("unexpected {what}: {extra}"));
        }
        if want_set == got_set && want.len() != got.len() {
            out.push(format!(
                "{what}s: expected {} entries, got {} (duplicates differ)",
                want.len(),
                got.len()
            ));
        }
    }
    out
}

struct Runner<'a> {
    binary: PathBuf,
    target_dir: &'a Path,
}

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Runner<'_> {
    fn run(&self, dir: &Path, args: &[String]) -> Result<Ran, Error> {
        let output = Command::new(&self.binary)
            .arg("iec")
            .args(args)
            .current_dir(dir)
            .env("CARGO_TARGET_DIR", self.target_dir)
            .env("CARGO_TERM_COLOR", "never")
            .env_remove("IEC_TRACE_CATALOGUE")
            .env_remove("IEC_TRACE_DUMP")
            .stdin(Stdio::null())
            .output()
            .map_err(|source| Error::Io {
                context: format!("cannot run {}", self.binary.display()),
                source,
            })?;
        Ok(Ran {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}

/// Runs one case in `dir`; returns its outcome and log.
fn run_case(
    runner: &Runner<'_>,
    dir: &Path,
    bundles: &Path,
    name: &str,
    expectation: &Expectation,
) -> Result<(Outcome, String), Error> {
    let mut log = String::new();
    for step in &expectation.step {
        if let Some(edit) = &step.edit {
            let path = dir.join(&edit.file);
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            if !text.contains(&edit.from) {
                return Err(Error::Input(format!(
                    "case {name}: step edits {}, which does not contain {:?}",
                    edit.file, edit.from
                )));
            }
            std::fs::write(&path, text.replacen(&edit.from, &edit.to, 1))
                .map_err(|source| Error::Write { path, source })?;
            log.push_str(&format!("$ edit {}\n", edit.file));
        }
        if !step.run.is_empty() {
            let ran = runner.run(dir, &step.run)?;
            log.push_str(&format!(
                "$ cargo iec {}\nexit {}\n{}{}",
                step.run.join(" "),
                ran.code,
                ran.stdout,
                ran.stderr
            ));
            if ran.code != 0 {
                return Ok((
                    Outcome {
                        exit: ran.code,
                        ..Outcome::default()
                    },
                    log,
                ));
            }
        }
    }
    let mut args = expectation.run.clone();
    let is_test = args.first().map(String::as_str) == Some("test");
    let bundle = bundles.join(name);
    match args.first().map(String::as_str) {
        Some("trace") => args.extend(["--format".to_string(), "json".to_string()]),
        Some("test") => {
            let runner_args = args.iter().position(|a| a == "--").unwrap_or(args.len());
            let mut added = vec!["--out".to_string(), bundle.to_string_lossy().into_owned()];
            // `--coverage` runs each test itself, one process per test: no runner.
            if !needs_coverage(expectation) {
                added.extend(["--runner".to_string(), "cargo".to_string()]);
            }
            added.push("--no-doc".to_string());
            args.splice(runner_args..runner_args, added);
        }
        _ => {
            return Err(Error::Input(format!(
                "case {name}: expect.toml: `run` must start with \"trace\" or \"test\""
            )));
        }
    }
    let ran = runner.run(dir, &args)?;
    log.push_str(&format!(
        "$ cargo iec {}\nexit {}\n--- stderr\n{}",
        expectation.run.join(" "),
        ran.code,
        ran.stderr
    ));
    let json = if is_test {
        std::fs::read_to_string(bundle.join("trace.json")).ok()
    } else {
        Some(ran.stdout.clone())
    };
    let trace = json
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .unwrap_or(serde_json::Value::Null);
    let mut outcome = outcome_of(&trace, ran.code);
    // Text the case expects on stderr counts as gaps-like evidence: missing text is a
    // difference.
    for wanted in &expectation.stderr_contains {
        if ran.stderr.contains(wanted.as_str()) {
            outcome.gaps.push(format!("stderr: {wanted}"));
        }
    }
    outcome.gaps.sort();
    Ok((outcome, log))
}

/// Whether a case measures per-test coverage (`--coverage` in its run or a step), so needs
/// the toolchain's llvm-tools.
#[requirement("TR-SELFTEST-COV-SEED")]
pub fn needs_coverage(expectation: &Expectation) -> bool {
    std::iter::once(&expectation.run)
        .chain(expectation.step.iter().map(|step| &step.run))
        .flatten()
        .any(|arg| arg == "--coverage")
}

/// Why the coverage cases cannot run here (`None`: they can): the llvm-tools lookup of
/// `cargo iec test --coverage`, run where the cases will run (`dir`, or its nearest
/// existing ancestor, so a rust-toolchain file there is honoured).
#[requirement("TR-SELFTEST-COV-MISSING")]
fn coverage_unavailable(dir: &Path) -> Option<String> {
    let existing = dir
        .ancestors()
        .find(|d| d.is_dir())
        .unwrap_or_else(|| Path::new("."));
    match crate::coverage::llvm::find_tools(existing) {
        Ok(_) => None,
        Err(error) => {
            let error = error.to_string();
            Some(if error.contains(LLVM_TOOLS_INSTALL) {
                error
            } else {
                format!("{error} (the toolchain's tools: `{LLVM_TOOLS_INSTALL}`)")
            })
        }
    }
}

fn expected_outcome(expectation: &Expectation) -> Outcome {
    let mut gaps = expectation.gaps.clone();
    gaps.extend(
        expectation
            .stderr_contains
            .iter()
            .map(|s| format!("stderr: {s}")),
    );
    gaps.sort();
    let mut links = expectation.links.clone();
    links.sort();
    Outcome {
        exit: expectation.exit,
        gaps,
        links,
    }
}

/// The gap kinds a set of expectations seeds.
pub fn seeded_kinds<'a>(expectations: impl IntoIterator<Item = &'a Expectation>) -> Vec<String> {
    let mut kinds = BTreeSet::new();
    for expectation in expectations {
        for gap in &expectation.gaps {
            if let Some(kind) = gap.split(' ').next().and_then(GapKind::parse) {
                kinds.insert(kind.as_str().to_string());
            }
        }
    }
    kinds.into_iter().collect()
}

fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    out.push_str("# cargo iec selftest\n\n");
    out.push_str(&format!(
        "- tool: {} {} (sha256 {})\n- toolchain: {}; {}\n- OS: {} {}{}\n- time: {}\n- suite: {}\n- result: **{}** ({} of {} cases match)\n",
        report.tool.name,
        report.tool.version,
        report.tool.binary_sha256,
        report.toolchain.rustc.release.as_deref().unwrap_or("rustc ?"),
        report.toolchain.cargo.as_deref().unwrap_or("cargo ?"),
        report.os.os,
        report.os.arch,
        report.os.release.as_deref().map(|r| format!(" ({r})")).unwrap_or_default(),
        report.time,
        report.suite,
        if report.passed { "PASSED" } else { "FAILED" },
        report.matched,
        report.cases
    ));
    if !report.unseeded_gap_kinds.is_empty() {
        out.push_str(&format!(
            "- gap kinds no case seeds: {}\n",
            report.unseeded_gap_kinds.join(", ")
        ));
    }
    for case in &report.not_run {
        out.push_str(&format!(
            "\n## {} — NOT RUN\n\n{}\n\n`cargo iec {}` was not run: {}\n\n- gap kinds it seeds, unseeded on this machine: {}\n",
            case.name,
            case.what,
            case.command.join(" "),
            case.reason,
            case.seeds.join(", ")
        ));
    }
    for case in &report.results {
        out.push_str(&format!(
            "\n## {} — {}\n\n{}\n\n`cargo iec {}`: expected exit {}, got {}\n\n",
            case.name,
            if case.matches { "match" } else { "MISMATCH" },
            case.what,
            case.command.join(" "),
            case.expected.exit,
            case.actual.exit
        ));
        for line in &case.expected.gaps {
            out.push_str(&format!("- expected gap: {line}\n"));
        }
        for line in &case.expected.links {
            out.push_str(&format!("- expected link: {line}\n"));
        }
        for line in &case.differences {
            out.push_str(&format!("- **difference**: {line}\n"));
        }
    }
    out
}

/// Fetches the dependencies of the annotation crates the cases build against, so a machine
/// without them (offline, no cache) is an environment error (exit 2), not failed cases.
fn fetch(runtime_dir: &Path) -> Result<(), Error> {
    progress("selftest: fetching the dependencies of iec-runtime (cargo fetch)");
    let output = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .arg("fetch")
        .current_dir(runtime_dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| Error::Io {
            context: "cannot run cargo".to_string(),
            source,
        })?;
    if output.status.success() {
        return Ok(());
    }
    Err(Error::Input(format!(
        "the selftest cases need iec-runtime's dependencies, and `cargo fetch` could not get them:\n{}\nrun it where the cargo registry is reachable once (the cache is then enough)",
        String::from_utf8_lossy(&output.stderr).trim_end()
    )))
}

/// Runs `cargo iec selftest`.
#[requirement(
    "TR-VALIDATION-SELFTEST",
    "TR-VALIDATION-BUNDLE",
    "TR-SELFTEST-COV-MISSING"
)]
pub fn run(args: &SelftestArgs) -> Result<u8, Error> {
    let time = UtcTime::now()?;
    let out = match &args.out {
        Some(out) => out.clone(),
        None => PathBuf::from(format!("iec-selftest-{}", time.compact())),
    };
    if out.exists() {
        return Err(Error::Input(format!(
            "--out {}: it already exists; a report bundle is never overwritten",
            out.display()
        )));
    }
    let (mut cases, runtime) = load_suite(args.cases.as_deref())?;
    for name in &args.only {
        if !cases.contains_key(name) {
            return Err(Error::Input(format!(
                "--case {name}: no such case; the suite has {}",
                cases.keys().cloned().collect::<Vec<_>>().join(", ")
            )));
        }
    }
    if !args.only.is_empty() {
        cases.retain(|name, _| args.only.contains(name));
    }
    let mut expectations = BTreeMap::new();
    for (name, files) in &cases {
        let text = String::from_utf8_lossy(&files["expect.toml"]).into_owned();
        expectations.insert(name.clone(), parse_expectation(name, &text)?);
    }

    // The coverage cases need llvm-tools: without them they are reported as not run (or,
    // with --require-coverage, nothing runs).
    let coverage_missing = if expectations.values().any(needs_coverage) {
        let probe = args.work_dir.clone().unwrap_or_else(std::env::temp_dir);
        coverage_unavailable(&probe)
    } else {
        None
    };
    if let Some(reason) = &coverage_missing {
        let needing: Vec<&str> = expectations
            .iter()
            .filter(|(_, e)| needs_coverage(e))
            .map(|(name, _)| name.as_str())
            .collect();
        let which = format!(
            "{} (need{} per-test coverage)",
            needing.join(", "),
            if needing.len() == 1 { "s" } else { "" }
        );
        if args.require_coverage {
            return Err(Error::Input(format!(
                "--require-coverage: {which} cannot run: {reason}"
            )));
        }
        // A validation that would run no case at all validates nothing: an environment
        // error, not an empty report.
        if needing.len() == expectations.len() {
            return Err(Error::Input(format!(
                "every selected case, {which}, cannot run: {reason}"
            )));
        }
    }

    let binary = std::env::current_exe().map_err(|source| Error::Io {
        context: "cannot find this executable".to_string(),
        source,
    })?;
    let binary_bytes = std::fs::read(&binary).map_err(|source| Error::Io {
        context: format!("cannot read {}", binary.display()),
        source,
    })?;
    let tool = ToolIdentity {
        name: "cargo-iec",
        version: env!("CARGO_PKG_VERSION"),
        binary: binary.display().to_string(),
        binary_sha256: sha256_hex(&binary_bytes),
    };

    let temporary;
    let work: PathBuf = match &args.work_dir {
        Some(dir) => {
            if dir.exists() {
                return Err(Error::Input(format!(
                    "--work-dir {}: it already exists; name a new directory",
                    dir.display()
                )));
            }
            dir.clone()
        }
        None => {
            temporary = tempfile::Builder::new()
                .prefix("iec-selftest-")
                .tempdir()
                .map_err(|source| Error::Io {
                    context: "cannot create a temporary directory".to_string(),
                    source,
                })?;
            temporary.path().to_path_buf()
        }
    };
    let runtime_dir = work.join("runtime");
    let runtime_crate = (!runtime.is_empty()).then(|| runtime_dir.join("iec-runtime"));
    write_files(&runtime_dir, &runtime, None)?;
    if runtime_crate.is_some() {
        fetch(&runtime_dir)?;
    }
    let target_dir = args
        .target_dir
        .clone()
        .unwrap_or_else(|| work.join("target"));
    let toolchain = Toolchain {
        rustc: environment::rustc(&work),
        cargo: crate::run::version_line(
            Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
                .arg("-V")
                .current_dir(&work),
        ),
    };
    let runner = Runner {
        binary: binary.clone(),
        target_dir: &target_dir,
    };
    let bundles = work.join("bundles");
    let mut results = Vec::new();
    let mut not_run = Vec::new();
    let mut bundle = EvidenceBundle::default();
    let total = cases.len();
    for (index, (name, files)) in cases.iter().enumerate() {
        let expectation = &expectations[name];
        if let (Some(reason), true) = (&coverage_missing, needs_coverage(expectation)) {
            progress(&format!(
                "selftest [{}/{total}] {name}: NOT RUN: {reason}",
                index + 1
            ));
            not_run.push(NotRun {
                name: name.clone(),
                what: expectation.what.clone(),
                command: expectation.run.clone(),
                seeds: seeded_kinds(std::iter::once(expectation)),
                reason: reason.clone(),
            });
            continue;
        }
        let started = Instant::now();
        progress(&format!(
            "selftest [{}/{total}] {name}: {}",
            index + 1,
            expectation.what
        ));
        let dir = work.join("cases").join(name);
        let mut files = files.clone();
        if let Some(lock) = runtime.get("Cargo.lock") {
            files
                .entry("Cargo.lock".to_string())
                .or_insert_with(|| lock.clone());
        }
        write_files(&dir, &files, runtime_crate.as_deref())?;
        let (actual, log) = run_case(&runner, &dir, &bundles, name, expectation)?;
        let expected = expected_outcome(expectation);
        let differences = differences(&expected, &actual);
        let matches = differences.is_empty();
        progress(&format!(
            "selftest [{}/{total}] {name}: {} ({:.1} s)",
            index + 1,
            if matches { "ok" } else { "MISMATCH" },
            started.elapsed().as_secs_f64()
        ));
        for difference in &differences {
            progress(&format!("  {name}: {difference}"));
        }
        let log_name = format!("case-{name}.log");
        bundle.add(&log_name, log);
        results.push(CaseReport {
            name: name.clone(),
            what: expectation.what.clone(),
            command: expectation.run.clone(),
            expected,
            actual,
            matches,
            differences,
            log: log_name,
        });
    }
    let seeded = seeded_kinds(
        expectations
            .iter()
            .filter(|(name, _)| !not_run.iter().any(|n| &n.name == *name))
            .map(|(_, expectation)| expectation),
    );
    let unseeded: Vec<String> = GapKind::ALL
        .iter()
        .map(|k| k.as_str().to_string())
        .filter(|k| !seeded.contains(k))
        .collect();
    let matched = results.iter().filter(|r| r.matches).count();
    let report = Report {
        schema: SCHEMA,
        time: time.rfc3339(),
        tool,
        toolchain,
        os: environment::os(),
        suite: args
            .cases
            .as_ref()
            .map_or("embedded".to_string(), |d| d.display().to_string()),
        runtime: if embedded::EMBEDDED_RUNTIME {
            "embedded".to_string()
        } else {
            format!("registry ={}", env!("CARGO_PKG_VERSION"))
        },
        selection: args.only.clone(),
        seeded_gap_kinds: seeded,
        unseeded_gap_kinds: unseeded,
        cases: results.len(),
        matched,
        passed: matched == results.len(),
        complete: not_run.is_empty(),
        not_run,
        results,
    };
    let mut json = serde_json::to_string_pretty(&report)
        .map_err(|error| Error::Input(format!("cannot render the selftest report: {error}")))?;
    json.push('\n');
    bundle.add("selftest.json", json);
    bundle.add("selftest.md", render_markdown(&report));
    let manifest_sha256 = bundle.write(&out)?;
    if !report.unseeded_gap_kinds.is_empty() {
        progress(&format!(
            "warning: gap kinds no case seeds: {}",
            report.unseeded_gap_kinds.join(", ")
        ));
    }
    if !report.not_run.is_empty() {
        let names: Vec<&str> = report.not_run.iter().map(|n| n.name.as_str()).collect();
        progress(&format!(
            "warning: {} case{} not run on this machine ({}), so this validation does not cover per-test coverage; install llvm-tools with `{LLVM_TOOLS_INSTALL}` and run again, or pass --require-coverage to make this an error",
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            names.join(", ")
        ));
    }
    progress(&format!(
        "selftest: {} of {} cases match{}; report bundle {} (manifest sha256 {manifest_sha256}); check it with `cargo iec verify`",
        report.matched,
        report.cases,
        if report.not_run.is_empty() {
            String::new()
        } else {
            format!(", {} not run", report.not_run.len())
        },
        out.display()
    ));
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", out.display())
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::Write {
            path: "<stdout>".into(),
            source,
        })?;
    if report.passed {
        Ok(exit_code::OK)
    } else {
        let failed: Vec<&str> = report
            .results
            .iter()
            .filter(|r| !r.matches)
            .map(|r| r.name.as_str())
            .collect();
        progress(&format!(
            "error: {} case{} did not match: {}",
            failed.len(),
            if failed.len() == 1 { "" } else { "s" },
            failed.join(", ")
        ));
        Ok(exit_code::POLICY_GAPS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suite() -> BTreeMap<String, Expectation> {
        let (cases, _) = load_suite(None).unwrap();
        cases
            .iter()
            .map(|(name, files)| {
                let text = String::from_utf8_lossy(&files["expect.toml"]).into_owned();
                (name.clone(), parse_expectation(name, &text).unwrap())
            })
            .collect()
    }

    #[test]
    #[requirement("TR-VALIDATION-SELFTEST")]
    fn every_gap_kind_is_seeded_by_an_embedded_case_or_listed_as_not_yet() {
        let suite = suite();
        let seeded = seeded_kinds(suite.values());
        for kind in GapKind::ALL {
            let name = kind.as_str();
            assert!(
                seeded.iter().any(|k| k == name) || NOT_YET_SEEDED.contains(&name),
                "gap kind `{name}` has no selftest case: add one under cargo-iec/selftest/cases/"
            );
        }
        for name in NOT_YET_SEEDED {
            assert!(
                !seeded.iter().any(|k| k == name),
                "`{name}` is seeded now: remove it from NOT_YET_SEEDED"
            );
        }
    }

    #[test]
    #[requirement("TR-SELFTEST-COV-SEED")]
    fn the_coverage_kinds_are_seeded_by_the_cases_that_run_with_coverage() {
        let suite = suite();
        let coverage: BTreeMap<&String, &Expectation> =
            suite.iter().filter(|(_, e)| needs_coverage(e)).collect();
        assert_eq!(
            coverage.keys().map(|n| n.as_str()).collect::<Vec<_>>(),
            ["coverage-threshold", "coverage-unexercised"]
        );
        assert_eq!(
            seeded_kinds(coverage.values().copied()),
            ["coverage", "unexercised"]
        );
        // Neither kind can come from a case that runs without coverage.
        let others = seeded_kinds(suite.values().filter(|e| !needs_coverage(e)));
        assert!(
            !others.iter().any(|k| k == "coverage" || k == "unexercised"),
            "{others:?}"
        );
        // A step with --coverage counts too.
        let mut stepped = suite["unknown-id"].clone();
        assert!(!needs_coverage(&stepped));
        stepped.step.push(Step {
            run: vec!["test".to_string(), "--coverage".to_string()],
            edit: None,
        });
        assert!(needs_coverage(&stepped));
    }

    #[test]
    #[requirement("TR-VALIDATION-SELFTEST")]
    fn every_embedded_case_parses_and_names_its_own_package() {
        let (cases, runtime) = load_suite(None).unwrap();
        assert!(
            runtime.contains_key("iec-runtime/Cargo.toml"),
            "{:?}",
            runtime.keys()
        );
        assert!(cases.len() >= 10, "{:?}", cases.keys());
        for (name, files) in &cases {
            let manifest = String::from_utf8_lossy(&files["Cargo.toml"]).into_owned();
            assert!(
                manifest.contains(&format!("name = \"st-{name}\"")),
                "case {name}: package must be named st-{name}"
            );
        }
    }

    #[test]
    #[requirement("TR-VALIDATION-SELFTEST")]
    fn differences_name_missing_and_unexpected_gaps_links_and_exit_codes() {
        let expected = Outcome {
            exit: 1,
            gaps: vec!["untested A".to_string()],
            links: vec!["A implemented-by p::a".to_string()],
        };
        assert!(differences(&expected, &expected).is_empty());
        let actual = Outcome {
            exit: 0,
            gaps: vec!["untested B".to_string()],
            links: vec![
                "A implemented-by p::a".to_string(),
                "A implemented-by p::a".to_string(),
            ],
        };
        let found = differences(&expected, &actual);
        assert_eq!(
            found,
            vec![
                "exit code: expected 1, got 0".to_string(),
                "missing gap: untested A".to_string(),
                "unexpected gap: untested B".to_string(),
                "links: expected 1 entries, got 2 (duplicates differ)".to_string(),
            ]
        );
    }

    #[test]
    #[requirement("TR-VALIDATION-SELFTEST")]
    fn an_outcome_is_read_from_trace_json_gaps_and_links() {
        let trace = serde_json::json!({
            "gaps": [
                {"kind": "untested", "requirement": "R", "unit": null, "path": null},
                {"kind": "channel-mismatch", "requirement": "R", "path": "p::m"},
                {"kind": "orphan-test", "requirement": null, "unit": null, "path": "p::t"},
            ],
            "requirements": [{
                "id": "R",
                "implemented_by": [{"path": "p::a", "result": null}],
                "verified_by": [{"path": "p::t", "result": "failed"}],
            }],
        });
        let outcome = outcome_of(&trace, 1);
        assert_eq!(
            outcome.gaps,
            vec!["channel-mismatch R p::m", "orphan-test p::t", "untested R"]
        );
        assert_eq!(
            outcome.links,
            vec!["R implemented-by p::a", "R verified-by p::t failed"]
        );
    }

    #[test]
    #[requirement("TR-VALIDATION-SELFTEST")]
    fn a_malformed_expectation_names_the_case() {
        let error = parse_expectation("broken", "what = 1\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("case broken: expect.toml"), "{error}");
    }
}
