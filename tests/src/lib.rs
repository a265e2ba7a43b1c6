//! Harness of the acceptance tests: run the real `cargo-iec` binary on fixture workspaces.
//!
//! A fixture is a small cargo workspace in `tests/fixtures/<name>/`. [`Fixture::new`] copies
//! it to a temporary directory, replacing the placeholder `@IEC_RUNTIME@` in its manifests
//! with the path of this repository's `iec-runtime`, so the fixture traces against the code
//! under test. The binary runs there as `cargo-iec iec ...`, the way cargo runs a
//! subcommand.
//!
//! ```no_run
//! let fixture = iec_acceptance::Fixture::new("clean");
//! let run = fixture.cargo_iec(["trace", "--format", "json"]);
//! assert_eq!(run.code, 0, "{}", run.stderr);
//! ```
//!
//! Speed: every fixture builds into one shared target directory
//! (`<target>/acceptance-fixtures`), so iec-runtime, its macros and `syn` compile once for
//! the whole suite. Fixtures of different names use different package names; two copies of
//! the same fixture would share artifact names, so only one copy of a fixture exists at a
//! time (each [`Fixture`] holds a lock on its name until it is dropped).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use tempfile::TempDir;

/// Longest a run may take; a cold build of the fixtures' dependencies on a small CI
/// machine takes a minute or two, so this only stops a hung process.
pub const RUN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20 * 60);

/// The placeholder fixture manifests use for the path of `iec-runtime`.
pub const IEC_RUNTIME_PLACEHOLDER: &str = "@IEC_RUNTIME@";

/// The workspace under test (the parent of this crate).
pub fn workspace_root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// The directory of the fixtures' sources.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The `iec-runtime` crate the fixtures depend on.
pub fn iec_runtime_dir() -> PathBuf {
    workspace_root().join("iec-runtime")
}

/// Where this test binary was built: the target directory cargo marks with
/// `CACHEDIR.TAG`, and the profile and target triple directories under it.
struct BuildLayout {
    target_root: PathBuf,
    profile_dir: Option<String>,
    triple: Option<String>,
}

fn build_layout() -> BuildLayout {
    let fallback = || BuildLayout {
        target_root: workspace_root().join("target"),
        profile_dir: None,
        triple: None,
    };
    let Ok(executable) = std::env::current_exe() else {
        return fallback();
    };
    let Some(root) = executable
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
    else {
        return fallback();
    };
    // <root>/[<triple>/]<profile>/deps/<test binary>
    let below: Vec<String> = executable
        .strip_prefix(root)
        .map(|rest| {
            rest.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let (triple, profile_dir) = match below.as_slice() {
        [triple, profile, _deps, _binary] => (Some(triple.clone()), Some(profile.clone())),
        [profile, _deps, _binary] => (None, Some(profile.clone())),
        _ => (None, None),
    };
    BuildLayout {
        target_root: root.to_path_buf(),
        profile_dir,
        triple,
    }
}

/// The target directory all fixture builds share.
pub fn fixtures_target_dir() -> PathBuf {
    build_layout().target_root.join("acceptance-fixtures")
}

fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// The `cargo-iec` executable, built on first use.
///
/// Cargo builds a dependency's library for a test, never its binaries, and
/// `CARGO_BIN_EXE_cargo-iec` exists only in cargo-iec's own tests. So the harness asks
/// cargo to build the binary, with this test binary's profile and target directory, and
/// takes the executable's path from cargo's messages: a clean `cargo test -p
/// iec-acceptance` tests the binary of the sources it was started on.
///
/// # Panics
/// When the binary does not build.
pub fn cargo_iec_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let layout = build_layout();
        let mut command = cargo();
        command
            .args(["build", "--package", "cargo-iec", "--bin", "cargo-iec"])
            .arg("--manifest-path")
            .arg(workspace_root().join("Cargo.toml"))
            .arg("--message-format=json-render-diagnostics")
            .env("CARGO_TARGET_DIR", &layout.target_root);
        match layout.profile_dir.as_deref() {
            None | Some("debug") => {}
            Some("release") => {
                command.arg("--release");
            }
            Some(profile) => {
                command.args(["--profile", profile]);
            }
        }
        if let Some(triple) = &layout.triple {
            command.args(["--target", triple]);
        }
        let output = command
            .stdin(Stdio::null())
            .output()
            .expect("run cargo to build cargo-iec");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "building cargo-iec failed:\n{stderr}"
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|message| message["reason"] == "compiler-artifact")
            .filter(|message| message["target"]["name"] == "cargo-iec")
            .find_map(|message| message["executable"].as_str().map(PathBuf::from))
            .unwrap_or_else(|| panic!("cargo built no cargo-iec executable:\n{stderr}"))
    })
}

/// `cargo-iec iec` with a clean, deterministic environment: no colour, a fixed terminal
/// width, the shared fixture target directory, and no iec-trace variables from outside.
pub fn cargo_iec() -> assert_cmd::Command {
    let mut command = assert_cmd::Command::new(cargo_iec_binary());
    command
        .arg("iec")
        .env("CARGO_TARGET_DIR", fixtures_target_dir())
        .env("CARGO_TERM_COLOR", "never")
        .env("CARGO_TERM_PROGRESS_WHEN", "never")
        .env("COLUMNS", "100")
        .env_remove("IEC_TRACE_CATALOGUE")
        .env_remove("IEC_TRACE_DUMP")
        .env_remove("IEC_TRACE_DESIGN_FULL_READ")
        .env_remove("RUST_BACKTRACE");
    command
}

/// What one run of the binary produced.
#[derive(Debug, Clone)]
pub struct Run {
    /// The exit code (`-1` when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error, with cargo's and rustc's output.
    pub stderr: String,
}

impl Run {
    fn from_output(output: &Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Standard error without cargo's progress lines (`   Compiling x`, `    Finished
    /// ...`, `    Blocking ...`), which depend on what was already built.
    pub fn messages(&self) -> String {
        let mut kept = String::new();
        for line in self.stderr.lines() {
            if !is_cargo_status(line) {
                kept.push_str(line);
                kept.push('\n');
            }
        }
        kept
    }

    /// The last `error:` line of standard error: cargo-iec's own message, after anything
    /// cargo and rustc printed.
    pub fn last_error(&self) -> &str {
        self.stderr
            .lines()
            .rev()
            .find(|line| line.starts_with("error: "))
            .unwrap_or("")
    }

    /// Standard output parsed as JSON.
    ///
    /// # Panics
    /// When standard output is not JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|error| {
            panic!(
                "stdout is not JSON ({error}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit code {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Cargo's status lines are a verb right-aligned in 12 columns: `   Compiling foo`.
fn is_cargo_status(line: &str) -> bool {
    let Some((head, _)) = line.split_at_checked(12) else {
        return false;
    };
    let word = head.trim_start();
    line.as_bytes().get(12) == Some(&b' ')
        && word.len() < head.len()
        && word.starts_with(|c: char| c.is_ascii_uppercase())
        && word.chars().all(|c| c.is_ascii_alphabetic())
}

/// One lock per fixture name: two copies of one fixture must not build into the shared
/// target directory at the same time (their artifacts have the same names).
fn lock_fixture(name: &str) -> MutexGuard<'static, ()> {
    static LOCKS: Mutex<BTreeMap<String, &'static Mutex<()>>> = Mutex::new(BTreeMap::new());
    let lock: &'static Mutex<()> = LOCKS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(name.to_string())
        .or_insert_with(|| Box::leak(Box::new(Mutex::new(()))));
    lock.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A fixture workspace copied to a temporary directory, removed on drop.
pub struct Fixture {
    name: String,
    dir: TempDir,
    // Declared after `dir`, so the copy is gone before the next test may take the name.
    _lock: MutexGuard<'static, ()>,
}

impl Fixture {
    /// Copies `tests/fixtures/<name>` to a fresh temporary directory, with the path of
    /// `iec-runtime` in its manifests and this repository's `Cargo.lock`, so the fixture
    /// resolves to the same dependency versions without touching the network.
    ///
    /// # Panics
    /// When the fixture does not exist or cannot be copied.
    pub fn new(name: &str) -> Fixture {
        let lock = lock_fixture(name);
        let source = fixtures_dir().join(name);
        assert!(source.is_dir(), "no fixture {}", source.display());
        let dir = tempfile::Builder::new()
            .prefix(&format!("iec-fixture-{name}-"))
            .tempdir()
            .expect("create a temporary directory");
        copy_tree(&source, dir.path());
        std::fs::copy(
            workspace_root().join("Cargo.lock"),
            dir.path().join("Cargo.lock"),
        )
        .expect("copy Cargo.lock");
        Fixture {
            name: name.to_string(),
            dir,
            _lock: lock,
        }
    }

    /// The fixture's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The root of the copy.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the copy.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    /// Reads a file of the copy.
    ///
    /// # Panics
    /// When the file cannot be read.
    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative))
            .unwrap_or_else(|error| panic!("read {relative}: {error}"))
    }

    /// Writes a file of the copy.
    ///
    /// # Panics
    /// When the file cannot be written.
    pub fn write(&self, relative: &str, contents: &str) {
        std::fs::write(self.path(relative), contents)
            .unwrap_or_else(|error| panic!("write {relative}: {error}"));
    }

    /// Replaces `from` (which must occur) with `to` in a file of the copy.
    ///
    /// # Panics
    /// When `from` does not occur in the file.
    pub fn edit(&self, relative: &str, from: &str, to: &str) {
        let text = self.read(relative);
        assert!(text.contains(from), "{relative} does not contain {from:?}");
        self.write(relative, &text.replacen(from, to, 1));
    }

    /// Appends to a file of the copy.
    pub fn append(&self, relative: &str, tail: &str) {
        let text = self.read(relative);
        self.write(relative, &format!("{text}{tail}"));
    }

    /// Removes a file of the copy.
    ///
    /// # Panics
    /// When the file cannot be removed.
    pub fn remove(&self, relative: &str) {
        std::fs::remove_file(self.path(relative))
            .unwrap_or_else(|error| panic!("remove {relative}: {error}"));
    }

    /// `cargo-iec iec` in the copy's root.
    pub fn command(&self) -> assert_cmd::Command {
        let mut command = cargo_iec();
        command.current_dir(self.root());
        command
    }

    /// Runs `cargo-iec iec <args>` in the copy's root.
    pub fn cargo_iec<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        run(self.command().args(args))
    }

    /// Insta settings that replace this copy's directory with `[FIXTURE]` and the
    /// repository's `iec-runtime` with `[IEC_RUNTIME]`, so snapshots hold no machine path.
    pub fn snapshot_settings(&self) -> insta::Settings {
        let mut settings = insta::Settings::clone_current();
        let mut roots = vec![self.root().to_path_buf()];
        if let Ok(canonical) = self.root().canonicalize() {
            roots.push(canonical);
        }
        for root in roots {
            settings.add_filter(&regex_escape(&root.to_string_lossy()), "[FIXTURE]");
        }
        settings.add_filter(
            &regex_escape(&iec_runtime_dir().to_string_lossy()),
            "[IEC_RUNTIME]",
        );
        settings
    }
}

/// Runs a command to completion and collects its output.
///
/// # Panics
/// When the command cannot be started.
pub fn run(command: &mut assert_cmd::Command) -> Run {
    let output = command
        .timeout(RUN_TIMEOUT)
        .output()
        .expect("run cargo-iec");
    Run::from_output(&output)
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read a fixture directory") {
        let entry = entry.expect("read a fixture directory entry");
        let source = entry.path();
        let destination = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir_all(&destination).expect("create a directory");
            copy_tree(&source, &destination);
        } else if entry.file_name() == "Cargo.toml" {
            let text = std::fs::read_to_string(&source).expect("read a fixture manifest");
            let runtime = iec_runtime_dir().to_string_lossy().replace('\\', "/");
            std::fs::write(
                &destination,
                text.replace(IEC_RUNTIME_PLACEHOLDER, &runtime),
            )
            .expect("write a fixture manifest");
        } else {
            std::fs::copy(&source, &destination).expect("copy a fixture file");
        }
    }
}

/// Escapes `text` for use as a literal in an insta filter (a regex).
fn regex_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The `(kind, reason)` of each entry of an evidence bundle's `anomalies.json`, in order.
pub fn anomaly_kinds(anomalies: &serde_json::Value) -> Vec<(String, String)> {
    anomalies["anomalies"]
        .as_array()
        .expect("anomalies")
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap_or("?").to_string(),
                a["reason"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Every link of a trace JSON, one line each: `REQ implemented_by|verified_by PATH`, in the
/// order of the file (requirements sorted, then links sorted).
pub fn links(json: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for requirement in json["requirements"].as_array().expect("requirements") {
        for relation in ["implemented_by", "verified_by"] {
            for link in requirement[relation].as_array().expect("links") {
                out.push(format!(
                    "{} {relation} {}",
                    requirement["id"].as_str().unwrap_or(""),
                    link["path"].as_str().unwrap_or("")
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{is_cargo_status, regex_escape};

    #[test]
    fn cargo_status_lines_are_recognised() {
        assert!(is_cargo_status("   Compiling iec-runtime v0.1.0 (/x)"));
        assert!(is_cargo_status(
            "    Finished `test` profile [unoptimized] target(s) in 1.2s"
        ));
        assert!(is_cargo_status(
            "    Blocking waiting for file lock on build directory"
        ));
        assert!(!is_cargo_status("error: could not compile `x`"));
        assert!(!is_cargo_status("  --> src/lib.rs:6:15"));
        assert!(!is_cargo_status("6 | #[requirement(\"REQ-DOSE-LIMT\")]"));
    }

    #[test]
    fn regex_metacharacters_are_escaped() {
        assert_eq!(regex_escape("/tmp/a.b-c"), "/tmp/a\\.b\\-c");
    }
}
