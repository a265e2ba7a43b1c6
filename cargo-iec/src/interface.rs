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

/// The public items of `items`, whose module path is `base`, recursing into inline modules.
fn collect(items: &[syn::Item], base: &str, out: &mut Vec<PublicItem>) {
    let push = |name: &syn::Ident, kind: &'static str, out: &mut Vec<PublicItem>| {
        out.push(PublicItem {
            path: format!("{base}::{name}"),
            kind,
            line: line_of(name.span()),
        });
    };
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
            syn::Item::Impl(i) if i.trait_.is_none() => {
                let Some(ty) = type_name(&i.self_ty) else {
                    continue;
                };
                for impl_item in &i.items {
                    if let syn::ImplItem::Fn(f) = impl_item
                        && is_public(&f.vis)
                    {
                        out.push(PublicItem {
                            path: format!("{base}::{ty}::{}", f.sig.ident),
                            kind: "fn",
                            line: line_of(f.sig.ident.span()),
                        });
                    }
                }
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

/// The public interface of `unit`, from `file`.
fn interface(file: &syn::File, unit: &UnitTrace) -> Vec<PublicItem> {
    let mut out = Vec::new();
    let (line, column) = (unit.line, unit.column);
    let parent = unit.path.rsplit_once("::").map_or("", |(parent, _)| parent);
    fn find(items: &[syn::Item], line: u32, column: u32) -> Option<&syn::Item> {
        items.iter().find_map(|item| {
            let hit = match item {
                syn::Item::Mod(m) => at(m.ident.span(), line, column),
                syn::Item::Fn(f) => at(f.sig.ident.span(), line, column),
                syn::Item::Struct(s) => at(s.ident.span(), line, column),
                syn::Item::Enum(e) => at(e.ident.span(), line, column),
                syn::Item::Trait(t) => at(t.ident.span(), line, column),
                syn::Item::Impl(i) => at(i.self_ty.span(), line, column),
                _ => false,
            };
            if hit {
                return Some(item);
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
    match find(&file.items, line, column) {
        Some(syn::Item::Mod(m)) => {
            if let Some((_, items)) = &m.content {
                collect(items, &unit.path, &mut out);
            }
        }
        Some(syn::Item::Impl(i)) => {
            let base = parent.to_string();
            collect(
                std::slice::from_ref(&syn::Item::Impl(i.clone())),
                &base,
                &mut out,
            );
        }
        Some(item) => collect(std::slice::from_ref(item), parent, &mut out),
        // Declared from inside with `module_unit!`: the module containing the call.
        None => {
            let items = module_at(&file.items, line).unwrap_or(&file.items);
            collect(items, &unit.path, &mut out);
        }
    }
    out
}

fn contains(container: &str, path: &str) -> bool {
    path == container
        || path
            .strip_prefix(container)
            .is_some_and(|rest| rest.starts_with("::"))
}

/// Adds an `unannotated-unit` gap for every public item of a unit that traces to nothing.
#[requirement("TR-TRACE-MODEL")]
pub fn apply(trace: &mut Trace, root: &Path, records: &[Record]) {
    let implementations: Vec<&str> = records
        .iter()
        .filter(|r| !r.is_test && matches!(r.declares, Declares::Requirements { .. }))
        .map(|r| r.path.as_str())
        .collect();
    let unit_paths: Vec<&str> = trace.units.iter().map(|u| u.path.as_str()).collect();
    let mut files: BTreeMap<PathBuf, Option<syn::File>> = BTreeMap::new();
    let mut gaps = BTreeSet::new();
    for unit in &trace.units {
        let path = root.join(&unit.file);
        let file = files.entry(path.clone()).or_insert_with(|| {
            let text = std::fs::read_to_string(&path).ok()?;
            syn::parse_file(&text).ok()
        });
        let Some(file) = file else { continue };
        for item in interface(file, unit) {
            // Items of a nested unit are that unit's interface.
            let owner = unit_paths
                .iter()
                .filter(|p| contains(p, &item.path))
                .max_by_key(|p| p.len());
            if owner.is_some_and(|owner| *owner != unit.path) {
                continue;
            }
            let traced = implementations.iter().any(|annotated| {
                contains(annotated, &item.path) || contains(&item.path, annotated)
            });
            if traced {
                continue;
            }
            gaps.insert(Gap {
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
