//! The environment a test run happened in, as the evidence bundle records it: commit and
//! working tree (through the git CLI), toolchain, target, features, Cargo.lock hash, OS,
//! user and UTC time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use iec_runtime::requirement;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cli::PackageSelection;
use crate::error::Error;

/// Schema of environment.json.
pub const SCHEMA: &str = "iec-trace/environment/v1";

/// A UTC instant, from the clock or from `SOURCE_DATE_EPOCH` (reproducible builds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UtcTime {
    /// Seconds since the Unix epoch.
    pub unix: i64,
    /// `clock` or `SOURCE_DATE_EPOCH`.
    pub source: &'static str,
}

/// Days since 1970-01-01 to a (year, month, day) civil date (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

impl UtcTime {
    /// Now, or `SOURCE_DATE_EPOCH` when it is set.
    pub fn now() -> Result<UtcTime, Error> {
        if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
            let unix = epoch.trim().parse::<i64>().map_err(|_| {
                Error::Input(format!(
                    "SOURCE_DATE_EPOCH={epoch:?} is not a number of seconds since 1970-01-01"
                ))
            })?;
            return Ok(UtcTime {
                unix,
                source: "SOURCE_DATE_EPOCH",
            });
        }
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Ok(UtcTime {
            unix,
            source: "clock",
        })
    }

    fn parts(self) -> (i64, u32, u32, i64, i64, i64) {
        let days = self.unix.div_euclid(86_400);
        let seconds = self.unix.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        (
            year,
            month,
            day,
            seconds / 3_600,
            seconds % 3_600 / 60,
            seconds % 60,
        )
    }

    /// RFC 3339: `2026-11-24T22:51:31Z`.
    pub fn rfc3339(self) -> String {
        let (y, mo, d, h, mi, s) = self.parts();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }

    /// For directory names: `20261124T225131Z`.
    pub fn compact(self) -> String {
        let (y, mo, d, h, mi, s) = self.parts();
        format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
    }
}

/// A file git reports as changed.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ChangedFile {
    /// git's two-letter status (`M `, ` M`, `??`, `R `, ...).
    pub status: String,
    /// The path, relative to the repository root.
    pub path: String,
}

/// The commit and the state of the working tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceState {
    /// `HEAD`'s full hash; `null` outside git.
    pub commit: Option<String>,
    /// Its abbreviation (12 hex digits).
    pub short_commit: Option<String>,
    /// The branch, `HEAD` when detached.
    pub branch: Option<String>,
    /// `clean`, `dirty` (uncommitted or untracked files under the workspace root), or
    /// `unknown` (not a git work tree, or git is not installed).
    pub tree: String,
    /// The changed files, sorted by path.
    pub changed_files: Vec<ChangedFile>,
}

impl SourceState {
    /// Whether the evidence comes from exactly one commit.
    pub fn is_clean(&self) -> bool {
        self.tree == "clean"
    }
}

fn git(root: &Path, args: &[&str]) -> Option<Vec<u8>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output.status.success().then_some(output.stdout)
}

fn git_text(root: &Path, args: &[&str]) -> Option<String> {
    git(root, args)
        .map(|out| String::from_utf8_lossy(&out).trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The commit and working-tree state of the workspace at `root`, from the git CLI.
#[requirement("TR-EVIDENCE-ENV", "TR-EVIDENCE-CLEAN")]
pub fn source_state(root: &Path) -> SourceState {
    let unknown = SourceState {
        commit: None,
        short_commit: None,
        branch: None,
        tree: "unknown".to_string(),
        changed_files: Vec::new(),
    };
    let Some(commit) = git_text(root, &["rev-parse", "--verify", "HEAD"]) else {
        return unknown;
    };
    // Only what is under the workspace root matters; untracked files count (cargo builds
    // an untracked tests/x.rs), ignored files (target/) do not.
    let Some(status) = git(
        root,
        &[
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--",
            ".",
        ],
    ) else {
        return unknown;
    };
    let mut changed = Vec::new();
    let mut entries = status.split(|b| *b == 0).filter(|e| !e.is_empty());
    while let Some(entry) = entries.next() {
        let entry = String::from_utf8_lossy(entry);
        let (code, path) = entry.split_at_checked(3).unwrap_or((&entry, ""));
        let code = code.trim_end_matches(' ');
        let code = format!("{code:2}");
        if code.starts_with(['R', 'C']) {
            // Renames and copies are followed by their source path.
            entries.next();
        }
        changed.push(ChangedFile {
            status: code,
            path: path.to_string(),
        });
    }
    changed.sort_by(|a, b| a.path.cmp(&b.path));
    SourceState {
        short_commit: Some(commit.chars().take(12).collect()),
        branch: git_text(root, &["rev-parse", "--abbrev-ref", "HEAD"]),
        commit: Some(commit),
        tree: if changed.is_empty() { "clean" } else { "dirty" }.to_string(),
        changed_files: changed,
    }
}

/// `rustc -vV`, field by field, with the text as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rustc {
    /// `release: 1.95.0`.
    pub release: Option<String>,
    /// `commit-hash`.
    pub commit_hash: Option<String>,
    /// `host`.
    pub host: Option<String>,
    /// `LLVM version`.
    pub llvm_version: Option<String>,
    /// The whole output.
    pub verbose_version: String,
}

/// The standard output of `$RUSTC` (or `rustc`) run with `args` in `root`, so that a
/// `rust-toolchain.toml` there applies; `None` when it cannot run or fails.
pub fn rustc_output(root: &Path, args: &[&str]) -> Option<String> {
    let program = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    Command::new(program)
        .args(args)
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim_end().to_string())
}

/// `rustc -vV`, run in `root` so a `rust-toolchain.toml` there applies; asked once per
/// process and root (`cargo iec test` asks on a thread of its own while cargo builds, and
/// callers that come later wait for that answer instead of running rustc again).
#[requirement("TR-PERF-TEST-OVERLAP")]
pub fn rustc(root: &Path) -> Rustc {
    static ASKED: Mutex<BTreeMap<PathBuf, Rustc>> = Mutex::new(BTreeMap::new());
    // Held while rustc runs, so a concurrent caller waits instead of running it twice.
    let mut asked = ASKED.lock().unwrap_or_else(PoisonError::into_inner);
    asked
        .entry(root.to_path_buf())
        .or_insert_with(|| rustc_uncached(root))
        .clone()
}

fn rustc_uncached(root: &Path) -> Rustc {
    let text = rustc_output(root, &["-vV"]).unwrap_or_default();
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|r| r.strip_prefix(": ")))
            .map(|v| v.trim().to_string())
    };
    Rustc {
        release: field("release"),
        commit_hash: field("commit-hash"),
        host: field("host"),
        llvm_version: field("LLVM version"),
        verbose_version: text.clone(),
    }
}

/// The tools of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tools {
    /// This cargo-iec's version.
    pub cargo_iec: String,
    /// `rustc -vV`.
    pub rustc: Rustc,
    /// `cargo -V`.
    pub cargo: Option<String>,
    /// `cargo nextest --version` (first line), `null` when not installed.
    pub nextest: Option<String>,
    /// The runner that ran the tests: `cargo-nextest` or `cargo test`.
    pub runner: String,
    /// The commands run, as run.
    pub commands: Vec<String>,
}

/// The features the build was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Features {
    /// `--features`, split.
    pub features: Vec<String>,
    /// `--all-features`.
    pub all_features: bool,
    /// `--no-default-features`.
    pub no_default_features: bool,
}

impl Features {
    /// From the command line's selection.
    pub fn of(selection: &PackageSelection) -> Features {
        let mut features: Vec<String> = selection
            .features
            .iter()
            .flat_map(|f| f.split([' ', ',']))
            .filter(|f| !f.is_empty())
            .map(str::to_string)
            .collect();
        features.sort();
        features.dedup();
        Features {
            features,
            all_features: selection.all_features,
            no_default_features: selection.no_default_features,
        }
    }
}

/// The machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Os {
    /// `linux`, `macos`, `windows`, ...
    pub os: String,
    /// `x86_64`, `aarch64`, ...
    pub arch: String,
    /// The distribution (`PRETTY_NAME` of /etc/os-release), when known.
    pub release: Option<String>,
    /// The kernel release (`uname -r`), when known.
    pub kernel: Option<String>,
    /// The host name, when known.
    pub hostname: Option<String>,
}

/// The machine this runs on (read once per process).
#[requirement("TR-PERF-TEST-OVERLAP")]
pub fn os() -> Os {
    static OS: OnceLock<Os> = OnceLock::new();
    OS.get_or_init(os_uncached).clone()
}

fn os_uncached() -> Os {
    let release = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.strip_prefix("PRETTY_NAME=")
                    .map(|v| v.trim_matches('"').to_string())
            })
        });
    let command_line = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| command_line("hostname", &[]));
    Os {
        os: std::env::consts::OS.to_string(),
        arch: std::env::consts::ARCH.to_string(),
        release,
        kernel: if cfg!(unix) {
            command_line("uname", &["-r"])
        } else {
            None
        },
        hostname,
    }
}

/// Cargo.lock and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lockfile {
    /// Relative to the workspace root.
    pub path: String,
    /// Lower-case hex SHA-256, `null` when there is no Cargo.lock.
    pub sha256: Option<String>,
}

/// The SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// environment.json.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Environment {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The bundle's schema, [`crate::evidence::BUNDLE_SCHEMA`].
    pub bundle: &'static str,
    /// When the run started, UTC, RFC 3339.
    pub time: String,
    /// `clock` or `SOURCE_DATE_EPOCH`.
    pub time_source: &'static str,
    /// Commit and working tree.
    pub source: SourceState,
    /// Tools.
    pub tools: Tools,
    /// The target triple the tests were built for.
    pub target: Option<String>,
    /// Features asked for.
    pub features: Features,
    /// The packages whose tests ran, `name@version`.
    pub packages: Vec<String>,
    /// Cargo.lock.
    pub cargo_lock: Lockfile,
    /// The machine.
    pub os: Os,
    /// Who ran it (`USER`, `LOGNAME` or `USERNAME`).
    pub user: Option<String>,
    /// The command line, as given.
    pub command: Vec<String>,
    /// Environment variables that change how cargo builds and tests, as set.
    pub variables: BTreeMap<String, String>,
}

/// Variables recorded because they change the build or the run.
const RECORDED_VARIABLES: [&str; 9] = [
    "CARGO_BUILD_TARGET",
    "CARGO_PROFILE_DEV_OPT_LEVEL",
    "CARGO_TARGET_DIR",
    "RUSTFLAGS",
    "RUSTDOCFLAGS",
    "RUST_TEST_THREADS",
    "RUSTUP_TOOLCHAIN",
    "NEXTEST_PROFILE",
    "SOURCE_DATE_EPOCH",
];

/// What [`collect`] needs from the run.
pub struct EnvironmentInput<'a> {
    /// The workspace root.
    pub root: &'a Path,
    /// When the run started.
    pub time: UtcTime,
    /// The tree's state, taken after the run.
    pub source: SourceState,
    /// The selection.
    pub selection: &'a PackageSelection,
    /// `name@version` of the packages.
    pub packages: Vec<String>,
    /// The runner's name.
    pub runner: String,
    /// The commands run.
    pub commands: Vec<String>,
    /// The runner's arguments (for `--target`).
    pub runner_args: &'a [String],
    /// The command line.
    pub command: Vec<String>,
}

fn target_of(args: &[String], host: Option<&str>) -> Option<String> {
    let mut args = args.iter().take_while(|a| *a != "--");
    while let Some(arg) = args.next() {
        if arg == "--target" {
            return args.next().cloned();
        }
        if let Some(value) = arg.strip_prefix("--target=") {
            return Some(value.to_string());
        }
    }
    std::env::var("CARGO_BUILD_TARGET")
        .ok()
        .or_else(|| host.map(str::to_string))
}

/// Gathers the environment record.
#[requirement("TR-EVIDENCE-ENV")]
pub fn collect(input: EnvironmentInput<'_>) -> Environment {
    let rustc = rustc(input.root);
    let lock = input.root.join("Cargo.lock");
    let cargo = crate::run::cargo_version();
    Environment {
        schema: SCHEMA,
        bundle: crate::evidence::BUNDLE_SCHEMA,
        time: input.time.rfc3339(),
        time_source: input.time.source,
        source: input.source,
        target: input
            .selection
            .target
            .clone()
            .or_else(|| target_of(input.runner_args, rustc.host.as_deref())),
        tools: Tools {
            cargo_iec: env!("CARGO_PKG_VERSION").to_string(),
            rustc,
            cargo,
            nextest: crate::run::nextest_version(),
            runner: input.runner,
            commands: input.commands,
        },
        features: Features::of(input.selection),
        packages: input.packages,
        cargo_lock: Lockfile {
            path: "Cargo.lock".to_string(),
            sha256: std::fs::read(&lock).ok().map(|bytes| sha256_hex(&bytes)),
        },
        os: os(),
        user: ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty())),
        command: input.command,
        variables: RECORDED_VARIABLES
            .iter()
            .filter_map(|v| std::env::var(v).ok().map(|value| (v.to_string(), value)))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[requirement("TR-EVIDENCE-ENV")]
    fn utc_times_are_formatted_from_unix_seconds() {
        let time = |unix| UtcTime {
            unix,
            source: "clock",
        };
        assert_eq!(time(0).rfc3339(), "1970-01-01T00:00:00Z");
        assert_eq!(time(951_782_400).rfc3339(), "2000-02-29T00:00:00Z");
        assert_eq!(time(1_764_024_691).rfc3339(), "2025-11-24T22:51:31Z");
        assert_eq!(time(1_764_024_691).compact(), "20251124T225131Z");
        assert_eq!(time(-1).rfc3339(), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn the_target_comes_from_the_runner_arguments_else_the_host() {
        let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            target_of(&args(&["--target", "thumbv7em-none-eabihf"]), Some("x")),
            Some("thumbv7em-none-eabihf".to_string())
        );
        assert_eq!(
            target_of(&args(&["--target=aarch64-unknown-linux-gnu"]), Some("x")),
            Some("aarch64-unknown-linux-gnu".to_string())
        );
        if std::env::var_os("CARGO_BUILD_TARGET").is_none() {
            assert_eq!(
                target_of(&args(&["--", "--target", "y"]), Some("x")),
                Some("x".to_string())
            );
        }
    }
}
