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
unimplemented   no code implements the requirement\n  \
untested        no test verifies it (requirements verified by inspection, analysis or \
demonstration are listed as needing a record instead)\n  \
unknown-id      an annotation names an ID the catalogue lacks\n  \
orphan-test     a test verifies no requirement (listed with --orphans)\n  \
class-mismatch  a unit's class is lower than its item's without a segregation rationale\n  \
untested-unit   a unit implements requirements none of which any test verifies\n  \
suspect         requirement text or item signature changed since `cargo iec review`\n\n\
Use --deny to make gaps fail the run (for CI), e.g. --deny untested,unimplemented; \
per-class policies go in [workspace.metadata.iec.class.C] deny = [...].",
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
}

/// `cargo iec review` options.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Which packages.
    #[command(flatten)]
    pub selection: PackageSelection,
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
}
