//! The lines an annotated item covers in its source file, read with syn: a function or
//! method, an impl block, a type with the impl blocks of that type in the same file, an
//! inline module, or a whole file for a module declared with `module_unit!` /
//! `module_requirement!`. Tests (`#[test]` functions, `#[cfg(test)]` modules) are cut out:
//! a unit's coverage is that of its code, not of its tests.

use std::collections::BTreeMap;
use std::path::Path;

use iec_runtime::requirement;
use syn::spanned::Spanned;

/// A line range, inclusive.
pub type Lines = (u32, u32);

#[derive(Debug, Clone)]
struct ItemSpan {
    kind: &'static str,
    name: String,
    /// The line of the name.
    line: u32,
    start: u32,
    end: u32,
}

/// The items of one file.
#[derive(Debug, Clone, Default)]
pub struct FileItems {
    items: Vec<ItemSpan>,
    /// Tests and `#[cfg(test)]` code.
    tests: Vec<Lines>,
    /// The file's last line.
    last_line: u32,
}

fn span_lines(span: proc_macro2::Span) -> Lines {
    (
        u32::try_from(span.start().line).unwrap_or(u32::MAX),
        u32::try_from(span.end().line).unwrap_or(u32::MAX),
    )
}

fn is_test_code(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        let path = attr.path();
        if path.segments.last().is_some_and(|s| s.ident == "test") {
            return true;
        }
        path.is_ident("cfg")
            && attr.meta.require_list().is_ok_and(|list| {
                list.tokens
                    .to_string()
                    .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .any(|word| word == "test")
            })
    })
}

fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        syn::Type::Reference(reference) => type_name(&reference.elem),
        _ => String::new(),
    }
}

impl FileItems {
    fn push(&mut self, kind: &'static str, name: String, ident: proc_macro2::Span, whole: Lines) {
        self.items.push(ItemSpan {
            kind,
            name,
            line: span_lines(ident).0,
            start: whole.0,
            end: whole.1,
        });
    }

    fn walk(&mut self, items: &[syn::Item]) {
        for item in items {
            let whole = span_lines(item.span());
            match item {
                syn::Item::Fn(f) => {
                    if is_test_code(&f.attrs) {
                        self.tests.push(whole);
                    }
                    self.push("fn", f.sig.ident.to_string(), f.sig.ident.span(), whole);
                }
                syn::Item::Mod(m) => {
                    if is_test_code(&m.attrs) {
                        self.tests.push(whole);
                    }
                    self.push("mod", m.ident.to_string(), m.ident.span(), whole);
                    if let Some((_, content)) = &m.content {
                        self.walk(content);
                    }
                }
                syn::Item::Impl(i) => {
                    if is_test_code(&i.attrs) {
                        self.tests.push(whole);
                    }
                    let name = type_name(&i.self_ty);
                    self.push("impl", name, i.self_ty.span(), whole);
                    for member in &i.items {
                        if let syn::ImplItem::Fn(f) = member {
                            let lines = span_lines(f.span());
                            if is_test_code(&f.attrs) {
                                self.tests.push(lines);
                            }
                            self.push("fn", f.sig.ident.to_string(), f.sig.ident.span(), lines);
                        }
                    }
                }
                syn::Item::Trait(t) => {
                    self.push("trait", t.ident.to_string(), t.ident.span(), whole);
                    for member in &t.items {
                        if let syn::TraitItem::Fn(f) = member {
                            let lines = span_lines(f.span());
                            self.push("fn", f.sig.ident.to_string(), f.sig.ident.span(), lines);
                        }
                    }
                }
                syn::Item::Struct(s) => {
                    self.push("struct", s.ident.to_string(), s.ident.span(), whole);
                }
                syn::Item::Enum(e) => self.push("enum", e.ident.to_string(), e.ident.span(), whole),
                syn::Item::Union(u) => {
                    self.push("union", u.ident.to_string(), u.ident.span(), whole);
                }
                syn::Item::Const(c) => {
                    self.push("const", c.ident.to_string(), c.ident.span(), whole)
                }
                syn::Item::Static(s) => {
                    self.push("static", s.ident.to_string(), s.ident.span(), whole);
                }
                syn::Item::Type(t) => self.push("type", t.ident.to_string(), t.ident.span(), whole),
                _ => {}
            }
        }
    }

    /// Parses `text`; `None` when it does not parse.
    pub fn parse(text: &str) -> Option<FileItems> {
        let parsed = syn::parse_file(text);
        let mut items = FileItems {
            last_line: u32::try_from(text.lines().count()).unwrap_or(u32::MAX),
            ..FileItems::default()
        };
        let ok = match &parsed {
            Ok(file) => {
                items.walk(&file.items);
                true
            }
            Err(_) => false,
        };
        drop(parsed);
        // syn's spans keep every parsed text in a per-thread map; this file is done.
        proc_macro2::extra::invalidate_current_thread_spans();
        items
            .items
            .sort_by_key(|i| (i.start, std::cmp::Reverse(i.end)));
        ok.then_some(items)
    }

    /// The lines of the item a record names (`kind`, last path segment `name`, name on
    /// `line`), tests cut out. A type brings the impl blocks of the same name in this file;
    /// a module with no inline body here (a file module) is the whole file.
    #[requirement("TR-COVERAGE-JOIN")]
    pub fn item_lines(&self, kind: &str, name: &str, line: u32) -> Vec<Lines> {
        let found = self
            .items
            .iter()
            .filter(|i| {
                i.kind == kind
                    && i.name == name
                    && (i.line == line || (i.start <= line && line <= i.end))
            })
            .min_by_key(|i| (i.line != line, i.end - i.start));
        let mut spans = match (found, kind) {
            (Some(item), "struct" | "enum" | "union" | "trait") => {
                let mut spans = vec![(item.start, item.end)];
                spans.extend(
                    self.items
                        .iter()
                        .filter(|i| i.kind == "impl" && i.name == name)
                        .map(|i| (i.start, i.end)),
                );
                spans
            }
            (Some(item), _) => vec![(item.start, item.end)],
            (None, "mod") => vec![(1, self.last_line.max(1))],
            (None, _) => Vec::new(),
        };
        spans.sort_unstable();
        spans.dedup();
        spans
    }

    /// Whether `line` is test code.
    pub fn is_test_line(&self, line: u32) -> bool {
        self.tests.iter().any(|&(a, b)| a <= line && line <= b)
    }
}

/// Parsed files, read once each, relative to the workspace root.
#[derive(Debug, Default)]
pub struct Sources {
    files: BTreeMap<String, Option<FileItems>>,
    texts: BTreeMap<String, Option<String>>,
}

impl Sources {
    /// The items of `file` (relative to `root`); `None` when it cannot be read or parsed.
    pub fn items(&mut self, root: &Path, file: &str) -> Option<&FileItems> {
        if !self.files.contains_key(file) {
            let items = self.text(root, file).and_then(FileItems::parse);
            self.files.insert(file.to_string(), items);
        }
        self.files.get(file).and_then(Option::as_ref)
    }

    /// The text of `file`.
    pub fn text(&mut self, root: &Path, file: &str) -> Option<&str> {
        self.texts
            .entry(file.to_string())
            .or_insert_with(|| std::fs::read_to_string(root.join(file)).ok())
            .as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "\
pub const LIMIT: u32 = 3;
pub struct Pump {
    rate: u32,
}
impl Pump {
    pub fn start(&self) -> u32 {
        self.rate
    }
}
pub fn bolus() -> u32 {
    LIMIT
}
#[cfg(test)]
mod tests {
    #[test]
    fn t() {}
}
";

    #[test]
    #[requirement("TR-COVERAGE-JOIN")]
    fn items_span_their_lines_and_types_take_their_impls() {
        let items = FileItems::parse(SOURCE).unwrap();
        assert_eq!(items.item_lines("fn", "bolus", 10), vec![(10, 12)]);
        assert_eq!(items.item_lines("fn", "start", 6), vec![(6, 8)]);
        assert_eq!(items.item_lines("struct", "Pump", 2), vec![(2, 4), (5, 9)]);
        assert_eq!(items.item_lines("impl", "Pump", 5), vec![(5, 9)]);
        assert_eq!(items.item_lines("const", "LIMIT", 1), vec![(1, 1)]);
        assert_eq!(items.item_lines("mod", "pump", 1), vec![(1, 17)]);
        assert!(items.is_test_line(16));
        assert!(!items.is_test_line(11));
    }
}
