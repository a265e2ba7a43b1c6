//! The items of one source file as token hashes, for comparing two revisions of it.
//!
//! Each item's *code* hash covers its tokens (syn and proc-macro2: comments and formatting
//! are not tokens) without doc attributes and without the trace's own annotations (a link
//! change is reported as a link change, not as a code change); its *doc* hash covers its
//! doc text. A container (the file's module, an inline `mod`, an `impl`, a `trait`) hashes
//! only what is not one of its own items, so a change inside a method changes the method,
//! and a new `use` in a module changes the module.

use quote::ToTokens;
use sha2::{Digest, Sha256};
use syn::spanned::Spanned;

/// One item of a file.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Unique within the file: the path, with `#N` for a second impl of the same type.
    pub key: String,
    /// The item's Rust path as the trace names it (`crate::module::Type::method`).
    pub path: String,
    /// `file`, `mod`, `fn`, `impl`, `struct`, ...
    pub kind: &'static str,
    /// Lines where an annotation record of this item may point (its name, its keyword).
    pub lines: Vec<u32>,
    /// Its first and last line (attributes included).
    pub extent: (u32, u32),
    /// Hash of its code tokens.
    pub code: String,
    /// Hash of its doc text.
    pub doc: String,
    /// Index of the enclosing entry (`None` for the file's module).
    pub parent: Option<usize>,
    /// A test function (`#[test]`, `#[tokio::test]`, `#[rstest]`, ...).
    pub is_test: bool,
}

/// The items of a file, or why it does not parse.
#[derive(Debug, Clone)]
pub enum FileItems {
    /// The entries; entry 0 is the file's module.
    Parsed(Vec<Entry>),
    /// syn's message with line and column.
    Unparsable(String),
}

fn hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

fn last_segment(attr: &syn::Attribute) -> Option<String> {
    attr.path().segments.last().map(|s| s.ident.to_string())
}

fn is_trace_attr(attr: &syn::Attribute) -> bool {
    matches!(
        last_segment(attr).as_deref(),
        Some("requirement" | "software_unit" | "problem")
    )
}

/// Splits attributes into code attributes (kept) and the doc text.
fn split_attrs(attrs: &mut Vec<syn::Attribute>) -> String {
    let mut doc = String::new();
    attrs.retain(|attr| {
        if attr.path().is_ident("doc") {
            if let syn::Meta::NameValue(nv) = &attr.meta {
                doc.push_str(&nv.value.to_token_stream().to_string());
                doc.push('\n');
            }
            false
        } else {
            !is_trace_attr(attr)
        }
    });
    doc
}

fn is_test_fn(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|attr| {
        matches!(
            last_segment(attr).as_deref(),
            Some("test" | "rstest" | "test_case" | "quickcheck" | "proptest")
        )
    })
}

fn is_trace_macro(mac: &syn::Macro) -> bool {
    matches!(
        mac.path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .as_deref(),
        Some("module_unit" | "module_requirement")
    )
}

fn extent(span: proc_macro2::Span) -> (u32, u32) {
    let line = |l: usize| u32::try_from(l).unwrap_or(u32::MAX);
    (line(span.start().line), line(span.end().line))
}

fn line_of(span: proc_macro2::Span) -> u32 {
    u32::try_from(span.start().line).unwrap_or(u32::MAX)
}

/// The name the trace gives an impl's self type: its last path segment.
fn self_type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(path) => path
            .path
            .segments
            .last()
            .map_or_else(|| "_".to_string(), |s| s.ident.to_string()),
        syn::Type::Reference(reference) => self_type_name(&reference.elem),
        other => other.to_token_stream().to_string().replace(' ', ""),
    }
}

struct Builder {
    entries: Vec<Entry>,
}

/// Where a method of an impl or a trait goes: under its block's entry.
struct Member<'a> {
    /// The block's key and path, which the method's name extends.
    key: &'a str,
    path: &'a str,
    parent: usize,
    is_test: bool,
}

impl Builder {
    /// Records a method of an impl or a trait (`ImplItemFn`, `TraitItemFn`): its extent
    /// with its attributes, its code hashed without its doc comments.
    fn push_method<M: ToTokens>(
        &mut self,
        method: &mut M,
        attrs: fn(&mut M) -> &mut Vec<syn::Attribute>,
        ident: fn(&M) -> &syn::Ident,
        member: Member<'_>,
    ) {
        let whole = extent(method.span());
        let doc = split_attrs(attrs(method));
        let name = ident(method).to_string();
        let lines = vec![line_of(ident(method).span()), line_of(method.span())];
        self.push(Entry {
            key: format!("{}::{name}", member.key),
            path: format!("{}::{name}", member.path),
            kind: "fn",
            lines,
            extent: whole,
            code: hash(&method.to_token_stream().to_string()),
            doc: hash(&doc),
            parent: Some(member.parent),
            is_test: member.is_test,
        });
    }

    fn push(&mut self, entry: Entry) -> usize {
        let mut key = entry.key.clone();
        let mut n = 2;
        while self.entries.iter().any(|e| e.key == key) {
            key = format!("{}#{n}", entry.key);
            n += 1;
        }
        self.entries.push(Entry { key, ..entry });
        self.entries.len() - 1
    }

    /// Adds the items of a module body; returns the tokens of what is not an item of
    /// its own (for the module's code hash).
    fn module_items(&mut self, items: &[syn::Item], prefix: &str, parent: usize) -> String {
        let mut rest = String::new();
        for item in items {
            let mut item = item.clone();
            let leaf =
                |kind: &'static str, ident: &syn::Ident| (kind, ident.to_string(), ident.span());
            let named = match &item {
                syn::Item::Fn(f) => Some(leaf("fn", &f.sig.ident)),
                syn::Item::Struct(s) => Some(leaf("struct", &s.ident)),
                syn::Item::Enum(e) => Some(leaf("enum", &e.ident)),
                syn::Item::Union(u) => Some(leaf("union", &u.ident)),
                syn::Item::Const(c) => Some(leaf("const", &c.ident)),
                syn::Item::Static(s) => Some(leaf("static", &s.ident)),
                syn::Item::Type(t) => Some(leaf("type", &t.ident)),
                syn::Item::TraitAlias(t) => Some(leaf("trait", &t.ident)),
                syn::Item::Macro(m) if m.ident.is_some() => {
                    m.ident.as_ref().map(|ident| leaf("macro", ident))
                }
                _ => None,
            };
            if let Some((kind, name, span)) = named {
                let is_test = matches!(&item, syn::Item::Fn(f) if is_test_fn(&f.attrs));
                let whole = extent(item.span());
                let doc = item_attrs(&mut item).map(split_attrs).unwrap_or_default();
                let keyword_line = line_of(item.span());
                self.push(Entry {
                    key: format!("{prefix}::{name}"),
                    path: format!("{prefix}::{name}"),
                    kind,
                    lines: vec![line_of(span), keyword_line],
                    extent: whole,
                    code: hash(&item.to_token_stream().to_string()),
                    doc: hash(&doc),
                    parent: Some(parent),
                    is_test,
                });
                continue;
            }
            match &mut item {
                syn::Item::Mod(module) if module.content.is_some() => {
                    let whole = extent(module.span());
                    let doc = split_attrs(&mut module.attrs);
                    let path = format!("{prefix}::{}", module.ident);
                    let lines = vec![line_of(module.ident.span()), line_of(module.span())];
                    let index = self.push(Entry {
                        key: path.clone(),
                        path: path.clone(),
                        kind: "mod",
                        lines,
                        extent: whole,
                        code: String::new(),
                        doc: hash(&doc),
                        parent: Some(parent),
                        is_test: false,
                    });
                    let content = module
                        .content
                        .take()
                        .map(|(_, items)| items)
                        .unwrap_or_default();
                    let inner = self.module_items(&content, &path, index);
                    let header = module.to_token_stream().to_string();
                    self.entries[index].code = hash(&format!("{header}\n{inner}"));
                }
                syn::Item::Impl(block) => {
                    let whole = extent(block.span());
                    let doc = split_attrs(&mut block.attrs);
                    let type_name = self_type_name(&block.self_ty);
                    let path = format!("{prefix}::{type_name}");
                    let key = match &block.trait_ {
                        Some((_, trait_path, _)) => format!(
                            "{path} as {}",
                            trait_path.to_token_stream().to_string().replace(' ', "")
                        ),
                        None => path.clone(),
                    };
                    let lines = vec![line_of(block.self_ty.span()), line_of(block.span())];
                    let index = self.push(Entry {
                        key: key.clone(),
                        path: path.clone(),
                        kind: "impl",
                        lines,
                        extent: whole,
                        code: String::new(),
                        doc: hash(&doc),
                        parent: Some(parent),
                        is_test: false,
                    });
                    let mut kept = Vec::new();
                    for member in std::mem::take(&mut block.items) {
                        match member {
                            syn::ImplItem::Fn(mut method) => {
                                let is_test = is_test_fn(&method.attrs);
                                let member = Member {
                                    key: &key,
                                    path: &path,
                                    parent: index,
                                    is_test,
                                };
                                self.push_method(
                                    &mut method,
                                    |m| &mut m.attrs,
                                    |m| &m.sig.ident,
                                    member,
                                );
                            }
                            mut other => {
                                if let syn::ImplItem::Const(c) = &mut other {
                                    split_attrs(&mut c.attrs);
                                }
                                if let syn::ImplItem::Type(t) = &mut other {
                                    split_attrs(&mut t.attrs);
                                }
                                kept.push(other);
                            }
                        }
                    }
                    block.items = kept;
                    self.entries[index].code = hash(&block.to_token_stream().to_string());
                }
                syn::Item::Trait(definition) => {
                    let whole = extent(definition.span());
                    let doc = split_attrs(&mut definition.attrs);
                    let path = format!("{prefix}::{}", definition.ident);
                    let lines = vec![line_of(definition.ident.span()), line_of(definition.span())];
                    let index = self.push(Entry {
                        key: path.clone(),
                        path: path.clone(),
                        kind: "trait",
                        lines,
                        extent: whole,
                        code: String::new(),
                        doc: hash(&doc),
                        parent: Some(parent),
                        is_test: false,
                    });
                    let mut kept = Vec::new();
                    for member in std::mem::take(&mut definition.items) {
                        match member {
                            syn::TraitItem::Fn(mut method) => {
                                let member = Member {
                                    key: &path,
                                    path: &path,
                                    parent: index,
                                    is_test: false,
                                };
                                self.push_method(
                                    &mut method,
                                    |m| &mut m.attrs,
                                    |m| &m.sig.ident,
                                    member,
                                );
                            }
                            other => kept.push(other),
                        }
                    }
                    definition.items = kept;
                    self.entries[index].code = hash(&definition.to_token_stream().to_string());
                }
                syn::Item::Macro(m) if is_trace_macro(&m.mac) => {}
                other => {
                    rest.push_str(&other.to_token_stream().to_string());
                    rest.push('\n');
                }
            }
        }
        rest
    }
}

fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    Some(match item {
        syn::Item::Fn(i) => &mut i.attrs,
        syn::Item::Struct(i) => &mut i.attrs,
        syn::Item::Enum(i) => &mut i.attrs,
        syn::Item::Union(i) => &mut i.attrs,
        syn::Item::Const(i) => &mut i.attrs,
        syn::Item::Static(i) => &mut i.attrs,
        syn::Item::Type(i) => &mut i.attrs,
        syn::Item::TraitAlias(i) => &mut i.attrs,
        syn::Item::Macro(i) => &mut i.attrs,
        _ => return None,
    })
}

/// The items of `text`, the file of module `module_path` (`crate::a::b`).
pub fn extract(text: &str, module_path: &str) -> FileItems {
    let mut file = match syn::parse_file(text) {
        Ok(file) => file,
        Err(error) => {
            let start = error.span().start();
            return FileItems::Unparsable(format!("{}:{}: {error}", start.line, start.column + 1));
        }
    };
    let doc = split_attrs(&mut file.attrs);
    let mut builder = Builder {
        entries: vec![Entry {
            key: module_path.to_string(),
            path: module_path.to_string(),
            kind: "file",
            lines: Vec::new(),
            extent: (1, u32::MAX),
            code: String::new(),
            doc: hash(&doc),
            parent: None,
            is_test: false,
        }],
    };
    let items = std::mem::take(&mut file.items);
    let rest = builder.module_items(&items, module_path, 0);
    let header: String = file
        .attrs
        .iter()
        .map(|a| a.to_token_stream().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    builder.entries[0].code = hash(&format!("{header}\n{rest}"));
    FileItems::Parsed(builder.entries)
}

#[cfg(test)]
mod tests {
    use super::*;
    use iec_runtime::requirement;

    fn parsed(text: &str) -> Vec<Entry> {
        match extract(text, "k") {
            FileItems::Parsed(entries) => entries,
            FileItems::Unparsable(message) => panic!("{message}"),
        }
    }

    fn find<'e>(entries: &'e [Entry], key: &str) -> &'e Entry {
        entries.iter().find(|e| e.key == key).expect(key)
    }

    #[test]
    #[requirement("TR-IMPACT-ITEMS")]
    fn comments_formatting_and_docs_are_not_code() {
        let before = parsed("/// One.\npub fn a() -> u32 { 1 }\nfn b() {}\n");
        let after = parsed(
            "/// Two, reworded.\npub fn a()\n    -> u32 {\n    // a comment\n    1\n}\nfn b() {}\n",
        );
        let (a0, a1) = (find(&before, "k::a"), find(&after, "k::a"));
        assert_eq!(a0.code, a1.code);
        assert_ne!(a0.doc, a1.doc);
        let changed = parsed("/// One.\npub fn a() -> u32 { 2 }\nfn b() {}\n");
        assert_ne!(a0.code, find(&changed, "k::a").code);
        assert_eq!(find(&before, "k").code, find(&changed, "k").code);
    }

    #[test]
    #[requirement("TR-IMPACT-ITEMS")]
    fn methods_are_their_own_items_and_modules_keep_the_rest() {
        let before = parsed("mod m { use x::y; struct S; impl S { fn f(&self) {} } }");
        let after = parsed("mod m { use x::z; struct S; impl S { fn f(&self) { g() } } }");
        assert_ne!(
            find(&before, "k::m::S::f").code,
            find(&after, "k::m::S::f").code
        );
        assert_eq!(find(&before, "k::m::S").code, find(&after, "k::m::S").code);
        assert_ne!(find(&before, "k::m").code, find(&after, "k::m").code);
        assert_eq!(find(&after, "k::m::S::f").path, "k::m::S::f");
    }

    #[test]
    #[requirement("TR-IMPACT-ITEMS")]
    fn annotations_are_links_not_code_and_tests_are_marked() {
        let before = parsed("#[test]\nfn t() {}\nfn a() {}");
        let after = parsed(
            "#[test]\n#[requirement(\"R-1\")]\nfn t() {}\n#[requirement(\"R-1\")]\nfn a() {}",
        );
        assert_eq!(find(&before, "k::t").code, find(&after, "k::t").code);
        assert_eq!(find(&before, "k::a").code, find(&after, "k::a").code);
        assert!(find(&after, "k::t").is_test);
        assert!(matches!(extract("fn (", "k"), FileItems::Unparsable(_)));
    }
}
