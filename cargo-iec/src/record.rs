//! An annotation as the trace uses it, whichever channel saw it.

use serde::Serialize;

/// What an annotation declares.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Declares {
    /// `#[requirement(...)]`: implements, or (on a test) verifies, these IDs.
    Requirements {
        /// The IDs, as written.
        ids: Vec<String>,
        /// Qualifiers such as `partial`.
        qualifiers: Vec<String>,
    },
    /// `#[software_unit(...)]`.
    Unit(UnitDeclaration),
    /// `#[problem(...)]` on a test: the regression test of these problem reports.
    Problems {
        /// The problem IDs, as written.
        ids: Vec<String>,
    },
}

/// The arguments of `#[software_unit(...)]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnitDeclaration {
    /// Declared ID; `None` means the unit's Rust path.
    pub id: Option<String>,
    /// The software item it belongs to.
    pub item: Option<String>,
    /// Declared class.
    pub class: Option<String>,
    /// Rationale for a class lower than the item's.
    pub segregation: Option<String>,
}

/// Which compiled target a record came from (for tests: the binary that runs them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TargetRef {
    /// Package name.
    pub package: String,
    /// Target kind: `lib`, `bin`, `test`, `example`.
    pub kind: String,
    /// Target name.
    pub name: String,
}

impl std::fmt::Display for TargetRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.kind == "lib" {
            write!(f, "{} (lib)", self.package)
        } else {
            write!(f, "{} ({} \"{}\")", self.package, self.kind, self.name)
        }
    }
}

/// The kind label the trace gives a cargo target: `lib` (any library crate type), `bin`,
/// `example`, `bench` or `test`; `None` for build scripts and unknown kinds.
pub fn target_kind(kinds: &[cargo_metadata::TargetKind]) -> Option<&'static str> {
    use cargo_metadata::TargetKind;
    if kinds.iter().any(|k| {
        matches!(
            k,
            TargetKind::Lib
                | TargetKind::RLib
                | TargetKind::DyLib
                | TargetKind::ProcMacro
                | TargetKind::CDyLib
                | TargetKind::StaticLib
        )
    }) {
        Some("lib")
    } else if kinds.contains(&TargetKind::Bin) {
        Some("bin")
    } else if kinds.contains(&TargetKind::Example) {
        Some("example")
    } else if kinds.contains(&TargetKind::Bench) {
        Some("bench")
    } else if kinds.contains(&TargetKind::Test) {
        Some("test")
    } else {
        None
    }
}

/// One annotation on one item.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Record {
    /// The item's full Rust path: `infusion_pump::dose::compute_bolus`,
    /// `infusion_pump::pump::Pump::start`, a test as `crate::module::test`.
    pub path: String,
    /// What the annotation declares.
    pub declares: Declares,
    /// `fn`, `impl`, `mod`, ...
    pub item_kind: String,
    /// Source file, relative to the workspace root, `/`-separated.
    pub file: String,
    /// Line of the item's name.
    pub line: u32,
    /// Column of the item's name.
    pub column: u32,
    /// The package that contains it.
    pub package: String,
    /// Whether the item is a test (so a requirement annotation verifies).
    pub is_test: bool,
    /// The target it was registered in (compiled channel) or whose sources hold it (static).
    pub target: TargetRef,
    /// The `cfg` conditions the item sits under, as written (`test`, `feature = "x"`),
    /// joined with ` && `; only the static channel knows them (`None` when unconditional or
    /// when the compiled channel saw it, since the compiler already resolved them).
    pub cfg: Option<String>,
}

/// A record for unit tests: `path` implements `id` in the library of package `p`, at
/// `file:line:8`, under `cfg`.
#[cfg(test)]
pub(crate) fn test_record(
    path: &str,
    id: &str,
    file: &str,
    line: u32,
    cfg: Option<&str>,
) -> Record {
    Record {
        path: path.to_string(),
        declares: Declares::Requirements {
            ids: vec![id.to_string()],
            qualifiers: Vec::new(),
        },
        item_kind: "fn".to_string(),
        file: file.to_string(),
        line,
        column: 8,
        package: "p".to_string(),
        is_test: false,
        target: TargetRef {
            package: "p".to_string(),
            kind: "lib".to_string(),
            name: "p".to_string(),
        },
        cfg: cfg.map(str::to_string),
    }
}
