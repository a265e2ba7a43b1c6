//! SOUP anomaly review (IEC 62304 7.1.3, 6.1): every SOUP crate and version evaluated
//! against a RustSec advisory database: vulnerabilities, unsoundness, unmaintained crates.
//!
//! The database is a local directory in the RustSec layout (`crates/<name>/RUSTSEC-*.md`):
//! `--advisory-db PATH`, or `advisory-db = "PATH"` in `[workspace.metadata.iec]`; without
//! one it is fetched with the git CLI into `$CARGO_HOME/advisory-db` (where cargo-audit
//! keeps it). Advisories are matched by crate name and version, whatever the crate's source
//! (a vendored or path copy of a crates.io crate is the same code).
//!
//! Each advisory can be dispositioned in a committed file (`iec-advisories.toml`, or
//! `advisories = "PATH"`), with a required rationale and reviewer:
//!
//! ```toml
//! [[advisory]]
//! id = "RUSTSEC-2024-0001"
//! crate = "smallvec"          # optional: only for this crate
//! rationale = "The affected function is not used; see design review DR-12."
//! reviewer = "J. Doe"
//! ```
//!
//! A dispositioned advisory is listed as reviewed; every other one is a `soup-advisory`
//! gap. Yanked crates are not checked: that needs the registry index, which this command
//! does not read (it works offline).

use std::path::{Path, PathBuf};

use iec_model::Position;
use iec_runtime::requirement;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::SoupCrate;
use crate::error::Error;
use crate::trace::{Gap, GapKind};

/// Schema of `cargo iec soup --advisories --format json`.
pub const SCHEMA: &str = "iec-trace/advisories/v1";

/// The dispositions file's default name, in the workspace root.
pub const DEFAULT_DISPOSITIONS: &str = "iec-advisories.toml";

/// What the output says about yanked crates.
pub const YANKED_NOT_CHECKED: &str = "not checked: whether a version is yanked needs the crates.io index, which cargo iec soup does not read (it works offline); run `cargo update --dry-run` or cargo-audit with network access for that";

/// One advisory hitting one SOUP crate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    /// The advisory ID, e.g. `RUSTSEC-2024-0001`.
    pub id: String,
    /// `vulnerability`, `unsound`, `unmaintained`, `notice` or another informational kind.
    pub kind: String,
    /// The SOUP crate.
    #[serde(rename = "crate")]
    pub krate: String,
    /// Its version in the resolved graph.
    pub version: String,
    /// The advisory's title.
    pub title: String,
    /// When it was published (`YYYY-MM-DD`).
    pub date: String,
    /// Versions that fix it, as requirements (`>= 1.2.3`).
    pub patched: Vec<String>,
    /// Aliases such as CVE IDs.
    pub aliases: Vec<String>,
    /// `reviewed` (dispositioned) or `unreviewed` (a `soup-advisory` gap).
    pub status: String,
    /// The disposition's rationale.
    pub rationale: Option<String>,
    /// The disposition's reviewer.
    pub reviewer: Option<String>,
}

/// The advisory review of the SOUP list.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryReport {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The database directory, as given.
    pub database: String,
    /// Advisories in the database.
    pub database_advisories: usize,
    /// SOUP crates evaluated.
    pub crates_checked: usize,
    /// Yanked crates: [`YANKED_NOT_CHECKED`].
    pub yanked: &'static str,
    /// Every advisory hitting a SOUP crate, sorted by crate, version, ID.
    pub advisories: Vec<Finding>,
}

impl AdvisoryReport {
    /// The `soup-advisory` gaps: one per unreviewed finding.
    pub fn gaps(&self) -> Vec<Gap> {
        self.advisories
            .iter()
            .filter(|f| f.status == "unreviewed")
            .map(|f| Gap {
                kind: GapKind::SoupAdvisory,
                requirement: None,
                unit: None,
                problem: None,
                advisory: Some(f.id.clone()),
                class: None,
                path: Some(format!("{}@{}", f.krate, f.version)),
                file: None,
                line: None,
                message: format!(
                    "{} ({}) hits SOUP {} {}: {}{}; upgrade, or record a reviewed disposition in {DEFAULT_DISPOSITIONS}",
                    f.id,
                    f.kind,
                    f.krate,
                    f.version,
                    f.title,
                    if f.patched.is_empty() {
                        String::new()
                    } else {
                        format!(" (patched: {})", f.patched.join(", "))
                    }
                ),
            })
            .collect()
    }
}

/// A reviewed advisory.
#[derive(Debug, Clone)]
pub struct Disposition {
    /// Advisory ID.
    pub id: String,
    /// Only for this crate, when given.
    pub krate: Option<String>,
    /// Why it is acceptable.
    pub rationale: String,
    /// Who reviewed it.
    pub reviewer: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDispositions {
    #[serde(default)]
    advisory: Vec<Spanned<RawDisposition>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisposition {
    id: Spanned<String>,
    #[serde(rename = "crate")]
    krate: Option<String>,
    rationale: Option<Spanned<String>>,
    reviewer: Option<Spanned<String>>,
}

/// Where the database is: `--advisory-db`, else `advisory-db` in `[workspace.metadata.iec]`
/// (relative to the root); `None` when neither names one.
pub fn configured_database(
    root: &Path,
    metadata: &serde_json::Value,
    option: Option<&Path>,
) -> Option<PathBuf> {
    option.map(Path::to_path_buf).or_else(|| {
        metadata
            .get("iec")
            .and_then(|iec| iec.get("advisory-db"))
            .and_then(serde_json::Value::as_str)
            .map(|path| root.join(path))
    })
}

/// Where the dispositions are: `--dispositions`, else `advisories` in
/// `[workspace.metadata.iec]`, else `iec-advisories.toml`; `explicit` says whether it must
/// exist.
pub fn dispositions_location(
    root: &Path,
    metadata: &serde_json::Value,
    option: Option<&Path>,
) -> (PathBuf, bool) {
    crate::workspace::configured_file(root, metadata, option, "advisories", DEFAULT_DISPOSITIONS)
}

/// Fetches the RustSec database with git into `$CARGO_HOME/advisory-db` (a clone, or a pull
/// of an existing one). Fails with advice to pass `--advisory-db` when it cannot.
pub fn fetch_database() -> Result<PathBuf, Error> {
    const URL: &str = "https://github.com/rustsec/advisory-db";
    let cargo_home = crate::run::cargo_home().ok_or_else(|| {
        Error::Input(
            "cannot fetch the RustSec advisory database: neither CARGO_HOME nor HOME is set; pass --advisory-db PATH with a local copy".to_string(),
        )
    })?;
    let target = cargo_home.join("advisory-db");
    let mut command = std::process::Command::new("git");
    if target.join(".git").is_dir() {
        command
            .arg("-C")
            .arg(&target)
            .args(["pull", "--ff-only", "--quiet"]);
    } else {
        command
            .args(["clone", "--depth", "1", "--quiet", URL])
            .arg(&target);
    }
    crate::note(&format!(
        "fetching the RustSec advisory database into {} (pass --advisory-db PATH to use a local copy)",
        target.display()
    ));
    let output = command
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|error| {
            Error::Input(format!(
                "cannot fetch the RustSec advisory database: cannot run git ({error}); pass --advisory-db PATH with a local copy (offline and air-gapped CI: a clone of {URL})"
            ))
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Error::Input(format!(
            "cannot fetch the RustSec advisory database from {URL}: {}; pass --advisory-db PATH with a local copy (offline and air-gapped CI)",
            crate::results::first_line(&stderr)
        )));
    }
    Ok(target)
}

/// The message of a rustsec error with its causes.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Opens the database at `path`, with an error naming it when it is not one.
pub fn open_database(path: &Path, shown: &str) -> Result<rustsec::Database, Error> {
    if !path.join("crates").is_dir() {
        return Err(Error::Input(format!(
            "--advisory-db {shown}: not a RustSec advisory database (it has no crates/ directory); pass a clone of https://github.com/rustsec/advisory-db"
        )));
    }
    rustsec::Database::open(path).map_err(|error| {
        Error::Input(format!(
            "the advisory database {shown} cannot be read: {}",
            chain(&error)
        ))
    })
}

fn kind_of(advisory: &rustsec::Advisory) -> String {
    use rustsec::advisory::Informational;
    match &advisory.metadata.informational {
        None => "vulnerability".to_string(),
        Some(Informational::Unsound) => "unsound".to_string(),
        Some(Informational::Unmaintained) => "unmaintained".to_string(),
        Some(Informational::Notice) => "notice".to_string(),
        Some(other) => other.as_str().to_string(),
    }
}

/// Reads the dispositions file; `Ok(empty)` when it does not exist and was not named.
#[requirement("TR-ADVISORY-DISPOSITION")]
pub fn read_dispositions(
    path: &Path,
    shown: &str,
    explicit: bool,
) -> Result<Vec<Disposition>, Error> {
    let Some(text) =
        crate::error::read_optional(path, shown, "the advisory dispositions", explicit)?
    else {
        return Ok(Vec::new());
    };
    let at = |offset: usize| Position::of_offset(&text, offset);
    let raw: RawDispositions = crate::error::from_toml(&text, shown, "")?;
    let mut problems = Vec::new();
    let mut dispositions = Vec::new();
    for entry in raw.advisory {
        let start = at(entry.span().start);
        let raw = entry.into_inner();
        let id_position = at(raw.id.span().start);
        let id = raw.id.into_inner();
        if !iec_model::catalogue::is_valid_id(&id) || id.parse::<rustsec::advisory::Id>().is_err() {
            problems.push(format!(
                "{shown}:{id_position}: {id:?} is not an advisory ID (e.g. \"RUSTSEC-2024-0001\")"
            ));
        }
        let mut text_of = |value: Option<Spanned<String>>, name: &str| match value {
            Some(value) if !value.get_ref().trim().is_empty() => value.into_inner(),
            Some(value) => {
                problems.push(format!(
                    "{shown}:{}: `{name}` of the disposition of {id} is empty; a reviewed advisory needs a rationale and a reviewer",
                    at(value.span().start)
                ));
                String::new()
            }
            None => {
                problems.push(format!(
                    "{shown}:{start}: the disposition of {id} has no `{name}`; a reviewed advisory needs a rationale and a reviewer"
                ));
                String::new()
            }
        };
        let rationale = text_of(raw.rationale, "rationale");
        let reviewer = text_of(raw.reviewer, "reviewer");
        dispositions.push(Disposition {
            id,
            krate: raw.krate,
            rationale,
            reviewer,
        });
    }
    if !problems.is_empty() {
        return Err(Error::Input(format!(
            "invalid advisory dispositions:\n{}",
            problems.join("\n")
        )));
    }
    Ok(dispositions)
}

/// Evaluates every crate of `crates` against `database`.
#[requirement("TR-ADVISORY-CHECK", "TR-ADVISORY-DISPOSITION")]
pub fn review(
    database: &rustsec::Database,
    shown: &str,
    crates: &[SoupCrate],
    dispositions: &[Disposition],
) -> AdvisoryReport {
    use rustsec::database::Query;
    let mut findings = Vec::new();
    for krate in crates {
        let (Ok(name), Ok(version)) = (
            krate.name.parse::<rustsec::package::Name>(),
            rustsec::Version::parse(&krate.version),
        ) else {
            continue;
        };
        let query = Query::new()
            .collection(rustsec::Collection::Crates)
            .package_name(name)
            .package_version(version)
            .withdrawn(false);
        for advisory in database.query(&query) {
            let id = advisory.id().to_string();
            let disposition = dispositions
                .iter()
                .find(|d| d.id == id && d.krate.as_deref().is_none_or(|k| k == krate.name));
            findings.push(Finding {
                id,
                kind: kind_of(advisory),
                krate: krate.name.clone(),
                version: krate.version.clone(),
                title: advisory.title().to_string(),
                date: advisory.date().as_str().to_string(),
                patched: advisory
                    .versions
                    .patched()
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                aliases: advisory
                    .metadata
                    .aliases
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
                status: if disposition.is_some() {
                    "reviewed"
                } else {
                    "unreviewed"
                }
                .to_string(),
                rationale: disposition.map(|d| d.rationale.clone()),
                reviewer: disposition.map(|d| d.reviewer.clone()),
            });
        }
    }
    findings.sort_by(|a, b| (&a.krate, &a.version, &a.id).cmp(&(&b.krate, &b.version, &b.id)));
    findings.dedup();
    AdvisoryReport {
        schema: SCHEMA,
        database: shown.to_string(),
        database_advisories: database.iter().count(),
        crates_checked: crates.len(),
        yanked: YANKED_NOT_CHECKED,
        advisories: findings,
    }
}

/// The report for people.
pub fn table(report: &AdvisoryReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} SOUP crate{} checked against {} advisories in {}\n",
        report.crates_checked,
        if report.crates_checked == 1 { "" } else { "s" },
        report.database_advisories,
        report.database
    );
    if report.advisories.is_empty() {
        out.push_str("Advisories: none\n");
    } else {
        let _ = writeln!(out, "Advisories ({}):", report.advisories.len());
        for f in &report.advisories {
            let _ = writeln!(
                out,
                "  {}  {} {}  {}  {}  {}",
                f.id, f.krate, f.version, f.kind, f.status, f.title
            );
            if !f.patched.is_empty() {
                let _ = writeln!(out, "      patched: {}", f.patched.join(", "));
            }
            if let (Some(rationale), Some(reviewer)) = (&f.rationale, &f.reviewer) {
                let _ = writeln!(out, "      reviewed by {reviewer}: {rationale}");
            }
        }
    }
    let _ = writeln!(out, "\nYanked crates: {}", report.yanked);
    out
}

/// The report as versioned JSON.
pub fn json(report: &AdvisoryReport) -> String {
    let mut text = serde_json::to_string_pretty(report)
        .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
    text.push('\n');
    text
}

/// Reviews `list` against the database configured for `workspace` (or `option`), with the
/// workspace's dispositions; `Ok(None)` when no database is configured and none is asked for.
pub fn review_workspace(
    workspace: &crate::workspace::Workspace,
    list: &super::SoupList,
    option: Option<&Path>,
    dispositions: Option<&Path>,
    fetch: bool,
) -> Result<Option<AdvisoryReport>, Error> {
    let metadata = &workspace.metadata.workspace_metadata;
    let database = match configured_database(&workspace.root, metadata, option) {
        Some(path) => path,
        None if fetch => fetch_database()?,
        None => return Ok(None),
    };
    let shown = shown_path(workspace, &database);
    let database = open_database(&database, &shown)?;
    let (path, explicit) = dispositions_location(&workspace.root, metadata, dispositions);
    let dispositions = read_dispositions(&path, &shown_path(workspace, &path), explicit)?;
    Ok(Some(review(&database, &shown, &list.crates, &dispositions)))
}

/// Adds the `soup-advisory` gaps to `trace` when `advisory-db` is configured in
/// `[workspace.metadata.iec]` (`cargo iec trace` and `cargo iec test`); nothing otherwise.
#[requirement("TR-ADVISORY-CHECK")]
pub fn apply_configured(
    trace: &mut crate::trace::Trace,
    workspace: &crate::workspace::Workspace,
) -> Result<(), Error> {
    let metadata = &workspace.metadata.workspace_metadata;
    if configured_database(&workspace.root, metadata, None).is_none() {
        return Ok(());
    }
    workspace.resolve()?;
    let roots: Vec<&cargo_metadata::Package> = workspace.selected.iter().collect();
    let list = super::list(
        workspace.graph(),
        &roots,
        &workspace.root,
        crate::environment::rustc(&workspace.root),
        None,
    )?;
    if let Some(report) = review_workspace(workspace, &list, None, None, false)? {
        trace.gaps.extend(report.gaps());
        trace.gaps.sort();
        trace.gaps.dedup();
        trace.summary.gaps = trace.gaps.len();
    }
    Ok(())
}

/// `path` relative to the workspace root when it lies inside it, else as given.
fn shown_path(workspace: &crate::workspace::Workspace, path: &Path) -> String {
    match path.strip_prefix(&workspace.root) {
        Ok(_) => workspace.relative(path),
        Err(_) => path.display().to_string(),
    }
}

/// `cargo iec soup --advisories`.
pub fn run(
    args: &crate::cli::SoupArgs,
    workspace: &crate::workspace::Workspace,
    list: &super::SoupList,
) -> Result<u8, Error> {
    use crate::cli::SoupFormat;
    let policy = crate::policy::Policy::resolve(
        &args.deny,
        &args.warn,
        &workspace.metadata.workspace_metadata,
        &workspace.root.join("Cargo.toml"),
    )?;
    if matches!(args.format, SoupFormat::Csv | SoupFormat::Cyclonedx) {
        return Err(Error::Input(
            "--advisories writes a table or JSON (--format table|json)".to_string(),
        ));
    }
    let Some(report) = review_workspace(
        workspace,
        list,
        args.advisory_db.as_deref(),
        args.dispositions.as_deref(),
        true,
    )?
    else {
        return Err(Error::Input(
            "no advisory database: pass --advisory-db PATH".to_string(),
        ));
    };
    let text = match args.format {
        SoupFormat::Json => json(&report),
        _ => table(&report),
    };
    crate::output::write(args.output.as_deref(), &text)?;
    let denied = report.gaps().iter().filter(|g| policy.denies(g)).count();
    if denied > 0 {
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "error: the policy denies soup-advisory: {denied} unreviewed advisor{} found",
                if denied == 1 { "y" } else { "ies" }
            );
        }
        return Ok(crate::error::exit_code::POLICY_GAPS);
    }
    Ok(crate::error::exit_code::OK)
}
