//! Running every test in its own process under coverage instrumentation, and turning the
//! profiles into [`CoverageData`].
//!
//! Each test runs as `<binary> --exact NAME` with its own `LLVM_PROFILE_FILE`
//! (`t<index>-%p-%m.profraw`: `%p` keeps the profiles of processes a test spawns apart),
//! as many at once as there are cores. Then, per test binary, all its profiles are merged
//! once (`llvm-profdata merge -sparse`) and exported once (`llvm-cov export`): the coverage
//! by all tests. LLVM exports one profile per call, so per-test region data needs one merge
//! and one export per test; those run in parallel too and are limited to the workspace's
//! source files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use iec_runtime::requirement;
use rayon::prelude::*;

use super::llvm::{self, Tools};
use super::{CoverageData, FileCoverage, SCHEMA, TestCoverage, TestHits};
use crate::compiled::TestBinary;
use crate::error::Error;
use crate::record::TargetRef;
use crate::results::{
    DurationMs, TestKey, TestOutcome, TestResult, TestRun, harness_name, target_label,
};
use crate::workspace::Workspace;

/// What a coverage run produced.
pub struct CoverageRun {
    /// The outcomes.
    pub run: TestRun,
    /// The coverage.
    pub data: CoverageData,
    /// Every test's output, in order.
    pub log: String,
    /// The commands run, for the record.
    pub commands: Vec<String>,
}

struct Job<'a> {
    binary_index: usize,
    test_index: usize,
    binary: &'a TestBinary,
    name: String,
}

struct Done {
    key: TestKey,
    outcome: TestOutcome,
    profiles: Vec<PathBuf>,
    log: String,
}

fn io(context: String) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io { context, source }
}

/// The outcome libtest printed for `name`, from its default output.
fn outcome_of(name: &str, stdout: &str, status: std::process::ExitStatus) -> TestOutcome {
    let mut result = None;
    for line in stdout.lines() {
        let Some((reported, verdict)) = line
            .strip_prefix("test ")
            .and_then(|rest| rest.rsplit_once(" ... "))
        else {
            continue;
        };
        if reported.strip_suffix(" - should panic").unwrap_or(reported) != name {
            continue;
        }
        let verdict = verdict.trim();
        result = Some(if verdict == "ok" {
            TestOutcome::new(TestResult::Passed)
        } else if verdict == "ignored" {
            TestOutcome::new(TestResult::Ignored).because("marked #[ignore]")
        } else if let Some(reason) = verdict.strip_prefix("ignored, ") {
            TestOutcome::new(TestResult::Ignored).because(reason.trim())
        } else {
            let panic = stdout
                .lines()
                .skip_while(|l| !l.contains("panicked at"))
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            TestOutcome {
                output: Some(stdout.to_string()),
                ..TestOutcome::new(TestResult::Failed).because(if panic.is_empty() {
                    format!("the test failed ({status})")
                } else {
                    panic
                })
            }
        });
    }
    match result {
        Some(outcome) => outcome,
        None if status.success() => {
            TestOutcome::new(TestResult::NotRun).because("its harness ran no test of that name")
        }
        None => TestOutcome {
            output: Some(stdout.to_string()),
            ..TestOutcome::new(TestResult::Failed).because(format!(
                "its process stopped without reporting it ({status})"
            ))
        },
    }
}

fn run_one(job: &Job<'_>, scratch: &Path) -> Result<Done, Error> {
    let dir = scratch.join(format!("b{}", job.binary_index));
    let prefix = format!("t{}-", job.test_index);
    let started = Instant::now();
    let output = job
        .binary
        .command()
        .args(["--exact", &job.name, "--test-threads", "1"])
        .env(
            "LLVM_PROFILE_FILE",
            dir.join(format!("{prefix}%p-%m.profraw")),
        )
        .stdin(Stdio::null())
        .output()
        .map_err(|source| Error::Run {
            binary: job.binary.executable.clone(),
            message: source.to_string(),
        })?;
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut outcome = outcome_of(&job.name, &stdout, output.status);
    if outcome.result != TestResult::Ignored {
        outcome.duration = Some(DurationMs::from_duration(elapsed));
    }
    let mut profiles: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(io(format!("cannot read {}", dir.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| {
            path.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
        })
        .collect();
    profiles.sort();
    Ok(Done {
        key: TestKey {
            package: job.binary.target.package.clone(),
            target: target_label(&job.binary.target),
            name: job.name.clone(),
        },
        outcome,
        profiles,
        log: format!(
            "==> {} {} --exact {}\n{stdout}{stderr}",
            job.binary.target,
            job.binary.executable.display(),
            job.name
        ),
    })
}

/// Workspace files of an export, relative to the root (dependencies and generated files
/// left out), with their absolute paths.
fn workspace_files(
    workspace: &Workspace,
    counts: BTreeMap<String, llvm::FileCounts>,
) -> BTreeMap<String, (PathBuf, llvm::FileCounts)> {
    let target = workspace.metadata.target_directory.as_std_path();
    counts
        .into_iter()
        .filter_map(|(file, counts)| {
            let path = PathBuf::from(&file);
            let path = if path.is_absolute() {
                path
            } else {
                workspace.root.join(path)
            };
            (path.starts_with(&workspace.root) && !path.starts_with(target))
                .then(|| (workspace.relative(&path), (path, counts)))
        })
        .collect()
}

/// Whether `key` is one of the `verifying` tests, or a case of one (`name::case_1`).
fn is_verifying(verifying: &BTreeSet<TestKey>, key: &TestKey) -> bool {
    verifying.iter().any(|v| {
        v.package == key.package
            && v.target == key.target
            && (v.name == key.name
                || key
                    .name
                    .strip_prefix(v.name.as_str())
                    .is_some_and(|rest| rest.starts_with("::")))
    })
}

/// Runs every listed test of `binaries` in its own instrumented process and reads the
/// coverage: by all tests per file, and per test for the `verifying` ones.
#[requirement("TR-COVERAGE-RUN")]
pub fn run(
    workspace: &Workspace,
    tools: &Tools,
    binaries: &[TestBinary],
    listed: &BTreeMap<TargetRef, BTreeSet<String>>,
    verifying: &BTreeSet<TestKey>,
    scratch: &Path,
) -> Result<CoverageRun, Error> {
    let mut jobs = Vec::new();
    for (binary_index, binary) in binaries.iter().enumerate() {
        let dir = scratch.join(format!("b{binary_index}"));
        std::fs::create_dir_all(&dir).map_err(io(format!("cannot create {}", dir.display())))?;
        for (test_index, path) in listed.get(&binary.target).into_iter().flatten().enumerate() {
            jobs.push(Job {
                binary_index,
                test_index,
                binary,
                name: harness_name(path).to_string(),
            });
        }
    }
    let started = Instant::now();
    let done: Vec<Done> = jobs
        .par_iter()
        .map(|job| run_one(job, scratch))
        .collect::<Result<_, _>>()?;
    let mut timings = vec![format!(
        "{} test processes {:.2} s",
        jobs.len(),
        started.elapsed().as_secs_f64()
    )];
    let started = Instant::now();

    let mut run = TestRun {
        runner: "cargo-iec --coverage".to_string(),
        runner_version: Some(format!(
            "cargo-iec --coverage: one instrumented process per test ({})",
            tools.version().unwrap_or_else(|| "llvm-cov".to_string())
        )),
        ..TestRun::default()
    };
    let mut log = String::new();
    for test in &done {
        log.push_str(&test.log);
        run.outcomes.insert(test.key.clone(), test.outcome.clone());
    }

    // Per binary: one merge and one export of all its tests' profiles.
    let merged: Vec<Option<BTreeMap<String, (PathBuf, llvm::FileCounts)>>> = binaries
        .par_iter()
        .enumerate()
        .map(|(index, binary)| {
            let profiles: Vec<PathBuf> = done
                .iter()
                .zip(&jobs)
                .filter(|(_, job)| job.binary_index == index)
                .flat_map(|(test, _)| test.profiles.iter().cloned())
                .collect();
            if profiles.is_empty() {
                return Ok(None);
            }
            let profdata = scratch.join(format!("b{index}.profdata"));
            tools.merge(&profiles, &profdata)?;
            let export = tools.export(&binary.executable, &profdata, &[])?;
            Ok(Some(workspace_files(workspace, llvm::file_counts(&export))))
        })
        .collect::<Result<_, Error>>()?;
    let mut files: BTreeMap<String, FileCoverage> = BTreeMap::new();
    let mut regions: BTreeMap<String, BTreeMap<llvm::RegionKey, u64>> = BTreeMap::new();
    let mut sources: BTreeMap<usize, Vec<PathBuf>> = BTreeMap::new();
    for (index, binary_files) in merged.into_iter().enumerate() {
        for (relative, (absolute, counts)) in binary_files.into_iter().flatten() {
            sources.entry(index).or_default().push(absolute);
            let file = files.entry(relative.clone()).or_default();
            for (line, count) in counts.lines {
                let total = file.lines.entry(line).or_insert(0);
                *total = total.saturating_add(count);
            }
            let file_regions = regions.entry(relative).or_default();
            for (key, count) in counts.regions {
                let total = file_regions.entry(key).or_insert(0);
                *total = total.saturating_add(count);
            }
        }
    }
    for (file, file_regions) in regions {
        files.entry(file).or_default().regions = file_regions
            .into_iter()
            .map(|(k, count)| [k[0].into(), k[1].into(), k[2].into(), k[3].into(), count])
            .collect();
    }

    timings.push(format!(
        "merge and export per binary ({}) {:.2} s",
        binaries.len(),
        started.elapsed().as_secs_f64()
    ));
    let started = Instant::now();
    // Per verifying test that ran: its own region and line hits in the workspace's files
    // (the join needs no per-test data of tests that verify nothing). The tools' processes
    // wait on I/O as much as they compute: twice as many at once as there are cores.
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get() * 2);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|error| Error::Input(format!("cannot start {threads} threads: {error}")))?;
    let tests: Vec<TestCoverage> = pool.install(|| {
        done.par_iter()
            .zip(&jobs)
            .filter(|(test, _)| {
                matches!(test.outcome.result, TestResult::Passed | TestResult::Failed)
                    && !test.profiles.is_empty()
                    && is_verifying(verifying, &test.key)
            })
            .map(|(test, job)| {
                let profdata =
                    scratch.join(format!("b{}t{}.profdata", job.binary_index, job.test_index));
                tools.merge(&test.profiles, &profdata)?;
                let files_of_binary = sources.get(&job.binary_index).cloned().unwrap_or_default();
                let mut hits: BTreeMap<String, TestHits> = BTreeMap::new();
                if !files_of_binary.is_empty() {
                    let export =
                        tools.export(&job.binary.executable, &profdata, &files_of_binary)?;
                    for (file, (_, counts)) in
                        workspace_files(workspace, llvm::file_counts(&export))
                    {
                        let file_hits = TestHits {
                            lines: counts
                                .lines
                                .iter()
                                .filter(|(_, c)| **c > 0)
                                .map(|(l, _)| *l)
                                .collect(),
                            regions: counts
                                .regions
                                .iter()
                                .filter(|(_, c)| **c > 0)
                                .map(|(k, _)| *k)
                                .collect(),
                        };
                        if !file_hits.lines.is_empty() || !file_hits.regions.is_empty() {
                            hits.insert(file, file_hits);
                        }
                    }
                }
                let _ = std::fs::remove_file(&profdata);
                Ok(TestCoverage {
                    package: test.key.package.clone(),
                    target: test.key.target.clone(),
                    name: test.key.name.clone(),
                    result: test.outcome.result,
                    lines_covered: hits.values().map(|h| h.lines.len()).sum(),
                    regions_covered: hits.values().map(|h| h.regions.len()).sum(),
                    files: hits,
                })
            })
            .collect::<Result<_, Error>>()
    })?;
    timings.push(format!(
        "merge and export per verifying test ({}) {:.2} s",
        tests.len(),
        started.elapsed().as_secs_f64()
    ));
    crate::note(&format!("coverage: {}", timings.join("; ")));
    let mut tests = tests;
    tests.sort_by(|a, b| (&a.package, &a.target, &a.name).cmp(&(&b.package, &b.target, &b.name)));

    let commands = vec![
        format!(
            "<test binary> --exact NAME --test-threads 1, one process per test ({} tests), LLVM_PROFILE_FILE=<scratch>/t<N>-%p-%m.profraw",
            jobs.len()
        ),
        format!(
            "{} merge -sparse <profiles> -o <profdata>, per test binary and per test",
            tools.profdata.display()
        ),
        format!(
            "{} export -format=text -skip-expansions -instr-profile <profdata> <test binary> [workspace sources], per test binary and per test",
            tools.cov.display()
        ),
    ];
    Ok(CoverageRun {
        run,
        data: CoverageData {
            schema: SCHEMA.to_string(),
            llvm_cov: tools.version(),
            files,
            tests,
        },
        log,
        commands,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: i32) -> std::process::ExitStatus {
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt as _;
            std::process::ExitStatus::from_raw(code << 8)
        }
        #[cfg(not(unix))]
        {
            use std::os::windows::process::ExitStatusExt as _;
            std::process::ExitStatus::from_raw(code as u32)
        }
    }

    #[test]
    #[requirement("TR-COVERAGE-RUN")]
    fn libtest_verdicts_become_outcomes() {
        let ok = "running 1 test\ntest m::t ... ok\n";
        assert_eq!(outcome_of("m::t", ok, status(0)).result, TestResult::Passed);
        let panic = "test m::t - should panic ... ok\n";
        assert_eq!(
            outcome_of("m::t", panic, status(0)).result,
            TestResult::Passed
        );
        let ignored = "test m::t ... ignored, slow\n";
        let outcome = outcome_of("m::t", ignored, status(0));
        assert_eq!(outcome.result, TestResult::Ignored);
        assert_eq!(outcome.reason.as_deref(), Some("slow"));
        let failed = "test m::t ... FAILED\n\n---- m::t stdout ----\n\nthread 'm::t' panicked at src/lib.rs:3:5:\nboom\n";
        let outcome = outcome_of("m::t", failed, status(101));
        assert_eq!(outcome.result, TestResult::Failed);
        assert!(outcome.reason.unwrap().contains("boom"));
        assert_eq!(
            outcome_of("m::t", "", status(134)).result,
            TestResult::Failed
        );
        assert_eq!(outcome_of("m::t", "", status(0)).result, TestResult::NotRun);
    }
}
