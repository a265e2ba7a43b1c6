//! The command line: `cargo iec <command>`, also callable as `cargo-iec iec <command>`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  the trace was produced and the policy found no denied gap
  1  the policy (--deny, or `deny` in [workspace.metadata.iec]) found gaps
  2  usage, input or environment error (bad catalogue, build failure, ...)";

/// `cargo` invokes subcommands as `cargo-iec iec ...`.
#[derive(Debug, Parser)]
#[command(name = "cargo", bin_name = "cargo", styles = clap::builder::Styles::plain())]
pub enum Cargo {
    /// IEC 62304 traceability for Rust workspaces.
    Iec(IecArgs),
}

/// IEC 62304 traceability: requirements -> software units -> tests, from the code.
#[derive(Debug, Args)]
#[command(
    version,
    about = "IEC 62304 traceability: requirements -> software units -> tests, from the code",
    long_about = "IEC 62304 traceability for Rust workspaces.\n\n\
Annotate code with #[requirement(\"SRS-12\")] (implements) and tests with \
#[requirement(\"SRS-12\")] (verifies); keep the requirements in requirements.toml. \
`cargo iec trace` shows, for every requirement, the code that implements it and the \
tests that verify it, and lists every gap.",
    after_help = EXIT_CODES
)]
pub struct IecArgs {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// `cargo iec` commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print requirement -> unit -> test traceability and list every gap.
    #[command(
        long_about = "Builds the test targets of the selected packages, reads the annotations \
each test binary registered, joins them with the requirements catalogue, and prints \
requirement -> implementing items -> verifying tests, then the gaps.\n\n\
Gap kinds:\n  \
unimplemented     no code implements the requirement\n  \
untested          no test verifies it (requirements verified by inspection, analysis or \
demonstration are listed as needing a record instead)\n  \
unknown-id        an annotation names an ID the catalogue lacks\n  \
orphan-test       a test verifies no requirement (listed with --orphans)\n  \
class-mismatch    a unit's class is lower than its item's without a segregation rationale\n  \
untested-unit     a unit implements requirements none of which any test verifies\n  \
unannotated-unit  a public fn or type inside a unit traces to no requirement\n  \
channel-mismatch  a link seen by the static scan or the compiled registry only\n  \
suspect           requirement text or item signature changed since `cargo iec review`\n  \
failed            a verifying test failed (with --results, or in `cargo iec test`)\n  \
not-run           a verifying test was ignored, filtered out or did not run (with --results)\n  \
class-dependency  a unit or item uses a lower-class one that records no segregation rationale\n  \
undocumented-unit a class C unit, or a public item of one, has no doc comment\n  \
soup-unspecified  a crate used by a class B or C unit has no [[soup]] requirements and needs\n  \
unverified-fix    a resolved or closed problem report has no regression test that ran and passed\n  \
open-problem      an open, investigating or deferred problem report has no rationale\n  \
soup-advisory     an unreviewed RustSec advisory hits a SOUP crate (advisory-db configured)\n  \
stale-acceptance  an entry of the accepted-gaps file matches no gap any more: remove it\n  \
unexercised       a verifying test passed but executed none of the requirement's code \
(with --coverage)\n  \
coverage          a unit's line coverage is below its class's threshold in \
[workspace.metadata.iec.coverage] (with --coverage)\n\n\
Use --deny to make gaps fail the run (for CI), e.g. --deny untested,unimplemented; \
per-class policies go in [workspace.metadata.iec.class.C] deny = [...].\n\n\
Adopting on existing code: `cargo iec trace --write-accepted iec-accepted.toml` writes \
every current gap with a TODO rationale and reviewer; fill them in and commit the file. \
Accepted gaps then pass the gate, any new gap fails as before, and an accepted gap that \
was fixed fails the run (stale-acceptance) until its entry is removed.",
        after_help = EXIT_CODES
    )]
    Trace(TraceArgs),
    /// Record the current links as reviewed in the lock file (iec.lock), clearing `suspect`.
    #[command(
        long_about = "Records, for every link (or the links of the requirements given with \
--requirement), a hash of the requirement's title and text and of the linked item's \
signature in the lock file (iec.lock in the workspace root, or `lock = \"PATH\"` in \
[workspace.metadata.iec]). Commit the file. Once it exists, `cargo iec trace` reports a \
link as `suspect` when the requirement text or the item's signature changed since the \
review, or when the link was never reviewed, until it is reviewed again.",
        after_help = EXIT_CODES
    )]
    Review(ReviewArgs),
    /// Run the tests, join their results to the trace, and write an evidence bundle.
    #[command(
        long_about = "Builds the test targets and reads their registries (as `cargo iec trace`), \
runs the tests with cargo-nextest when it is installed (or --runner nextest), else with \
`cargo test`, reads every test's outcome by exact test identity, and joins the outcomes \
to the trace: a requirement is verified only when every test verifying it ran and passed. \
A failed verifying test is a `failed` gap; an ignored, filtered-out or not-run one a \
`not-run` gap.\n\n\
It then writes an evidence bundle to a new directory, \
target/iec-evidence/<UTC time>-<commit>/ (or --out DIR), never overwriting one: \
trace.json, trace.html and trace.csv with the results, junit.xml (each testcase with its \
requirements and unit in <properties>), environment.json (commit, clean or dirty tree, \
toolchain, Cargo.lock hash, OS, user, UTC time or SOURCE_DATE_EPOCH), anomalies.json \
(failed and ignored tests with reasons), soup.json, test-run.log and MANIFEST.sha256; \
check it later with `cargo iec verify`.\n\n\
Arguments after `--` go to the runner: `cargo iec test -- --lib`, `cargo iec test -- \
dose::` (a filter), `cargo iec test -- -- --skip slow` (harness arguments). Doc tests \
run with `cargo test --doc` when no runner arguments are given; they are listed but \
verify no requirement.\n\n\
With cargo-nextest 0.9.123 or later the tests are built once: `cargo nextest list` \
builds them for the registries and `cargo nextest run` reuses that build. Runner \
arguments that change the build (`--release`, `--features`, `--lib`, `--test NAME` ...) \
or a `deps()`/`rdeps()` filterset let nextest build them itself; \
IEC_TRACE_NEXTEST_REUSE=0 does so always (docs/evidence.md).\n\n\
With --coverage the test targets are built once with `-C instrument-coverage` (into \
target/iec-coverage, apart from the normal build) and every test runs in its own \
process with its own LLVM profile; the toolchain's llvm-profdata and llvm-cov (`rustup \
component add llvm-tools`) read them. Each verifying test's link gets `exercised` (did it \
execute any code of its requirement?), each requirement and unit its line and region \
coverage, and the gaps `unexercised` (a verifying test passed without executing its \
requirement's code) and `coverage` (a unit below its class's threshold, set in \
[workspace.metadata.iec.coverage], e.g. C = 100, B = 80) can be denied. The bundle \
gains coverage.json (per-test coverage) and coverage.lcov; `cargo iec trace --coverage \
BUNDLE` joins them again without running anything.\n\n\
Examples:\n  \
cargo iec test --coverage --deny unexercised,coverage\n  \
cargo iec trace --coverage target/iec-evidence/20261124T230328Z-3193a84 --format html -o trace.html\n\n\
Progress goes to stderr; the bundle's path is the last line on stdout.",
        after_help = TEST_EXIT_CODES
    )]
    Test(TestArgs),
    /// Check an evidence bundle: every hash, the manifest's completeness, schema versions.
    #[command(
        long_about = "Checks an evidence bundle written by `cargo iec test`: every file listed \
in MANIFEST.sha256 exists and has its SHA-256, no file is missing from the manifest or \
added to the bundle, and each machine-readable file has a schema version this cargo-iec \
reads. Every problem is reported with the file it concerns.\n\n\
The manifest guards against corruption and against edits that do not also rewrite the \
manifest; record the manifest's own SHA-256 (printed by `cargo iec test` and by verify) \
in your quality system and pass it with --manifest-sha256 to rule those out too.",
        after_help = VERIFY_EXIT_CODES
    )]
    Verify(VerifyArgs),
    /// List the SOUP: every third-party crate, with version, source, checksum and license.
    #[command(
        long_about = "Lists every third-party crate in the resolved dependency graph of the \
selected packages (workspace members are not SOUP) with its version, source, Cargo.lock \
checksum, license, repository and authors, and how it is used: `product` (a normal \
dependency, in the shipped software), `development-tool` (a build dependency or a \
proc-macro, run at build time) or `test-tool` (a dev dependency); a crate used several \
ways lists all of them, the first being the most critical. The Rust toolchain and its \
standard library are listed too. IEC 62304 8.1.2 asks for this list.\n\n\
With --advisories it reviews the published anomalies of every SOUP crate instead (IEC \
62304 7.1.3): each RustSec advisory (vulnerability, unsound, unmaintained, notice) that \
hits a crate and version of the list, with its ID. Pass the database with --advisory-db \
PATH (a clone of the RustSec advisory-db: offline and air-gapped CI), or configure \
`advisory-db = \"PATH\"` in [workspace.metadata.iec] (then `cargo iec trace` reports \
the gaps too); without one it is fetched with git. Record reviewed advisories in \
iec-advisories.toml:\n\n  \
[[advisory]]\n  \
id = \"RUSTSEC-2024-0001\"\n  \
rationale = \"The affected API is not used (design review DR-12).\"\n  \
reviewer = \"J. Doe\"\n\n\
Unreviewed advisories are soup-advisory gaps: --deny soup-advisory fails the run. Yanked \
versions are not checked (that needs the registry index).\n\n\
Examples:\n  \
cargo iec soup --format cyclonedx -o sbom.json\n  \
cargo iec soup --advisories --advisory-db ../advisory-db --deny soup-advisory",
        after_help = SOUP_EXIT_CODES
    )]
    Soup(SoupArgs),
    /// Write the architecture and unit design record: items, units, interfaces, dependencies.
    #[command(
        long_about = "Writes the software architecture (IEC 62304 5.3) and detailed design \
(5.4) record from the code: the software systems and items of the catalogue with their \
units as a tree, each with its class and where the class comes from (assigned, inherited, \
default); the design text from its doc comments (a module unit's //! docs); its interface, \
the signatures of its public items rendered from syn; the requirements it implements with \
the tests that verify them; the units it uses (from `use` declarations and qualified \
paths) and the third-party crates (SOUP) it uses. The HTML embeds an SVG diagram of the \
items, units and dependencies; with --format markdown --output FILE.md the diagram is \
written next to it as FILE.svg and linked.\n\n\
`cargo iec trace` reports the gaps this record makes possible: class-dependency, \
undocumented-unit and soup-unspecified ([[soup]] entries in the catalogue state each \
crate's functional and performance requirements and what it needs).",
        after_help = DESIGN_EXIT_CODES
    )]
    Design(DesignArgs),
    /// Import requirements from another tool's format (ReqIF) into a TOML catalogue.
    #[command(subcommand)]
    Import(crate::interop::ImportFormat),
    /// Export the catalogue with its trace links in another tool's format (ReqIF).
    #[command(subcommand)]
    Export(crate::interop::ExportFormat),
    /// What a change touches: changed items, affected requirements, tests to re-run.
    #[command(
        long_about = "Compares two revisions of the sources (IEC 62304 6.2, 7.4, 9.7) without \
checking anything out (git CLI): BASE[..HEAD], by default the merge base with the default \
branch (origin/HEAD, else main, else master) .. the working tree, so it works before \
committing. Both sides are traced by the static channel.\n\n\
It lists the changed items (annotated items, items inside units, tests) whose tokens \
changed: `added`, `modified`, `removed`, or `design-text` when only a unit's doc comments \
changed (comments, doc text and formatting alone are not code). A change outside any \
traced item is attributed to the enclosing unit or module; a file that does not parse at \
one side is attributed whole. Then the catalogue changes (requirements added, removed, \
text, class or parent changed; class changes of items and units), the affected \
requirements, highest class first, with reasons (code, text, link-added, link-removed, \
class, test, parent, added, removed), the tests to re-run with reasons (verifies, \
changed; executed with a --baseline bundle that has per-test coverage) and the \
requirements whose verification is therefore stale.\n\n\
Examples:\n  \
cargo iec impact                          # merge base with main .. working tree\n  \
cargo iec impact v1.2.0..HEAD --format markdown\n  \
cargo iec impact HEAD~1 --format json --output impact.json\n  \
cargo iec impact main --run               # re-run exactly those tests, write evidence\n\n\
With --run the tests are run through `cargo iec test` and the evidence bundle holds \
impact.json besides the usual files. JSON contract: docs/impact-json.md.",
        after_help = IMPACT_EXIT_CODES
    )]
    Impact(crate::impact::command::ImpactArgs),
    /// What changed between two releases: requirements, links, results, SOUP, classes.
    #[command(
        long_about = "Compares two releases, each an evidence bundle directory (written by \
`cargo iec test`) or a git revision (traced by the static channel, read without checking \
anything out): requirements added, removed and changed (title, class, parent, \
verification; text too when both sides are revisions), links added and removed, test \
results changed (passed -> failed, newly not-run; bundles only), SOUP added, removed and \
version-changed, problem reports opened and closed, and unit class changes.\n\n\
Examples:\n  \
cargo iec diff v1.0.0 v1.1.0\n  \
cargo iec diff target/iec-evidence/20260101T000000Z-abc1234 HEAD --format markdown\n\n\
JSON contract: docs/diff-json.md.",
        after_help = IMPACT_EXIT_CODES
    )]
    Diff(crate::diff::DiffArgs),
    /// Validate this cargo-iec on this machine: run the built-in suite of seeded defects.
    #[command(
        long_about = "Runs the validation suite shipped inside this binary on your machine and \
toolchain: small workspaces with seeded defects for every gap kind, and traps for false \
verification (a verifying test that fails, is ignored, is filtered out, is compiled out by \
cfg, or lives in a target that does not build; renamed imports; macro-generated items; both \
attribute orders). Each case is written to a work directory, built and run with this \
binary (`cargo iec trace` or `cargo iec test`), and its gaps, links and exit code are \
compared with the expected ones.\n\n\
The validation report is written as a bundle (selftest.json, selftest.md, one log per \
case, MANIFEST.sha256) to --out DIR or iec-selftest-<UTC time>/; it records the tool's \
version and the SHA-256 of this executable, rustc and cargo versions and the OS, and each \
case with its expected and actual outcome. Check it with `cargo iec verify DIR`.\n\n\
The cases that seed `unexercised` and `coverage` run `cargo iec test --coverage` and need \
the toolchain's llvm-tools (`rustup component add llvm-tools`); without them they are \
reported as not run, with the reason, in the output and the report (`not_run`, \
`complete`), and --require-coverage makes that an error instead.\n\n\
The cases need the iec-runtime crate's dependencies (syn, inventory, ...) from your cargo \
registry or cache. All cases build into one target directory (--target-dir). Progress \
goes to stderr; the bundle's path is the last line on stdout.\n\n\
Examples:\n  \
cargo iec selftest --out validation/selftest-2026-11\n  \
cargo iec verify validation/selftest-2026-11\n  \
cargo iec selftest --case trap-failing-test      # one case\n  \
cargo iec selftest --require-coverage            # CI: llvm-tools must be there\n  \
cargo iec selftest --cases my-cases/             # your own cases (docs/VALIDATION.md)",
        after_help = SELFTEST_EXIT_CODES
    )]
    Selftest(crate::selftest::SelftestArgs),
}

const IMPACT_EXIT_CODES: &str = "\
Exit codes:
  0  the comparison was written (with --run: and every test passed, no denied gap)
  1  with --run: a test failed or the policy found gaps (the bundle is written)
  2  usage, input or environment error: unknown revision, not a git repository, not an
     evidence bundle, a workspace that cannot be read at a revision";

const SOUP_EXIT_CODES: &str = "\
Exit codes:
  0  the list (or the advisory review) was written; no denied gap
  1  --advisories: the policy denies soup-advisory and an advisory is unreviewed
  2  usage, input or environment error (no advisory database, bad dispositions file, ...)";

const SELFTEST_EXIT_CODES: &str = "\
Exit codes:
  0  every case that ran matched its expected outcome (the report bundle is written; cases
     that cannot run without llvm-tools are listed as not run, with a warning)
  1  a case did not match: its name and each difference are printed (the bundle is written)
  2  usage, input or environment error (existing --out, unreadable --cases, llvm-tools
     missing with --require-coverage or for every selected case, ...)";

const DESIGN_EXIT_CODES: &str = "\
Exit codes:
  0  the record was written
  2  usage, input or environment error (bad catalogue, build failure, ...)";

/// Formats of the design record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DesignFormat {
    /// Markdown, with the diagram written beside --output and linked.
    Markdown,
    /// One self-contained HTML page with the diagram embedded.
    Html,
    /// Versioned JSON (schema iec-trace/design/v1, docs/design-json.md).
    Json,
    /// The architecture diagram alone.
    Svg,
}

/// `cargo iec design` options.
#[derive(Debug, Args)]
pub struct DesignArgs {
    /// Which packages.
    #[command(flatten)]
    pub selection: PackageSelection,
    /// Which channels.
    #[command(flatten)]
    pub channels: ChannelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DesignFormat::Markdown)]
    pub format: DesignFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Join the test results of a JUnit file: each verifying test shows its result.
    #[arg(long, value_name = "FILE.xml")]
    pub results: Option<PathBuf>,
}

const TEST_EXIT_CODES: &str = "\
Exit codes:
  0  every test that ran passed and the policy found no denied gap
  1  a test failed, a test binary crashed, or the policy found gaps (the bundle is written)
  2  usage, input or environment error: no bundle (build failure, dirty tree with
     --require-clean, existing --out, ...)";

const VERIFY_EXIT_CODES: &str = "\
Exit codes:
  0  every file matches the manifest and every schema version is known
  1  a hash mismatch, a missing or extra file, or an unknown schema version
  2  the bundle cannot be read (not a directory, ...)";

/// Which test runner `cargo iec test` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunnerChoice {
    /// cargo-nextest when `cargo nextest --version` works, else cargo test.
    Auto,
    /// cargo-nextest: per-test processes, durations and crash reports.
    Nextest,
    /// cargo test: no per-test durations (stable libtest does not report them).
    Cargo,
}

/// `cargo iec test` options.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Which packages.
    #[command(flatten)]
    pub selection: PackageSelection,
    /// The test runner.
    #[arg(long, value_enum, default_value_t = RunnerChoice::Auto)]
    pub runner: RunnerChoice,
    /// Write the bundle to DIR, which must not exist (default:
    /// target/iec-evidence/<UTC time>-<commit>/).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Refuse to run (exit 2) when the working tree has uncommitted changes or is not in
    /// git.
    #[arg(long)]
    pub require_clean: bool,
    /// Do not run doc tests.
    #[arg(long)]
    pub no_doc: bool,
    /// Measure per-test coverage: one instrumented build, one process per test, joined to
    /// the trace (`exercised`, `coverage`, gaps `unexercised` and `coverage`). Needs the
    /// llvm-tools component (`rustup component add llvm-tools`); doc tests are not run.
    #[arg(long, conflicts_with = "runner")]
    pub coverage: bool,
    /// Gap kinds that fail the run with exit code 1 (as `cargo iec trace --deny`).
    #[arg(long, value_name = "KIND,...", value_delimiter = ',')]
    pub deny: Vec<String>,
    /// Gap kinds that never fail the run, even when the configuration denies them.
    #[arg(long, value_name = "KIND,...", value_delimiter = ',')]
    pub warn: Vec<String>,
    /// Arguments for the runner (`cargo nextest run` or `cargo test`), after `--`.
    #[arg(last = true, value_name = "RUNNER ARGS")]
    pub runner_args: Vec<String>,
}

/// `cargo iec verify` options.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The bundle directory.
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// The SHA-256 the manifest itself must have (as recorded when the bundle was made).
    #[arg(long, value_name = "HEX")]
    pub manifest_sha256: Option<String>,
}

/// Formats of the SOUP list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SoupFormat {
    /// Aligned text for people.
    Table,
    /// Versioned JSON (schema iec-trace/soup/v1, docs/evidence.md).
    Json,
    /// One row per crate.
    Csv,
    /// CycloneDX 1.5 JSON software bill of materials.
    Cyclonedx,
}

/// `cargo iec soup` options.
#[derive(Debug, Args)]
pub struct SoupArgs {
    /// Which packages.
    #[command(flatten)]
    pub selection: PackageSelection,
    /// Output format.
    #[arg(long, value_enum, default_value_t = SoupFormat::Table)]
    pub format: SoupFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Review the SOUP against a RustSec advisory database instead of listing it:
    /// vulnerabilities, unsoundness and unmaintained crates (format table or json).
    #[arg(long)]
    pub advisories: bool,
    /// The RustSec advisory database, a local directory (offline and air-gapped CI); default:
    /// `advisory-db` in [workspace.metadata.iec], else fetched with git into
    /// $CARGO_HOME/advisory-db.
    #[arg(long, value_name = "PATH", requires = "advisories")]
    pub advisory_db: Option<PathBuf>,
    /// The reviewed advisories (default: `advisories` in [workspace.metadata.iec], else
    /// iec-advisories.toml in the workspace root when it exists).
    #[arg(long, value_name = "FILE", requires = "advisories")]
    pub dispositions: Option<PathBuf>,
    /// Gap kinds that fail the run with exit code 1 (soup-advisory), as `cargo iec trace
    /// --deny`.
    #[arg(
        long,
        value_name = "KIND,...",
        value_delimiter = ',',
        requires = "advisories"
    )]
    pub deny: Vec<String>,
    /// Gap kinds that never fail the run, even when the configuration denies them.
    #[arg(
        long,
        value_name = "KIND,...",
        value_delimiter = ',',
        requires = "advisories"
    )]
    pub warn: Vec<String>,
}

/// `cargo iec review` options.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Which packages.
    #[command(flatten)]
    pub selection: PackageSelection,
    /// Which channels.
    #[command(flatten)]
    pub channels: ChannelArgs,
    /// Review only the links of these requirements (default: every link).
    #[arg(long = "requirement", value_name = "ID")]
    pub requirements: Vec<String>,
}

/// Which packages, as cargo selects them.
#[derive(Debug, Args, Clone, Default)]
pub struct PackageSelection {
    /// Path to Cargo.toml of the workspace or package.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Package(s) to trace (default: the package in the current directory, or the
    /// workspace's default members).
    #[arg(short, long = "package", value_name = "SPEC")]
    pub packages: Vec<String>,
    /// Trace all packages of the workspace.
    #[arg(long)]
    pub workspace: bool,
    /// Exclude packages from --workspace.
    #[arg(long, value_name = "SPEC", requires = "workspace")]
    pub exclude: Vec<String>,
    /// Space- or comma-separated features to activate.
    #[arg(short = 'F', long, value_name = "FEATURES")]
    pub features: Vec<String>,
    /// Activate all available features.
    #[arg(long)]
    pub all_features: bool,
    /// Do not activate the `default` feature.
    #[arg(long)]
    pub no_default_features: bool,
    /// Build for the target triple. Test binaries for a target other than the host cannot
    /// run here, so such a trace reads the sources only (the static channel).
    #[arg(long, value_name = "TRIPLE")]
    pub target: Option<String>,
}

/// Which collection channels run.
#[derive(Debug, Args, Clone, Default)]
pub struct ChannelArgs {
    /// Read the annotations from the sources only, without building (also used when
    /// --target names another platform). By default both the compiled registry and the
    /// sources are read, and a link seen by one and not the other is a `channel-mismatch`.
    #[arg(long = "static")]
    pub static_only: bool,
    /// A source file that does not parse is reported and skipped; without this flag the
    /// run then ends with exit code 2 after printing the trace.
    #[arg(long)]
    pub keep_going: bool,
}

/// Output formats of the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TraceFormat {
    /// Aligned text for people.
    Table,
    /// Versioned, sorted JSON for machines (schema in docs/trace-json.md).
    Json,
    /// Markdown, to paste into a document, change request or pull request.
    Markdown,
    /// The traceability matrix as CSV, one row per link.
    Csv,
    /// One self-contained HTML page to read, filter and print.
    Html,
    /// SARIF 2.1.0: one result per gap, for code-scanning dashboards.
    Sarif,
}

/// Which way round the table reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TraceView {
    /// Requirement -> implementing items (with their units) -> verifying tests.
    Requirements,
    /// Software unit -> the requirements it implements.
    Units,
    /// Test -> the requirements it verifies.
    Tests,
}

/// `cargo iec trace` options.
#[derive(Debug, Args)]
pub struct TraceArgs {
    /// Which packages.
    #[command(flatten)]
    pub selection: PackageSelection,
    /// Which channels.
    #[command(flatten)]
    pub channels: ChannelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TraceFormat::Table)]
    pub format: TraceFormat,
    /// Which view the table shows (JSON, HTML and Markdown always hold all three).
    #[arg(long, value_enum, default_value_t = TraceView::Requirements)]
    pub view: TraceView,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Gap kinds that fail the run with exit code 1, comma-separated, or `all`. Adds to
    /// `deny` in [workspace.metadata.iec] (per-class: [workspace.metadata.iec.class.C]).
    #[arg(long, value_name = "KIND,...", value_delimiter = ',')]
    pub deny: Vec<String>,
    /// Gap kinds that never fail the run, even when the configuration denies them; they
    /// are still listed.
    #[arg(long, value_name = "KIND,...", value_delimiter = ',')]
    pub warn: Vec<String>,
    /// List tests that verify no requirement as `orphan-test` gaps (implied by
    /// `--deny orphan-test`).
    #[arg(long)]
    pub orphans: bool,
    /// Join the test results of a JUnit file (from cargo-nextest or another runner): each
    /// verifying test gets its result, and failed or missing ones are gaps.
    #[arg(long, value_name = "FILE.xml")]
    pub results: Option<PathBuf>,
    /// The accepted-gaps file (default: `accepted` in [workspace.metadata.iec], else
    /// iec-accepted.toml in the workspace root when it exists). Gaps it lists pass the
    /// gate and are listed as accepted; an entry whose gap is gone is `stale-acceptance`.
    #[arg(long, value_name = "FILE")]
    pub accepted: Option<PathBuf>,
    /// Write every current gap to FILE as an accepted gap with a TODO rationale and
    /// reviewer to fill in (entries already in the accepted-gaps file keep theirs), then
    /// exit without printing the trace.
    #[arg(long, value_name = "FILE")]
    pub write_accepted: Option<PathBuf>,
    /// Join the per-test coverage of an evidence bundle written by `cargo iec test
    /// --coverage` (its coverage.json), without running anything: `exercised` on verifying
    /// links, `coverage` on requirements and units, gaps `unexercised` and `coverage`.
    #[arg(long, value_name = "BUNDLE")]
    pub coverage: Option<PathBuf>,
}
