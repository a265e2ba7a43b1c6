//! The records the annotations register: `'static` data built by `const fn`.

/// What an annotation declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotationKind {
    /// `#[requirement(...)]`: the item implements (or, on a test, verifies) requirements.
    Requirement,
    /// `#[software_unit(...)]`: the item is a software unit.
    SoftwareUnit,
    /// `#[problem(...)]`: the test is the regression test of these problem reports.
    Problem,
}

/// The kind of Rust item an annotation is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A function or method.
    Fn,
    /// An `impl` block.
    Impl,
    /// A trait.
    Trait,
    /// A struct.
    Struct,
    /// An enum.
    Enum,
    /// A union.
    Union,
    /// A module (inline, or a file module through `module_unit!`/`module_requirement!`).
    Mod,
    /// A constant.
    Const,
    /// A static.
    Static,
    /// A type alias.
    Type,
}

impl ItemKind {
    /// The Rust keyword of the item kind (`fn`, `impl`, `mod`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            ItemKind::Fn => "fn",
            ItemKind::Impl => "impl",
            ItemKind::Trait => "trait",
            ItemKind::Struct => "struct",
            ItemKind::Enum => "enum",
            ItemKind::Union => "union",
            ItemKind::Mod => "mod",
            ItemKind::Const => "const",
            ItemKind::Static => "static",
            ItemKind::Type => "type",
        }
    }
}

/// Where an annotation is, as the compiler saw it.
#[derive(Debug, Clone, Copy)]
pub struct Site {
    /// `module_path!()` at the item.
    pub module_path: &'static str,
    /// `file!()` at the item.
    pub file: &'static str,
    /// `line!()` of the item's name.
    pub line: u32,
    /// `column!()` of the item's name.
    pub column: u32,
    /// `CARGO_PKG_NAME` of the annotated crate.
    pub package: &'static str,
    /// `CARGO_PKG_VERSION` of the annotated crate.
    pub version: &'static str,
}

/// What `#[software_unit(...)]` declares.
#[derive(Debug, Clone, Copy)]
pub struct UnitDeclaration {
    /// The unit's ID; `None` means its Rust path.
    pub id: Option<&'static str>,
    /// The software item it belongs to.
    pub item: Option<&'static str>,
    /// Its safety class (`"A"`, `"B"`, `"C"`); `None` means the item's class.
    pub class: Option<&'static str>,
    /// Why it may carry a lower class than its item (IEC 62304 5.3.5).
    pub segregation: Option<&'static str>,
}

/// One annotation on one item.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Annotation {
    /// What it declares.
    pub kind: AnnotationKind,
    /// Requirement IDs (empty for a software unit), or problem IDs for a `#[problem]`.
    pub ids: &'static [&'static str],
    /// Qualifiers written after the IDs, e.g. `partial`.
    pub qualifiers: &'static [&'static str],
    /// The unit declaration, for a software unit.
    pub unit: Option<UnitDeclaration>,
    /// The kind of the annotated item.
    pub item_kind: ItemKind,
    /// The item's name as written (empty for a module declared from inside).
    pub item_name: &'static str,
    /// For functions, the compiler's name of a marker inside it, which includes the impl's
    /// type for methods; see [`Annotation::compiler_path`].
    pub marker: Option<fn() -> &'static str>,
    /// Where it is.
    pub site: Site,
    /// Whether the macro saw a test attribute (`#[test]`, `#[tokio::test]`, ...) after it.
    /// A `#[test]` written *before* the annotation expands first and leaves no trace the
    /// macro can see, so `false` does not mean "not a test": `cargo iec` also matches the
    /// item's path against the names the test harness lists.
    pub test_attribute: bool,
}

impl Annotation {
    /// A `#[requirement]` record.
    #[doc(hidden)]
    #[crate::requirement("TR-ANN-IMPL", "TR-ANN-TEST")]
    pub const fn requirement(
        ids: &'static [&'static str],
        qualifiers: &'static [&'static str],
        item_kind: ItemKind,
        item_name: &'static str,
        marker: Option<fn() -> &'static str>,
        site: Site,
        test_attribute: bool,
    ) -> Annotation {
        Annotation {
            kind: AnnotationKind::Requirement,
            ids,
            qualifiers,
            unit: None,
            item_kind,
            item_name,
            marker,
            site,
            test_attribute,
        }
    }

    /// A `#[software_unit]` record.
    #[doc(hidden)]
    #[crate::requirement("TR-ANN-UNIT")]
    pub const fn software_unit(
        unit: UnitDeclaration,
        item_kind: ItemKind,
        item_name: &'static str,
        marker: Option<fn() -> &'static str>,
        site: Site,
    ) -> Annotation {
        Annotation {
            kind: AnnotationKind::SoftwareUnit,
            ids: &[],
            qualifiers: &[],
            unit: Some(unit),
            item_kind,
            item_name,
            marker,
            site,
            test_attribute: false,
        }
    }

    /// A `#[problem]` record: `ids` are problem report IDs.
    #[doc(hidden)]
    #[crate::requirement("TR-PROBLEM-TEST")]
    pub const fn problem(
        ids: &'static [&'static str],
        item_kind: ItemKind,
        item_name: &'static str,
        marker: Option<fn() -> &'static str>,
        site: Site,
        test_attribute: bool,
    ) -> Annotation {
        Annotation {
            kind: AnnotationKind::Problem,
            ids,
            qualifiers: &[],
            unit: None,
            item_kind,
            item_name,
            marker,
            site,
            test_attribute,
        }
    }

    /// The compiler's own path of the item when a marker is available (functions and
    /// methods: `<crate::m::Pump as crate::m::Actuator>::stop::__iec_item_path`), else
    /// `None`; `cargo iec` normalises it to `crate::m::Pump::stop`.
    #[crate::requirement("TR-ANN-PATH")]
    pub fn compiler_path(&self) -> Option<&'static str> {
        self.marker.map(|marker| marker())
    }
}
