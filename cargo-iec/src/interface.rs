//! The public interface of each software unit, read from its source with syn, and the
//! `unannotated-unit` gap: a public fn or type inside a unit that traces to no requirement.
//!
//! A unit's interface is what other units can call: its public functions, types, traits,
//! consts and statics, and the public methods of its inherent impls (trait impls implement
//! the trait's interface, not the unit's). An item is traced when it, an item containing it,
//! or an item inside it (a method of a type) carries an implementation annotation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use iec_runtime::requirement;
use syn::spanned::Spanned;

use crate::record::{Declares, Record};
use crate::trace::contains;
use crate::trace::{Gap, GapKind, Trace, UnitTrace};

/// A public item of a unit's interface.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PublicItem {
    /// Full Rust path.
    pub path: String,
    /// `fn`, `struct`, `enum`, `trait`, `type`, `const`, `static`, `union`.
    pub kind: &'static str,
    /// Line of its name.
    pub line: u32,
}

fn is_public(visibility: &syn::Visibility) -> bool {
    matches!(visibility, syn::Visibility::Public(_))
}

fn line_of(span: proc_macro2::Span) -> u32 {
    u32::try_from(span.start().line).unwrap_or(u32::MAX)
}

fn at(span: proc_macro2::Span, line: u32, column: u32) -> bool {
    let start = span.start();
    start.line == line as usize && start.column + 1 == column as usize
}

fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Path(path) => path.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// Names of the public types (struct, enum, union, trait) declared in `items`.
fn public_types(items: &[syn::Item]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) if is_public(&s.vis) => Some(s.ident.to_string()),
            syn::Item::Enum(e) if is_public(&e.vis) => Some(e.ident.to_string()),
            syn::Item::Union(u) if is_public(&u.vis) => Some(u.ident.to_string()),
            _ => None,
        })
        .collect()
}

/// The public methods and associated consts of an impl block (all of them for a trait
/// impl, whose items are the trait's interface), under `base::Type`.
fn impl_items(i: &syn::ItemImpl, base: &str, out: &mut Vec<PublicItem>) {
    let Some(ty) = type_name(&i.self_ty) else {
        return;
    };
    let trait_impl = i.trait_.is_some();
    for impl_item in &i.items {
        let (name, kind, public) = match impl_item {
            syn::ImplItem::Fn(f) => (&f.sig.ident, "fn", is_public(&f.vis)),
            syn::ImplItem::Const(c) => (&c.ident, "const", is_public(&c.vis)),
            _ => continue,
        };
        if public || trait_impl {
            out.push(PublicItem {
                path: format!("{base}::{ty}::{name}"),
                kind,
                line: line_of(name.span()),
            });
        }
    }
}

/// The public items of `items`, whose module path is `base`, recursing into inline modules:
/// public fns, types, traits, consts and statics, and the public methods and consts of
/// inherent impls of public types declared here.
fn collect(items: &[syn::Item], base: &str, out: &mut Vec<PublicItem>) {
    let push = |name: &syn::Ident, kind: &'static str, out: &mut Vec<PublicItem>| {
        out.push(PublicItem {
            path: format!("{base}::{name}"),
            kind,
            line: line_of(name.span()),
        });
    };
    let types = public_types(items);
    for item in items {
        match item {
            syn::Item::Fn(f) if is_public(&f.vis) => push(&f.sig.ident, "fn", out),
            syn::Item::Struct(s) if is_public(&s.vis) => push(&s.ident, "struct", out),
            syn::Item::Enum(e) if is_public(&e.vis) => push(&e.ident, "enum", out),
            syn::Item::Union(u) if is_public(&u.vis) => push(&u.ident, "union", out),
            syn::Item::Trait(t) if is_public(&t.vis) => push(&t.ident, "trait", out),
            syn::Item::Type(t) if is_public(&t.vis) => push(&t.ident, "type", out),
            syn::Item::Const(c) if is_public(&c.vis) => push(&c.ident, "const", out),
            syn::Item::Static(s) if is_public(&s.vis) => push(&s.ident, "static", out),
            syn::Item::Impl(i)
                if i.trait_.is_none()
                    && type_name(&i.self_ty).is_some_and(|ty| types.contains(&ty)) =>
            {
                impl_items(i, base, out);
            }
            syn::Item::Mod(m) if is_public(&m.vis) => {
                if let Some((_, items)) = &m.content {
                    collect(items, &format!("{base}::{}", m.ident), out);
                }
            }
            _ => {}
        }
    }
}

/// A unit declared on a type: the type, and the inherent impls of it beside it.
fn type_unit(siblings: &[syn::Item], item: &syn::Item, base: &str, out: &mut Vec<PublicItem>) {
    collect(std::slice::from_ref(item), base, out);
    let name = match item {
        syn::Item::Struct(s) => s.ident.to_string(),
        syn::Item::Enum(e) => e.ident.to_string(),
        syn::Item::Union(u) => u.ident.to_string(),
        _ => return,
    };
    for sibling in siblings {
        if let syn::Item::Impl(i) = sibling
            && i.trait_.is_none()
            && type_name(&i.self_ty).as_deref() == Some(name.as_str())
        {
            impl_items(i, base, out);
        }
    }
}

/// The innermost inline module of `items` that contains `line`, with its items.
fn module_at(items: &[syn::Item], line: u32) -> Option<&[syn::Item]> {
    items.iter().find_map(|item| match item {
        syn::Item::Mod(m) => {
            let (_, inner) = m.content.as_ref()?;
            let span = m.span();
            let inside = span.start().line <= line as usize && line as usize <= span.end().line;
            inside.then(|| module_at(inner, line).unwrap_or(inner.as_slice()))
        }
        _ => None,
    })
}

/// The item whose name starts at `line`:`column`, with the items beside it.
fn find(items: &[syn::Item], line: u32, column: u32) -> Option<(&[syn::Item], &syn::Item)> {
    items.iter().find_map(|item| {
        let hit = match item {
            syn::Item::Mod(m) => at(m.ident.span(), line, column),
            syn::Item::Fn(f) => at(f.sig.ident.span(), line, column),
            syn::Item::Struct(s) => at(s.ident.span(), line, column),
            syn::Item::Enum(e) => at(e.ident.span(), line, column),
            syn::Item::Union(u) => at(u.ident.span(), line, column),
            syn::Item::Trait(t) => at(t.ident.span(), line, column),
            syn::Item::Impl(i) => at(i.self_ty.span(), line, column),
            _ => false,
        };
        if hit {
            return Some((items, item));
        }
        match item {
            syn::Item::Mod(m) => m
                .content
                .as_ref()
                .and_then(|(_, inner)| find(inner, line, column)),
            _ => None,
        }
    })
}

/// The public interface of `unit`, from `file`.
fn interface(file: &syn::File, unit: &UnitTrace) -> Vec<PublicItem> {
    let mut out = Vec::new();
    let parent = unit.path.rsplit_once("::").map_or("", |(parent, _)| parent);
    match find(&file.items, unit.line, unit.column) {
        Some((_, syn::Item::Mod(m))) => {
            if let Some((_, items)) = &m.content {
                collect(items, &unit.path, &mut out);
            }
        }
        // An impl unit is `module::Type`: its items are that impl's, whatever their
        // visibility for a trait impl.
        Some((_, syn::Item::Impl(i))) => impl_items(i, parent, &mut out),
        Some((siblings, item)) => type_unit(siblings, item, parent, &mut out),
        // Declared from inside with `module_unit!`: the module containing the call.
        None => {
            let items = module_at(&file.items, unit.line).unwrap_or(&file.items);
            collect(items, &unit.path, &mut out);
        }
    }
    out
}

/// Adds an `unannotated-unit` gap for every public item of a unit that traces to nothing.
#[requirement("TR-TRACE-MODEL")]
pub fn apply(trace: &mut Trace, root: &Path, records: &[Record]) {
    let implementations: Vec<&str> = records
        .iter()
        .filter(|r| !r.is_test && matches!(r.declares, Declares::Requirements { .. }))
        .map(|r| r.path.as_str())
        .collect();
    let mut files: BTreeMap<PathBuf, Option<syn::File>> = BTreeMap::new();
    let interfaces: Vec<Vec<PublicItem>> = trace
        .units
        .iter()
        .map(|unit| {
            let path = root.join(&unit.file);
            let file = files.entry(path.clone()).or_insert_with(|| {
                let text = std::fs::read_to_string(&path).ok()?;
                syn::parse_file(&text).ok()
            });
            file.as_ref()
                .map(|file| interface(file, unit))
                .unwrap_or_default()
        })
        .collect();
    // An item listed by several units (a module unit and a type or impl unit inside it)
    // belongs to the innermost of them.
    let mut owner: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, items) in interfaces.iter().enumerate() {
        for item in items {
            let entry = owner.entry(item.path.as_str()).or_insert(index);
            if trace.units[index].path.len() > trace.units[*entry].path.len() {
                *entry = index;
            }
        }
    }
    let mut gaps = BTreeSet::new();
    for (index, unit) in trace.units.iter().enumerate() {
        for item in &interfaces[index] {
            if owner.get(item.path.as_str()) != Some(&index) {
                continue;
            }
            let traced = implementations.iter().any(|annotated| {
                contains(annotated, &item.path) || contains(&item.path, annotated)
            });
            if traced {
                continue;
            }
            gaps.insert(Gap {
                problem: None,
                advisory: None,
                kind: GapKind::UnannotatedUnit,
                requirement: None,
                unit: Some(unit.id.clone()),
                class: Some(unit.class.clone()),
                path: Some(item.path.clone()),
                file: Some(unit.file.clone()),
                line: Some(item.line),
                message: format!(
                    "public {} {} traces to no requirement: annotate it, or make it private if it is not the unit's interface",
                    item.kind, item.path
                ),
            });
        }
    }
    trace.gaps.extend(gaps);
    trace.gaps.sort();
    trace.gaps.dedup();
    trace.summary.gaps = trace.gaps.len();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(path: &str, line: u32, column: u32) -> UnitTrace {
        UnitTrace {
            id: "SU".to_string(),
            path: path.to_string(),
            kind: "mod".to_string(),
            item: None,
            class: "C".to_string(),
            class_source: "default",
            segregation: None,
            file: "src/lib.rs".to_string(),
            line,
            column,
            requirements: Vec::new(),
            coverage: None,
        }
    }

    const SOURCE: &str = "pub mod dose {\n    pub fn bolus() {}\n    fn private() {}\n    pub struct Pump;\n    impl Pump {\n        pub fn start(&self) {}\n        fn helper(&self) {}\n    }\n    impl Drop for Pump {\n        fn drop(&mut self) {}\n    }\n}\n";

    #[test]
    #[requirement("TR-TRACE-MODEL")]
    fn the_interface_of_an_inline_module_unit_is_its_public_items_and_methods() {
        let file = syn::parse_file(SOURCE).unwrap();
        let paths: Vec<String> = interface(&file, &unit("c::dose", 1, 9))
            .into_iter()
            .map(|i| i.path)
            .collect();
        assert_eq!(
            paths,
            ["c::dose::bolus", "c::dose::Pump", "c::dose::Pump::start"]
        );
    }

    const TYPES: &str = "pub struct Monitor;\nimpl Monitor {\n    pub const LIMIT: u32 = 3;\n    pub fn new() -> Self { Monitor }\n    fn private(&self) {}\n}\nimpl Clone for Monitor {\n    fn clone(&self) -> Self { Monitor }\n}\nstruct Hidden;\nimpl Hidden {\n    pub fn visible_nowhere(&self) {}\n}\n";

    fn paths(file: &syn::File, unit: &UnitTrace) -> Vec<String> {
        interface(file, unit).into_iter().map(|i| i.path).collect()
    }

    #[test]
    #[requirement("TR-TRACE-MODEL")]
    fn a_type_unit_includes_its_inherent_methods_and_consts() {
        let file = syn::parse_file(TYPES).unwrap();
        assert_eq!(
            paths(&file, &unit("c::m::Monitor", 1, 12)),
            [
                "c::m::Monitor",
                "c::m::Monitor::LIMIT",
                "c::m::Monitor::new"
            ]
        );
    }

    #[test]
    #[requirement("TR-TRACE-MODEL")]
    fn a_trait_impl_unit_is_the_trait_impl_s_items() {
        let file = syn::parse_file(TYPES).unwrap();
        assert_eq!(
            paths(&file, &unit("c::m::Monitor", 7, 16)),
            ["c::m::Monitor::clone"]
        );
    }

    #[test]
    #[requirement("TR-TRACE-MODEL")]
    fn methods_of_private_types_are_not_interface() {
        let file = syn::parse_file(TYPES).unwrap();
        let all = paths(&file, &unit("c::m", 1, 1));
        assert!(!all.iter().any(|p| p.contains("Hidden")), "{all:?}");
        assert!(all.contains(&"c::m::Monitor::LIMIT".to_string()), "{all:?}");
    }

    #[test]
    #[requirement("TR-TRACE-MODEL")]
    fn a_module_unit_declared_from_inside_covers_the_file() {
        let file =
            syn::parse_file("iec_runtime::module_unit!(id = \"SU\");\npub fn a() {}\nfn b() {}\n")
                .unwrap();
        let paths: Vec<String> = interface(&file, &unit("c::m", 1, 1))
            .into_iter()
            .map(|i| i.path)
            .collect();
        assert_eq!(paths, ["c::m::a"]);
    }
}
