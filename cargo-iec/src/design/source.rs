//! What the design record reads from the sources, with syn: every item of each crate with
//! its full path, doc comment, public signature (as Rust source) and the paths its code
//! uses (`use` declarations and qualified paths), resolved to full paths.
//!
//! The record and its gaps only use the items inside software units (and the module docs
//! of module units), so a read is limited by [`Wanted`]: it parses only the files of the
//! modules on the way to a unit or inside one, and records only the items inside a unit.
//! Every path is resolved within its own module, so what is kept does not depend on what
//! is left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use iec_runtime::requirement;
use syn::visit::Visit;

/// One item of a crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeItem {
    /// Full Rust path (`crate::module::Type::method`); a `use` declaration has its module's.
    pub path: String,
    /// `fn`, `struct`, `enum`, `union`, `trait`, `type`, `const`, `static`, `use`, `impl`.
    pub kind: &'static str,
    /// Source file relative to the workspace root.
    pub file: String,
    /// Line of its name.
    pub line: u32,
    /// Declared `pub` (a method of an inherent impl, or any item of a trait impl, counts
    /// as public when its type is).
    pub public: bool,
    /// Its doc comment.
    pub docs: String,
    /// Its signature as Rust source, for public items.
    pub signature: Option<String>,
    /// The full paths its code uses.
    pub references: BTreeSet<String>,
}

/// A crate's source tree, as read.
#[derive(Debug, Default)]
pub struct Analysis {
    /// Every item, in source order per file.
    pub items: Vec<CodeItem>,
    /// Module path -> its doc comment (outer `///` on `mod x` and inner `//!` in its file).
    pub module_docs: BTreeMap<String, String>,
    /// Files that could not be read or parsed.
    pub unreadable: Vec<String>,
}

/// What a read keeps.
#[derive(Debug, Clone, Copy)]
pub enum Wanted<'a> {
    /// Every module and item of every crate.
    All,
    /// The modules that can hold an item inside one of these unit paths (the modules on
    /// the way to a unit and those inside it), and the items inside the units.
    Units(&'a [&'a str]),
}

impl Wanted<'_> {
    /// Whether the module at `path` is read: it is a unit, lies inside one, or is on the
    /// way to one. An item of any other module has a path inside no unit (its path is the
    /// module's followed by identifiers), and neither has an item of its submodules.
    #[requirement("TR-PERF-DESIGN-READ")]
    pub fn module(&self, path: &str) -> bool {
        match self {
            Wanted::All => true,
            Wanted::Units(units) => units.iter().any(|unit| {
                crate::trace::contains(unit, path) || crate::trace::contains(path, unit)
            }),
        }
    }

    /// Whether the item at `path` is recorded: it lies inside a unit.
    #[requirement("TR-PERF-DESIGN-READ")]
    pub fn item(&self, path: &str) -> bool {
        match self {
            Wanted::All => true,
            Wanted::Units(units) => units.iter().any(|unit| crate::trace::contains(unit, path)),
        }
    }
}

/// A crate to read.
pub struct CrateRoot<'a> {
    /// Its name in paths (`infusion_pump`).
    pub name: String,
    /// The root source file (`src/lib.rs`).
    pub root: PathBuf,
    /// Extern crate name as the code spells it -> the name its paths have in the design
    /// (a renamed workspace crate's library name; a third-party crate's own extern name).
    pub externs: &'a BTreeMap<String, String>,
}

/// The doc comment of `attrs`: every `#[doc = "..."]` line, one leading space removed.
pub fn docs(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) = &nv.value
        {
            let value = text.value();
            if value.trim().is_empty() {
                lines.push(String::new());
            }
            for line in value.lines() {
                lines.push(
                    line.strip_prefix(' ')
                        .unwrap_or(line)
                        .trim_end()
                        .to_string(),
                );
            }
        }
    }
    lines.join("\n").trim().to_string()
}

fn line_of(ident: &syn::Ident) -> u32 {
    u32::try_from(ident.span().start().line).unwrap_or(u32::MAX)
}

fn is_pub(vis: &syn::Visibility) -> bool {
    matches!(vis, syn::Visibility::Public(_))
}

/// Keeps only the attributes that are part of an interface (`derive`, `repr`).
fn interface_attrs(attrs: &[syn::Attribute]) -> Vec<syn::Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive") || a.path().is_ident("repr"))
        .cloned()
        .collect()
}

fn unparse(item: syn::Item) -> String {
    let file = syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![item],
    };
    prettyplease::unparse(&file).trim_end().to_string()
}

fn fn_signature(vis: &syn::Visibility, sig: &syn::Signature) -> String {
    let item = syn::Item::Fn(syn::ItemFn {
        attrs: Vec::new(),
        vis: vis.clone(),
        sig: sig.clone(),
        block: Box::new(syn::Block {
            brace_token: syn::token::Brace::default(),
            stmts: Vec::new(),
        }),
    });
    let text = unparse(item);
    match text.strip_suffix("{}") {
        Some(head) => format!("{};", head.trim_end()),
        None => text,
    }
}

fn strip_fields(fields: &mut syn::Fields) {
    match fields {
        syn::Fields::Named(named) => {
            named.named = named
                .named
                .iter()
                .filter(|f| is_pub(&f.vis))
                .cloned()
                .map(|mut f| {
                    f.attrs.clear();
                    f
                })
                .collect();
        }
        syn::Fields::Unnamed(unnamed) => {
            for field in &mut unnamed.unnamed {
                field.attrs.clear();
                if !is_pub(&field.vis) {
                    // A private tuple field is part of the layout, not of the interface.
                    field.ty = syn::parse_quote!(_);
                }
            }
        }
        syn::Fields::Unit => {}
    }
}

/// The public signature of `item` as Rust source: doc comments and bodies removed,
/// private fields left out, trait methods without their default bodies.
#[requirement("TR-DESIGN-INTERFACE")]
pub fn signature(item: &syn::Item) -> Option<String> {
    let rendered = match item {
        syn::Item::Fn(f) if is_pub(&f.vis) => return Some(fn_signature(&f.vis, &f.sig)),
        syn::Item::Struct(s) if is_pub(&s.vis) => {
            let mut s = s.clone();
            s.attrs = interface_attrs(&s.attrs);
            strip_fields(&mut s.fields);
            syn::Item::Struct(s)
        }
        syn::Item::Enum(e) if is_pub(&e.vis) => {
            let mut e = e.clone();
            e.attrs = interface_attrs(&e.attrs);
            for variant in &mut e.variants {
                variant.attrs.clear();
                strip_fields(&mut variant.fields);
            }
            syn::Item::Enum(e)
        }
        syn::Item::Union(u) if is_pub(&u.vis) => {
            let mut u = u.clone();
            u.attrs = interface_attrs(&u.attrs);
            syn::Item::Union(u)
        }
        syn::Item::Trait(t) if is_pub(&t.vis) => {
            let mut t = t.clone();
            t.attrs.clear();
            for inner in &mut t.items {
                match inner {
                    syn::TraitItem::Fn(f) => {
                        f.attrs.clear();
                        f.default = None;
                        f.semi_token = Some(syn::token::Semi::default());
                    }
                    syn::TraitItem::Const(c) => {
                        c.attrs.clear();
                        c.default = None;
                    }
                    syn::TraitItem::Type(ty) => ty.attrs.clear(),
                    _ => {}
                }
            }
            syn::Item::Trait(t)
        }
        syn::Item::Type(t) if is_pub(&t.vis) => {
            let mut t = t.clone();
            t.attrs.clear();
            syn::Item::Type(t)
        }
        syn::Item::Const(c) if is_pub(&c.vis) => {
            let mut c = c.clone();
            c.attrs.clear();
            syn::Item::Const(c)
        }
        syn::Item::Static(s) if is_pub(&s.vis) => {
            let mut s = s.clone();
            s.attrs.clear();
            syn::Item::Static(s)
        }
        _ => return None,
    };
    Some(unparse(rendered))
}

fn impl_item_signature(item: &syn::ImplItem) -> Option<String> {
    match item {
        syn::ImplItem::Fn(f) => Some(fn_signature(&f.vis, &f.sig)),
        syn::ImplItem::Const(c) => {
            let item = syn::Item::Const(syn::ItemConst {
                attrs: Vec::new(),
                vis: c.vis.clone(),
                const_token: c.const_token,
                ident: c.ident.clone(),
                generics: c.generics.clone(),
                colon_token: c.colon_token,
                ty: Box::new(c.ty.clone()),
                eq_token: c.eq_token,
                expr: Box::new(c.expr.clone()),
                semi_token: c.semi_token,
            });
            Some(unparse(item))
        }
        _ => None,
    }
}

/// Resolves paths written in one module.
struct Scope<'a> {
    krate: &'a CrateRoot<'a>,
    module: String,
    /// Names brought in by `use` -> full path.
    imports: BTreeMap<String, String>,
    /// Names declared in the module.
    declared: BTreeSet<String>,
}

fn parent(path: &str) -> &str {
    path.rsplit_once("::").map_or(path, |(parent, _)| parent)
}

impl Scope<'_> {
    /// The full path `segments` names here, or `None` for a local, a generic, the prelude.
    fn resolve(&self, segments: &[String]) -> Option<String> {
        let (first, rest) = segments.split_first()?;
        let base = match first.as_str() {
            "crate" => self.krate.name.clone(),
            "self" => self.module.clone(),
            "Self" => return None,
            "super" => {
                let mut module = parent(&self.module).to_string();
                let mut rest = rest;
                while rest.first().map(String::as_str) == Some("super") {
                    module = parent(&module).to_string();
                    rest = &rest[1..];
                }
                return Some(join(&module, rest));
            }
            name => {
                if let Some(full) = self.imports.get(name) {
                    full.clone()
                } else if self.declared.contains(name) {
                    format!("{}::{name}", self.module)
                } else if let Some(renamed) = self.krate.externs.get(name) {
                    renamed.clone()
                } else {
                    return None;
                }
            }
        };
        Some(join(&base, rest))
    }
}

fn join(base: &str, rest: &[String]) -> String {
    let mut out = base.to_string();
    for segment in rest {
        out.push_str("::");
        out.push_str(segment);
    }
    out
}

/// Flattens a use tree into (local name, segments) pairs; a glob gives (`*`, prefix).
fn use_leaves(tree: &syn::UseTree, prefix: &mut Vec<String>, out: &mut Vec<(String, Vec<String>)>) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            use_leaves(&p.tree, prefix, out);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix.clone();
            let name = n.ident.to_string();
            if name == "self" {
                let local = prefix.last().cloned().unwrap_or_default();
                out.push((local, path));
            } else {
                path.push(name.clone());
                out.push((name, path));
            }
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix.clone();
            path.push(r.ident.to_string());
            out.push((r.rename.to_string(), path));
        }
        syn::UseTree::Glob(_) => out.push(("*".to_string(), prefix.clone())),
        syn::UseTree::Group(g) => {
            for tree in &g.items {
                use_leaves(tree, prefix, out);
            }
        }
    }
}

/// Collects every path an item's code spells.
#[derive(Default)]
struct Paths(Vec<Vec<String>>);

impl<'ast> Visit<'ast> for Paths {
    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.0
            .push(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }
}

fn references<T>(scope: &Scope<'_>, node: &T, visit: fn(&mut Paths, &T)) -> BTreeSet<String> {
    let mut paths = Paths::default();
    visit(&mut paths, node);
    paths
        .0
        .iter()
        .filter_map(|segments| scope.resolve(segments))
        .collect()
}

fn declared_name(item: &syn::Item) -> Option<String> {
    match item {
        syn::Item::Fn(f) => Some(f.sig.ident.to_string()),
        syn::Item::Struct(s) => Some(s.ident.to_string()),
        syn::Item::Enum(e) => Some(e.ident.to_string()),
        syn::Item::Union(u) => Some(u.ident.to_string()),
        syn::Item::Trait(t) => Some(t.ident.to_string()),
        syn::Item::Type(t) => Some(t.ident.to_string()),
        syn::Item::Const(c) => Some(c.ident.to_string()),
        syn::Item::Static(s) => Some(s.ident.to_string()),
        syn::Item::Mod(m) => Some(m.ident.to_string()),
        _ => None,
    }
}

fn ident_of(item: &syn::Item) -> Option<&syn::Ident> {
    match item {
        syn::Item::Fn(f) => Some(&f.sig.ident),
        syn::Item::Struct(s) => Some(&s.ident),
        syn::Item::Enum(e) => Some(&e.ident),
        syn::Item::Union(u) => Some(&u.ident),
        syn::Item::Trait(t) => Some(&t.ident),
        syn::Item::Type(t) => Some(&t.ident),
        syn::Item::Const(c) => Some(&c.ident),
        syn::Item::Static(s) => Some(&s.ident),
        _ => None,
    }
}

fn attrs_of(item: &syn::Item) -> &[syn::Attribute] {
    match item {
        syn::Item::Fn(f) => &f.attrs,
        syn::Item::Struct(s) => &s.attrs,
        syn::Item::Enum(e) => &e.attrs,
        syn::Item::Union(u) => &u.attrs,
        syn::Item::Trait(t) => &t.attrs,
        syn::Item::Type(t) => &t.attrs,
        syn::Item::Const(c) => &c.attrs,
        syn::Item::Static(s) => &s.attrs,
        _ => &[],
    }
}

fn is_test_module(m: &syn::ItemMod) -> bool {
    m.attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Ident>()
                .is_ok_and(|ident| ident == "test")
    })
}

struct Walker<'a> {
    krate: &'a CrateRoot<'a>,
    root: &'a Path,
    wanted: Wanted<'a>,
    out: &'a mut Analysis,
}

impl Walker<'_> {
    fn relative(&self, file: &Path) -> String {
        file.strip_prefix(self.root)
            .unwrap_or(file)
            .to_string_lossy()
            .replace('\\', "/")
    }

    fn file(&mut self, file: &Path, module: &str, dir: &Path) {
        let relative = self.relative(file);
        let parsed = std::fs::read_to_string(file)
            .ok()
            .and_then(|text| syn::parse_file(&text).ok());
        let Some(parsed) = parsed else {
            self.out.unreadable.push(relative);
            return;
        };
        let text = docs(&parsed.attrs);
        let entry = self.out.module_docs.entry(module.to_string()).or_default();
        if !text.is_empty() {
            if !entry.is_empty() {
                entry.push_str("\n\n");
            }
            entry.push_str(&text);
        }
        self.items(&parsed.items, module, dir, &relative);
    }

    fn items(&mut self, items: &[syn::Item], module: &str, dir: &Path, file: &str) {
        let mut imports = BTreeMap::new();
        let mut globs = Vec::new();
        let declared: BTreeSet<String> = items.iter().filter_map(declared_name).collect();
        let bare = Scope {
            krate: self.krate,
            module: module.to_string(),
            imports: BTreeMap::new(),
            declared: declared.clone(),
        };
        for item in items {
            if let syn::Item::Use(u) = item {
                let mut leaves = Vec::new();
                use_leaves(&u.tree, &mut Vec::new(), &mut leaves);
                for (name, segments) in leaves {
                    let Some(full) = bare.resolve(&segments) else {
                        continue;
                    };
                    if name == "*" {
                        globs.push(full);
                    } else if name != "_" {
                        imports.insert(name, full);
                    }
                }
            }
        }
        let scope = Scope {
            krate: self.krate,
            module: module.to_string(),
            imports,
            declared,
        };
        let push = |out: &mut Analysis, item: CodeItem| out.items.push(item);
        // The `use` declarations are references of the module itself.
        let mut used: BTreeSet<String> = scope.imports.values().cloned().collect();
        used.extend(globs);
        if !used.is_empty() && self.wanted.item(module) {
            push(
                self.out,
                CodeItem {
                    path: module.to_string(),
                    kind: "use",
                    file: file.to_string(),
                    line: 0,
                    public: false,
                    docs: String::new(),
                    signature: None,
                    references: used,
                },
            );
        }
        for item in items {
            match item {
                syn::Item::Mod(m) => {
                    if is_test_module(m) {
                        continue;
                    }
                    let child = format!("{module}::{}", m.ident);
                    if !self.wanted.module(&child) {
                        continue;
                    }
                    let outer = docs(&m.attrs);
                    if !outer.is_empty() {
                        self.out
                            .module_docs
                            .entry(child.clone())
                            .or_default()
                            .push_str(&outer);
                    }
                    let child_dir = dir.join(m.ident.to_string());
                    match &m.content {
                        Some((_, inner)) => self.items(inner, &child, &child_dir, file),
                        None => {
                            let flat = dir.join(format!("{}.rs", m.ident));
                            let nested = child_dir.join("mod.rs");
                            let (path, next) = if flat.is_file() {
                                (flat, child_dir)
                            } else {
                                (nested, child_dir)
                            };
                            self.file(&path, &child, &next);
                        }
                    }
                }
                syn::Item::Impl(i) => {
                    let syn::Type::Path(ty) = &*i.self_ty else {
                        continue;
                    };
                    let Some(name) = ty.path.segments.last().map(|s| s.ident.to_string()) else {
                        continue;
                    };
                    let base = format!("{module}::{name}");
                    let trait_impl = i.trait_.is_some();
                    if self.wanted.item(&base) {
                        let mut header = references(&scope, &i.self_ty, |v, n| v.visit_type(n));
                        if let Some((_, path, _)) = &i.trait_ {
                            header.extend(references(&scope, path, |v, n| v.visit_path(n)));
                        }
                        header.remove(&base);
                        push(
                            self.out,
                            CodeItem {
                                path: base.clone(),
                                kind: "impl",
                                file: file.to_string(),
                                line: u32::try_from(
                                    ty.path
                                        .segments
                                        .last()
                                        .map_or(0, |s| s.ident.span().start().line),
                                )
                                .unwrap_or(0),
                                public: false,
                                docs: docs(&i.attrs),
                                signature: None,
                                references: header,
                            },
                        );
                    }
                    for inner in &i.items {
                        let (ident, attrs, public) = match inner {
                            syn::ImplItem::Fn(f) => (&f.sig.ident, &f.attrs, is_pub(&f.vis)),
                            syn::ImplItem::Const(c) => (&c.ident, &c.attrs, is_pub(&c.vis)),
                            _ => continue,
                        };
                        let path = format!("{base}::{ident}");
                        if !self.wanted.item(&path) {
                            continue;
                        }
                        let public = public && !trait_impl;
                        push(
                            self.out,
                            CodeItem {
                                path,
                                kind: if matches!(inner, syn::ImplItem::Fn(_)) {
                                    "fn"
                                } else {
                                    "const"
                                },
                                file: file.to_string(),
                                line: line_of(ident),
                                public,
                                docs: docs(attrs),
                                signature: if public {
                                    impl_item_signature(inner)
                                } else {
                                    None
                                },
                                references: references(&scope, inner, |v, n| v.visit_impl_item(n)),
                            },
                        );
                    }
                }
                other => {
                    let Some(ident) = ident_of(other) else {
                        continue;
                    };
                    let kind = match other {
                        syn::Item::Fn(_) => "fn",
                        syn::Item::Struct(_) => "struct",
                        syn::Item::Enum(_) => "enum",
                        syn::Item::Union(_) => "union",
                        syn::Item::Trait(_) => "trait",
                        syn::Item::Type(_) => "type",
                        syn::Item::Const(_) => "const",
                        _ => "static",
                    };
                    let path = format!("{module}::{ident}");
                    if !self.wanted.item(&path) {
                        continue;
                    }
                    let mut refs = references(&scope, other, |v, n| v.visit_item(n));
                    refs.remove(&path);
                    let signature = signature(other);
                    push(
                        self.out,
                        CodeItem {
                            path,
                            kind,
                            file: file.to_string(),
                            line: line_of(ident),
                            public: signature.is_some(),
                            docs: docs(attrs_of(other)),
                            signature,
                            references: refs,
                        },
                    );
                }
            }
        }
    }
}

/// Reads what `wanted` keeps of a crate from its root file, following `mod x;` to `x.rs`
/// or `x/mod.rs` (a crate with no wanted module is not opened).
#[requirement("TR-DESIGN-DEPENDENCIES")]
#[requirement("TR-PERF-DESIGN-READ")]
pub fn read_crate(
    krate: &CrateRoot<'_>,
    workspace_root: &Path,
    wanted: Wanted<'_>,
    out: &mut Analysis,
) {
    if !wanted.module(&krate.name) {
        return;
    }
    let dir = krate
        .root
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut walker = Walker {
        krate,
        root: workspace_root,
        wanted,
        out,
    };
    walker.file(&krate.root, &krate.name, &dir);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(source: &str) -> syn::Item {
        syn::parse_str(source).unwrap()
    }

    #[test]
    #[requirement("TR-DESIGN-INTERFACE")]
    fn signatures_leave_out_bodies_docs_and_private_fields() {
        assert_eq!(
            signature(&item("/// Doc.\npub fn bolus(volume: u32, rate: u32) -> Result<u32, Error> { volume * rate }")).unwrap(),
            "pub fn bolus(volume: u32, rate: u32) -> Result<u32, Error>;"
        );
        assert_eq!(
            signature(&item("/// Doc.\n#[derive(Debug)]\n#[requirement(\"X\")]\npub struct Pump { pub rate: u32, secret: u8 }")).unwrap(),
            "#[derive(Debug)]\npub struct Pump {\n    pub rate: u32,\n}"
        );
        assert_eq!(signature(&item("fn private() {}")), None);
    }

    #[test]
    #[requirement("TR-DESIGN-DEPENDENCIES")]
    fn use_paths_and_qualified_paths_resolve_against_the_module() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/lib.rs"),
            "//! Crate docs.\npub mod a;\npub mod b { use crate::a::Thing; pub fn f() -> Thing { super::a::make() } }\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("src/a.rs"),
            "//! Module a.\npub struct Thing;\npub fn make() -> Thing { Thing }\n",
        )
        .unwrap();
        let externs = BTreeMap::new();
        let krate = CrateRoot {
            name: "k".to_string(),
            root: dir.path().join("src/lib.rs"),
            externs: &externs,
        };
        let mut analysis = Analysis::default();
        read_crate(&krate, dir.path(), Wanted::All, &mut analysis);
        assert_eq!(analysis.module_docs["k::a"], "Module a.");
        let f = analysis.items.iter().find(|i| i.path == "k::b::f").unwrap();
        assert!(f.references.contains("k::a::Thing"), "{:?}", f.references);
        assert!(f.references.contains("k::a::make"), "{:?}", f.references);
        assert_eq!(f.file, "src/lib.rs");
    }

    /// A crate whose files off the way to `k::a::inner` are not Rust: a read that opened
    /// them would list them as unreadable.
    fn crate_with_broken_files() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let write = |file: &str, text: &str| {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "src/lib.rs",
            "//! Root.
pub mod a;
pub mod b;
/// C.
pub mod c { pub fn inline() {} }
pub fn root_fn() {}
",
        );
        write(
            "src/a/mod.rs",
            "//! A.
pub mod inner;
pub mod other;
use crate::b::g;
pub fn a_fn() -> u32 { g() }
",
        );
        write(
            "src/a/inner.rs",
            "//! Inner.
pub fn f() -> u32 { crate::b::g() }
pub struct S;
impl S { pub fn m(&self) {} }
",
        );
        write(
            "src/a/other.rs",
            "this is not Rust {
",
        );
        write(
            "src/b.rs",
            "nor is this (
",
        );
        dir
    }

    fn read(dir: &Path, wanted: Wanted<'_>) -> Analysis {
        let externs = BTreeMap::new();
        let krate = CrateRoot {
            name: "k".to_string(),
            root: dir.join("src/lib.rs"),
            externs: &externs,
        };
        let mut analysis = Analysis::default();
        read_crate(&krate, dir, wanted, &mut analysis);
        analysis
    }

    fn paths(analysis: &Analysis) -> Vec<String> {
        analysis
            .items
            .iter()
            .map(|i| format!("{} {}", i.kind, i.path))
            .collect()
    }

    #[test]
    #[requirement("TR-PERF-DESIGN-READ")]
    fn a_read_limited_to_units_opens_only_the_files_on_the_way_to_them_or_inside_them() {
        let dir = crate_with_broken_files();
        let full = read(dir.path(), Wanted::All);
        assert_eq!(full.unreadable, ["src/a/other.rs", "src/b.rs"]);

        let limited = read(dir.path(), Wanted::Units(&["k::a::inner"]));
        assert!(limited.unreadable.is_empty(), "{:?}", limited.unreadable);
        assert_eq!(
            paths(&limited),
            [
                "fn k::a::inner::f",
                "struct k::a::inner::S",
                "impl k::a::inner::S",
                "fn k::a::inner::S::m"
            ]
        );
        // What is kept is what the full read has for those items.
        for item in &limited.items {
            assert!(full.items.contains(item), "{item:?}");
        }
        assert_eq!(
            limited.module_docs.keys().collect::<Vec<_>>(),
            ["k", "k::a", "k::a::inner"]
        );
        assert_eq!(
            limited.module_docs["k::a::inner"],
            full.module_docs["k::a::inner"]
        );

        // A unit on an item of a module that is no unit: the module's file, not its
        // submodules'; the module's `use` references are not the unit's.
        let limited = read(dir.path(), Wanted::Units(&["k::a::a_fn"]));
        assert!(limited.unreadable.is_empty(), "{:?}", limited.unreadable);
        assert_eq!(paths(&limited), ["fn k::a::a_fn"]);
        assert!(limited.items[0].references.contains("k::b::g"));

        // A unit at the root: everything (here, the broken files too).
        let limited = read(dir.path(), Wanted::Units(&["k"]));
        assert_eq!(limited.unreadable, full.unreadable);
        assert_eq!(limited.items, full.items);
        assert_eq!(limited.module_docs, full.module_docs);

        // A unit of another crate: nothing is opened.
        let limited = read(dir.path(), Wanted::Units(&["other::a"]));
        assert!(limited.items.is_empty() && limited.module_docs.is_empty());
        assert!(limited.unreadable.is_empty());
    }

    #[test]
    #[requirement("TR-PERF-DESIGN-READ")]
    fn a_module_is_wanted_on_the_way_to_a_unit_or_inside_it_and_an_item_inside_it() {
        let units = ["k::a::Pump", "k::b"];
        let wanted = Wanted::Units(&units);
        for module in ["k", "k::a", "k::a::Pump", "k::b", "k::b::c"] {
            assert!(wanted.module(module), "{module}");
        }
        for module in ["k::ab", "k::a::Pumps", "k::c", "kk", "j"] {
            assert!(!wanted.module(module), "{module}");
        }
        for item in ["k::a::Pump", "k::a::Pump::run", "k::b", "k::b::c::f"] {
            assert!(wanted.item(item), "{item}");
        }
        for item in ["k", "k::a", "k::a::Pumps", "k::a::f", "k::bb"] {
            assert!(!wanted.item(item), "{item}");
        }
        assert!(Wanted::All.module("anything") && Wanted::All.item("anything"));
    }
}
