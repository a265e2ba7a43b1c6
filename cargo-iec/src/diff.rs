//! `cargo iec diff OLD NEW`: what changed between two releases, each an evidence bundle
//! or a git revision traced by the static channel (docs/diff-json.md).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use iec_runtime::requirement;
use serde::Serialize;
use serde_json::Value;

use crate::cli::PackageSelection;
use crate::error::{Error, exit_code};
use crate::git::Repository;
use crate::impact::natural;
use crate::impact::side::Side;
use crate::workspace::Workspace;

/// The version of the diff JSON.
pub const SCHEMA: &str = "iec-trace/diff/v1";

/// Formats of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Aligned text for people.
    Table,
    /// Versioned JSON (schema iec-trace/diff/v1, docs/diff-json.md).
    Json,
    /// Markdown, for release notes and change records.
    Markdown,
}

/// `cargo iec diff` options.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The older release: an evidence bundle directory or a git revision.
    #[arg(value_name = "OLD")]
    pub old: String,
    /// The newer release: an evidence bundle directory or a git revision.
    #[arg(value_name = "NEW")]
    pub new: String,
    /// Which packages (for revisions).
    #[command(flatten)]
    pub selection: PackageSelection,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    pub format: DiffFormat,
    /// Write the output to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// One release as compared.
struct Release {
    source: Source,
    trace: Value,
    soup: Value,
    /// Requirement text hashes (revisions only: a bundle's trace holds no text).
    text: Option<BTreeMap<String, String>>,
}

/// Where a side comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Source {
    /// `bundle` or `revision`.
    pub kind: &'static str,
    /// The argument as given.
    pub name: String,
    /// The commit (a revision's, or the one the bundle's environment.json records).
    pub commit: Option<String>,
}

/// A changed field.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldChange {
    /// The field.
    pub field: String,
    /// Its old value.
    pub old: Value,
    /// Its new value.
    pub new: Value,
}

/// An entry whose fields changed.
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    /// What changed (requirement ID, test path, crate name, unit ID, link).
    pub id: String,
    /// The fields.
    pub changes: Vec<FieldChange>,
}

/// Added, removed and changed entries.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Section {
    /// Only in NEW.
    pub added: Vec<Value>,
    /// Only in OLD.
    pub removed: Vec<Value>,
    /// In both, different.
    pub changed: Vec<Changed>,
    /// Why the section is empty or partial, when it is.
    pub note: Option<String>,
}

/// The comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The older release.
    pub old: Source,
    /// The newer release.
    pub new: Source,
    /// Requirements (`added`/`removed`: {id, title, class}; `changed`: title, class,
    /// parent, verification, text).
    pub requirements: Section,
    /// Links ({requirement, relation, path}).
    pub links: Section,
    /// Test results by test path.
    pub results: Section,
    /// SOUP crates ({name, version}).
    pub soup: Section,
    /// Problem reports.
    pub problems: Section,
    /// Unit classes ({id, class}).
    pub classes: Section,
}

fn read_json(path: &Path, what: &str) -> Result<Value, Error> {
    let text = std::fs::read_to_string(path).map_err(|error| {
        Error::Input(format!(
            "{}: cannot read the bundle's {what} ({error}); is it an evidence bundle written by `cargo iec test`?",
            path.display()
        ))
    })?;
    serde_json::from_str(&text).map_err(|error| {
        Error::Input(format!(
            "{}:{}:{}: not valid JSON ({error}); the bundle is damaged (check it with `cargo iec verify`)",
            path.display(),
            error.line(),
            error.column()
        ))
    })
}

/// Reads an evidence bundle.
#[requirement("TR-DIFF-SIDES")]
fn bundle(path: &Path, name: &str) -> Result<Release, Error> {
    let trace = read_json(&path.join("trace.json"), "trace")?;
    let schema = trace.get("schema").and_then(Value::as_str).unwrap_or("");
    if schema != crate::trace::SCHEMA {
        return Err(Error::Input(format!(
            "{}: schema `{schema}`, but this cargo-iec reads {}; not a bundle it can compare",
            path.join("trace.json").display(),
            crate::trace::SCHEMA
        )));
    }
    let soup = read_json(&path.join("soup.json"), "SOUP list")?;
    let environment = read_json(&path.join("environment.json"), "environment")?;
    let commit = environment
        .pointer("/source/commit")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(Release {
        source: Source {
            kind: "bundle",
            name: name.to_string(),
            commit,
        },
        trace,
        soup,
        text: None,
    })
}

/// Traces a revision.
#[requirement("TR-DIFF-SIDES")]
fn revision(repository: &Repository, current: &Workspace, name: &str) -> Result<Release, Error> {
    let commit = repository.commit(name)?;
    let side = Side::revision(repository, name, &commit, current)?;
    let roots: Vec<&cargo_metadata::Package> = side.workspace.selected.iter().collect();
    let soup = crate::soup::list(
        &side.workspace.metadata,
        &roots,
        &side.workspace.root,
        crate::environment::rustc(&side.workspace.root),
        None,
    )?;
    let text = side
        .catalogue
        .requirements
        .iter()
        .map(|r| {
            (
                r.id.clone(),
                crate::review::requirement_hash(&r.title, &r.text),
            )
        })
        .collect();
    Ok(Release {
        source: Source {
            kind: "revision",
            name: name.to_string(),
            commit: Some(commit),
        },
        trace: serde_json::to_value(&side.trace).unwrap_or(Value::Null),
        soup: serde_json::to_value(&soup).unwrap_or(Value::Null),
        text: Some(text),
    })
}

fn array<'v>(value: &'v Value, key: &str) -> &'v [Value] {
    value
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn text(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// Compares two keyed maps of objects field by field.
fn compare(
    old: &BTreeMap<String, Value>,
    new: &BTreeMap<String, Value>,
    fields: &[&str],
) -> Section {
    let mut section = Section::default();
    for (id, value) in new {
        match old.get(id) {
            None => section.added.push(value.clone()),
            Some(before) => {
                let changes: Vec<FieldChange> = fields
                    .iter()
                    .filter(|f| before.get(**f) != value.get(**f))
                    .map(|f| FieldChange {
                        field: (*f).to_string(),
                        old: before.get(*f).cloned().unwrap_or(Value::Null),
                        new: value.get(*f).cloned().unwrap_or(Value::Null),
                    })
                    .collect();
                if !changes.is_empty() {
                    section.changed.push(Changed {
                        id: id.clone(),
                        changes,
                    });
                }
            }
        }
    }
    for (id, value) in old {
        if !new.contains_key(id) {
            section.removed.push(value.clone());
        }
    }
    section
}

fn requirements(release: &Release) -> BTreeMap<String, Value> {
    array(&release.trace, "requirements")
        .iter()
        .map(|r| {
            let id = text(r, "id");
            let mut entry = serde_json::json!({
                "id": id,
                "title": r.get("title").cloned().unwrap_or(Value::Null),
                "class": r.get("class").cloned().unwrap_or(Value::Null),
                "parent": r.get("parent").cloned().unwrap_or(Value::Null),
                "verification": r.get("verification").cloned().unwrap_or(Value::Null),
            });
            if let Some(hashes) = &release.text {
                entry["text"] = hashes.get(&id).cloned().map_or(Value::Null, Value::String);
            }
            (id, entry)
        })
        .collect()
}

fn links(release: &Release) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for requirement in array(&release.trace, "requirements") {
        let id = text(requirement, "id");
        for (key, relation) in [
            ("implemented_by", "implements"),
            ("verified_by", "verifies"),
        ] {
            for link in array(requirement, key) {
                let path = text(link, "path");
                out.insert(
                    format!("{id} {relation} {path}"),
                    serde_json::json!({
                        "requirement": id,
                        "relation": relation,
                        "path": path,
                        "partial": link.get("partial").cloned().unwrap_or(Value::Null),
                    }),
                );
            }
        }
    }
    out
}

/// Each verifying test's result (the worst over its links).
fn results(release: &Release) -> BTreeMap<String, Value> {
    let rank = |r: &str| match r {
        "failed" => 3,
        "not-run" => 2,
        "ignored" => 1,
        _ => 0,
    };
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for requirement in array(&release.trace, "requirements") {
        for link in array(requirement, "verified_by") {
            let result = text(link, "result");
            let slot = out.entry(text(link, "path")).or_default();
            if slot.is_empty() || rank(&result) > rank(slot) {
                *slot = result;
            }
        }
    }
    out.into_iter()
        .map(|(path, result)| {
            let value = serde_json::json!({ "path": path, "result": result });
            (path, value)
        })
        .collect()
}

fn soup(release: &Release) -> BTreeMap<String, Value> {
    let mut versions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for krate in array(&release.soup, "crates") {
        versions
            .entry(text(krate, "name"))
            .or_default()
            .insert(text(krate, "version"));
    }
    versions
        .into_iter()
        .map(|(name, versions)| {
            let version = versions.into_iter().collect::<Vec<_>>().join(", ");
            let value = serde_json::json!({ "name": name, "version": version });
            (name, value)
        })
        .collect()
}

fn classes(release: &Release) -> BTreeMap<String, Value> {
    array(&release.trace, "units")
        .iter()
        .map(|u| {
            let id = text(u, "id");
            let value = serde_json::json!({ "id": id, "class": u.get("class").cloned().unwrap_or(Value::Null) });
            (id, value)
        })
        .collect()
}

/// Problem reports by ID (opened: added, or a status change; closed: a status change),
/// with the paths of their regression tests.
fn problems(release: &Release) -> BTreeMap<String, Value> {
    array(&release.trace, "problems")
        .iter()
        .map(|problem| {
            let id = text(problem, "id");
            let field = |name: &str| problem.get(name).cloned().unwrap_or(Value::Null);
            let tests: Vec<Value> = array(problem, "regression_tests")
                .iter()
                .map(|test| Value::String(text(test, "path")))
                .collect();
            let value = serde_json::json!({
                "id": id,
                "title": field("title"),
                "status": field("status"),
                "criticality": field("criticality"),
                "affects": field("affects"),
                "rationale": field("rationale"),
                "fixed_in": field("fixed_in"),
                "regression_tests": tests,
            });
            (id, value)
        })
        .collect()
}

fn sort_section(section: &mut Section, key: &str) {
    let id = |v: &Value| text(v, key);
    section.added.sort_by(|a, b| natural(&id(a), &id(b)));
    section.removed.sort_by(|a, b| natural(&id(a), &id(b)));
    section.changed.sort_by(|a, b| natural(&a.id, &b.id));
}

/// Compares two releases.
#[requirement("TR-DIFF-SECTIONS")]
fn compare_releases(old: &Release, new: &Release) -> Diff {
    let mut requirement_fields = vec!["title", "class", "parent", "verification"];
    let texts = old.text.is_some() && new.text.is_some();
    if texts {
        requirement_fields.push("text");
    }
    let mut requirements = compare(&requirements(old), &requirements(new), &requirement_fields);
    if !texts {
        requirements.note = Some(
            "requirement text is compared only between revisions (a bundle's trace holds titles, not texts)".to_string(),
        );
    }
    sort_section(&mut requirements, "id");
    let mut links = compare(&links(old), &links(new), &["partial"]);
    sort_section(&mut links, "requirement");
    let with_results = |r: &Release| r.trace.get("results").is_some_and(|v| !v.is_null());
    let mut results = if with_results(old) && with_results(new) {
        compare(&results(old), &results(new), &["result"])
    } else {
        Section {
            note: Some(
                "test results are compared between evidence bundles only (a revision has no run)"
                    .to_string(),
            ),
            ..Section::default()
        }
    };
    sort_section(&mut results, "path");
    let mut soup = compare(&soup(old), &soup(new), &["version"]);
    sort_section(&mut soup, "name");
    let mut classes = compare(&classes(old), &classes(new), &["class"]);
    sort_section(&mut classes, "id");
    let mut problems = compare(
        &problems(old),
        &problems(new),
        &[
            "title",
            "status",
            "criticality",
            "affects",
            "rationale",
            "fixed_in",
            "regression_tests",
        ],
    );
    sort_section(&mut problems, "id");
    Diff {
        schema: SCHEMA,
        old: old.source.clone(),
        new: new.source.clone(),
        requirements,
        links,
        results,
        soup,
        problems,
        classes,
    }
}

/// Runs `cargo iec diff`.
#[requirement("TR-DIFF-CLI")]
pub fn run(args: &DiffArgs) -> Result<u8, Error> {
    let mut repository: Option<(Repository, Workspace)> = None;
    let mut side = |name: &str| -> Result<Release, Error> {
        let path = Path::new(name);
        if path.is_dir() {
            return bundle(path, name);
        }
        if repository.is_none() {
            let current = Workspace::load(&args.selection)?;
            let found = Repository::discover(&current.root).map_err(|error| {
                Error::Input(format!(
                    "`{name}` is not an evidence bundle directory, and {error}"
                ))
            })?;
            repository = Some((found, current));
        }
        let Some((found, current)) = &repository else {
            return Err(Error::Input("no repository".to_string()));
        };
        if !found.is_commit(name) {
            return Err(Error::Input(format!(
                "`{name}` is neither an evidence bundle directory nor a revision of the git repository at {}: give a bundle written by `cargo iec test` or a branch, tag or commit",
                found.top.display()
            )));
        }
        revision(found, current, name)
    };
    let old = side(&args.old)?;
    let new = side(&args.new)?;
    let diff = compare_releases(&old, &new);
    let text = match args.format {
        DiffFormat::Json => {
            let mut text = serde_json::to_string_pretty(&diff)
                .unwrap_or_else(|error| format!("{{\"error\": \"{error}\"}}"));
            text.push('\n');
            text
        }
        DiffFormat::Table => table(&diff),
        DiffFormat::Markdown => markdown(&diff),
    };
    crate::output::write(args.output.as_deref(), &text)?;
    Ok(exit_code::OK)
}

/// One entry for people: the fields that name it, in reading order.
fn describe(section: &str, value: &Value) -> String {
    let fields: &[&str] = match section {
        "requirements" => &["id", "title", "class"],
        "links" => &["path", "relation", "requirement"],
        "results" => &["path", "result"],
        "soup" => &["name", "version"],
        _ => &["id", "class"],
    };
    fields
        .iter()
        .filter_map(|f| match value.get(*f) {
            Some(Value::String(s)) if *f == "class" => Some(format!("(class {s})")),
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn short(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "none".to_string(),
        other => other.to_string(),
    }
}

fn sections(diff: &Diff) -> [(&'static str, &Section); 6] {
    [
        ("requirements", &diff.requirements),
        ("links", &diff.links),
        ("results", &diff.results),
        ("soup", &diff.soup),
        ("problems", &diff.problems),
        ("classes", &diff.classes),
    ]
}

fn source(source: &Source) -> String {
    match &source.commit {
        Some(commit) => format!(
            "{} {} ({})",
            source.kind,
            source.name,
            &commit[..commit.len().min(12)]
        ),
        None => format!("{} {}", source.kind, source.name),
    }
}

fn changes(changed: &Changed) -> String {
    changed
        .changes
        .iter()
        .map(|c| {
            if c.field == "text" {
                "text changed".to_string()
            } else {
                format!("{}: {} -> {}", c.field, short(&c.old), short(&c.new))
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn table(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "old: {}\nnew: {}",
        source(&diff.old),
        source(&diff.new)
    );
    for (name, section) in sections(diff) {
        let count = section.added.len() + section.removed.len() + section.changed.len();
        let _ = writeln!(out, "\n{name} ({count}):");
        for value in &section.added {
            let _ = writeln!(out, "  added    {}", describe(name, value));
        }
        for value in &section.removed {
            let _ = writeln!(out, "  removed  {}", describe(name, value));
        }
        for changed in &section.changed {
            let _ = writeln!(out, "  changed  {}: {}", changed.id, changes(changed));
        }
        if let Some(note) = &section.note {
            let _ = writeln!(out, "  ({note})");
        }
    }
    out
}

fn markdown(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## Release comparison\n\n- old: {}\n- new: {}\n",
        source(&diff.old),
        source(&diff.new)
    );
    for (name, section) in sections(diff) {
        let _ = writeln!(out, "### {name}\n");
        if section.added.is_empty() && section.removed.is_empty() && section.changed.is_empty() {
            let _ = writeln!(out, "No change.");
        } else {
            let _ = writeln!(out, "| | what | change |\n|---|---|---|");
            for value in &section.added {
                let _ = writeln!(
                    out,
                    "| added | {} | |",
                    describe(name, value).replace('|', "\\|")
                );
            }
            for value in &section.removed {
                let _ = writeln!(
                    out,
                    "| removed | {} | |",
                    describe(name, value).replace('|', "\\|")
                );
            }
            for changed in &section.changed {
                let _ = writeln!(
                    out,
                    "| changed | {} | {} |",
                    changed.id.replace('|', "\\|"),
                    changes(changed).replace('|', "\\|")
                );
            }
        }
        if let Some(note) = &section.note {
            let _ = writeln!(out, "\n_{note}_");
        }
        out.push('\n');
    }
    out
}
