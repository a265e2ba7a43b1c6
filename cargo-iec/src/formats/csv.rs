//! CSV: the traceability matrix, one row per link, for spreadsheets and QMS imports.

use crate::trace::Trace;

const HEADER: [&str; 15] = [
    "requirement",
    "title",
    "class",
    "verification",
    "status",
    "relation",
    "path",
    "kind",
    "file",
    "line",
    "unit",
    "target",
    "partial",
    "result",
    "duration_ms",
];

/// One row per link (`implemented_by` / `verified_by`); a requirement without links gets one
/// row with an empty relation. `status` is `ok` or the gap kinds of the requirement;
/// `result` and `duration_ms` are filled for verification links when results are joined.
#[iec_runtime::requirement("TR-OUT-CSV")]
pub fn render(trace: &Trace) -> Result<String, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(HEADER)?;
    for requirement in &trace.requirements {
        let mut kinds: Vec<&str> = trace
            .gaps
            .iter()
            .filter(|g| g.requirement.as_deref() == Some(requirement.id.as_str()))
            .map(|g| g.kind.as_str())
            .collect();
        kinds.dedup();
        let status = if kinds.is_empty() {
            "ok".to_string()
        } else {
            kinds.join(" ")
        };
        let class = requirement.class.clone().unwrap_or_default();
        let base = [
            requirement.id.as_str(),
            requirement.title.as_str(),
            class.as_str(),
            requirement.verification.as_str(),
            status.as_str(),
        ];
        let links = requirement
            .implemented_by
            .iter()
            .map(|l| ("implemented_by", l))
            .chain(requirement.verified_by.iter().map(|l| ("verified_by", l)));
        let mut any = false;
        for (relation, link) in links {
            any = true;
            let line = link.line.to_string();
            let result = link.result.map_or("", |r| r.as_str());
            let duration = link
                .duration_ms
                .map_or(String::new(), |d| format!("{:.3}", d.millis()));
            let mut row: Vec<&str> = base.to_vec();
            row.extend([
                relation,
                link.path.as_str(),
                link.kind.as_str(),
                link.file.as_str(),
                line.as_str(),
                link.unit.as_deref().unwrap_or(""),
                link.target.as_deref().unwrap_or(""),
                if link.partial { "true" } else { "false" },
                result,
                duration.as_str(),
            ]);
            writer.write_record(&row)?;
        }
        if !any {
            let mut row: Vec<&str> = base.to_vec();
            row.extend(["", "", "", "", "", "", "", "", "", ""]);
            writer.write_record(&row)?;
        }
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| csv::Error::from(error.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
