//! `cargo iec test` with cargo-nextest hands nextest the build it made to read the
//! registries (`cargo nextest run --binaries-metadata --cargo-metadata`), so nextest starts
//! no cargo of its own, and the evidence is the one nextest's own build gives
//! (docs/PERFORMANCE.md). Every cargo command is seen through a `cargo` for `CARGO` that
//! logs it with the command that started it, nextest's included.
//!
//! Skipped when cargo-nextest 0.9.123 or later is not installed (.ci/run installs it).

#![cfg(unix)]

use std::path::{Path, PathBuf};

use iec_acceptance::{Fixture, Run};
use iec_runtime::requirement;
use serde_json::Value;

/// The `cargo-nextest` executable, where cargo would find it (`PATH`, then
/// `$CARGO_HOME/bin`), when it is recent enough to reuse a build; `None` (the test is
/// skipped) otherwise.
#[allow(clippy::print_stderr)] // says why a test is skipped, as the tests themselves do
fn cargo_nextest() -> Option<PathBuf> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    let found = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .chain(cargo_home.map(|home| home.join("bin")))
        .map(|dir| dir.join("cargo-nextest"))
        .find(|path| path.is_file());
    let Some(nextest) = found else {
        eprintln!("cargo-nextest is not installed: skipped");
        return None;
    };
    let version = std::process::Command::new(&nextest)
        .args(["nextest", "--version"])
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .unwrap_or_default();
    let line = version.lines().next().unwrap_or_default();
    match cargo_iec::nextest_reuse::parse_version(line) {
        Some(v) if v >= cargo_iec::nextest_reuse::MINIMUM_VERSION => Some(nextest),
        _ => {
            eprintln!("{line}: too old to reuse a build: skipped");
            None
        }
    }
}

/// A `cargo` that appends `PARENT: ARGS` to a log for every command, where PARENT is
/// `cargo-iec` or the nextest command (`nextest list`, `nextest run`) that started it.
/// `cargo nextest ...` runs cargo-nextest directly with this `cargo` as its `CARGO` (real
/// cargo would put itself there), so nextest's own cargo commands are logged too.
struct LoggingCargo {
    dir: tempfile::TempDir,
    /// The `PATH` cargo-iec runs with, when not the tests' own
    /// ([`LoggingCargo::with_direct_nextest`]).
    path_env: Option<std::ffi::OsString>,
}

/// How the logging `cargo` changes cargo-nextest's answers.
#[derive(Clone, Copy)]
enum Nextest<'a> {
    /// As they are.
    Real,
    /// `cargo nextest --version` answers this line.
    Version(&'a str),
    /// `cargo nextest list` prints cargo's messages but not its binaries-metadata.
    WithoutBinariesMetadata,
}

impl LoggingCargo {
    fn new(nextest: &Path, tweak: Nextest<'_>) -> LoggingCargo {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("temporary directory");
        let real = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
        let script = dir.path().join("cargo");
        let log = dir.path().join("cargo.log");
        let env = format!(
            "IEC_CARGO_PARENT=\"nextest $2\" CARGO='{script}'",
            script = script.display()
        );
        let nextest = format!("'{}' \"$@\"", nextest.display());
        let tweak = match tweak {
            Nextest::Real => String::new(),
            Nextest::Version(line) => {
                format!("  if [ \"$2\" = --version ]; then echo '{line}'; exit 0; fi\n")
            }
            Nextest::WithoutBinariesMetadata => format!(
                "  if [ \"$2\" = list ]; then\n    {env} {nextest} > '{out}'; rc=$?\n    grep -v '\"rust-build-meta\"' '{out}'; exit $rc\n  fi\n",
                out = dir.path().join("list.out").display(),
            ),
        };
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\n\
                 printf '%s: %s\\n' \"${{IEC_CARGO_PARENT:-cargo-iec}}\" \"$*\" >> '{log}'\n\
                 if [ \"$1\" = nextest ]; then\n{tweak}\
                 \x20 {env} exec {nextest}\n\
                 fi\n\
                 exec '{real}' \"$@\"\n",
                log = log.display(),
            ),
        )
        .expect("write the cargo wrapper");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .expect("make the cargo wrapper executable");
        LoggingCargo {
            dir,
            path_env: None,
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("cargo")
    }

    /// Makes this `cargo` look like a toolchain's (`rustc` beside it) and puts a
    /// `cargo-nextest` beside it that logs `direct: ARGS` and starts `nextest` as the
    /// `cargo` wrapper does: with this directory first in `PATH`, cargo-iec starts
    /// cargo-nextest without cargo in between, and the log tells which way it went.
    fn with_direct_nextest(mut self, nextest: &Path) -> LoggingCargo {
        use std::os::unix::fs::PermissionsExt as _;
        let rustc = std::process::Command::new("rustup")
            .args(["which", "rustc"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
            .unwrap_or_else(|| PathBuf::from("/usr/bin/rustc"));
        std::os::unix::fs::symlink(rustc, self.dir.path().join("rustc")).expect("rustc link");
        let script = self.dir.path().join("cargo-nextest");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\n\
                 printf 'direct: %s\\n' \"$*\" >> '{log}'\n\
                 IEC_CARGO_PARENT=\"nextest $2\" exec '{nextest}' \"$@\"\n",
                log = self.dir.path().join("cargo.log").display(),
                nextest = nextest.display(),
            ),
        )
        .expect("write the cargo-nextest wrapper");
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .expect("make the cargo-nextest wrapper executable");
        let path = std::env::var_os("PATH").unwrap_or_default();
        self.path_env = Some(
            std::env::join_paths(
                std::iter::once(self.dir.path().to_path_buf()).chain(std::env::split_paths(&path)),
            )
            .expect("PATH"),
        );
        self
    }

    /// The logged commands started by `parent`, without the version probes and without the
    /// `--color=WHEN` nextest puts first.
    fn started_by(&self, parent: &str) -> Vec<String> {
        std::fs::read_to_string(self.dir.path().join("cargo.log"))
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.strip_prefix(&format!("{parent}: ")))
            .map(|args| match args.strip_prefix("--color=") {
                Some(rest) => rest.split_once(' ').map_or("", |(_, args)| args),
                None => args,
            })
            .filter(|args| !matches!(*args, "-V" | "nextest --version"))
            .map(str::to_string)
            .collect()
    }
}

/// Where `cargo iec test` wrote its evidence bundle: in a temporary directory of its own,
/// removed when this is dropped.
struct Bundle(tempfile::TempDir);

impl Bundle {
    fn path(&self) -> PathBuf {
        self.0.path().join("bundle")
    }

    fn join(&self, file: &str) -> PathBuf {
        self.path().join(file)
    }

    fn exists(&self) -> bool {
        self.path().exists()
    }

    /// The trace's test counts: `{"passed": .., "failed": .., "ignored": .., "not_run": ..}`.
    fn test_counts(&self) -> Value {
        read_json(&self.join("trace.json"))["results"]["tests"].clone()
    }
}

/// Runs `cargo iec test --out <temporary dir>/bundle ARGS` on `fixture` with `cargo` as
/// `CARGO`.
fn iec_test(fixture: &Fixture, cargo: &LoggingCargo, reuse: bool, args: &[&str]) -> (Run, Bundle) {
    let bundle = Bundle(tempfile::tempdir().expect("temporary directory"));
    let mut command = fixture.command();
    command
        .env("CARGO", cargo.path())
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .arg("test")
        .arg("--out")
        .arg(bundle.path())
        .args(args);
    if !reuse {
        command.env("IEC_TRACE_NEXTEST_REUSE", "0");
    }
    if let Some(path) = &cargo.path_env {
        command.env("PATH", path);
    }
    (iec_acceptance::run(&mut command), bundle)
}

/// nextest built the tests itself (`cargo nextest run` started cargo's metadata and build)
/// and cargo-iec did not build them through `cargo nextest list`.
fn assert_nextest_built_itself(cargo: &LoggingCargo) {
    let run = cargo.started_by("nextest run");
    assert_eq!(builds(&run), (true, true), "{run:?}");
    assert!(cargo.started_by("nextest list").is_empty());
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `text` with the numbers that differ from run to run replaced by `N`: the thread IDs of
/// panic messages (`thread 'tests::fails' (13807) panicked`, also XML-escaped) and libtest's durations
/// (`finished in 0.01s`).
fn without_run_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next = ["' (", "&apos; (", "finished in "]
            .iter()
            .filter_map(|marker| rest.find(marker).map(|at| at + marker.len()))
            .min();
        let Some(at) = next else { break };
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let number = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if number > 0 && (rest[number..].starts_with(')') || rest[number..].starts_with('s')) {
            out.push('N');
            rest = &rest[number..];
        }
    }
    out.push_str(rest);
    out
}

/// `value` without what differs from run to run: test durations, panic thread IDs.
fn without_durations(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("duration_ms");
            map.values_mut().for_each(without_durations);
        }
        Value::Array(items) => items.iter_mut().for_each(without_durations),
        Value::String(text) => *text = without_run_numbers(text),
        _ => {}
    }
}

/// JUnit XML without its `time="..."` attributes (durations) and panic thread IDs.
fn without_times(xml: &str) -> String {
    let xml = without_run_numbers(xml);
    let mut out = String::with_capacity(xml.len());
    let mut rest = xml.as_str();
    while let Some(at) = rest.find(" time=\"") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " time=\"".len()..];
        rest = after.find('"').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// CSV without its last column (`duration_ms` in trace.csv).
fn without_last_column(csv: &str) -> Vec<String> {
    csv.lines()
        .map(|line| {
            line.rsplit_once(',')
                .map_or(line, |(rest, _)| rest)
                .to_string()
        })
        .collect()
}

/// Whether `commands` holds a cargo build (`test --no-run`) and a `metadata`.
fn builds(commands: &[String]) -> (bool, bool) {
    (
        commands
            .iter()
            .any(|c| c.starts_with("test ") && c.contains("--no-run")),
        commands.iter().any(|c| c.starts_with("metadata ")),
    )
}

/// Runs `cargo iec test ARGS` on `fixture` twice, nextest building the tests itself
/// (IEC_TRACE_NEXTEST_REUSE=0) and reusing cargo-iec's build; checks from the logged cargo
/// commands that the reusing run made one build and `cargo nextest run` started no cargo,
/// and that both bundles are the same, durations and panic thread IDs aside. Returns the
/// reusing run's trace.json and the cargo commands `cargo nextest list` started.
fn both_paths(fixture: &Fixture, nextest: &Path, args: &[&str], code: i32) -> (Value, Vec<String>) {
    let mut bundles = Vec::new();
    let mut list_commands = Vec::new();
    for reuse in [false, true] {
        let cargo = LoggingCargo::new(nextest, Nextest::Real);
        let (run, bundle) = iec_test(fixture, &cargo, reuse, args);
        assert_eq!(run.code, code, "reuse {reuse}: {run}");
        let (own_build, own_metadata) = builds(&cargo.started_by("cargo-iec"));
        let (run_build, run_metadata) = builds(&cargo.started_by("nextest run"));
        let (list_build, list_metadata) = builds(&cargo.started_by("nextest list"));
        assert!(own_metadata, "cargo-iec reads the workspace");
        assert!(
            !list_metadata,
            "nextest list is given cargo-iec's cargo metadata"
        );
        let environment = read_json(&bundle.join("environment.json"));
        // The runner's commands; the doc tests' `cargo test --doc` is the same either way.
        let commands: Vec<&str> = environment["tools"]["commands"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .filter(|c| !c.contains(" test --doc "))
            .collect();
        if reuse {
            assert!(
                list_build && !own_build,
                "one build, by nextest list: {:?}",
                cargo.started_by("cargo-iec")
            );
            assert!(
                !run_build && !run_metadata,
                "nextest run starts no cargo: {:?}",
                cargo.started_by("nextest run")
            );
            assert_eq!(commands.len(), 2, "{commands:?}");
            assert!(commands[0].contains(" nextest list "), "{commands:?}");
            assert!(
                commands[1].contains(" --binaries-metadata "),
                "{commands:?}"
            );
            list_commands = cargo.started_by("nextest list");
        } else {
            // The path nextest builds the tests itself on: the logging sees its cargo
            // commands, so the assertions above can fail.
            assert!(
                own_build && !list_build,
                "{:?}",
                cargo.started_by("cargo-iec")
            );
            assert!(
                run_build && run_metadata,
                "{:?}",
                cargo.started_by("nextest run")
            );
            assert_eq!(commands.len(), 1, "{commands:?}");
            assert!(commands[0].contains(" nextest run "), "{commands:?}");
        }
        bundles.push((bundle, environment));
    }
    let (built, built_environment) = &bundles[0];
    let (reused, reused_environment) = &bundles[1];
    // The same tests ran with the same outcomes, joined alike: the trace, its CSV, the
    // anomalies, the JUnit report and the design record, durations aside.
    for json in ["trace.json", "anomalies.json", "design.json", "soup.json"] {
        let mut before = read_json(&built.join(json));
        let mut after = read_json(&reused.join(json));
        without_durations(&mut before);
        without_durations(&mut after);
        assert_eq!(before, after, "{json}");
    }
    for text in ["design.md", "design.svg"] {
        assert_eq!(read(&built.join(text)), read(&reused.join(text)), "{text}");
    }
    assert_eq!(
        without_last_column(&read(&built.join("trace.csv"))),
        without_last_column(&read(&reused.join("trace.csv"))),
        "trace.csv"
    );
    let (before, after) = (
        without_times(&read(&built.join("junit.xml"))),
        without_times(&read(&reused.join("junit.xml"))),
    );
    for (line_before, line_after) in before.lines().zip(after.lines()) {
        assert_eq!(line_before, line_after, "junit.xml");
    }
    assert_eq!(before.lines().count(), after.lines().count(), "junit.xml");
    // The environment record differs only in the commands run (and the bundle path).
    let mut before = built_environment.clone();
    let mut after = reused_environment.clone();
    for environment in [&mut before, &mut after] {
        environment["tools"]["commands"] = Value::Null;
        environment["command"] = Value::Null;
    }
    assert_eq!(before, after);
    (read_json(&reused.join("trace.json")), list_commands)
}

#[test]
#[requirement("TR-PERF-NEXTEST-DIRECT", "TR-PERF-REUSE-BUILD")]
fn with_a_toolchains_cargo_cargo_nextest_is_started_without_cargo_in_between() {
    let Some(nextest) = cargo_nextest() else {
        return;
    };
    let fixture = Fixture::new("results");
    let cargo = LoggingCargo::new(&nextest, Nextest::Real).with_direct_nextest(&nextest);
    let (run, bundle) = iec_test(&fixture, &cargo, true, &["--runner", "nextest"]);
    assert_eq!(run.code, 1, "the fixture has a failing test: {run}");
    let direct = cargo.started_by("direct");
    assert!(
        direct.iter().any(|c| c.starts_with("nextest list "))
            && direct.iter().any(|c| c.starts_with("nextest run ")),
        "both nextest commands started directly: {direct:?}"
    );
    let through_cargo: Vec<String> = cargo
        .started_by("cargo-iec")
        .into_iter()
        .filter(|c| c.starts_with("nextest "))
        .collect();
    assert!(through_cargo.is_empty(), "{through_cargo:?}");
    // nextest still builds with cargo-iec's `CARGO`, once, and its run starts no cargo.
    assert_eq!(builds(&cargo.started_by("nextest list")), (true, false));
    assert_eq!(builds(&cargo.started_by("nextest run")), (false, false));
    assert_eq!(
        bundle.test_counts(),
        serde_json::json!({"passed": 4, "failed": 1, "ignored": 1, "not_run": 0})
    );
    let environment = read_json(&bundle.join("environment.json"));
    let commands = environment["tools"]["commands"].to_string();
    assert!(
        commands.contains("cargo-nextest nextest list "),
        "{commands}"
    );
}

#[test]
#[requirement(
    "TR-PERF-REUSE-BUILD",
    "TR-TEST-RUN",
    "TR-TEST-OUTCOMES",
    "TR-TEST-JOIN"
)]
#[requirement("TR-EVIDENCE-BUNDLE", "TR-EVIDENCE-ENV")]
fn nextest_runs_the_build_cargo_iec_made_and_the_evidence_is_that_of_its_own_build() {
    let Some(nextest) = cargo_nextest() else {
        return;
    };
    let fixture = Fixture::new("results");
    let (trace, _) = both_paths(
        &fixture,
        &nextest,
        &["--runner", "nextest", "--", "--", "--skip", "filtered_out"],
        // The fixture has a failing test.
        1,
    );
    assert_eq!(
        trace["results"]["tests"],
        serde_json::json!({"passed": 3, "failed": 1, "ignored": 1, "not_run": 1}),
        "the filter after `--` and the ignored test are honoured"
    );
}

#[test]
#[requirement("TR-PERF-REUSE-BUILD", "TR-TRACE-SELECT", "TR-TEST-RUN")]
fn with_workspace_and_exclude_the_reused_build_runs_the_same_packages_tests() {
    let Some(nextest) = cargo_nextest() else {
        return;
    };
    let fixture = Fixture::new("multi");
    let (trace, list) = both_paths(
        &fixture,
        &nextest,
        &["--workspace", "--exclude", "multi-alarms"],
        0,
    );
    // multi-util does not use iec-runtime: not read for the trace, but built and run for
    // nextest in the one build, as nextest's own build did.
    let build = list
        .iter()
        .find(|c| c.starts_with("test "))
        .expect("the build");
    assert!(
        build.contains("multi-core@0.1.0") && build.contains("multi-util@0.1.0"),
        "{build}"
    );
    assert!(!build.contains("multi-alarms"), "{build}");
    // multi-core's and multi-util's unit tests and multi-core's doc test, if any, ran.
    assert_eq!(trace["results"]["tests"]["failed"], 0, "{trace:#}");
    assert!(
        trace["results"]["tests"]["passed"].as_u64() >= Some(2),
        "{:#}",
        trace["results"]
    );
}

#[test]
#[requirement("TR-PERF-REUSE-BUILD", "TR-TEST-RUN")]
fn with_features_and_the_host_target_the_reused_build_is_the_one_nextest_makes() {
    let Some(nextest) = cargo_nextest() else {
        return;
    };
    let host = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        })
        .expect("rustc -vV names the host");
    let fixture = Fixture::new("all-cfg");
    let (trace, list) = both_paths(
        &fixture,
        &nextest,
        &["--features", "trend", "--target", &host, "--no-doc"],
        0,
    );
    let build = list
        .iter()
        .find(|c| c.starts_with("test "))
        .expect("the build");
    assert!(
        build.contains("--features trend") && build.contains(&format!("--target {host}")),
        "{build}"
    );
    // The feature's annotations are compiled in: both links of each requirement.
    assert_eq!(
        iec_acceptance::links(&trace)
            .iter()
            .filter(|l| l.contains("verified_by"))
            .count(),
        2,
        "{trace:#}"
    );
    assert_eq!(trace["results"]["tests"]["failed"], 0, "{trace:#}");
}

#[test]
#[requirement("TR-PERF-REUSE-FALLBACK", "TR-TEST-RUN")]
fn a_runner_argument_that_changes_the_build_lets_nextest_build_the_tests_itself() {
    let Some(nextest) = cargo_nextest() else {
        return;
    };
    let fixture = Fixture::new("results");
    let cargo = LoggingCargo::new(&nextest, Nextest::Real);
    // `--test flow`: only the integration test, built by nextest with that selection; the
    // lib's tests are listed but not run (the ignored one is still reported as ignored).
    let (run, bundle) = iec_test(
        &fixture,
        &cargo,
        true,
        &["--no-doc", "--", "--test", "flow"],
    );
    assert_eq!(run.code, 0, "only the passing integration test runs: {run}");
    assert!(
        !run.stderr.contains("note:"),
        "nothing to tell the user: {run}"
    );
    assert_nextest_built_itself(&cargo);
    let run_command = cargo
        .started_by("cargo-iec")
        .into_iter()
        .find(|c| c.starts_with("nextest run "))
        .expect("nextest run");
    assert!(run_command.ends_with("--test flow"), "{run_command}");
    assert!(
        !run_command.contains("--binaries-metadata"),
        "{run_command}"
    );
    assert_eq!(
        bundle.test_counts(),
        serde_json::json!({"passed": 1, "failed": 0, "ignored": 1, "not_run": 4}),
    );
}

#[test]
#[requirement("TR-PERF-REUSE-FALLBACK", "TR-TEST-RUN")]
fn an_older_nextest_builds_the_tests_itself_and_the_user_is_told_why() {
    let Some(nextest) = cargo_nextest() else {
        return;
    };
    let fixture = Fixture::new("results");
    let cargo = LoggingCargo::new(&nextest, Nextest::Version("cargo-nextest 0.9.122 (test)"));
    let (run, bundle) = iec_test(
        &fixture,
        &cargo,
        true,
        &["--no-doc", "--", "--", "--skip", "filtered_out"],
    );
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr.contains(
            "note: `cargo-nextest 0.9.122 (test)` is older than cargo-nextest 0.9.123: nextest builds the tests again"
        ),
        "{run}"
    );
    assert_nextest_built_itself(&cargo);
    assert_eq!(
        bundle.test_counts(),
        serde_json::json!({"passed": 3, "failed": 1, "ignored": 1, "not_run": 1}),
    );
}

#[test]
#[requirement("TR-PERF-REUSE-FALLBACK")]
fn a_nextest_configuration_whose_filtersets_read_the_graph_keeps_nextests_own_build() {
    let Some(nextest) = cargo_nextest() else {
        return;
    };
    let fixture = Fixture::new("results");
    std::fs::create_dir_all(fixture.path(".config")).expect("create .config");
    fixture.write(
        ".config/nextest.toml",
        "[[profile.default.overrides]]\nfilter = 'rdeps(results-pump)'\nretries = 0\n",
    );
    let cargo = LoggingCargo::new(&nextest, Nextest::Real);
    let (run, _) = iec_test(
        &fixture,
        &cargo,
        true,
        &["--no-doc", "--", "--", "--skip", "filtered_out"],
    );
    assert_eq!(run.code, 1, "{run}");
    assert_nextest_built_itself(&cargo);
}

#[test]
#[requirement("TR-PERF-REUSE-BUILD", "TR-CLI-EXIT")]
fn a_build_failure_of_the_reused_build_is_exit_2_after_the_compilers_message() {
    let Some(nextest) = cargo_nextest() else {
        return;
    };
    let fixture = Fixture::new("results");
    fixture.append("src/lib.rs", "\npub fn broken() -> u32 { \"1\" }\n");
    let cargo = LoggingCargo::new(&nextest, Nextest::Real);
    let (run, bundle) = iec_test(&fixture, &cargo, true, &["--runner", "nextest"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("error[E0308]"), "{run}");
    assert!(
        run.last_error()
            .contains("building the test targets failed (`cargo nextest list` exited with"),
        "{run}"
    );
    assert!(run.stdout.is_empty(), "{run}");
    assert!(!bundle.exists(), "no bundle is written");
    assert!(cargo.started_by("nextest run").is_empty(), "nothing ran");
}

#[test]
#[requirement("TR-PERF-REUSE-FALLBACK", "TR-TEST-RUN")]
fn without_a_binaries_metadata_it_can_read_nextest_checks_the_build_itself() {
    let Some(nextest) = cargo_nextest() else {
        return;
    };
    let fixture = Fixture::new("results");
    let cargo = LoggingCargo::new(&nextest, Nextest::WithoutBinariesMetadata);
    let (run, bundle) = iec_test(
        &fixture,
        &cargo,
        true,
        &["--no-doc", "--", "--", "--skip", "filtered_out"],
    );
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr.contains(
            "note: `cargo nextest list` printed no binaries-metadata cargo-iec can read: nextest checks the build itself"
        ),
        "{run}"
    );
    assert_eq!(builds(&cargo.started_by("nextest list")), (true, false));
    assert_eq!(builds(&cargo.started_by("nextest run")), (true, true));
    assert_eq!(
        bundle.test_counts(),
        serde_json::json!({"passed": 3, "failed": 1, "ignored": 1, "not_run": 1}),
    );
}
