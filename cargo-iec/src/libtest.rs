//! Reading `cargo test`'s output: libtest's default ("pretty") format, per test binary.
//!
//! Stable libtest has no machine-readable output, so this reads what it prints for people,
//! which has kept its shape for years:
//!
//! ```text
//!      Running unittests src/lib.rs (target/debug/deps/pump-0123abcd)
//! test dose::tests::capped ... ok
//! test dose::tests::slow ... ignored, needs the bench rig
//! test dose::tests::broken ... FAILED
//! ---- dose::tests::broken stdout ----
//! thread 'dose::tests::broken' panicked at src/dose.rs:40:9:
//! assertion failed: dose < max
//! test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 2 filtered out; finished in 0.01s
//!    Doc-tests pump
//! test src/lib.rs - dose (line 14) ... ok
//! ```
//!
//! The binary comes from cargo's `Running ... (PATH)` line, matched by file name against the
//! executables cargo reported in its JSON messages of the same run, so every test is known
//! by package, target and harness name. Limits, all of stable libtest: no per-test
//! durations (only each binary's `finished in`), a test's output is its failure section,
//! and `--format terse`, `--quiet` or `--nocapture` in the harness arguments make the
//! output unreadable for this parser (cargo-nextest has none of these limits).

use std::collections::BTreeMap;

use crate::results::{BrokenBinary, DurationMs, TestKey, TestOutcome, TestResult, TestRun};

/// The binary whose output is being read.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Current {
    package: String,
    target: String,
    reported_result: bool,
}

/// A line-by-line reader of `cargo test` output.
#[derive(Debug, Default)]
pub struct LibtestLog {
    /// Executable file name -> (package, target label).
    binaries: BTreeMap<String, (String, String)>,
    /// Lib crate name -> package, for `Doc-tests CRATE`.
    doc_crates: BTreeMap<String, String>,
    current: Option<Current>,
    /// The failure section being read: its test and lines.
    section: Option<(TestKey, Vec<String>)>,
    /// A `test NAME ... ` line whose status did not follow on the same line.
    pending: Option<TestKey>,
    /// Binaries that started and did not print `test result:`.
    unfinished: Vec<Current>,
    /// Lines that did not belong to a known binary (for a warning).
    pub unknown_binaries: Vec<String>,
    run: TestRun,
}

impl LibtestLog {
    /// A reader for the output of `runner` (`cargo test`).
    pub fn new(runner: &str, version: Option<String>) -> LibtestLog {
        LibtestLog {
            run: TestRun {
                runner: runner.to_string(),
                runner_version: version,
                ..TestRun::default()
            },
            ..LibtestLog::default()
        }
    }

    /// Makes the executable `file_name` known as `package`'s `target`.
    pub fn register_binary(&mut self, file_name: &str, package: &str, target: &str) {
        self.binaries.insert(
            file_name.to_string(),
            (package.to_string(), target.to_string()),
        );
    }

    /// Makes `Doc-tests CRATE` known as `package`'s doc tests.
    pub fn register_doc_crate(&mut self, crate_name: &str, package: &str) {
        self.doc_crates
            .insert(crate_name.to_string(), package.to_string());
    }

    fn key(&self, name: &str) -> Option<TestKey> {
        self.current.as_ref().map(|c| TestKey {
            package: c.package.clone(),
            target: c.target.clone(),
            name: name.to_string(),
        })
    }

    fn close_section(&mut self) {
        let Some((key, lines)) = self.section.take() else {
            return;
        };
        let output = lines.join("\n").trim_matches('\n').trim_end().to_string();
        if let Some(outcome) = self.run.outcomes.get_mut(&key) {
            outcome.reason = panic_message(&lines).or_else(|| outcome.reason.take());
            outcome.output = Some(output);
        }
    }

    fn finish_binary(&mut self) {
        self.close_section();
        if let Some(current) = self.current.take()
            && !current.reported_result
        {
            self.unfinished.push(current);
        }
    }

    fn record(&mut self, name: &str, status: &str) -> bool {
        // libtest prints `#[should_panic]` tests as `test NAME - should panic ... ok`.
        let name = name.strip_suffix(" - should panic").unwrap_or(name);
        let Some(key) = self.key(name) else {
            return false;
        };
        let outcome = match status {
            "ok" => TestOutcome::new(TestResult::Passed),
            "FAILED" => TestOutcome::new(TestResult::Failed).because("failed"),
            "ignored" => TestOutcome::new(TestResult::Ignored).because("marked #[ignore]"),
            other => match other.strip_prefix("ignored, ") {
                Some(reason) => TestOutcome::new(TestResult::Ignored).because(reason),
                None => return false,
            },
        };
        self.run.outcomes.insert(key, outcome);
        true
    }

    /// Reads one line of the merged stdout and stderr of `cargo test`.
    pub fn line(&mut self, line: &str) {
        let trimmed = line.trim();
        // cargo's status lines (stderr) start a binary.
        if let Some(rest) = trimmed.strip_prefix("Running ")
            && let Some(open) = rest.rfind(" (")
            && rest.ends_with(')')
        {
            self.finish_binary();
            let path = &rest[open + 2..rest.len() - 1];
            let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
            match self.binaries.get(file) {
                Some((package, target)) => {
                    self.current = Some(Current {
                        package: package.clone(),
                        target: target.clone(),
                        reported_result: false,
                    });
                }
                None => self.unknown_binaries.push(path.to_string()),
            }
            return;
        }
        if let Some(crate_name) = trimmed.strip_prefix("Doc-tests ") {
            self.finish_binary();
            if let Some(package) = self.doc_crates.get(crate_name) {
                self.current = Some(Current {
                    package: package.clone(),
                    target: "doc".to_string(),
                    reported_result: false,
                });
            }
            return;
        }
        if self.current.is_none() {
            return;
        }
        if let Some(summary) = line.strip_prefix("test result: ") {
            self.close_section();
            if let Some(current) = self.current.as_mut() {
                current.reported_result = true;
                if let Some(seconds) = summary
                    .rsplit_once("finished in ")
                    .and_then(|(_, t)| t.trim().strip_suffix('s'))
                    .and_then(|t| t.parse::<f64>().ok())
                    .and_then(DurationMs::from_seconds)
                {
                    self.run
                        .binary_durations
                        .insert((current.package.clone(), current.target.clone()), seconds);
                }
            }
            return;
        }
        if let Some(header) = line
            .strip_prefix("---- ")
            .and_then(|h| h.strip_suffix(" stdout ----"))
        {
            self.close_section();
            if let Some(key) = self.key(header) {
                self.section = Some((key, Vec::new()));
            }
            return;
        }
        if self.section.is_some() {
            // The list of failed tests after the sections ends them.
            if line == "failures:" {
                self.close_section();
            } else if let Some((_, lines)) = self.section.as_mut() {
                lines.push(line.to_string());
            }
            return;
        }
        if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, status)) = rest.rsplit_once(" ...")
        {
            let status = status.trim();
            if status.is_empty() {
                self.pending = self.key(name.strip_suffix(" - should panic").unwrap_or(name));
            } else {
                self.record(name, status);
            }
            return;
        }
        if let Some(key) = self.pending.take()
            && !self.record(&key.name, trimmed)
        {
            self.pending = Some(key);
        }
    }

    /// The outcomes read; binaries that started but never reported a result are broken,
    /// with `crash` (cargo's "process didn't exit successfully" line, when seen) as reason.
    pub fn finish(mut self, crash: Option<&str>) -> TestRun {
        self.finish_binary();
        for current in std::mem::take(&mut self.unfinished) {
            if current.target == "doc" {
                continue;
            }
            self.run.broken.push(BrokenBinary {
                package: current.package,
                target: current.target,
                message: crash
                    .unwrap_or("the test binary stopped before reporting all its tests")
                    .to_string(),
            });
        }
        self.run.broken.sort();
        self.run.broken.dedup();
        self.run
    }
}

/// `panicked at FILE:LINE:COL: message` from a test's output, the line a person reads
/// first. Both `thread 'NAME' panicked at` and, since Rust 1.90, `thread 'NAME' (ID)
/// panicked at` are recognised.
pub fn panic_message<S: AsRef<str>>(lines: &[S]) -> Option<String> {
    let at = lines.iter().position(|l| {
        let l = l.as_ref().trim_start();
        l.starts_with("thread '") && l.contains(" panicked at ")
    })?;
    let location = lines[at]
        .as_ref()
        .split_once(" panicked at ")
        .map(|(_, rest)| rest.trim().trim_end_matches(':').to_string())?;
    let message = lines
        .get(at + 1)
        .map(|m| m.as_ref().trim().to_string())
        .filter(|m| !m.is_empty() && !m.starts_with("note: "));
    Some(match message {
        Some(message) => format!("panicked at {location}: {message}"),
        None => format!("panicked at {location}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: &str = "\
     Running unittests src/lib.rs (target/debug/deps/pump-0123abcd)

running 5 tests
test dose::tests::capped ... ok
test dose::tests::overdose_panics - should panic ... ok
test dose::tests::slow ... ignored, needs the bench rig
test dose::tests::plain_ignore ... ignored
test dose::tests::broken ... FAILED

failures:

---- dose::tests::broken stdout ----

thread 'dose::tests::broken' (4242) panicked at src/dose.rs:40:9:
assertion failed: dose < max
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    dose::tests::broken

test result: FAILED. 1 passed; 1 failed; 2 ignored; 0 measured; 1 filtered out; finished in 0.25s

error: test failed, to rerun pass `-p pump --lib`
     Running tests/rate.rs (target/debug/deps/rate-99ff)

running 1 test
test rate_is_positive ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s

   Doc-tests pump

running 1 test
test src/lib.rs - dose (line 14) ... ok

test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.30s
";

    fn read(output: &str) -> TestRun {
        let mut log = LibtestLog::new("cargo test", None);
        log.register_binary("pump-0123abcd", "pump", "lib");
        log.register_binary("rate-99ff", "pump", "test:rate");
        log.register_doc_crate("pump", "pump");
        for line in output.lines() {
            log.line(line);
        }
        log.finish(None)
    }

    fn key(target: &str, name: &str) -> TestKey {
        TestKey {
            package: "pump".to_string(),
            target: target.to_string(),
            name: name.to_string(),
        }
    }

    #[test]
    #[iec_runtime::requirement("TR-TEST-OUTCOMES")]
    fn each_test_is_read_with_its_binary_result_and_reason() {
        let run = read(OUTPUT);
        let result = |target, name| run.outcomes[&key(target, name)].result;
        assert_eq!(result("lib", "dose::tests::capped"), TestResult::Passed);
        assert_eq!(
            result("lib", "dose::tests::overdose_panics"),
            TestResult::Passed,
            "a should_panic test is named without the ` - should panic` libtest appends"
        );
        assert_eq!(result("lib", "dose::tests::slow"), TestResult::Ignored);
        assert_eq!(result("lib", "dose::tests::broken"), TestResult::Failed);
        assert_eq!(result("test:rate", "rate_is_positive"), TestResult::Passed);
        assert_eq!(
            result("doc", "src/lib.rs - dose (line 14)"),
            TestResult::Passed
        );
        assert_eq!(
            run.outcomes[&key("lib", "dose::tests::slow")]
                .reason
                .as_deref(),
            Some("needs the bench rig")
        );
        let broken = &run.outcomes[&key("lib", "dose::tests::broken")];
        assert_eq!(
            broken.reason.as_deref(),
            Some("panicked at src/dose.rs:40:9: assertion failed: dose < max")
        );
        assert!(
            broken
                .output
                .as_deref()
                .is_some_and(|o| o.contains("assertion failed")),
            "{broken:?}"
        );
        assert_eq!(
            run.binary_durations[&("pump".to_string(), "lib".to_string())],
            DurationMs(250_000)
        );
        assert!(run.broken.is_empty(), "{:?}", run.broken);
    }

    #[test]
    #[iec_runtime::requirement("TR-TEST-OUTCOMES")]
    fn a_binary_that_stops_without_a_result_line_is_broken() {
        let output = "     Running unittests src/lib.rs (target/debug/deps/pump-0123abcd)\n\
                      running 2 tests\n\
                      test dose::tests::capped ... ok\n";
        let mut log = LibtestLog::new("cargo test", None);
        log.register_binary("pump-0123abcd", "pump", "lib");
        for line in output.lines() {
            log.line(line);
        }
        let run = log.finish(Some(
            "process didn't exit successfully (signal: 6, SIGABRT)",
        ));
        assert_eq!(run.broken.len(), 1);
        assert_eq!(run.broken[0].target, "lib");
        assert!(run.has_failures());
    }

    #[test]
    fn a_status_on_the_next_line_is_read() {
        let output = "     Running unittests src/lib.rs (target/debug/deps/pump-0123abcd)\n\
                      test dose::tests::capped ... \n\
                      some output\n\
                      ok\n";
        let run = read(output);
        assert_eq!(
            run.outcomes[&key("lib", "dose::tests::capped")].result,
            TestResult::Passed
        );
    }
}
