//! The outline of a source file: the items that matter to the trace and nothing else.
//!
//! Two builders produce it: the fast one in [`super::skeleton`] (our own tokens, item
//! headers only) and the `syn`-based one in [`super::syntax`] (used for function bodies that
//! hold annotations, and for whole files the fast one cannot handle). Both hand source ranges
//! to the readers in [`super::read`] and [`super::header`], so attributes, `use` trees,
//! annotation arguments and impl headers are read by the same code whichever builder found
//! them, and both prune with [`prune`]; tests compare the two outlines.

use crate::record::Declares;

/// A line and column (1-based; the column in chars, like `column!()`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pos {
    pub(crate) line: u32,
    pub(crate) column: u32,
}

/// What an annotation name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum AnnKind {
    /// `#[requirement(...)]`
    Requirement,
    /// `#[software_unit(...)]`
    Unit,
    /// `module_requirement!(...)`
    ModuleRequirement,
    /// `module_unit!(...)`
    ModuleUnit,
    /// `#[problem(...)]`
    Problem,
}

impl AnnKind {
    /// The name iec-runtime exports it under.
    pub(crate) fn canonical(self) -> &'static str {
        match self {
            AnnKind::Requirement => "requirement",
            AnnKind::Unit => "software_unit",
            AnnKind::ModuleRequirement => "module_requirement",
            AnnKind::ModuleUnit => "module_unit",
            AnnKind::Problem => "problem",
        }
    }

    /// The kind for an exported name.
    pub(crate) fn from_canonical(name: &str) -> Option<AnnKind> {
        match name {
            "requirement" => Some(AnnKind::Requirement),
            "software_unit" => Some(AnnKind::Unit),
            "module_requirement" => Some(AnnKind::ModuleRequirement),
            "module_unit" => Some(AnnKind::ModuleUnit),
            "problem" => Some(AnnKind::Problem),
            _ => None,
        }
    }

    pub(crate) fn is_attribute(self) -> bool {
        matches!(
            self,
            AnnKind::Requirement | AnnKind::Unit | AnnKind::Problem
        )
    }

    pub(crate) fn is_requirement(self) -> bool {
        matches!(self, AnnKind::Requirement | AnnKind::ModuleRequirement)
    }
}

/// A path as written: `iec_runtime::requirement`, `::std::vec::Vec`, `super::Foo`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct SimplePath {
    pub(crate) leading_colon: bool,
    pub(crate) segments: Vec<String>,
}

impl SimplePath {
    /// The last segment.
    pub(crate) fn last(&self) -> &str {
        self.segments.last().map_or("", String::as_str)
    }
}

/// A type, as much of it as naming an impl's methods needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    /// A path type, generic arguments dropped.
    Path(SimplePath),
    /// A generic parameter of the impl.
    Param,
    /// `&T`, `&mut T`.
    Ref { mutable: bool, inner: Box<Ty> },
    /// `*const T`, `*mut T`.
    Ptr { mutable: bool, inner: Box<Ty> },
    /// `[T]`.
    Slice(Box<Ty>),
    /// `[T; N]`.
    Array(Box<Ty>, String),
    /// `(A, B)`.
    Tuple(Vec<Ty>),
    /// `dyn Trait`.
    Dyn(SimplePath),
    /// Anything else, as the compiler would print it (whitespace aside).
    Other(String),
}

/// An impl block's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImplHeader {
    /// The self type.
    pub(crate) self_ty: Ty,
    /// The trait, for a trait impl.
    pub(crate) trait_path: Option<SimplePath>,
    /// The self type as the macro records it for an annotated impl: the tokens as written,
    /// normalized like the compiled channel's paths.
    pub(crate) written: String,
    /// Where the self type starts (an annotated impl's line and column).
    pub(crate) pos: Pos,
}

/// An attribute the trace cares about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Attr {
    /// `#[cfg(predicate)]`, the predicate as written (whitespace collapsed).
    Cfg(String),
    /// `#[cfg_attr(predicate, attrs...)]`.
    Conditional { predicate: String, attrs: Vec<Attr> },
    /// `#[path = "..."]`.
    Path(String),
    /// A test attribute: `test`, `tokio::test`, `rstest`, `should_panic`, `ignore`, ...
    Test,
    /// `#[macro_use]`.
    MacroUse,
    /// Possibly an annotation: its last path segment is an annotation name or an alias of one.
    Candidate(Box<Candidate>),
}

/// An attribute or macro that may be an annotation, with its arguments read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    /// The path as written.
    pub(crate) path: SimplePath,
    /// What its name suggests.
    pub(crate) kind: AnnKind,
    /// Where the attribute (its `#`) or the macro invocation starts.
    pub(crate) pos: Pos,
    /// The arguments, or why they are malformed.
    pub(crate) args: Result<Declares, String>,
}

/// One imported name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UseEntry {
    /// The name it binds; `None` for a glob.
    pub(crate) local: Option<String>,
    /// The full path imported (for a glob, the path before `*`).
    pub(crate) path: SimplePath,
}

/// An annotation found where the static channel cannot name the item it will be on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sighting {
    /// Where the attribute or macro starts.
    pub(crate) pos: Pos,
    /// The annotation, when its arguments could be read.
    pub(crate) declares: Option<Declares>,
    /// The text, shortened, for the report.
    pub(crate) text: String,
}

/// Items of a module, a block, an impl or a trait.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Outline {
    /// Inner attributes (`#![...]`) of a file or inline module.
    pub(crate) inner_attrs: Vec<Attr>,
    /// The items, in source order.
    pub(crate) items: Vec<Item>,
}

/// An item with the attributes that matter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) attrs: Vec<Attr>,
    pub(crate) kind: ItemKind,
}

/// What kind of item it is, with the parts the trace needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ItemKind {
    /// `mod name;` (`body` is `None`) or `mod name { ... }`.
    Mod {
        name: String,
        pos: Pos,
        body: Option<Box<Outline>>,
    },
    /// `use ...;`
    Use(Vec<UseEntry>),
    /// `extern crate name as alias;`
    ExternCrate { name: String, alias: Option<String> },
    /// A function; `body` holds the items inside it when the body was looked into.
    Fn {
        name: String,
        pos: Pos,
        has_body: bool,
        body: Option<Box<Outline>>,
    },
    /// A const or static; `body` holds items inside the initializer when looked into.
    Const {
        name: String,
        pos: Pos,
        is_static: bool,
        has_value: bool,
        body: Option<Box<Outline>>,
    },
    /// An impl block; `header` is read only when something in it matters.
    Impl {
        header: Option<Box<ImplHeader>>,
        items: Vec<Item>,
    },
    /// A trait.
    Trait {
        name: String,
        pos: Pos,
        items: Vec<Item>,
    },
    /// `struct`, `enum` or `union`.
    Adt {
        keyword: &'static str,
        name: String,
        pos: Pos,
    },
    /// `type Name = ...;` (an associated type too); `target` when it is a plain path.
    TypeAlias {
        name: String,
        pos: Pos,
        target: Option<SimplePath>,
    },
    /// `macro_rules! name { ... }` with the annotations inside it.
    MacroRules {
        name: String,
        sightings: Vec<Sighting>,
    },
    /// A macro invocation: a module annotation (`module_unit!`), or one whose input holds
    /// annotations.
    MacroCall {
        path: SimplePath,
        pos: Pos,
        module: Option<Box<Candidate>>,
        sightings: Vec<Sighting>,
    },
    /// Something that cannot carry an annotation (`extern` block, trait alias, ...).
    Other {
        what: &'static str,
        pos: Pos,
        sightings: Vec<Sighting>,
    },
}

/// Does this attribute list hold a possible annotation?
pub(crate) fn has_candidate(attrs: &[Attr]) -> bool {
    attrs.iter().any(|a| match a {
        Attr::Candidate(_) => true,
        Attr::Conditional { attrs, .. } => has_candidate(attrs),
        _ => false,
    })
}

/// Drops what cannot produce a record, a finding or a module: the same rule for both
/// builders, so their outlines compare equal.
pub(crate) fn prune(items: &mut Vec<Item>, level: Level) {
    items.retain_mut(|item| keep(item, level));
}

/// Where a list of items is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// A module or block: type names matter for resolving paths.
    Scope,
    /// An impl or trait body.
    Associated,
}

/// Prunes a function body or initializer, and drops it when nothing in it would produce a
/// record, a finding or a module: the fast reader only looks into bodies whose bytes hold
/// an annotation name or a file module, and every such thing holds one of those, so both
/// builders end with the same bodies.
pub(crate) fn keep_body(body: &mut Option<Box<Outline>>) {
    if let Some(outline) = body {
        prune(&mut outline.items, Level::Scope);
        if !outline.items.iter().any(relevant) {
            *body = None;
        }
    }
}

/// Does this item (or anything inside it) produce a record, a finding or a module file?
fn relevant(item: &Item) -> bool {
    if has_candidate(&item.attrs) {
        return true;
    }
    match &item.kind {
        ItemKind::Mod { body: None, .. } => true,
        ItemKind::Mod {
            body: Some(outline),
            ..
        } => outline.items.iter().any(relevant),
        ItemKind::Fn { body, .. } | ItemKind::Const { body, .. } => body.is_some(),
        ItemKind::Impl { items, .. } | ItemKind::Trait { items, .. } => items.iter().any(relevant),
        ItemKind::MacroRules { sightings, .. } | ItemKind::Other { sightings, .. } => {
            !sightings.is_empty()
        }
        ItemKind::MacroCall {
            module, sightings, ..
        } => module.is_some() || !sightings.is_empty(),
        ItemKind::Use(_)
        | ItemKind::ExternCrate { .. }
        | ItemKind::Adt { .. }
        | ItemKind::TypeAlias { .. } => false,
    }
}

pub(crate) fn keep(item: &mut Item, level: Level) -> bool {
    let annotated = has_candidate(&item.attrs);
    match &mut item.kind {
        ItemKind::Mod { body, .. } => {
            if let Some(outline) = body {
                prune(&mut outline.items, Level::Scope);
            }
            true
        }
        ItemKind::Use(_) | ItemKind::ExternCrate { .. } => true,
        ItemKind::Fn { body, .. } | ItemKind::Const { body, .. } => {
            keep_body(body);
            annotated || body.is_some()
        }
        ItemKind::Impl { items, .. } => {
            prune(items, Level::Associated);
            annotated || !items.is_empty()
        }
        ItemKind::Trait { items, .. } => {
            prune(items, Level::Associated);
            annotated || level == Level::Scope || !items.is_empty()
        }
        ItemKind::Adt { .. } | ItemKind::TypeAlias { .. } => annotated || level == Level::Scope,
        ItemKind::MacroRules { sightings, .. } | ItemKind::Other { sightings, .. } => {
            annotated || !sightings.is_empty()
        }
        ItemKind::MacroCall {
            module, sightings, ..
        } => annotated || module.is_some() || !sightings.is_empty(),
    }
}
