//! Problem reports (IEC 62304 clause 9; 5.8.2/5.8.3 known residual anomalies): `[[problem]]`
//! entries of the catalogue, or of the files its `problems = [...]` names.
//!
//! ```toml
//! [[problem]]
//! id = "PR-17"
//! title = "Bolus overshoots at maximum rate"
//! status = "resolved"          # open | investigating | resolved | closed | deferred
//! criticality = "safety"       # its effect on safety, performance or security (9.1)
//! affects = ["SRS-12"]         # requirement IDs, checked against the catalogue
//! rationale = "..."            # why an open or deferred problem is acceptable for release
//! fixed_in = "1.4.2"
//! ```

use std::fmt;
use std::path::PathBuf;

/// Where a problem report stands (IEC 62304 9.1 to 9.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemStatus {
    /// Received, not yet investigated.
    Open,
    /// Being investigated.
    Investigating,
    /// Fixed; the fix awaits or has its verification.
    Resolved,
    /// Fixed and verified, or closed without a change.
    Closed,
    /// Not fixed in this release, on purpose.
    Deferred,
}

impl ProblemStatus {
    /// The stable names, in the order they are documented.
    pub const NAMES: [&'static str; 5] =
        ["open", "investigating", "resolved", "closed", "deferred"];

    /// Parses a stable name.
    pub fn parse(text: &str) -> Option<ProblemStatus> {
        match text {
            "open" => Some(ProblemStatus::Open),
            "investigating" => Some(ProblemStatus::Investigating),
            "resolved" => Some(ProblemStatus::Resolved),
            "closed" => Some(ProblemStatus::Closed),
            "deferred" => Some(ProblemStatus::Deferred),
            _ => None,
        }
    }

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemStatus::Open => "open",
            ProblemStatus::Investigating => "investigating",
            ProblemStatus::Resolved => "resolved",
            ProblemStatus::Closed => "closed",
            ProblemStatus::Deferred => "deferred",
        }
    }

    /// Whether the problem is fixed (`resolved` or `closed`): it needs a passing regression
    /// test.
    pub fn is_fixed(self) -> bool {
        matches!(self, ProblemStatus::Resolved | ProblemStatus::Closed)
    }
}

impl fmt::Display for ProblemStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProblemReport {
    /// Unique among problems, e.g. `PR-17`.
    pub id: String,
    /// Short title.
    pub title: String,
    /// Where it stands.
    pub status: ProblemStatus,
    /// Its effect on safety, performance or security (free text, e.g. `safety`, `minor`).
    pub criticality: Option<String>,
    /// The requirements it affects.
    pub affects: Vec<String>,
    /// Why it is acceptable for release while open, investigating or deferred.
    pub rationale: Option<String>,
    /// The release or commit that fixes it.
    pub fixed_in: Option<String>,
    /// The file that defines it.
    pub file: PathBuf,
    /// Line of its table.
    pub line: usize,
}

impl ProblemReport {
    /// The rationale, when it has words.
    pub fn stated_rationale(&self) -> Option<&str> {
        self.rationale
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }
}
