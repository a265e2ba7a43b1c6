//! Running the tests: cargo-nextest when it is installed or asked for, else `cargo test`,
//! and reading every test's outcome by exact identity.
//!
//! - cargo-nextest runs each test in its own process and reports per-test durations and
//!   crashes. Its JUnit report is requested through a tool configuration file passed with
//!   `--tool-config-file` (profile `iec-trace`), so the user's repository is not touched;
//!   the report is read back with [`crate::junit`]. nextest leaves ignored tests out; each
//!   test binary is asked (`--list --ignored`) which of its tests are ignored, and why.
//! - `cargo test` is run with `--message-format json-render-diagnostics`, so cargo names
//!   the executable of every test target; its stdout and stderr are read as one stream and
//!   libtest's output is parsed per binary ([`crate::libtest`]). No per-test durations.
//!
//! Doc tests (nextest cannot run them) are run with `cargo test --doc` after the others when
//! no runner arguments are given; they are listed in the results but verify nothing.

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;

use cargo_metadata::{Message, Package};
use iec_runtime::requirement;

use crate::cli::{PackageSelection, RunnerChoice};
use crate::compiled::TestBinary;
use crate::error::Error;
use crate::junit;
use crate::libtest::LibtestLog;
use crate::record::TargetRef;
use crate::results::{TestRun, target_label};
use crate::workspace::Workspace;

/// The nextest profile cargo-iec defines in its tool configuration.
const NEXTEST_PROFILE: &str = "iec-trace";

/// Cargo flags that select targets: when the runner arguments hold one, cargo-iec adds no
/// target selection of its own.
const TARGET_FLAGS: [&str; 11] = [
    "--lib",
    "--bin",
    "--bins",
    "--test",
    "--tests",
    "--example",
    "--examples",
    "--bench",
    "--benches",
    "--all-targets",
    "--doc",
];

/// The runner that ran the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runner {
    /// cargo-nextest, with its version line.
    Nextest(String),
    /// `cargo test`, with cargo's version line.
    Cargo(String),
}

impl Runner {
    /// `cargo-nextest` or `cargo test`.
    pub fn name(&self) -> &'static str {
        match self {
            Runner::Nextest(_) => "cargo-nextest",
            Runner::Cargo(_) => "cargo test",
        }
    }

    /// The runner's version line.
    pub fn version(&self) -> &str {
        match self {
            Runner::Nextest(v) | Runner::Cargo(v) => v,
        }
    }
}

/// The cargo that started cargo-iec (`CARGO`), else `cargo` from `PATH`.
pub(crate) fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// `cargo nextest`: cargo-nextest started directly, as cargo would start it, when that
/// is certain to be the same; else through cargo. Cargo adds nothing to an external
/// subcommand but `CARGO`, and finding it costs a cargo start, about 35 ms on each of the
/// two nextest commands of `cargo iec test` (docs/PERFORMANCE.md). Directly when:
/// cargo-iec was started by cargo (`CARGO` is set, so the environment is the one cargo
/// and rustup made, `CARGO` included) and `CARGO` is a toolchain's cargo (`rustc` beside
/// it: not a wrapper that would see the command); no cargo alias is named `nextest`
/// (aliases win over subcommands); and `cargo-nextest` is found where cargo looks, in the
/// `PATH` and in `$CARGO_HOME/bin`.
#[requirement("TR-PERF-NEXTEST-DIRECT")]
pub(crate) fn nextest(dir: &Path) -> Command {
    match direct_nextest(dir) {
        Some(program) => {
            let mut command = Command::new(program);
            command.arg("nextest");
            command
        }
        None => {
            let mut command = cargo();
            command.arg("nextest");
            command
        }
    }
}

fn direct_nextest(dir: &Path) -> Option<PathBuf> {
    let dir = std::path::absolute(dir).ok()?;
    let cargo = PathBuf::from(std::env::var_os("CARGO")?);
    let rustc = format!("rustc{}", std::env::consts::EXE_SUFFIX);
    if !cargo.parent()?.join(rustc).is_file() || std::env::var_os("CARGO_ALIAS_NEXTEST").is_some() {
        return None;
    }
    let home = cargo_home()?;
    if aliases_nextest(&dir, &home) {
        return None;
    }
    let exe = format!("cargo-nextest{}", std::env::consts::EXE_SUFFIX);
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    // Cargo looks in `$CARGO_HOME/bin` first unless the PATH names it.
    let home_bin = home.join("bin");
    if !dirs.contains(&home_bin) {
        dirs.insert(0, home_bin);
    }
    dirs.into_iter()
        .map(|dir| dir.join(&exe))
        .find(|file| is_executable(file))
}

/// `CARGO_HOME`, else `~/.cargo`, as cargo finds it.
pub(crate) fn cargo_home() -> Option<PathBuf> {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|home| home.join(".cargo")))
}

/// Whether a cargo configuration file that applies in `dir` (`.cargo/config.toml` or
/// `.cargo/config` there and in every parent, and in `cargo_home`) defines an alias
/// `nextest`, or cannot be read to tell.
fn aliases_nextest(dir: &Path, cargo_home: &Path) -> bool {
    let defines = |file: PathBuf| -> bool {
        match std::fs::read_to_string(&file) {
            Err(error) => error.kind() != std::io::ErrorKind::NotFound,
            Ok(text) => match text.parse::<toml::Table>() {
                Err(_) => true,
                Ok(table) => table
                    .get("alias")
                    .and_then(toml::Value::as_table)
                    .is_some_and(|aliases| aliases.contains_key("nextest")),
            },
        }
    };
    let configs = |dir: &Path| [dir.join("config.toml"), dir.join("config")];
    dir.ancestors()
        .flat_map(|dir| configs(&dir.join(".cargo")))
        .chain(configs(cargo_home))
        .any(defines)
}

#[cfg(unix)]
fn is_executable(file: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(file).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(file: &Path) -> bool {
    file.is_file()
}

/// The first line of a command's stdout, when it runs and succeeds.
pub fn version_line(command: &mut Command) -> Option<String> {
    let output = command
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .next()
        .map(|l| l.trim().to_string())
}

/// `cargo nextest --version`, when cargo-nextest is installed (asked once per process).
pub fn nextest_version() -> Option<String> {
    static VERSION: OnceLock<Option<String>> = OnceLock::new();
    VERSION
        .get_or_init(|| version_line(nextest(Path::new(".")).arg("--version")))
        .clone()
}

/// `cargo -V` (asked once per process).
pub fn cargo_version() -> Option<String> {
    static VERSION: OnceLock<Option<String>> = OnceLock::new();
    VERSION
        .get_or_init(|| version_line(cargo().arg("-V")))
        .clone()
}

/// Picks the runner: nextest when asked or (with `auto`) installed, else `cargo test`.
#[requirement("TR-TEST-RUN")]
pub fn choose(choice: RunnerChoice) -> Result<Runner, Error> {
    let cargo_version = || cargo_version().unwrap_or_else(|| "cargo".into());
    match choice {
        RunnerChoice::Cargo => Ok(Runner::Cargo(cargo_version())),
        RunnerChoice::Nextest => nextest_version().map(Runner::Nextest).ok_or_else(|| {
            Error::Input(
                "--runner nextest: cargo-nextest is not installed (`cargo nextest --version` failed); install it with `cargo install cargo-nextest --locked`, or use --runner cargo".to_string(),
            )
        }),
        RunnerChoice::Auto => Ok(nextest_version()
            .map(Runner::Nextest)
            .unwrap_or_else(|| Runner::Cargo(cargo_version()))),
    }
}

/// What to run.
pub struct RunPlan<'a> {
    /// The workspace.
    pub workspace: &'a Workspace,
    /// The package and feature selection.
    pub selection: &'a PackageSelection,
    /// Arguments passed to the runner as given (after `--`).
    pub runner_args: &'a [String],
    /// Run doc tests (`cargo test --doc`) after the others.
    pub doc_tests: bool,
    /// With nextest: the build cargo-iec made with `cargo nextest list`, which the run
    /// reuses instead of building the tests again ([`crate::nextest_reuse`]).
    pub reuse: Option<&'a crate::nextest_reuse::ReuseFiles>,
}

/// What a run produced.
pub struct RunOutput {
    /// The outcomes.
    pub run: TestRun,
    /// Everything the runner printed, in order.
    pub log: String,
    /// The commands run, for the record.
    pub commands: Vec<String>,
}

fn progress(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

/// Runs `command` with stdout and stderr merged into one pipe, calling `on_line` for each
/// line in order.
fn stream(mut command: Command, mut on_line: impl FnMut(&str)) -> Result<ExitStatus, Error> {
    let describe = format!("{command:?}");
    let io_error = |source| Error::Io {
        context: format!("cannot run {describe}"),
        source,
    };
    let (reader, writer) = std::io::pipe().map_err(io_error)?;
    let writer_for_stderr = writer.try_clone().map_err(io_error)?;
    command
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(writer_for_stderr);
    let mut child = command.spawn().map_err(io_error)?;
    // The command holds the pipe's write ends; without dropping it the read never ends.
    drop(command);
    let mut reader = BufReader::new(reader);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let read = reader.read_until(b'\n', &mut buffer).map_err(io_error)?;
        if read == 0 {
            break;
        }
        let line = String::from_utf8_lossy(&buffer);
        on_line(line.trim_end_matches(['\n', '\r']));
    }
    child.wait().map_err(io_error)
}

/// A command line as run, for the log and the evidence record.
pub(crate) fn display(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The selection arguments both runners take: manifest, packages, features.
fn selection_args(command: &mut Command, plan: &RunPlan<'_>, packages: &[&Package]) {
    command
        .arg("--manifest-path")
        .arg(plan.workspace.root.join("Cargo.toml"));
    for package in packages {
        command
            .arg("-p")
            .arg(format!("{}@{}", package.name, package.version));
    }
    for features in &plan.selection.features {
        command.arg("--features").arg(features);
    }
    if plan.selection.all_features {
        command.arg("--all-features");
    }
    if plan.selection.no_default_features {
        command.arg("--no-default-features");
    }
    if let Some(target) = &plan.selection.target {
        command.arg("--target").arg(target);
    }
}

fn selects_targets(args: &[String]) -> bool {
    args.iter()
        .take_while(|a| *a != "--")
        .any(|a| TARGET_FLAGS.contains(&a.split('=').next().unwrap_or(a)))
}

/// Runs the tests of the plan's packages with `runner`; `binaries` and `listed` come from
/// the compiled channel (the registry build of the same targets).
#[requirement("TR-TEST-RUN", "TR-TEST-OUTCOMES")]
pub fn run(
    plan: &RunPlan<'_>,
    runner: &Runner,
    binaries: &[TestBinary],
    listed: &BTreeMap<TargetRef, BTreeSet<String>>,
) -> Result<RunOutput, Error> {
    let packages: Vec<&Package> = plan.workspace.selected.iter().collect();
    let doc_tests = plan.doc_tests && plan.runner_args.is_empty();
    // Plain `cargo test` runs the doc tests in the same invocation, but not the examples'
    // tests: one cargo invocation fewer when there are no examples.
    let examples = packages
        .iter()
        .any(|p| p.targets.iter().any(|t| t.is_example()));
    let merged = matches!(runner, Runner::Cargo(_)) && doc_tests && !examples;
    let mut output = match runner {
        Runner::Nextest(_) => run_nextest(plan, runner, &packages, listed)?,
        Runner::Cargo(_) => run_cargo(plan, runner, &packages, merged)?,
    };
    crate::timing::phase("runner");
    if doc_tests && !merged {
        run_doc_tests(plan, &packages, &mut output)?;
    }
    crate::timing::phase("doc tests");
    let ignored = ignored_tests(&unreported(binaries, &output.run, listed))?;
    output.run.complete(listed, &ignored);
    crate::timing::phase("ignored (--list --ignored)");
    Ok(output)
}

/// Runs `cargo test`; with `with_doc_tests`, its default targets, doc tests included (the
/// caller checked there are no examples), else `--tests --examples`.
fn run_cargo(
    plan: &RunPlan<'_>,
    runner: &Runner,
    packages: &[&Package],
    with_doc_tests: bool,
) -> Result<RunOutput, Error> {
    let mut command = cargo();
    command.current_dir(&plan.workspace.root).args([
        "test",
        "--no-fail-fast",
        "--message-format=json-render-diagnostics",
    ]);
    selection_args(&mut command, plan, packages);
    if !with_doc_tests && !selects_targets(plan.runner_args) {
        command.args(["--tests", "--examples"]);
    }
    command.args(plan.runner_args);
    let shown = display(&command);
    progress(&format!("running {shown}"));
    let by_id: BTreeMap<_, _> = plan
        .workspace
        .metadata
        .packages
        .iter()
        .map(|p| (p.id.clone(), p))
        .collect();
    let mut log = LibtestLog::new(runner.name(), Some(runner.version().to_string()));
    if with_doc_tests {
        register_doc_crates(&mut log, packages);
    }
    let mut text = String::new();
    let mut crash: Option<String> = None;
    let status = stream(command, |line| {
        if line.starts_with('{') {
            if let Ok(Message::CompilerArtifact(artifact)) = serde_json::from_str::<Message>(line)
                && artifact.profile.test
                && let (Some(executable), Some(package), Some(kind)) = (
                    artifact.executable.as_ref(),
                    by_id.get(&artifact.package_id),
                    crate::record::target_kind(&artifact.target.kind),
                )
                && let Some(file) = executable.file_name()
            {
                let target = TargetRef {
                    package: package.name.to_string(),
                    kind: kind.to_string(),
                    name: artifact.target.name.clone(),
                };
                log.register_binary(file, package.name.as_str(), &target_label(&target));
            }
            return;
        }
        progress(line);
        text.push_str(line);
        text.push('\n');
        if line.contains("process didn't exit successfully") {
            crash = Some(line.trim().to_string());
        }
        log.line(line);
    })?;
    for unknown in &log.unknown_binaries {
        progress(&format!(
            "warning: cargo ran {unknown}, which cargo-iec cannot match to a target; its results are left out"
        ));
    }
    let mut run = log.finish(crash.as_deref());
    if !status.success() && run.outcomes.is_empty() {
        return Err(Error::Input(format!(
            "the test run failed before any test ran: `{shown}` exited with {status}; its messages are above (a build failure, or runner arguments cargo does not take). No bundle was written"
        )));
    }
    if !status.success() && !run.has_failures() {
        run.stopped = Some(format!("`cargo test` exited with {status}"));
    }
    Ok(RunOutput {
        run,
        log: text,
        commands: vec![shown],
    })
}

/// The tool configuration cargo-iec hands to nextest: its own profile, never failing fast,
/// writing JUnit to `junit` (an absolute path).
fn nextest_config(junit: &Path) -> String {
    let path = toml::Value::String(junit.to_string_lossy().into_owned());
    format!(
        "# Written by cargo-iec for one `cargo iec test` run.\n\
[profile.{NEXTEST_PROFILE}]\nfail-fast = false\n\n\
[profile.{NEXTEST_PROFILE}.junit]\npath = {path}\nstore-failure-output = true\n"
    )
}

#[requirement("TR-PERF-REUSE-BUILD")]
fn run_nextest(
    plan: &RunPlan<'_>,
    runner: &Runner,
    packages: &[&Package],
    listed: &BTreeMap<TargetRef, BTreeSet<String>>,
) -> Result<RunOutput, Error> {
    let scratch = tempfile::tempdir().map_err(|source| Error::Io {
        context: "cannot create a temporary directory for nextest's configuration".to_string(),
        source,
    })?;
    let junit_path = scratch.path().join("junit.xml");
    let config = scratch.path().join("nextest.toml");
    std::fs::write(&config, nextest_config(&junit_path)).map_err(|source| Error::Io {
        context: format!("cannot write {}", config.display()),
        source,
    })?;
    let mut command = nextest(&plan.workspace.root);
    command
        .current_dir(&plan.workspace.root)
        .args(["run", "--no-fail-fast", "--no-tests=warn"])
        .arg("--tool-config-file")
        .arg(format!("iec-trace:{}", config.display()))
        .args(["--profile", NEXTEST_PROFILE]);
    match plan.reuse {
        // The selection was the build's: nextest takes no cargo option beside a reused build.
        Some(files) => {
            command
                .arg("--binaries-metadata")
                .arg(files.binaries_metadata())
                .arg("--cargo-metadata")
                .arg(files.cargo_metadata());
        }
        None => {
            selection_args(&mut command, plan, packages);
            if !selects_targets(plan.runner_args) {
                command.args(["--tests", "--examples"]);
            }
        }
    }
    command.args(plan.runner_args);
    let shown = display(&command);
    progress(&format!("running {shown}"));
    let mut text = String::new();
    let status = stream(command, |line| {
        progress(line);
        text.push_str(line);
        text.push('\n');
    })?;
    let report = match std::fs::read_to_string(&junit_path) {
        Ok(report) => report,
        Err(_) if status.success() => String::new(),
        Err(_) => {
            return Err(Error::Input(format!(
                "the test run failed before any test ran: `{shown}` exited with {status} without writing its JUnit report; its messages are above (a build failure, or runner arguments nextest does not take). No bundle was written"
            )));
        }
    };
    let cases = if report.is_empty() {
        Vec::new()
    } else {
        junit::read(&report).map_err(|error| {
            Error::Input(format!(
                "cargo-nextest's JUnit report is unreadable: {error}"
            ))
        })?
    };
    let ids = junit::binary_ids(packages.iter().copied());
    let (mut run, unmatched) = junit::to_run(&cases, &ids, listed);
    for case in unmatched {
        progress(&format!("warning: {case}"));
    }
    run.runner = runner.name().to_string();
    run.runner_version = Some(runner.version().to_string());
    if !status.success() && !run.has_failures() {
        run.stopped = Some(format!("`cargo nextest run` exited with {status}"));
    }
    // With a reused build, the command that built the tests is part of the record too.
    let commands = plan
        .reuse
        .map(|files| files.build_command.clone())
        .into_iter()
        .chain([shown])
        .collect();
    Ok(RunOutput {
        run,
        log: text,
        commands,
    })
}

fn run_doc_tests(
    plan: &RunPlan<'_>,
    packages: &[&Package],
    output: &mut RunOutput,
) -> Result<(), Error> {
    let with_lib: Vec<&Package> = packages
        .iter()
        .copied()
        .filter(|p| {
            p.targets.iter().any(|t| {
                t.doctest
                    && crate::record::target_kind(&t.kind) == Some("lib")
                    && !t.is_proc_macro()
            })
        })
        .collect();
    if with_lib.is_empty() {
        return Ok(());
    }
    let mut command = cargo();
    command
        .current_dir(&plan.workspace.root)
        .args(["test", "--doc", "--no-fail-fast"]);
    selection_args(&mut command, plan, &with_lib);
    let shown = display(&command);
    progress(&format!("running {shown}"));
    let mut log = LibtestLog::new("cargo test --doc", None);
    register_doc_crates(&mut log, &with_lib);
    let text = &mut output.log;
    let status = stream(command, |line| {
        progress(line);
        text.push_str(line);
        text.push('\n');
        log.line(line);
    })?;
    let doc = log.finish(None);
    if !status.success() && !doc.has_failures() {
        output.run.stopped = Some(format!("`cargo test --doc` exited with {status}"));
    }
    output.run.outcomes.extend(doc.outcomes);
    output.run.binary_durations.extend(doc.binary_durations);
    output.commands.push(shown);
    Ok(())
}

/// Makes `Doc-tests CRATE` lines known for the libraries of `packages`.
fn register_doc_crates(log: &mut LibtestLog, packages: &[&Package]) {
    for package in packages {
        for target in &package.targets {
            if crate::record::target_kind(&target.kind) == Some("lib") {
                log.register_doc_crate(&target.name.replace('-', "_"), package.name.as_str());
            }
        }
    }
}

/// The outcomes in a JUnit file (`cargo iec trace --results`), identified against the
/// compiled targets, with every listed test the file lacks as `ignored` (when its harness
/// marks it so) or `not-run`.
#[requirement("TR-TEST-JUNIT-IN")]
pub fn from_junit_file(
    path: &Path,
    workspace: &Workspace,
    collected: &crate::compiled::Collected,
) -> Result<TestRun, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        context: format!("cannot read the JUnit file {}", path.display()),
        source,
    })?;
    let cases =
        junit::read(&text).map_err(|error| Error::Input(format!("{}: {error}", path.display())))?;
    let ids = junit::binary_ids(&workspace.selected);
    let (mut run, unmatched) = junit::to_run(&cases, &ids, &collected.tests);
    for case in unmatched {
        progress(&format!("warning: {}: {case}", path.display()));
    }
    run.runner = "junit".to_string();
    run.runner_version = Some(path.display().to_string());
    let ignored = ignored_tests(&unreported(&collected.binaries, &run, &collected.tests))?;
    run.complete(&collected.tests, &ignored);
    Ok(run)
}

/// The binaries with a listed test the run did not report. [`TestRun::complete`] asks
/// which tests are ignored only for tests without an outcome, so only these binaries need
/// asking: a `cargo test` run reports every ignored test itself (`... ignored, REASON`),
/// and a binary with no ignored test and no filter has every test reported by either
/// runner.
#[requirement("TR-PERF-TEST-OVERLAP")]
fn unreported<'a>(
    binaries: &'a [TestBinary],
    run: &TestRun,
    listed: &BTreeMap<TargetRef, BTreeSet<String>>,
) -> Vec<&'a TestBinary> {
    binaries
        .iter()
        .filter(|binary| {
            let label = target_label(&binary.target);
            listed.get(&binary.target).is_some_and(|tests| {
                tests.iter().any(|path| {
                    !run.outcomes.contains_key(&crate::results::TestKey {
                        package: binary.target.package.clone(),
                        target: label.clone(),
                        name: crate::results::harness_name(path).to_string(),
                    })
                })
            })
        })
        .collect()
}

/// Which tests of each binary are ignored, with the reason `#[ignore = "..."]` gives.
///
/// `--list --ignored` names them; running the binary with exactly those names then prints
/// `test NAME ... ignored, REASON` for each without running any of them.
fn ignored_tests(
    binaries: &[&TestBinary],
) -> Result<BTreeMap<TargetRef, BTreeMap<String, Option<String>>>, Error> {
    // One process (or two) per binary, independent of the others: run them in parallel.
    let found: Vec<Result<Option<IgnoredIn>, Error>> = binaries
        .par_iter()
        .map(|binary| ignored_in(binary))
        .collect();
    let mut all = BTreeMap::new();
    for found in found {
        if let Some((target, ignored)) = found? {
            all.insert(target, ignored);
        }
    }
    Ok(all)
}

/// A binary's ignored tests, each with its reason when it gives one.
type IgnoredIn = (TargetRef, BTreeMap<String, Option<String>>);

/// The ignored tests of one binary, with their reasons; `None` when it has none.
fn ignored_in(binary: &TestBinary) -> Result<Option<IgnoredIn>, Error> {
    let run = |args: &[&str]| {
        binary
            .command()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|source| Error::Run {
                binary: binary.executable.clone(),
                message: source.to_string(),
            })
    };
    let listing = run(&["--list", "--ignored", "--format", "terse"])?;
    let names: Vec<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(str::to_string)
        .collect();
    if names.is_empty() {
        return Ok(None);
    }
    let mut args = vec!["--exact", "--test-threads", "1"];
    args.extend(names.iter().map(String::as_str));
    let reasons = run(&args)?;
    let mut found: BTreeMap<String, Option<String>> =
        names.iter().map(|n| (n.clone(), None)).collect();
    for line in String::from_utf8_lossy(&reasons.stdout).lines() {
        if let Some((name, status)) = line
            .strip_prefix("test ")
            .and_then(|rest| rest.rsplit_once(" ... "))
            && let Some(reason) = status.strip_prefix("ignored, ")
            && let Some(slot) = found.get_mut(name.strip_suffix(" - should panic").unwrap_or(name))
        {
            *slot = Some(reason.trim().to_string());
        }
    }
    Ok(Some((binary.target.clone(), found)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[requirement("TR-PERF-NEXTEST-DIRECT")]
    fn a_nextest_alias_anywhere_cargo_reads_its_configuration_is_seen() {
        let root = tempfile::tempdir().expect("temporary directory");
        let home = root.path().join("home");
        let workspace = root.path().join("a").join("ws");
        std::fs::create_dir_all(&workspace).expect("directories");
        std::fs::create_dir_all(&home).expect("directories");
        let write = |dir: &Path, file: &str, text: &str| {
            std::fs::create_dir_all(dir).expect("directory");
            std::fs::write(dir.join(file), text).expect("write");
        };
        assert!(!aliases_nextest(&workspace, &home), "no configuration");
        write(
            &workspace.join(".cargo"),
            "config.toml",
            "[alias]\nb = \"build\"\n",
        );
        assert!(!aliases_nextest(&workspace, &home), "another alias");
        // In a parent directory, in the old file name.
        write(
            &root.path().join("a/.cargo"),
            "config",
            "alias.nextest = \"test\"\n",
        );
        assert!(aliases_nextest(&workspace, &home));
        std::fs::remove_file(root.path().join("a/.cargo/config")).expect("remove");
        write(&home, "config.toml", "[alias]\nnextest = [\"test\"]\n");
        assert!(aliases_nextest(&workspace, &home), "in CARGO_HOME");
        std::fs::remove_file(home.join("config.toml")).expect("remove");
        // What cannot be read might define one: cargo is asked.
        write(&workspace.join(".cargo"), "config.toml", "[alias\n");
        assert!(aliases_nextest(&workspace, &home), "unreadable");
    }

    #[test]
    fn runner_arguments_that_select_targets_are_recognised() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(selects_targets(&args(&["--lib"])));
        assert!(selects_targets(&args(&["--test=rate"])));
        assert!(!selects_targets(&args(&["dose", "--", "--lib"])));
        assert!(!selects_targets(&args(&[])));
    }

    #[test]
    #[requirement("TR-PERF-TEST-OVERLAP", "TR-TEST-OUTCOMES")]
    fn only_binaries_with_a_listed_test_the_run_did_not_report_are_asked_for_ignored_tests() {
        let binary = |name: &str| TestBinary {
            target: TargetRef {
                package: "pump".to_string(),
                kind: "test".to_string(),
                name: name.to_string(),
            },
            crate_name: name.to_string(),
            executable: name.into(),
            package_dir: ".".into(),
            profile_dir: None,
            features: BTreeSet::new(),
        };
        let binaries = [
            binary("all"),
            binary("ignored"),
            binary("filtered"),
            binary("empty"),
        ];
        let listed: BTreeMap<TargetRef, BTreeSet<String>> = binaries
            .iter()
            .map(|b| {
                let tests = match b.crate_name.as_str() {
                    "empty" => BTreeSet::new(),
                    name => ["a", "b"].iter().map(|t| format!("{name}::{t}")).collect(),
                };
                (b.target.clone(), tests)
            })
            .collect();
        let mut run = TestRun::default();
        let mut report = |target: &str, name: &str, result| {
            run.outcomes.insert(
                crate::results::TestKey {
                    package: "pump".to_string(),
                    target: format!("test:{target}"),
                    name: name.to_string(),
                },
                crate::results::TestOutcome::new(result),
            );
        };
        use crate::results::TestResult::{Failed, Ignored, Passed};
        // `cargo test` reports ignored tests itself; nextest leaves them out.
        report("all", "a", Passed);
        report("all", "b", Ignored);
        report("ignored", "a", Failed);
        report("filtered", "b", Passed);
        let asked: Vec<&str> = unreported(&binaries, &run, &listed)
            .iter()
            .map(|b| b.crate_name.as_str())
            .collect();
        assert_eq!(asked, ["ignored", "filtered"]);
    }

    #[test]
    fn the_nextest_configuration_quotes_the_report_path() {
        let config = nextest_config(Path::new("/tmp/a \"b\"/junit.xml"));
        let parsed: toml::Table = config.parse().unwrap();
        assert_eq!(
            parsed["profile"]["iec-trace"]["junit"]["path"].as_str(),
            Some("/tmp/a \"b\"/junit.xml")
        );
    }
}
