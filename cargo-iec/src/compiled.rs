//! The compiled channel: build the test targets, run each with `--list` while iec-runtime
//! dumps its registry at exit, and read the records back.
//!
//! Exact and cfg-resolved: what the registry holds is what the compiler built, and test
//! names match the names the harness reports. It fails closed: a target whose sources carry
//! annotations but whose binary registered none is an error, never an empty trace.

use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use cargo_metadata::{Message, Package};
use iec_runtime::requirement;
use serde::Deserialize;

use crate::cli::PackageSelection;
use crate::error::Error;
use crate::record::{Declares, Record, TargetRef, UnitDeclaration};
use crate::static_scan::Scan;
use crate::workspace::{Workspace, package_dir};

/// The environment variable iec-runtime reads (see iec-runtime/src/dump.rs).
const DUMP_VARIABLE: &str = "IEC_TRACE_DUMP";
/// The first line of a dump.
const DUMP_SCHEMA: &str = "iec-runtime-dump/1";

/// A test binary cargo built.
#[derive(Debug, Clone)]
pub struct TestBinary {
    /// The target.
    pub target: TargetRef,
    /// Its crate name (the first segment of its paths).
    pub crate_name: String,
    /// The executable.
    pub executable: PathBuf,
    /// Directory the harness runs in (the package's).
    pub package_dir: PathBuf,
    /// For a coverage-instrumented binary: where a run writes its LLVM profile when the
    /// caller sets no `LLVM_PROFILE_FILE` of its own (never the package directory).
    pub profile_dir: Option<PathBuf>,
    /// The features cargo enabled for it (decides which `cfg(feature)` annotations are
    /// compiled out).
    pub features: BTreeSet<String>,
}

impl TestBinary {
    /// A command that runs this binary as cargo would: in its package's directory, with the
    /// toolchain's and the target directory's libraries on the dynamic library path
    /// (proc-macro crates' test binaries link `libstd` dynamically).
    pub fn command(&self) -> Command {
        let mut command = Command::new(&self.executable);
        command.current_dir(&self.package_dir);
        let variable = if cfg!(windows) {
            "PATH"
        } else if cfg!(target_os = "macos") {
            "DYLD_FALLBACK_LIBRARY_PATH"
        } else {
            "LD_LIBRARY_PATH"
        };
        let mut paths: Vec<PathBuf> = Vec::new();
        if let Some(dir) = self.executable.parent() {
            paths.push(dir.to_path_buf());
        }
        paths.extend(host_library_dir());
        paths.extend(
            std::env::var_os(variable)
                .iter()
                .flat_map(std::env::split_paths),
        );
        if let Ok(joined) = std::env::join_paths(paths) {
            command.env(variable, joined);
        }
        if let Some(dir) = &self.profile_dir {
            command.env("LLVM_PROFILE_FILE", dir.join("other-%p-%m.profraw"));
        }
        command
    }
}

/// `rustc --print target-libdir`: where the host's `libstd-*.so` is.
pub(crate) fn host_library_dir() -> Option<PathBuf> {
    static DIR: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
        let output = Command::new(rustc)
            .args(["--print", "target-libdir"])
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())?;
        let dir = String::from_utf8_lossy(&output.stdout).trim().to_string();
        (!dir.is_empty()).then(|| PathBuf::from(dir))
    })
    .clone()
}

/// What the compiled channel found.
#[derive(Debug, Default)]
pub struct Collected {
    /// Every record, sorted.
    pub records: Vec<Record>,
    /// Every test the harnesses listed, as full paths (`crate::module::test`), per target.
    pub tests: BTreeMap<TargetRef, BTreeSet<String>>,
    /// Targets not run because they use `harness = false`.
    pub skipped: Vec<TargetRef>,
    /// Selected packages that do not depend on iec-runtime (nothing to read).
    pub without_runtime: Vec<String>,
    /// The test binaries whose registries were read (`cargo iec test` asks them which of
    /// their tests are ignored).
    pub binaries: Vec<TestBinary>,
    /// With [`BuildMode::nextest_list`]: the build's binaries-metadata, as `cargo nextest
    /// list` printed it, for `cargo nextest run --binaries-metadata`.
    pub nextest_binaries: Option<String>,
}

#[derive(Deserialize)]
struct DumpHeader {
    schema: String,
}

#[derive(Deserialize)]
struct DumpUnit {
    id: Option<String>,
    item: Option<String>,
    class: Option<String>,
    #[serde(default)]
    segregation: Option<String>,
}

#[derive(Deserialize)]
struct DumpRecord {
    kind: String,
    ids: Vec<String>,
    qualifiers: Vec<String>,
    unit: Option<DumpUnit>,
    item_kind: String,
    item_name: String,
    compiler_path: Option<String>,
    module_path: String,
    file: String,
    line: u32,
    column: u32,
    package: String,
    test_attribute: bool,
}

/// Only packages that can register annotations are built and run: those depending on
/// iec-runtime (normal or dev), and iec-runtime itself.
pub(crate) fn depends_on_runtime(package: &Package) -> bool {
    package.name.as_str() == "iec-runtime"
        || package.dependencies.iter().any(|d| d.name == "iec-runtime")
}

/// Targets declared with `harness = false` in the package manifest (cargo metadata does not
/// say; running such a binary with `--list` would run the user's own `main`).
fn harness_free_targets(package: &Package) -> BTreeSet<(String, String)> {
    let mut free = BTreeSet::new();
    let Ok(text) = std::fs::read_to_string(&package.manifest_path) else {
        return free;
    };
    let Ok(manifest) = text.parse::<toml::Table>() else {
        return free;
    };
    let mut check = |kind: &str, table: &toml::Table, default_name: &str| {
        if table.get("harness").and_then(toml::Value::as_bool) == Some(false) {
            let name = table
                .get("name")
                .and_then(toml::Value::as_str)
                .unwrap_or(default_name);
            free.insert((kind.to_string(), name.replace('-', "_")));
        }
    };
    if let Some(lib) = manifest.get("lib").and_then(toml::Value::as_table) {
        check("lib", lib, &package.name.replace('-', "_"));
    }
    for (key, kind) in [
        ("bin", "bin"),
        ("test", "test"),
        ("example", "example"),
        ("bench", "bench"),
    ] {
        for table in manifest
            .get(key)
            .and_then(toml::Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(toml::Value::as_table)
        {
            check(kind, table, "");
        }
    }
    free
}

/// How the compiled channel builds the test targets.
#[derive(Debug, Clone, Default)]
pub struct BuildMode {
    /// Build with `-C instrument-coverage` into this target directory (kept apart from the
    /// normal build so neither invalidates the other); profiles of registry reads go to
    /// `profile_dir`.
    pub instrument: Option<Instrument>,
    /// Build with `cargo nextest list` (see [`crate::nextest_reuse`]), given this file of
    /// the workspace's `cargo metadata`, so that the run can reuse the build.
    pub nextest_list: Option<PathBuf>,
}

/// An instrumented build.
#[derive(Debug, Clone)]
pub struct Instrument {
    /// `CARGO_TARGET_DIR` of the instrumented build.
    pub target_dir: PathBuf,
    /// Where `--list` runs write their (unused) profiles.
    pub profile_dir: PathBuf,
}

/// `RUSTFLAGS` (or `CARGO_ENCODED_RUSTFLAGS`) with `-C instrument-coverage` added to what the
/// environment already sets.
fn instrumented_flags(command: &mut Command) {
    if let Some(encoded) = std::env::var_os("CARGO_ENCODED_RUSTFLAGS") {
        let mut flags = encoded;
        if !flags.is_empty() {
            flags.push("\x1f");
        }
        flags.push("-Cinstrument-coverage");
        command.env("CARGO_ENCODED_RUSTFLAGS", flags);
        return;
    }
    let mut flags = std::env::var_os("RUSTFLAGS").unwrap_or_default();
    if !flags.is_empty() {
        flags.push(" ");
    }
    flags.push("-C instrument-coverage");
    command.env("RUSTFLAGS", flags);
}

/// What the build made: the test binaries of the packages that use iec-runtime and, when
/// built through `cargo nextest list`, nextest's binaries-metadata.
pub(crate) type Built = (Vec<TestBinary>, Option<String>);

/// `cargo test --no-run` of the test targets of the selected packages that use iec-runtime.
fn registry_build_command(
    workspace: &Workspace,
    selection: &PackageSelection,
    mode: &BuildMode,
    packages: &[&Package],
) -> Command {
    let mut command = crate::run::cargo();
    command
        .args([
            "test",
            "--no-run",
            "--message-format=json-render-diagnostics",
        ])
        .arg("--manifest-path")
        .arg(workspace.root.join("Cargo.toml"))
        // Explicit target kinds: `--tests` alone skips a `[lib] test = false` library, whose
        // annotations would then vanish from the trace without a word.
        .args(["--lib", "--bins", "--tests", "--examples"]);
    selection_args(&mut command, packages.iter().copied(), selection);
    if let Some(instrument) = &mode.instrument {
        instrumented_flags(&mut command);
        command.env("CARGO_TARGET_DIR", &instrument.target_dir);
        // Instrumented build scripts and proc-macros write profiles when they run; not
        // into the user's directories.
        command.env(
            "LLVM_PROFILE_FILE",
            instrument.profile_dir.join("build-%p-%m.profraw"),
        );
    }
    command
}

/// Builds the test targets of the selected packages that use iec-runtime: with `cargo test
/// --no-run`, or (with [`BuildMode::nextest_list`]) with `cargo nextest list`, which builds
/// what `cargo nextest run` would build (every selected package) and describes it.
#[requirement("TR-PERF-REUSE-BUILD")]
pub(crate) fn build(
    workspace: &Workspace,
    selection: &PackageSelection,
    mode: &BuildMode,
) -> Result<Built, Error> {
    let packages: Vec<&Package> = workspace
        .selected
        .iter()
        .filter(|p| depends_on_runtime(p))
        .collect();
    let (mut command, shown) = match &mode.nextest_list {
        Some(cargo_metadata) => (
            crate::nextest_reuse::list_command(workspace, selection, cargo_metadata),
            "cargo nextest list",
        ),
        None if packages.is_empty() => return Ok((Vec::new(), None)),
        None => (
            registry_build_command(workspace, selection, mode, &packages),
            "cargo test --no-run",
        ),
    };
    command.stdout(Stdio::piped()).stderr(Stdio::inherit());
    let mut child = command.spawn().map_err(|source| Error::Io {
        context: format!("cannot run `{shown}`"),
        source,
    })?;
    let selected: BTreeMap<_, _> = packages.iter().map(|p| (p.id.clone(), *p)).collect();
    let mut binaries = Vec::new();
    let mut nextest_binaries = None;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| Error::Build("no output".to_string()))?;
    for message in Message::parse_stream(BufReader::new(stdout)) {
        let message = message.map_err(|source| Error::Io {
            context: "cannot read cargo's messages".to_string(),
            source,
        })?;
        let artifact = match message {
            Message::CompilerArtifact(artifact) => artifact,
            Message::TextLine(line)
                if mode.nextest_list.is_some()
                    && crate::nextest_reuse::is_binaries_metadata(&line) =>
            {
                nextest_binaries = Some(line);
                continue;
            }
            _ => continue,
        };
        let (Some(executable), true) = (artifact.executable, artifact.profile.test) else {
            continue;
        };
        let Some(package) = selected.get(&artifact.package_id) else {
            continue;
        };
        // Test artifacts of other kinds are test harnesses too.
        let kind = crate::record::target_kind(&artifact.target.kind).unwrap_or("test");
        binaries.push(TestBinary {
            target: TargetRef {
                package: package.name.to_string(),
                kind: kind.to_string(),
                name: artifact.target.name.clone(),
            },
            crate_name: artifact.target.name.replace('-', "_"),
            executable: executable.into_std_path_buf(),
            package_dir: package_dir(package).to_path_buf(),
            profile_dir: mode.instrument.as_ref().map(|i| i.profile_dir.clone()),
            features: artifact.features.iter().cloned().collect(),
        });
    }
    let status = child.wait().map_err(|source| Error::Io {
        context: format!("cannot wait for `{shown}`"),
        source,
    })?;
    if !status.success() {
        return Err(Error::Build(format!("`{shown}` exited with {status}")));
    }
    binaries.sort_by(|a, b| a.target.cmp(&b.target));
    binaries.dedup_by(|a, b| a.target == b.target);
    Ok((binaries, nextest_binaries))
}

/// Source files the compiler read for `executable`, from cargo's dep-info file beside it.
fn sources_of(executable: &Path) -> Vec<PathBuf> {
    let dep_info = executable.with_extension("d");
    let dep_info = if dep_info.is_file() {
        dep_info
    } else {
        let mut name = executable.as_os_str().to_owned();
        name.push(".d");
        PathBuf::from(name)
    };
    let Ok(text) = std::fs::read_to_string(dep_info) else {
        return Vec::new();
    };
    let Some(first) = text.lines().next() else {
        return Vec::new();
    };
    let Some((_, deps)) = first.split_once(": ") else {
        return Vec::new();
    };
    // Paths are space-separated, with spaces inside paths escaped as `\ `.
    let mut files = Vec::new();
    let mut current = String::new();
    let mut chars = deps.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                current.push(' ');
                chars.next();
            }
            ' ' => {
                if !current.is_empty() {
                    files.push(PathBuf::from(std::mem::take(&mut current)));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        files.push(PathBuf::from(current));
    }
    files.retain(|f| f.extension().is_some_and(|e| e == "rs"));
    files
}

/// Whether `needle` occurs in `line` outside a string literal on that line (a test that
/// prints `#[requirement("X")]` in a message is not an annotation).
fn outside_string(line: &str, needle: &str) -> bool {
    line.match_indices(needle).any(|(at, _)| {
        let before = &line[..at];
        let mut quotes = 0;
        let mut escaped = false;
        for c in before.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => quotes += 1,
                _ => escaped = false,
            }
            if c != '\\' {
                escaped = false;
            }
        }
        quotes % 2 == 0
    })
}

/// The lines of `sources` that look like iec-trace annotations, per file relative to the
/// workspace root.
fn annotation_lines(sources: &[PathBuf], workspace: &Workspace) -> BTreeMap<String, Vec<usize>> {
    let mut found = BTreeMap::new();
    for file in sources {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let lines: Vec<usize> = text
            .lines()
            .enumerate()
            .filter(|(_, line)| {
                let code = line.trim_start();
                !code.starts_with("//") && looks_like_annotation(code)
            })
            .map(|(index, _)| index + 1)
            .collect();
        if !lines.is_empty() {
            found.insert(workspace.relative(file), lines);
        }
    }
    found
}

/// A binary registered nothing: right when its sources carry no annotation, or (with the
/// static scan) when every one is provably compiled out by `cfg` (see
/// [`crate::compiled_out`]); an [`Error::EmptyRegistry`] otherwise.
#[requirement("TR-TRACE-FAILCLOSED", "TR-SELFTEST-COV-ALLCFG")]
fn accept_empty(
    binary: &TestBinary,
    workspace: &Workspace,
    scan: Option<&Scan>,
    reason: &str,
) -> Result<(), Error> {
    let evidence = annotation_lines(&sources_of(&binary.executable), workspace);
    let Some((file, lines)) = evidence.iter().next() else {
        return Ok(());
    };
    let first = format!("{file}:{}", lines.first().copied().unwrap_or(0));
    let refuse = |why: String| Error::EmptyRegistry {
        target: binary.target.to_string(),
        evidence: first.clone(),
        reason: format!("{reason}{why}"),
    };
    let Some(scan) = scan else {
        return Err(refuse(String::new()));
    };
    match crate::compiled_out::explain_empty(&binary.target, &evidence, scan, &binary.features) {
        Ok(conditions) => {
            let conditions: Vec<String> = conditions.iter().map(|c| format!("cfg({c})")).collect();
            crate::note(&format!(
                "{}: its registry is empty because every annotation in its sources is compiled out in this build ({}); each is a channel-mismatch gap",
                binary.target,
                conditions.join(", ")
            ));
            Ok(())
        }
        Err(why) => Err(refuse(format!(
            "; an empty registry is not shown to be right: {why}"
        ))),
    }
}

/// An attribute `#[requirement(`, `#[software_unit(` (or a path ending in them, such as
/// `#[iec_runtime::requirement(`), or a `module_unit!(`/`module_requirement!(` call, outside
/// a string. A call like `expand::requirement(args)` is not an annotation.
fn looks_like_annotation(code: &str) -> bool {
    let attribute = code.match_indices("#[").any(|(at, _)| {
        let rest = &code[at + 2..];
        let path_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        let path = &rest[..path_end];
        let name = path.rsplit("::").next().unwrap_or(path);
        rest[path_end..].starts_with('(')
            && matches!(name, "requirement" | "software_unit" | "problem")
            && outside_string(code, &format!("#[{path}("))
    });
    attribute
        || ["module_unit!(", "module_requirement!("]
            .iter()
            .any(|macro_call| outside_string(code, macro_call))
}

/// Runs `binary --list` with the dump variable set; returns the test names and records.
#[requirement("TR-TRACE-FAILCLOSED")]
fn read_binary(
    binary: &TestBinary,
    scratch: &Path,
    index: usize,
    workspace: &Workspace,
    scan: Option<&Scan>,
) -> Result<(BTreeSet<String>, Vec<Record>), Error> {
    let dump = scratch.join(format!("{index}.jsonl"));
    let output = binary
        .command()
        .args(["--list", "--format", "terse"])
        .env(DUMP_VARIABLE, &dump)
        .current_dir(&binary.package_dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| Error::Run {
            binary: binary.executable.clone(),
            message: source.to_string(),
        })?;
    if !output.status.success() {
        return Err(Error::Run {
            binary: binary.executable.clone(),
            message: format!(
                "`--list` exited with {}: {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ),
        });
    }
    let mut tests = BTreeSet::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        if let Some(name) = line.strip_suffix(": test") {
            tests.insert(format!("{}::{}", binary.crate_name, name));
        }
    }
    let text = match std::fs::read_to_string(&dump) {
        Ok(text) => text,
        Err(_) => {
            accept_empty(
                binary,
                workspace,
                scan,
                " (it wrote no registry dump: is iec-runtime's `std` feature off, or does nothing compiled in name iec-runtime?)",
            )?;
            return Ok((tests, Vec::new()));
        }
    };
    let mut records = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let bad = |message: String| Error::Dump {
            binary: binary.executable.clone(),
            line: number + 1,
            message,
        };
        if number == 0 {
            let header: DumpHeader = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
            if header.schema != DUMP_SCHEMA {
                return Err(bad(format!(
                    "schema `{}`, expected `{DUMP_SCHEMA}`",
                    header.schema
                )));
            }
            continue;
        }
        let raw: DumpRecord = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        records.push(record_from_dump(raw, binary, &tests, workspace)?);
    }
    if records.is_empty() {
        accept_empty(binary, workspace, scan, "")?;
    }
    Ok((tests, records))
}

#[requirement("TR-ANN-PATH", "TR-ANN-IMPL", "TR-ANN-TEST")]
fn record_from_dump(
    raw: DumpRecord,
    binary: &TestBinary,
    tests: &BTreeSet<String>,
    workspace: &Workspace,
) -> Result<Record, Error> {
    use iec_model::rust_path::normalize;
    let path = match (&raw.compiler_path, raw.item_name.is_empty()) {
        (Some(compiler), _) => normalize(compiler),
        (None, true) => normalize(&raw.module_path),
        (None, false) => format!(
            "{}::{}",
            normalize(&raw.module_path),
            normalize(&raw.item_name)
        ),
    };
    let declares = match raw.kind.as_str() {
        "requirement" => Declares::Requirements {
            ids: raw.ids,
            qualifiers: raw.qualifiers,
        },
        "problem" => Declares::Problems { ids: raw.ids },
        "software_unit" => {
            let unit = raw.unit.unwrap_or(DumpUnit {
                id: None,
                item: None,
                class: None,
                segregation: None,
            });
            Declares::Unit(UnitDeclaration {
                id: unit.id,
                item: unit.item,
                class: unit.class,
                segregation: unit.segregation,
            })
        }
        other => {
            return Err(Error::Dump {
                binary: binary.executable.clone(),
                line: 0,
                message: format!("unknown record kind `{other}`"),
            });
        }
    };
    // A fn is a test when the harness lists exactly its path. A parameterised test
    // (`#[rstest]`, `#[test_case]` written after the annotation, so the macro saw it) is
    // listed as `path::case_...`; that prefix match is only trusted for such functions,
    // because a plain `fn air` beside a `mod air` of tests shares the prefix too.
    let listed = raw.item_kind == "fn"
        && tests.iter().any(|test| {
            test == &path
                || (raw.test_attribute
                    && test
                        .strip_prefix(path.as_str())
                        .is_some_and(|rest| rest.starts_with("::")))
        });
    let file = Path::new(&raw.file);
    let file = if file.is_absolute() {
        workspace.relative(file)
    } else {
        raw.file.replace('\\', "/")
    };
    Ok(Record {
        path,
        declares,
        item_kind: raw.item_kind,
        file,
        line: raw.line,
        column: raw.column,
        package: raw.package,
        is_test: raw.test_attribute || listed,
        target: binary.target.clone(),
        cfg: None,
    })
}

/// Builds, runs and reads every test binary of the selected packages.
#[requirement("TR-TRACE-COMPILED")]
pub fn collect(workspace: &Workspace, selection: &PackageSelection) -> Result<Collected, Error> {
    collect_with(workspace, selection, &BuildMode::default(), None)
}

/// [`collect`] with the build made as `mode` says (instrumented for coverage). With the
/// static channel's `scan`, a binary that registered nothing is accepted when every
/// annotation of its target is provably compiled out by `cfg`; without it, refused.
pub fn collect_with(
    workspace: &Workspace,
    selection: &PackageSelection,
    mode: &BuildMode,
    scan: Option<&Scan>,
) -> Result<Collected, Error> {
    let built = build(workspace, selection, mode)?;
    crate::timing::phase(build_phase(mode));
    read_built(workspace, built, scan)
}

/// The name of the build in the phase timings.
pub(crate) fn build_phase(mode: &BuildMode) -> &'static str {
    if mode.nextest_list.is_some() {
        "cargo nextest list (the build)"
    } else {
        "cargo test --no-run"
    }
}

/// The second half of [`collect_with`]: reads the registries of a finished build.
pub(crate) fn read_built(
    workspace: &Workspace,
    (binaries, nextest_binaries): Built,
    scan: Option<&Scan>,
) -> Result<Collected, Error> {
    let scratch = tempfile::tempdir().map_err(|source| Error::Io {
        context: "cannot create a temporary directory for registry dumps".to_string(),
        source,
    })?;
    let mut collected = Collected {
        without_runtime: workspace
            .selected
            .iter()
            .filter(|p| !depends_on_runtime(p))
            .map(|p| p.name.to_string())
            .collect(),
        nextest_binaries,
        ..Collected::default()
    };
    let harness_free: BTreeMap<String, BTreeSet<(String, String)>> = workspace
        .selected
        .iter()
        .map(|p| (p.name.to_string(), harness_free_targets(p)))
        .collect();
    let harness_free = |binary: &TestBinary| {
        let key = (binary.target.kind.clone(), binary.crate_name.clone());
        harness_free
            .get(&binary.target.package)
            .is_some_and(|free| free.contains(&key))
    };
    // Each binary is its own process writing its own dump file: they run in parallel (a
    // 50-crate workspace has 50 or more), and are taken in listing order below, so the first
    // error reported is the one a sequential read would report.
    type Read = Result<(BTreeSet<String>, Vec<Record>), Error>;
    let read: Vec<Option<Read>> = binaries
        .par_iter()
        .enumerate()
        .map(|(index, binary)| {
            (!harness_free(binary))
                .then(|| read_binary(binary, scratch.path(), index, workspace, scan))
        })
        .collect();
    for (binary, read) in binaries.iter().zip(read) {
        let Some(read) = read else {
            collected.skipped.push(binary.target.clone());
            continue;
        };
        let (tests, records) = read?;
        collected.tests.insert(binary.target.clone(), tests);
        collected.records.extend(records);
        collected.binaries.push(binary.clone());
    }
    collected.records.sort();
    collected.records.dedup();
    crate::timing::phase("registries (--list)");
    Ok(collected)
}

#[cfg(test)]
mod evidence_tests {
    use super::looks_like_annotation;

    #[test]
    #[iec_runtime::requirement("TR-TRACE-FAILCLOSED")]
    fn annotations_are_told_from_calls_and_strings() {
        assert!(looks_like_annotation("#[requirement(\"SRS-1\")]"));
        assert!(looks_like_annotation(
            "#[iec_runtime::software_unit(id = \"U\")]"
        ));
        assert!(looks_like_annotation(
            "iec_runtime::module_unit!(item = \"SI\");"
        ));
        assert!(!looks_like_annotation(
            "expand::requirement(args.into(), item.into())"
        ));
        assert!(!looks_like_annotation("let s = \"#[requirement(x)]\";"));
        assert!(!looks_like_annotation("#[requirements(\"x\")]"));
    }
}

#[cfg(test)]
mod tests {
    use super::outside_string;
    use iec_runtime::requirement;

    #[test]
    #[requirement("TR-TRACE-FAILCLOSED")]
    fn an_annotation_quoted_in_a_string_is_not_evidence_of_one() {
        assert!(outside_string("#[requirement(\"X\")]", "#[requirement("));
        assert!(!outside_string(
            "assert!(!f(\"6 | #[requirement(\\\"X\\\")]\"));",
            "#[requirement("
        ));
        assert!(outside_string(
            "let a = \"\\\"\"; #[requirement(\"X\")]",
            "#[requirement("
        ));
    }
}

/// The packages (`-p name@version`), features and `--target` of a cargo build of
/// `packages` under `selection`; the registry build and nextest's build (`nextest_reuse`)
/// pass the same ones.
pub(crate) fn selection_args<'p>(
    command: &mut Command,
    packages: impl IntoIterator<Item = &'p Package>,
    selection: &PackageSelection,
) {
    for package in packages {
        command
            .arg("-p")
            .arg(format!("{}@{}", package.name, package.version));
    }
    for features in &selection.features {
        command.arg("--features").arg(features);
    }
    if selection.all_features {
        command.arg("--all-features");
    }
    if selection.no_default_features {
        command.arg("--no-default-features");
    }
    if let Some(target) = &selection.target {
        command.arg("--target").arg(target);
    }
}
