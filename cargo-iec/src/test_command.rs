//! `cargo iec test`: trace, run the tests, join the outcomes, write the evidence bundle.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use iec_runtime::requirement;

use crate::cli::TestArgs;
use crate::environment::{self, EnvironmentInput, UtcTime};
use crate::error::{Error, exit_code};
use crate::evidence::{self, EvidenceBundle, anomalies, report};
use crate::results::{self, first_line};
use crate::trace::GapKind;
use crate::workspace::Workspace;
use crate::{coverage, formats, junit, output, policy, review, run, soup};

fn progress(message: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{message}");
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// The warning that the tree has changes not committed, from a `git status` asked on a
/// thread of its own; given once, by the first [`DirtyWarning::give`].
#[derive(Default)]
struct DirtyWarning(Mutex<Option<std::thread::JoinHandle<environment::SourceState>>>);

impl DirtyWarning {
    fn ask(root: &Path) -> DirtyWarning {
        let owned = root.to_path_buf();
        let asked = std::thread::Builder::new()
            .name("iec-git-status".to_string())
            .spawn(move || environment::source_state(&owned));
        match asked {
            Ok(handle) => DirtyWarning(Mutex::new(Some(handle))),
            // Without a thread, asked now.
            Err(_) => {
                DirtyWarning::warn(&environment::source_state(root));
                DirtyWarning::default()
            }
        }
    }

    fn give(&self) {
        let pending = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(handle) = pending {
            match handle.join() {
                Ok(before) => DirtyWarning::warn(&before),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    }

    fn warn(before: &environment::SourceState) {
        if !before.is_clean() {
            progress(&format!("warning: {}", dirty_message(before)));
        }
    }
}

fn dirty_message(source: &environment::SourceState) -> String {
    match source.tree.as_str() {
        "dirty" => {
            let files: Vec<String> = source
                .changed_files
                .iter()
                .take(10)
                .map(|f| format!("{} {}", f.status, f.path))
                .collect();
            format!(
                "the working tree is DIRTY: {} uncommitted change{} ({}{}); the results are not those of commit {}",
                source.changed_files.len(),
                plural(source.changed_files.len()),
                files.join(", "),
                if source.changed_files.len() > 10 { ", ..." } else { "" },
                source.short_commit.as_deref().unwrap_or("?"),
            )
        }
        _ => "the workspace is not in a git work tree (or git is not installed): the results name no commit".to_string(),
    }
}

/// The design record's HTML in a bundle, which trace.html links units to.
const DESIGN_HTML: &str = "design.html";
/// Runs `cargo iec test`; `command_line` is recorded in environment.json.
#[requirement("TR-TEST-EXIT", "TR-EVIDENCE-BUNDLE", "TR-EVIDENCE-CLEAN")]
pub fn run(args: &TestArgs, command_line: Vec<String>) -> Result<u8, Error> {
    run_with(args, command_line, &[])
}

/// Asks, each on a detached thread, what [`environment::collect`] and the test binaries'
/// commands will ask later (each answer is kept once per process, so the later call
/// waits for it instead of running the tool again): without a root, `cargo nextest
/// --version`, `cargo -V` and rustc's target library directory; with the workspace root,
/// `rustc -vV` run there and the machine's description (`uname -r`).
#[requirement("TR-PERF-TEST-OVERLAP")]
fn start_probes(root: Option<PathBuf>) {
    let spawned = std::thread::Builder::new()
        .name("iec-probes".to_string())
        .spawn(move || match root {
            None => crate::timing::overlapped("cargo nextest --version, cargo -V", || {
                let _ = run::nextest_version();
                let _ = run::cargo_version();
                let _ = crate::compiled::host_library_dir();
            }),
            Some(root) => crate::timing::overlapped("rustc -vV, uname -r", || {
                let _ = environment::rustc(&root);
                let _ = environment::os();
            }),
        });
    // Without a thread, each answer is asked when it is needed, as before.
    drop(spawned);
}

/// [`run`], adding `extra` files (name, contents) to the bundle: `cargo iec impact --run`
/// adds its impact record.
#[requirement("TR-DESIGN-BUNDLE", "TR-PERF-TEST-OVERLAP", "TR-PERF-REUSE-BUILD")]
pub fn run_with(
    args: &TestArgs,
    command_line: Vec<String>,
    extra: &[(&str, String)],
) -> Result<u8, Error> {
    let time = UtcTime::now()?;
    crate::timing::start();
    // What the run records about its tools is asked while cargo reads the workspace.
    start_probes(None);
    // With the dependency graph: the SOUP list and the design record need it. (Read
    // members-only and resolving the graph beside the build saves nothing: both cargo
    // commands hold the package cache lock while they resolve, so they run one after the
    // other anyway; docs/PERFORMANCE.md.)
    let workspace = Workspace::load(&args.selection)?;
    crate::timing::phase("cargo metadata");
    start_probes(Some(workspace.root.clone()));
    let policy = policy::Policy::resolve(
        &args.deny,
        &args.warn,
        &workspace.metadata.workspace_metadata,
        &workspace.root.join("Cargo.toml"),
    )?;
    if let Some(target) = &args.selection.target {
        let host = environment::rustc(&workspace.root).host;
        if host.as_deref() != Some(target.as_str()) {
            return Err(Error::Input(format!(
                "--target {target}: test binaries for it cannot run on this host ({}); run `cargo iec test` where they can, or trace without running with `cargo iec trace --target {target}`",
                host.as_deref().unwrap_or("unknown")
            )));
        }
    }
    // Coverage needs LLVM's tools; without them nothing can be measured (exit 2, before
    // building).
    let coverage_tools = if args.coverage {
        if !args.runner_args.is_empty() {
            return Err(Error::Input(format!(
                "--coverage runs every listed test itself, one process per test, so it takes no runner arguments (got `{}`); select packages with -p/--workspace",
                args.runner_args.join(" ")
            )));
        }
        Some(coverage::llvm::find_tools(&workspace.root)?)
    } else {
        None
    };
    let thresholds = if args.coverage {
        coverage::thresholds(
            &workspace.metadata.workspace_metadata,
            &workspace.root.join("Cargo.toml"),
        )?
    } else {
        coverage::Thresholds::new()
    };
    let runner = run::choose(args.runner)?;
    // With nextest, the run reuses the build cargo-iec makes to read the registries, unless
    // that could change which tests run (docs/PERFORMANCE.md).
    let reuse = match &coverage_tools {
        Some(_) => None,
        None => match crate::nextest_reuse::decide(&workspace, &runner, &args.runner_args) {
            Ok(()) => Some(crate::nextest_reuse::ReuseFiles::new(
                &workspace,
                &args.selection,
            )?),
            Err(fallback) => {
                if fallback.noted {
                    crate::note(&fallback.reason);
                }
                crate::timing::detail(&format!(
                    "nextest builds the tests itself: {}",
                    fallback.reason
                ));
                None
            }
        },
    };
    // Refuse what cannot succeed before spending time on the build and the run. Without
    // --require-clean, the tree before the run only gives a warning: `git status` runs
    // beside the build, and the warning comes before the tests run (DirtyWarning).
    let dirty_warning = if args.require_clean {
        let before = environment::source_state(&workspace.root);
        if !before.is_clean() {
            return Err(Error::Input(format!(
                "--require-clean: {}; commit or stash them, or run without --require-clean",
                dirty_message(&before)
            )));
        }
        DirtyWarning::default()
    } else {
        DirtyWarning::ask(&workspace.root)
    };
    if let Some(out) = &args.out
        && out.exists()
    {
        return Err(Error::Input(format!(
            "--out {}: it already exists; an evidence bundle is never overwritten",
            out.display()
        )));
    }
    crate::timing::phase("runner version, git status");
    let coverage_dir = workspace
        .metadata
        .target_directory
        .as_std_path()
        .join("iec-coverage");
    let scratch = match &coverage_tools {
        Some(_) => {
            std::fs::create_dir_all(&coverage_dir).map_err(|source| Error::Io {
                context: format!("cannot create {}", coverage_dir.display()),
                source,
            })?;
            let scratch = tempfile::Builder::new()
                .prefix("profiles-")
                .tempdir_in(&coverage_dir)
                .map_err(|source| Error::Io {
                    context: format!(
                        "cannot create a profile directory in {}",
                        coverage_dir.display()
                    ),
                    source,
                })?;
            Some(scratch)
        }
        None => None,
    };
    let mode = match &scratch {
        Some(scratch) => {
            progress(&format!(
                "cargo iec test --coverage: building the test targets once with -C instrument-coverage into {}",
                coverage_dir.display()
            ));
            crate::compiled::BuildMode {
                instrument: Some(crate::compiled::Instrument {
                    target_dir: coverage_dir.clone(),
                    profile_dir: scratch.path().to_path_buf(),
                }),
                nextest_list: None,
            }
        }
        None => {
            progress(&format!(
                "cargo iec test: building the test targets and reading their registries ({})",
                match &runner {
                    // nextest's version line names it.
                    run::Runner::Nextest(version) => version.clone(),
                    run::Runner::Cargo(version) => format!("cargo test, {version}"),
                }
            ));
            match &reuse {
                Some(files) => {
                    crate::nextest_reuse::write_cargo_metadata(&workspace, files)?;
                    crate::compiled::BuildMode {
                        instrument: None,
                        nextest_list: Some(files.cargo_metadata()),
                    }
                }
                None => crate::compiled::BuildMode::default(),
            }
        }
    };
    let include_orphans = policy.mentions(GapKind::OrphanTest);
    // A review lock that cannot be read fails before the build and the run.
    let lock_path = review::lock_path(&workspace.root, &workspace.metadata.workspace_metadata);
    let review_lock = review::read_lock(&lock_path)?;
    // The run needs the build only: it starts as soon as the registries are read, and the
    // records are joined with the catalogue while the tests run (docs/PERFORMANCE.md).
    // With --coverage the run needs the trace (which tests verify), so it comes after.
    let run_tests = |collected: &crate::compiled::Collected| -> Result<run::RunOutput, Error> {
        dirty_warning.give();
        let reuse = match (reuse, collected.nextest_binaries.as_deref()) {
            (Some(files), Some(list)) => {
                crate::nextest_reuse::write_binaries_metadata(&files, list)?;
                Some(files)
            }
            // The build is made; a binaries-metadata this cargo-iec cannot find (a future
            // nextest's output) only costs nextest's own no-op build.
            (Some(_), None) => {
                crate::note(
                    "`cargo nextest list` printed no binaries-metadata cargo-iec can read: nextest checks the build itself",
                );
                None
            }
            (None, _) => None,
        };
        let plan = run::RunPlan {
            workspace: &workspace,
            selection: &args.selection,
            runner_args: &args.runner_args,
            doc_tests: !args.no_doc,
            reuse: reuse.as_ref(),
        };
        run::run(&plan, &runner, &collected.binaries, &collected.tests)
    };
    let ((catalogue, mut trace, collected, _), ran) = crate::traced_with_build_then(
        &workspace,
        &args.selection,
        &crate::cli::ChannelArgs::default(),
        include_orphans,
        &mode,
        coverage_tools.is_none().then_some(run_tests),
    )?;
    if let Some(lock) = &review_lock {
        review::apply(&mut trace, &catalogue, &workspace.root, lock);
    }
    dirty_warning.give();
    let mut coverage_data = None;
    let ran = match (ran, &coverage_tools, &scratch) {
        (Some(ran), _, _) => ran?,
        (None, Some(tools), Some(scratch)) => {
            progress(&format!(
                "running every test in its own instrumented process ({} test binaries)",
                collected.binaries.len()
            ));
            let verifying = trace
                .requirements
                .iter()
                .flat_map(|r| &r.verified_by)
                .map(|link| results::TestKey {
                    package: link.package.clone(),
                    target: link.target.clone().unwrap_or_else(|| "lib".to_string()),
                    name: results::harness_name(&link.path).to_string(),
                })
                .collect();
            let measured = coverage::run::run(
                &workspace,
                tools,
                &collected.binaries,
                &collected.tests,
                &verifying,
                scratch.path(),
            )?;
            coverage_data = Some(measured.data);
            run::RunOutput {
                run: measured.run,
                log: measured.log,
                commands: measured.commands,
            }
        }
        (None, _, _) => {
            return Err(Error::Input(
                "the tests cannot run: nothing was built for this host".to_string(),
            ));
        }
    };
    crate::timing::phase("run");
    results::apply(&mut trace, &ran.run);
    if let Some(data) = &coverage_data {
        coverage::apply(
            &mut trace,
            data,
            &workspace.root,
            &thresholds,
            "cargo iec test --coverage",
        );
    }
    crate::soup::advisories::apply_configured(&mut trace, &workspace)?;
    let (accepted_path, explicit) = crate::accepted::location(
        &workspace.root,
        &workspace.metadata.workspace_metadata,
        None,
    );
    if let Some(file) = crate::accepted::read(
        &accepted_path,
        &workspace.relative(&accepted_path),
        explicit,
        false,
    )? {
        crate::accepted::apply(&mut trace, &file);
    }

    crate::timing::phase("results, advisories, accepted gaps");
    // The tree as it is after the run is what the evidence describes.
    let source = environment::source_state(&workspace.root);
    crate::timing::phase("git status");
    if args.require_clean && !source.is_clean() {
        return Err(Error::Input(format!(
            "--require-clean: the tree changed during the run: {}; no bundle was written",
            dirty_message(&source)
        )));
    }
    let packages: Vec<String> = workspace
        .selected
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    let environment = environment::collect(EnvironmentInput {
        root: &workspace.root,
        time,
        source,
        selection: &args.selection,
        packages,
        runner: if coverage_data.is_some() {
            "cargo-iec --coverage".to_string()
        } else {
            runner.name().to_string()
        },
        commands: ran.commands.clone(),
        runner_args: &args.runner_args,
        command: command_line,
    });
    crate::timing::phase("environment (rustc -vV, nextest, uname)");
    let roots: Vec<&cargo_metadata::Package> = workspace.selected.iter().collect();
    let soup = soup::list(
        &workspace.metadata,
        &roots,
        &workspace.root,
        environment.tools.rustc.clone(),
        environment.tools.cargo.clone(),
    )?;
    let index = report::TestIndex::new(&trace);
    let anomalies = anomalies::collect(&ran.run, &index, &trace.problems);
    let suites = report::junit_suites(&ran.run, &index);
    crate::timing::phase("soup, anomalies");

    // The trace's three renderings and the design record are independent: rendered on
    // both cores, added in the same order.
    let (trace_files, design_files) = rayon::join(
        || -> Result<[String; 3], Error> {
            Ok([
                output::json(&trace),
                formats::csv::render(&trace).map_err(|error| Error::Io {
                    context: "cannot render the CSV".to_string(),
                    source: error.into(),
                })?,
                formats::html::render_with_header(
                    &trace,
                    &report::html_header(
                        &environment,
                        "files listed with their SHA-256 in MANIFEST.sha256; check with `cargo iec verify`",
                    ),
                    Some(DESIGN_HTML),
                ),
            ])
        },
        || {
            // The architecture and unit design record of the code that was tested, with
            // each verifying test's result (IEC 62304 5.3, 5.4); trace.html links each
            // unit to it.
            let design = crate::design::build(
                &trace,
                &catalogue,
                &crate::design::read_sources(&workspace, &trace.units),
            );
            [
                crate::design::render::json(&design),
                crate::design::render::html(&design),
                crate::design::render::svg(&design),
                crate::design::render::markdown(&design, Some("design.svg")),
            ]
        },
    );
    let mut bundle = EvidenceBundle::default();
    let [json, csv, html] = trace_files?;
    bundle.add("trace.json", json);
    bundle.add("trace.csv", csv);
    bundle.add("trace.html", html);
    let [design_json, design_html, design_svg, design_md] = design_files;
    bundle.add("design.json", design_json);
    bundle.add(DESIGN_HTML, design_html);
    bundle.add("design.svg", design_svg);
    bundle.add("design.md", design_md);
    bundle.add(
        "junit.xml",
        junit::write("cargo-iec", &environment.time, &suites),
    );
    bundle.add("environment.json", pretty(&environment));
    bundle.add("anomalies.json", pretty(&anomalies));
    bundle.add("soup.json", soup::json(&soup));
    bundle.add("test-run.log", ran.log.clone());
    for (name, contents) in extra {
        bundle.add(name, contents.clone());
    }
    if let Some(data) = &coverage_data {
        bundle.add("coverage.json", data.json());
        bundle.add("coverage.lcov", data.lcov());
    }

    let destination: PathBuf = match &args.out {
        Some(out) => out.clone(),
        None => {
            let target_dir = workspace.metadata.target_directory.as_std_path();
            evidence::sweep_partials(&target_dir.join("iec-evidence"));
            evidence::default_destination(target_dir, time, &environment.source)
        }
    };
    let manifest_sha256 = bundle.write(&destination)?;
    crate::timing::phase("bundle");

    // The summary, for people, on stderr.
    let counts = ran.run.counts();
    let summary = &trace.summary;
    let verified = summary.verified.unwrap_or(0);
    let by_test = trace
        .results
        .as_ref()
        .map_or(0, |r| r.requirements_verified_by_test);
    progress(&format!(
        "\ntests ({}): {} passed, {} failed, {} ignored, {} not run",
        if coverage_data.is_some() {
            "one instrumented process per test"
        } else {
            runner.name()
        },
        counts.passed,
        counts.failed,
        counts.ignored,
        counts.not_run
    ));
    for broken in &ran.run.broken {
        progress(&format!(
            "  crashed: {} {}: {}",
            broken.package, broken.target, broken.message
        ));
    }
    for anomaly in anomalies.anomalies.iter().filter(|a| a.kind == "failed") {
        progress(&format!(
            "  failed: {} ({} {}): {}",
            anomaly.test.as_deref().unwrap_or(""),
            anomaly.package,
            anomaly.target,
            first_line(anomaly.reason.as_deref().unwrap_or(""))
        ));
    }
    progress(&format!(
        "requirements: {verified} of {by_test} verified by tests that all ran and passed; {} gap{}",
        summary.gaps,
        plural(summary.gaps)
    ));
    if let Some(coverage) = &trace.coverage {
        let exercised = trace
            .requirements
            .iter()
            .flat_map(|r| &r.verified_by)
            .filter(|l| l.exercised == Some(true))
            .count();
        let links = trace
            .requirements
            .iter()
            .flat_map(|r| &r.verified_by)
            .filter(|l| l.exercised.is_some())
            .count();
        progress(&format!(
            "coverage: {} of {} lines, {} of {} regions; {exercised} of {links} verification links exercise their requirement's code",
            coverage.all.lines_covered,
            coverage.all.lines_total,
            coverage.all.regions_covered,
            coverage.all.regions_total
        ));
    }
    for gap in &trace.gaps {
        progress(&format!("  {}: {}", gap.kind, gap.message));
    }
    if !environment.source.is_clean() {
        progress(&format!("warning: {}", dirty_message(&environment.source)));
    }
    progress(&format!("manifest sha256: {manifest_sha256}"));
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", destination.display())
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::Write {
            path: "<stdout>".into(),
            source,
        })?;

    let denied: Vec<_> = trace.gaps.iter().filter(|g| policy.denies(g)).collect();
    if ran.run.has_failures() {
        progress(&format!(
            "error: {} test{} failed{}",
            counts.failed,
            plural(counts.failed),
            if ran.run.broken.is_empty() && ran.run.stopped.is_none() {
                String::new()
            } else {
                ", and the run did not complete".to_string()
            }
        ));
        return Ok(exit_code::POLICY_GAPS);
    }
    if !denied.is_empty() {
        progress(&format!(
            "error: the policy denies {} gap{}",
            denied.len(),
            plural(denied.len())
        ));
        return Ok(exit_code::POLICY_GAPS);
    }
    Ok(exit_code::OK)
}

/// The bundle's JSON files: pretty, with a trailing newline.
fn pretty<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value)
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
    text.push('\n');
    text
}
