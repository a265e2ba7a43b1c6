//! Handing cargo-nextest the build cargo-iec already made.
//!
//! `cargo iec test` must build the test targets itself before it runs them: it reads each
//! test binary's registry (`--list`) first. A plain `cargo nextest run` would then start
//! cargo twice more, for its own `cargo metadata` and `cargo test --no-run`, both serialised
//! on cargo's package cache lock (about 0.35 s on the example, docs/PERFORMANCE.md).
//!
//! Instead, with a nextest that has the options (0.9.123 and later), the build is made by
//! `cargo nextest list --list-type binaries-only` (given cargo-iec's `cargo metadata` with
//! `--cargo-metadata`, so it starts one cargo: the build), with exactly the package,
//! feature, target and target-kind selection `cargo nextest run` would have built with.
//! It forwards cargo's JSON messages (`--cargo-message-format`), from which cargo-iec reads
//! the test binaries as before, and then prints nextest's own binaries-metadata: nextest
//! writes that format, cargo-iec never does. The run is then `cargo nextest run
//! --binaries-metadata ... --cargo-metadata ...`, which starts no cargo.
//!
//! Where the reuse could not run exactly the tests today's path runs, cargo-iec keeps that
//! path (nextest builds the tests itself): see [`decide`].

use std::path::{Path, PathBuf};
use std::process::Command;

use cargo_metadata::Package;
use iec_runtime::requirement;

use crate::cli::PackageSelection;
use crate::error::Error;
use crate::run::Runner;
use crate::workspace::Workspace;

/// The variable that, set to `0`, keeps the path where nextest builds the tests itself
/// (for diagnosis, and for the acceptance tests that compare both paths).
pub const VARIABLE: &str = "IEC_TRACE_NEXTEST_REUSE";

/// The first cargo-nextest with every option the reuse needs (`--cargo-message-format`
/// came last, in 0.9.123).
pub const MINIMUM_VERSION: (u64, u64, u64) = (0, 9, 123);

/// Options of `cargo nextest run` that change neither what is built nor how, each with
/// whether it takes a value: with only these (and test name filters) among the runner
/// arguments, the run can reuse the build. Every other option (cargo's: `--release`,
/// `--cargo-profile`, `--features`, `--lib`, `--target-dir`, `--config`, ...; nextest's
/// own reuse options; `--rerun`, which inherits the build scope of an earlier run) keeps
/// nextest's own build.
const RUN_ONLY: &[(&str, bool)] = &[
    ("--color", true),
    ("--no-pager", false),
    ("-v", false),
    ("--verbose", false),
    ("--run-ignored", true),
    ("--partition", true),
    ("-E", true),
    ("--filterset", true),
    ("--filter-expr", true),
    ("--ignore-default-filter", false),
    ("-j", true),
    ("--test-threads", true),
    ("--jobs", true),
    ("--retries", true),
    ("--flaky-result", true),
    ("--fail-fast", false),
    ("--ff", false),
    ("--no-fail-fast", false),
    ("--nff", false),
    ("--max-fail", true),
    ("--no-tests", true),
    ("--no-capture", false),
    ("--nocapture", false),
    ("--failure-output", true),
    ("--success-output", true),
    ("--status-level", true),
    ("--final-status-level", true),
    ("--no-output-indent", false),
    ("--show-progress", true),
    ("--hide-progress-bar", false),
    ("--no-input-handler", false),
    ("--max-progress-running", true),
    ("--config-file", true),
    ("--user-config-file", true),
    ("--tool-config-file", true),
    ("--override-version-check", false),
    ("-P", true),
    ("--profile", true),
];

/// Options whose value is a filterset (`deps()` and `rdeps()` read the Cargo graph).
const FILTERSET_OPTIONS: [&str; 3] = ["-E", "--filterset", "--filter-expr"];

/// Why the build is not handed over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fallback {
    /// What stands in the way, for the timing log and the note.
    pub reason: String,
    /// Whether the user would want to know (a `note:` on stderr): only when they can do
    /// something about it (upgrade nextest).
    pub noted: bool,
}

impl Fallback {
    fn quiet(reason: impl Into<String>) -> Fallback {
        Fallback {
            reason: reason.into(),
            noted: false,
        }
    }
}

/// `MAJOR.MINOR.PATCH` of a `cargo nextest --version` line (`cargo-nextest 0.9.143 (...)`).
pub fn parse_version(line: &str) -> Option<(u64, u64, u64)> {
    let word = line.split_whitespace().nth(1)?;
    let core = word.split(['-', '+']).next()?;
    let mut parts = core.split('.').map(str::parse::<u64>);
    let version = (
        parts.next()?.ok()?,
        parts.next()?.ok()?,
        parts.next()?.ok()?,
    );
    parts.next().is_none().then_some(version)
}

/// The value of `option` in `arg` when it is given as `--option=value` or `-Xvalue`.
fn attached<'a>(arg: &'a str, option: &str) -> Option<&'a str> {
    if option.starts_with("--") {
        arg.strip_prefix(option)?.strip_prefix('=')
    } else {
        arg.strip_prefix(option).filter(|rest| !rest.is_empty())
    }
}

/// Checks the runner arguments: `Ok` with the filtersets and configuration files they
/// name, or why they keep nextest's own build.
fn check_runner_args(args: &[String]) -> Result<(Vec<String>, Vec<PathBuf>), Fallback> {
    let mut filtersets = Vec::new();
    let mut configs = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--" {
            // The rest are libtest's arguments, emulated by nextest: filters, --skip,
            // --exact, --ignored, --include-ignored, --nocapture.
            break;
        }
        if !arg.starts_with('-') || arg == "-" {
            continue; // a test name filter
        }
        let Some((option, takes_value, value)) = RUN_ONLY.iter().find_map(|(option, value)| {
            if arg == option {
                Some((*option, *value, None))
            } else if *value {
                attached(arg, option).map(|v| (*option, true, Some(v.to_string())))
            } else {
                None
            }
        }) else {
            return Err(Fallback::quiet(format!(
                "the runner argument `{arg}` may change the build"
            )));
        };
        let value = match (takes_value, value) {
            (false, _) => None,
            (true, Some(value)) => Some(value),
            (true, None) => iter.next().cloned(),
        };
        if let Some(value) = value {
            if FILTERSET_OPTIONS.contains(&option) {
                filtersets.push(value);
            } else if option == "--config-file" {
                configs.push(PathBuf::from(value));
            }
        }
    }
    Ok((filtersets, configs))
}

/// Whether a filterset (or a configuration file holding filtersets) reads the dependency
/// graph: `deps()` and `rdeps()` (`rdeps(` contains `deps(`).
fn reads_graph(text: &str) -> bool {
    text.contains("deps(")
}

/// A library or binary target that `--tests` leaves out (`test = false`): the registry
/// build reads it (`--lib --bins`), so a build made with nextest's selection would miss it.
fn untested_lib_or_bin(package: &Package) -> Option<String> {
    package
        .targets
        .iter()
        .find(|t| {
            !t.test
                && matches!(
                    crate::record::target_kind(&t.kind),
                    Some("lib") | Some("bin")
                )
        })
        .map(|t| format!("{} target `{}` of {}", t.kind[0], t.name, package.name))
}

/// Decides whether `cargo nextest run` can reuse cargo-iec's build, selecting exactly the
/// tests it would select when building them itself.
#[requirement("TR-PERF-REUSE-FALLBACK")]
pub fn decide(
    workspace: &Workspace,
    runner: &Runner,
    runner_args: &[String],
) -> Result<(), Fallback> {
    let Runner::Nextest(line) = runner else {
        return Err(Fallback::quiet("the runner is cargo test"));
    };
    if std::env::var_os(VARIABLE).is_some_and(|v| v == "0") {
        return Err(Fallback::quiet(format!("{VARIABLE}=0")));
    }
    match parse_version(line) {
        Some(version) if version >= MINIMUM_VERSION => {}
        _ => {
            let (major, minor, patch) = MINIMUM_VERSION;
            return Err(Fallback {
                reason: format!(
                    "`{line}` is older than cargo-nextest {major}.{minor}.{patch}: nextest builds the tests again after cargo-iec built them to read their registries (upgrade cargo-nextest to save that)"
                ),
                noted: true,
            });
        }
    }
    if workspace.metadata.resolve.is_none() {
        return Err(Fallback::quiet("the Cargo graph was not resolved"));
    }
    let (filtersets, mut configs) = check_runner_args(runner_args)?;
    if filtersets.iter().any(|f| reads_graph(f)) {
        return Err(Fallback::quiet(
            "a filterset reads the dependency graph (deps or rdeps)",
        ));
    }
    configs.push(workspace.root.join(".config").join("nextest.toml"));
    for config in configs {
        let path = if config.is_absolute() {
            config
        } else {
            workspace.root.join(config)
        };
        if std::fs::read_to_string(&path).is_ok_and(|text| reads_graph(&text)) {
            return Err(Fallback::quiet(format!(
                "{} has a filterset that reads the dependency graph (deps or rdeps)",
                path.display()
            )));
        }
    }
    if let Some(target) = workspace
        .selected
        .iter()
        .filter(|p| crate::compiled::depends_on_runtime(p))
        .find_map(untested_lib_or_bin)
    {
        return Err(Fallback::quiet(format!(
            "the {target} has `test = false`, which nextest's build leaves out"
        )));
    }
    Ok(())
}

/// The build: `cargo nextest list --list-type binaries-only` with the selection `cargo
/// nextest run` builds with (the workspace's selected packages, features, `--target`,
/// `--tests --examples`), cargo's JSON messages forwarded on stdout (rendered diagnostics
/// on stderr) and nextest's binaries-metadata as its last line. `cargo_metadata` is the
/// file [`write_cargo_metadata`] wrote.
#[requirement("TR-PERF-REUSE-BUILD")]
pub fn list_command(
    workspace: &Workspace,
    selection: &PackageSelection,
    cargo_metadata: &Path,
) -> Command {
    let mut command = crate::run::nextest(&workspace.root);
    command
        .current_dir(&workspace.root)
        .args([
            "list",
            "--list-type",
            "binaries-only",
            "--message-format",
            "json",
            "--cargo-message-format",
            "json-render-diagnostics",
        ])
        .arg("--cargo-metadata")
        .arg(cargo_metadata);
    crate::compiled::selection_args(&mut command, &workspace.selected, selection);
    command.args(["--tests", "--examples"]);
    command
}

/// Where the two files the run reads are written (removed when dropped), and the build's
/// command line for the evidence record.
#[derive(Debug)]
pub struct ReuseFiles {
    dir: tempfile::TempDir,
    /// The `cargo nextest list` command that builds the tests, as run.
    pub build_command: String,
}

impl ReuseFiles {
    /// A fresh directory for them; `build_command` is the [`list_command`] for it.
    pub fn new(workspace: &Workspace, selection: &PackageSelection) -> Result<ReuseFiles, Error> {
        let dir = tempfile::Builder::new()
            .prefix("iec-nextest-reuse-")
            .tempdir()
            .map_err(|source| Error::Io {
                context: "cannot create a temporary directory for nextest's build metadata"
                    .to_string(),
                source,
            })?;
        let build_command = crate::run::display(&list_command(
            workspace,
            selection,
            &dir.path().join(CARGO_METADATA),
        ));
        Ok(ReuseFiles { dir, build_command })
    }

    /// cargo-iec's `cargo metadata`, as JSON.
    pub fn cargo_metadata(&self) -> PathBuf {
        self.dir.path().join(CARGO_METADATA)
    }

    /// nextest's binaries-metadata of the build.
    pub fn binaries_metadata(&self) -> PathBuf {
        self.dir.path().join("binaries-metadata.json")
    }
}

/// The file name of the `cargo metadata` JSON.
const CARGO_METADATA: &str = "cargo-metadata.json";

/// Writes the `cargo metadata` cargo-iec read (the resolved graph, with the selected
/// features) for `--cargo-metadata`.
pub fn write_cargo_metadata(workspace: &Workspace, files: &ReuseFiles) -> Result<(), Error> {
    let path = files.cargo_metadata();
    let io_error = |source| Error::Io {
        context: format!("cannot write {}", path.display()),
        source,
    };
    let file = std::fs::File::create(&path).map_err(io_error)?;
    let mut writer = std::io::BufWriter::new(file);
    serde_json::to_writer(&mut writer, &workspace.metadata)
        .map_err(|error| io_error(error.into()))?;
    std::io::Write::flush(&mut writer).map_err(io_error)
}

/// Whether a line of `cargo nextest list`'s stdout is its binaries-metadata: a JSON object
/// with `rust-build-meta` (cargo's messages, the other lines, all have a `reason`).
pub fn is_binaries_metadata(line: &str) -> bool {
    line.starts_with('{')
        && serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(line)
            .is_ok_and(|object| object.contains_key("rust-build-meta"))
}

/// Writes the binaries-metadata `cargo nextest list` printed.
pub fn write_binaries_metadata(files: &ReuseFiles, list: &str) -> Result<(), Error> {
    let path = files.binaries_metadata();
    std::fs::write(&path, list).map_err(|source| Error::Io {
        context: format!("cannot write {}", path.display()),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    #[requirement("TR-PERF-REUSE-FALLBACK")]
    fn versions_are_read_from_the_version_line() {
        assert_eq!(
            parse_version("cargo-nextest 0.9.143 (60fa45f63 2026-08-04)"),
            Some((0, 9, 143))
        );
        assert_eq!(parse_version("cargo-nextest 0.9.123"), Some((0, 9, 123)));
        assert_eq!(parse_version("cargo-nextest 0.10.0-rc.1"), Some((0, 10, 0)));
        assert_eq!(parse_version("cargo-nextest"), None);
        assert_eq!(parse_version("cargo-nextest 0.9"), None);
        assert!(parse_version("cargo-nextest 0.9.122").unwrap() < MINIMUM_VERSION);
    }

    #[test]
    #[requirement("TR-PERF-REUSE-FALLBACK")]
    fn filters_and_run_options_keep_the_reuse_and_build_options_do_not() {
        let ok = |list: &[&str]| check_runner_args(&args(list)).is_ok();
        assert!(ok(&[]));
        assert!(ok(&["dose", "--", "--skip", "filtered_out", "--exact"]));
        assert!(ok(&[
            "-j",
            "2",
            "--retries=1",
            "--no-capture",
            "-E",
            "test(a)"
        ]));
        assert!(ok(&["-j2", "--run-ignored", "all"]));
        // After `--` everything is libtest's, even what looks like cargo's.
        assert!(ok(&["--", "--lib"]));
        for build in [
            "--release",
            "--cargo-profile=ci",
            "--lib",
            "--test",
            "--features",
            "-F",
            "--target-dir",
            "--config",
            "-Z",
            "--locked",
            "--manifest-path",
            "--archive-file",
            "--binaries-metadata",
            "--rerun",
            "--no-run",
            "--cargo-quiet",
        ] {
            let refused = check_runner_args(&args(&[build, "x"]));
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|f| f.reason.contains(build) && !f.noted),
                "{build}: {refused:?}"
            );
        }
    }

    #[test]
    #[requirement("TR-PERF-REUSE-FALLBACK")]
    fn filtersets_and_configuration_files_are_collected_with_their_values() {
        let (filtersets, configs) = check_runner_args(&args(&[
            "-E",
            "rdeps(pump)",
            "--filterset=test(a)",
            "-Epackage(b)",
            "--config-file",
            "ci/nextest.toml",
            "--profile",
            "-E",
        ]))
        .unwrap();
        assert_eq!(filtersets, ["rdeps(pump)", "test(a)", "package(b)"]);
        assert_eq!(configs, [PathBuf::from("ci/nextest.toml")]);
        assert!(reads_graph("rdeps(pump)"));
        assert!(reads_graph("default-filter = 'deps(x)'"));
        assert!(!reads_graph("test(deps)"));
    }

    #[test]
    fn the_binaries_metadata_is_told_from_cargo_messages() {
        assert!(is_binaries_metadata(
            "{\"rust-build-meta\":{\"target-directory\":\"/t\"},\"rust-binaries\":{}}"
        ));
        assert!(is_binaries_metadata(
            "{\"rust-binaries\":{},\"rust-build-meta\":{}}"
        ));
        assert!(!is_binaries_metadata("{\"rust-build-meta\": truncated"));
        assert!(!is_binaries_metadata(
            "{\"reason\":\"build-finished\",\"success\":true}"
        ));
    }
}
