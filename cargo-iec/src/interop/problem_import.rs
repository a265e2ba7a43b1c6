//! `cargo iec import problems`: problem reports from an issue tracker's CSV or JSON export,
//! with a column mapping, written as `[[problem]]` entries for the catalogue's
//! `problems = ["problems.toml"]`.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use iec_model::ProblemStatus;
use iec_runtime::requirement;

use crate::error::{Error, exit_code};

/// The fields of a problem report a column can map to.
const FIELDS: [&str; 7] = [
    "id",
    "title",
    "status",
    "criticality",
    "affects",
    "rationale",
    "fixed_in",
];

/// `cargo iec import problems` options.
#[derive(Debug, Args)]
pub struct ProblemImportArgs {
    /// The export: FILE.csv (a header row, then one row per issue) or FILE.json (an array
    /// of objects, or an object with an `issues` array).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Which column (CSV header, or JSON key; `fields.summary` for nested objects) holds
    /// each field: `id=Key,title=Summary,status=Status` are required; `criticality`,
    /// `affects` (requirement IDs, separated by commas, semicolons or spaces), `rationale`
    /// and `fixed_in` are optional.
    #[arg(
        long,
        value_name = "FIELD=COLUMN,...",
        value_delimiter = ',',
        required = true
    )]
    pub map: Vec<String>,
    /// Tracker statuses to problem statuses, e.g. "Done=closed,In Progress=investigating";
    /// a status not mapped must already be open, investigating, resolved, closed or deferred
    /// (in any case).
    #[arg(long, value_name = "STATUS=STATUS,...", value_delimiter = ',')]
    pub status_map: Vec<String>,
    /// Where to write the problem reports (atomically).
    #[arg(short, long, value_name = "FILE", default_value = "problems.toml")]
    pub output: PathBuf,
}

/// One problem report as imported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Imported {
    id: String,
    title: String,
    status: String,
    criticality: Option<String>,
    affects: Vec<String>,
    rationale: Option<String>,
    fixed_in: Option<String>,
}

fn split_pairs(values: &[String], what: &str) -> Result<Vec<(String, String)>, Error> {
    values
        .iter()
        .filter(|v| !v.trim().is_empty())
        .map(|value| {
            value
                .split_once('=')
                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                .filter(|(a, b)| !a.is_empty() && !b.is_empty())
                .ok_or_else(|| Error::Input(format!("{what} {value:?}: write NAME=VALUE")))
        })
        .collect()
}

/// A record of the export: where it is (for messages) and its cells by column.
struct Row {
    place: String,
    cells: BTreeMap<String, String>,
}

fn csv_rows(text: &str, shown: &str) -> Result<(Vec<String>, Vec<Row>), Error> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| Error::Input(format!("{shown}: cannot read the header row: {e}")))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e
                .position()
                .map(|p| format!(":{}", p.line()))
                .unwrap_or_default();
            Error::Input(format!("{shown}{line}: {e}"))
        })?;
        let line = record.position().map_or(0, csv::Position::line);
        rows.push(Row {
            place: format!("{shown}:{line}"),
            cells: headers
                .iter()
                .cloned()
                .zip(record.iter().map(str::to_string))
                .collect(),
        });
    }
    Ok((headers, rows))
}

fn lookup<'a>(value: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    value
        .get(path)
        .or_else(|| path.split('.').try_fold(value, |value, key| value.get(key)))
}

fn json_text(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .filter_map(json_text)
                .collect::<Vec<_>>()
                .join(","),
        ),
        serde_json::Value::Object(map) => map
            .get("name")
            .or_else(|| map.get("value"))
            .or_else(|| map.get("key"))
            .and_then(json_text),
        other => Some(other.to_string()),
    }
}

fn json_rows(text: &str, shown: &str, columns: &[&str]) -> Result<Vec<Row>, Error> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::Input(format!("{shown}:{}:{}: {e}", e.line(), e.column())))?;
    let items = match &value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(map) => match map.get("issues") {
            Some(serde_json::Value::Array(items)) => items,
            _ => {
                return Err(Error::Input(format!(
                    "{shown}: expected an array of issues, or an object with an `issues` array"
                )));
            }
        },
        _ => {
            return Err(Error::Input(format!(
                "{shown}: expected an array of issues, or an object with an `issues` array"
            )));
        }
    };
    Ok(items
        .iter()
        .enumerate()
        .map(|(index, item)| Row {
            place: format!("{shown}: issue [{index}]"),
            cells: columns
                .iter()
                .filter_map(|column| {
                    lookup(item, column)
                        .and_then(json_text)
                        .map(|text| ((*column).to_string(), text))
                })
                .collect(),
        })
        .collect())
}

/// Reads the export into problem reports.
#[requirement("TR-PROBLEM-IMPORT")]
fn import(args: &ProblemImportArgs) -> Result<Vec<Imported>, Error> {
    let shown = args.file.display().to_string();
    let mut map: BTreeMap<&str, String> = BTreeMap::new();
    for (field, column) in split_pairs(&args.map, "--map")? {
        let Some(field) = FIELDS.iter().find(|f| **f == field) else {
            return Err(Error::Input(format!(
                "--map {field}={column}: unknown field `{field}`; fields are {}",
                FIELDS.join(", ")
            )));
        };
        map.insert(field, column);
    }
    for required in ["id", "title", "status"] {
        if !map.contains_key(required) {
            return Err(Error::Input(format!(
                "--map names no column for `{required}`: id, title and status are required, e.g. --map id=Key,title=Summary,status=Status"
            )));
        }
    }
    let statuses: BTreeMap<String, String> = split_pairs(&args.status_map, "--status-map")?
        .into_iter()
        .map(|(from, to)| {
            if ProblemStatus::parse(&to).is_none() {
                return Err(Error::Input(format!(
                    "--status-map {from}={to}: `{to}` is not a problem status; use one of {}",
                    ProblemStatus::NAMES.join(", ")
                )));
            }
            Ok((from.to_lowercase(), to))
        })
        .collect::<Result<_, _>>()?;
    let text = std::fs::read_to_string(&args.file).map_err(|source| Error::Io {
        context: format!("cannot read {shown}"),
        source,
    })?;
    let is_json = args
        .file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let columns: Vec<&str> = map.values().map(String::as_str).collect();
    let rows = if is_json {
        json_rows(&text, &shown, &columns)?
    } else {
        let (headers, rows) = csv_rows(&text, &shown)?;
        for (field, column) in &map {
            if !headers.iter().any(|h| h == column) {
                return Err(Error::Input(format!(
                    "{shown}:1: column {column:?} (mapped to {field}) is not in the header row; its columns are {}",
                    headers
                        .iter()
                        .map(|h| format!("{h:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
        }
        rows
    };
    let mut problems: Vec<Imported> = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for row in rows {
        let cell = |field: &str| -> Option<String> {
            map.get(field)
                .and_then(|column| row.cells.get(column))
                .map(|text| text.trim().to_string())
                .filter(|text| !text.is_empty())
        };
        let missing = |field: &str| {
            Error::Input(format!(
                "{}: column {:?} ({field}) is empty; every problem report needs an id, a title and a status",
                row.place, map[field]
            ))
        };
        let id = cell("id").ok_or_else(|| missing("id"))?;
        if !iec_model::catalogue::is_valid_id(&id) {
            return Err(Error::Input(format!(
                "{}: column {:?}: {id:?} is not a valid ID (ASCII letters, digits and `-_.:/`)",
                row.place, map["id"]
            )));
        }
        if let Some(first) = seen.insert(id.clone(), row.place.clone()) {
            return Err(Error::Input(format!(
                "{}: duplicate problem ID {id:?}, first at {first}",
                row.place
            )));
        }
        let title = cell("title").ok_or_else(|| missing("title"))?;
        let raw_status = cell("status").ok_or_else(|| missing("status"))?;
        let status = statuses
            .get(&raw_status.to_lowercase())
            .cloned()
            .or_else(|| {
                ProblemStatus::parse(&raw_status.to_lowercase()).map(|s| s.as_str().to_string())
            })
            .ok_or_else(|| {
                Error::Input(format!(
                    "{}: column {:?}: status {raw_status:?} is not a problem status ({}); map it with --status-map \"{raw_status}=...\"",
                    row.place,
                    map["status"],
                    ProblemStatus::NAMES.join(", ")
                ))
            })?;
        let mut affects: Vec<String> = cell("affects")
            .map(|text| {
                text.split([',', ';', ' ', '\n', '\t'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        affects.dedup();
        problems.push(Imported {
            id,
            title,
            status,
            criticality: cell("criticality"),
            affects,
            rationale: cell("rationale"),
            fixed_in: cell("fixed_in"),
        });
    }
    problems.sort_by(|a, b| iec_model::catalogue::natural_cmp(&a.id, &b.id));
    Ok(problems)
}

fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// The problem reports as TOML, in ID order.
fn render(problems: &[Imported], source: &str) -> String {
    let mut out = format!(
        "# Problem reports imported from {source} by `cargo iec import problems`.\n# Name this file in the catalogue: problems = [\"<this file>\"].\n"
    );
    for problem in problems {
        out.push_str("\n[[problem]]\n");
        out.push_str(&format!("id = {}\n", quoted(&problem.id)));
        out.push_str(&format!("title = {}\n", quoted(&problem.title)));
        out.push_str(&format!("status = {}\n", quoted(&problem.status)));
        if let Some(criticality) = &problem.criticality {
            out.push_str(&format!("criticality = {}\n", quoted(criticality)));
        }
        if !problem.affects.is_empty() {
            let ids: Vec<String> = problem.affects.iter().map(|a| quoted(a)).collect();
            out.push_str(&format!("affects = [{}]\n", ids.join(", ")));
        }
        if let Some(rationale) = &problem.rationale {
            out.push_str(&format!("rationale = {}\n", quoted(rationale)));
        }
        if let Some(fixed_in) = &problem.fixed_in {
            out.push_str(&format!("fixed_in = {}\n", quoted(fixed_in)));
        }
    }
    out
}

/// `cargo iec import problems`.
#[requirement("TR-PROBLEM-IMPORT")]
pub fn run(args: &ProblemImportArgs) -> Result<u8, Error> {
    let problems = import(args)?;
    let source = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let text = render(&problems, &source);
    crate::output::write(Some(&args.output), &text)?;
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "imported {} problem report{} from {}; wrote {} (affected requirement IDs are checked when the catalogue names it)",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" },
            args.file.display(),
            args.output.display()
        );
    }
    Ok(exit_code::OK)
}
