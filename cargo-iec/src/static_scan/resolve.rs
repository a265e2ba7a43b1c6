//! From a crate's outlines to records: scopes, name resolution, and the paths the compiled
//! channel reports.
//!
//! The compiled channel names functions, methods and consts by the compiler's `type_name`
//! of a marker inside them, and other items by `module_path!()` plus the name as written.
//! Reproducing `type_name` for methods takes rustc's rule for impl paths
//! (`rustc_middle::ty::print::Printer::default_print_impl_path`): when the impl sits in the
//! module (or function) that defines its self type or its trait, the method is
//! `SelfType::method` with the self type's *definition* path; otherwise it is
//! `impl_parent::method`. So the self type and the trait are resolved: through `use`
//! declarations (renames, groups, globs, `self`/`super`/`crate`), re-exports, type aliases,
//! items declared in blocks, and the std prelude. Annotation names are resolved the same way.

use std::collections::{HashMap, HashSet};

use iec_model::rust_path::normalize;
use iec_runtime::requirement;

use super::TargetSource;
use super::modules::FileNode;
use super::outline::{
    AnnKind, Candidate, ImplHeader, Item, ItemKind, Outline, SimplePath, Ty, UseEntry,
};

/// A scope: a module, or the body of a function or const.
pub(crate) type ScopeId = usize;

/// A name bound in a scope's type namespace.
#[derive(Clone, Copy)]
enum Decl<'o> {
    Module(ScopeId),
    Type(Option<&'o SimplePath>),
    Extern(&'o str),
}

struct Scope<'o> {
    parent: Option<ScopeId>,
    /// The nearest module (itself for a module).
    module: ScopeId,
    is_module: bool,
    /// False for a module whose file was not read in full: names looked up in it are
    /// assumed to be declared there.
    complete: bool,
    names: HashMap<&'o str, Decl<'o>>,
    uses: Vec<&'o UseEntry>,
    /// The normalized definition path (`crate::m`, `crate::m::f` for a function body).
    def_path: String,
}

/// What a path resolves to.
#[derive(Clone, Debug)]
enum Res<'o> {
    Module(ScopeId),
    /// A type or trait declared in `parent`.
    Local {
        parent: ScopeId,
        name: String,
        alias: Option<&'o SimplePath>,
    },
    External(Vec<String>),
    Unknown,
}

/// The scopes of one crate and name resolution in them.
pub(crate) struct Scopes<'o> {
    pub(crate) source: &'o TargetSource,
    scopes: Vec<Scope<'o>>,
    /// Body scopes of functions and consts, and scopes of modules, by item address.
    item_scopes: HashMap<*const Item, ScopeId>,
    /// What each glob import resolves to, from its scope (`None` while it is being
    /// resolved). A glob's target does not depend on the name looked up through it, and
    /// resolving it again for every lookup made chains of glob imports exponential (a
    /// fuzzed 16 KiB file took 13 s); a glob met again while it is being resolved is a
    /// cycle and resolves to nothing, as rustc reports such a cycle as an error.
    globs: std::cell::RefCell<HashMap<(ScopeId, *const UseEntry), Option<Res<'o>>>>,
}

/// A name lookup: what is looked for and how.
#[derive(Clone, Copy)]
struct Query<'q> {
    name: &'q str,
    /// In the type namespace (declared types count), or for a macro (only imports do).
    types: bool,
    /// The import being resolved, which must not resolve through itself.
    skip: Option<*const UseEntry>,
    /// Reached through a glob import: an unread module does not claim the name.
    via_glob: bool,
}

const STD_PRELUDE: &[(&str, &str)] = &[
    ("Vec", "alloc::vec::Vec"),
    ("String", "alloc::string::String"),
    ("Box", "alloc::boxed::Box"),
    ("Option", "core::option::Option"),
    ("Result", "core::result::Result"),
];

const STD_PATHS: &[(&str, &str)] = &[
    ("std::vec::Vec", "alloc::vec::Vec"),
    ("std::string::String", "alloc::string::String"),
    ("std::boxed::Box", "alloc::boxed::Box"),
    ("std::option::Option", "core::option::Option"),
    ("std::result::Result", "core::result::Result"),
    ("std::rc::Rc", "alloc::rc::Rc"),
    ("std::sync::Arc", "alloc::sync::Arc"),
    (
        "std::collections::HashMap",
        "std::collections::hash::map::HashMap",
    ),
    (
        "std::collections::HashSet",
        "std::collections::hash::set::HashSet",
    ),
    (
        "std::collections::BTreeMap",
        "alloc::collections::btree::map::BTreeMap",
    ),
    (
        "std::collections::BTreeSet",
        "alloc::collections::btree::set::BTreeSet",
    ),
    (
        "std::collections::VecDeque",
        "alloc::collections::vec_deque::VecDeque",
    ),
];

impl<'o> Scopes<'o> {
    /// Builds the scopes of the crate rooted at `root`.
    pub(crate) fn new(source: &'o TargetSource, root: &'o FileNode) -> Self {
        let mut krate = Scopes {
            source,
            scopes: Vec::new(),
            item_scopes: HashMap::new(),
            globs: std::cell::RefCell::new(HashMap::new()),
        };
        krate.module_scope(
            None,
            source.crate_name.clone(),
            root.outline.as_ref(),
            Some(root),
        );
        krate
    }

    fn module_scope(
        &mut self,
        parent: Option<ScopeId>,
        def_path: String,
        outline: Option<&'o Outline>,
        node: Option<&'o FileNode>,
    ) -> ScopeId {
        let id = self.scopes.len();
        self.scopes.push(Scope {
            parent,
            module: id,
            is_module: true,
            complete: outline.is_some(),
            names: HashMap::new(),
            uses: Vec::new(),
            def_path,
        });
        if let Some(outline) = outline {
            self.declare(id, &outline.items, node);
        }
        id
    }

    fn block_scope(
        &mut self,
        parent: ScopeId,
        def_path: String,
        items: &'o [Item],
        node: Option<&'o FileNode>,
    ) -> ScopeId {
        let id = self.scopes.len();
        let module = self.scopes[parent].module;
        self.scopes.push(Scope {
            parent: Some(parent),
            module,
            is_module: false,
            complete: true,
            names: HashMap::new(),
            uses: Vec::new(),
            def_path,
        });
        self.declare(id, items, node);
        id
    }

    /// Registers the names `items` declare in `scope` and builds the scopes inside them.
    fn declare(&mut self, scope: ScopeId, items: &'o [Item], node: Option<&'o FileNode>) {
        for item in items {
            let def = |s: &Self, name: &str| format!("{}::{name}", s.scopes[scope].def_path);
            match &item.kind {
                ItemKind::Mod { name, pos, body } => {
                    let path = def(self, name);
                    let child = match body {
                        Some(body) => self.module_scope(Some(scope), path, Some(body), node),
                        None => {
                            let file = node.and_then(|n| {
                                n.children.iter().find(|(p, _)| p == pos).map(|(_, f)| f)
                            });
                            self.module_scope(
                                Some(scope),
                                path,
                                file.and_then(|f| f.outline.as_ref()),
                                file,
                            )
                        }
                    };
                    self.item_scopes.insert(item as *const Item, child);
                    self.scopes[scope]
                        .names
                        .entry(name)
                        .or_insert(Decl::Module(child));
                }
                ItemKind::Use(entries) => self.scopes[scope].uses.extend(entries.iter()),
                ItemKind::ExternCrate { name, alias } => {
                    let local = alias.as_deref().unwrap_or(name);
                    self.scopes[scope].names.insert(local, Decl::Extern(name));
                }
                ItemKind::Fn {
                    name,
                    body: Some(body),
                    ..
                }
                | ItemKind::Const {
                    name,
                    body: Some(body),
                    ..
                } => {
                    // Bodies of impl and trait items get their paths when walked.
                    let path = def(self, name);
                    let child = self.block_scope(scope, path, &body.items, node);
                    self.item_scopes.insert(item as *const Item, child);
                }
                ItemKind::Adt { name, .. } => {
                    self.scopes[scope]
                        .names
                        .entry(name)
                        .or_insert(Decl::Type(None));
                }
                ItemKind::Trait { name, items, .. } => {
                    self.scopes[scope]
                        .names
                        .entry(name)
                        .or_insert(Decl::Type(None));
                    self.declare_associated(scope, items, node);
                }
                ItemKind::TypeAlias { name, target, .. } => {
                    self.scopes[scope]
                        .names
                        .entry(name)
                        .or_insert(Decl::Type(target.as_ref()));
                }
                ItemKind::Impl { items, .. } => self.declare_associated(scope, items, node),
                _ => {}
            }
        }
    }

    /// Body scopes of impl and trait items (their paths are set when walked).
    fn declare_associated(
        &mut self,
        scope: ScopeId,
        items: &'o [Item],
        node: Option<&'o FileNode>,
    ) {
        for item in items {
            if let ItemKind::Fn {
                body: Some(body), ..
            }
            | ItemKind::Const {
                body: Some(body), ..
            } = &item.kind
            {
                let child = self.block_scope(scope, String::new(), &body.items, node);
                self.item_scopes.insert(item as *const Item, child);
            }
        }
    }

    /// A scope's definition path.
    pub(crate) fn def_path(&self, scope: ScopeId) -> &str {
        &self.scopes[scope].def_path
    }

    /// Sets the definition path of a method's or associated const's body scope.
    pub(crate) fn set_def_path(&mut self, scope: ScopeId, path: String) {
        self.scopes[scope].def_path = path;
    }

    /// The scope of a module, or of a function's or const's body.
    pub(crate) fn scope_of(&self, item: &Item) -> Option<ScopeId> {
        self.item_scopes.get(&(item as *const Item)).copied()
    }

    fn parent_module(&self, module: ScopeId) -> Option<ScopeId> {
        self.scopes[module].parent.map(|p| self.scopes[p].module)
    }

    fn is_runtime(&self, krate: &str) -> bool {
        self.source.runtime_crates.iter().any(|c| c == krate)
    }

    fn is_extern(&self, krate: &str) -> bool {
        self.is_runtime(krate)
            || self.source.extern_crates.iter().any(|c| c == krate)
            || matches!(krate, "std" | "core" | "alloc" | "proc_macro" | "test")
    }

    /// The annotation a resolution names, if any.
    fn annotation(&self, res: &Res<'_>) -> Option<AnnKind> {
        match res {
            Res::External(path) if path.len() == 2 && self.is_runtime(&path[0]) => {
                AnnKind::from_canonical(&path[1])
            }
            _ => None,
        }
    }

    /// Looks `name` up in one scope: declared names, imports, then glob imports.
    fn lookup_in(
        &self,
        scope: ScopeId,
        query: Query<'_>,
        visited: &mut HashSet<ScopeId>,
        depth: usize,
    ) -> Res<'o> {
        let Query {
            name,
            types,
            skip,
            via_glob,
        } = query;
        let s = &self.scopes[scope];
        if !s.complete {
            return if via_glob {
                Res::Unknown
            } else {
                Res::Local {
                    parent: scope,
                    name: name.to_string(),
                    alias: None,
                }
            };
        }
        if types && let Some(decl) = s.names.get(name) {
            return match *decl {
                Decl::Module(m) => Res::Module(m),
                Decl::Type(alias) => Res::Local {
                    parent: scope,
                    name: name.to_string(),
                    alias,
                },
                Decl::Extern(krate) => Res::External(vec![krate.to_string()]),
            };
        }
        if !types && let Some(Decl::Extern(krate)) = s.names.get(name) {
            return Res::External(vec![krate.to_string()]);
        }
        for entry in &s.uses {
            let address = *entry as *const UseEntry;
            if entry.local.as_deref() == Some(name) && skip != Some(address) {
                return self.resolve_use(scope, &entry.path, Some(address), depth + 1);
            }
        }
        for entry in &s.uses {
            if entry.local.is_some() {
                continue;
            }
            let address = *entry as *const UseEntry;
            match self.resolve_glob(scope, &entry.path, address, depth + 1) {
                Res::Module(m) if visited.insert(m) => {
                    let query = Query {
                        skip: None,
                        via_glob: true,
                        ..query
                    };
                    let found = self.lookup_in(m, query, visited, depth + 1);
                    if !matches!(found, Res::Unknown) {
                        return found;
                    }
                }
                Res::External(path)
                    if path.len() == 1
                        && self.is_runtime(&path[0])
                        && AnnKind::from_canonical(name).is_some() =>
                {
                    return Res::External(vec![path[0].clone(), name.to_string()]);
                }
                _ => {}
            }
        }
        Res::Unknown
    }

    /// Looks a single name up from `scope` outwards to its module, then in the extern and
    /// std preludes.
    fn lookup_name(
        &self,
        scope: ScopeId,
        name: &str,
        types: bool,
        skip: Option<*const UseEntry>,
        depth: usize,
    ) -> Res<'o> {
        if depth > 32 {
            return Res::Unknown;
        }
        let mut visited = HashSet::new();
        let mut current = scope;
        loop {
            let query = Query {
                name,
                types,
                skip,
                via_glob: false,
            };
            let found = self.lookup_in(current, query, &mut visited, depth);
            if !matches!(found, Res::Unknown) {
                return found;
            }
            if self.scopes[current].is_module {
                break;
            }
            match self.scopes[current].parent {
                Some(parent) => current = parent,
                None => break,
            }
        }
        if self.is_extern(name) {
            return Res::External(vec![name.to_string()]);
        }
        if types && let Some((_, path)) = STD_PRELUDE.iter().find(|(n, _)| *n == name) {
            return Res::External(path.split("::").map(str::to_string).collect());
        }
        Res::Unknown
    }

    /// Resolves the path of the glob import at `address` from `scope`, once per scope.
    fn resolve_glob(
        &self,
        scope: ScopeId,
        path: &SimplePath,
        address: *const UseEntry,
        depth: usize,
    ) -> Res<'o> {
        let key = (scope, address);
        if let Some(known) = self.globs.borrow().get(&key) {
            return known.clone().unwrap_or(Res::Unknown);
        }
        self.globs.borrow_mut().insert(key, None);
        let res = self.resolve_use(scope, path, Some(address), depth);
        self.globs.borrow_mut().insert(key, Some(res.clone()));
        res
    }

    /// Resolves a `use` path from `scope` (`skip` is the import itself).
    fn resolve_use(
        &self,
        scope: ScopeId,
        path: &SimplePath,
        skip: Option<*const UseEntry>,
        depth: usize,
    ) -> Res<'o> {
        let edition_2015 = self.source.edition == "2015";
        self.resolve(scope, path, skip, depth, edition_2015)
    }

    fn resolve(
        &self,
        scope: ScopeId,
        path: &SimplePath,
        skip: Option<*const UseEntry>,
        depth: usize,
        crate_relative: bool,
    ) -> Res<'o> {
        if depth > 32 || path.segments.is_empty() {
            return Res::Unknown;
        }
        if path.leading_colon {
            return Res::External(path.segments.clone());
        }
        let segments = &path.segments;
        let module = self.scopes[scope].module;
        let (mut res, mut rest) = match segments[0].as_str() {
            "crate" | "$crate" => (Res::Module(0), 1),
            "self" => (Res::Module(module), 1),
            "super" => {
                let mut m = module;
                let mut k = 0;
                while segments.get(k).is_some_and(|s| s == "super") {
                    match self.parent_module(m) {
                        Some(parent) => m = parent,
                        None => return Res::Unknown,
                    }
                    k += 1;
                }
                (Res::Module(m), k)
            }
            first if crate_relative => {
                let mut visited = HashSet::new();
                let query = Query {
                    name: first,
                    types: true,
                    skip,
                    via_glob: false,
                };
                match self.lookup_in(0, query, &mut visited, depth + 1) {
                    Res::Unknown if self.is_extern(first) => {
                        (Res::External(vec![first.to_string()]), 1)
                    }
                    found => (found, 1),
                }
            }
            first => (self.lookup_name(scope, first, true, skip, depth + 1), 1),
        };
        while rest < segments.len() {
            let segment = &segments[rest];
            res = match res {
                Res::Module(m) => {
                    let mut visited = HashSet::new();
                    let query = Query {
                        name: segment,
                        types: true,
                        skip: None,
                        via_glob: false,
                    };
                    self.lookup_in(m, query, &mut visited, depth + 1)
                }
                Res::Local { .. } => return res,
                Res::External(mut path) => {
                    path.push(segment.clone());
                    Res::External(path)
                }
                Res::Unknown => return Res::Unknown,
            };
            rest += 1;
        }
        res
    }

    /// Is this candidate attribute or macro an iec-trace annotation in `scope`?
    #[requirement("TR-TRACE-STATIC")]
    pub(crate) fn is_annotation(&self, scope: ScopeId, candidate: &Candidate) -> bool {
        let path = &candidate.path;
        let res = if path.segments.len() == 1 && !path.leading_colon {
            self.lookup_name(scope, &path.segments[0], false, None, 0)
        } else {
            self.resolve(scope, path, None, 0, false)
        };
        match res {
            Res::External(_) if self.annotation(&res).is_some() => true,
            // Not found at all (a glob of another crate, a prelude): the exported name itself
            // is taken at its word; an alias is not.
            Res::Unknown => AnnKind::from_canonical(path.last()) == Some(candidate.kind),
            _ => false,
        }
    }

    /// The compiler's spelling of a type (before normalization) and the scope that defines
    /// it, for deciding whether an impl is next to it.
    fn print_ty(&self, scope: ScopeId, ty: &Ty, depth: usize) -> (String, Option<ScopeId>) {
        match ty {
            Ty::Param => ("_".to_string(), None),
            Ty::Path(path) => self.print_path(scope, path, depth),
            Ty::Ref { mutable, inner } => {
                let (inner, owner) = self.print_ty(scope, inner, depth);
                (
                    format!("&{}{inner}", if *mutable { "mut " } else { "" }),
                    owner,
                )
            }
            Ty::Ptr { mutable, inner } => {
                let (inner, owner) = self.print_ty(scope, inner, depth);
                (
                    format!("*{} {inner}", if *mutable { "mut" } else { "const" }),
                    owner,
                )
            }
            Ty::Slice(inner) => {
                let (inner, owner) = self.print_ty(scope, inner, depth);
                (format!("[{inner}]"), owner)
            }
            Ty::Array(inner, len) => {
                let (inner, owner) = self.print_ty(scope, inner, depth);
                (format!("[{inner}; {len}]"), owner)
            }
            Ty::Tuple(elems) => {
                let printed: Vec<(String, Option<ScopeId>)> = elems
                    .iter()
                    .map(|e| self.print_ty(scope, e, depth))
                    .collect();
                let owner = printed.iter().find_map(|(_, o)| *o);
                let names: Vec<&str> = printed.iter().map(|(s, _)| s.as_str()).collect();
                let text = if names.len() == 1 {
                    format!("({},)", names[0])
                } else {
                    format!("({})", names.join(", "))
                };
                (text, owner)
            }
            Ty::Dyn(path) => {
                let (printed, owner) = self.print_path(scope, path, depth);
                (format!("dyn {printed}"), owner)
            }
            Ty::Other(text) => (text.clone(), None),
        }
    }

    fn print_path(
        &self,
        scope: ScopeId,
        path: &SimplePath,
        depth: usize,
    ) -> (String, Option<ScopeId>) {
        match self.resolve(scope, path, None, depth, false) {
            Res::Local {
                parent,
                alias: Some(target),
                ..
            } if depth < 8 => self.print_ty(parent, &Ty::Path(target.clone()), depth + 1),
            Res::Local { parent, name, .. } => (
                format!("{}::{name}", self.scopes[parent].def_path),
                Some(parent),
            ),
            Res::Module(m) => (self.scopes[m].def_path.clone(), None),
            Res::External(segments) => {
                let joined = segments.join("::");
                let mapped = STD_PATHS
                    .iter()
                    .find(|(from, _)| *from == joined)
                    .map_or(joined, |(_, to)| to.to_string());
                (mapped, None)
            }
            Res::Unknown => (path.segments.join("::"), None),
        }
    }

    /// The scope that defines a trait, when it is in this crate.
    fn trait_owner(&self, scope: ScopeId, path: &SimplePath) -> Option<ScopeId> {
        match self.resolve(scope, path, None, 0, false) {
            Res::Local { parent, .. } => Some(parent),
            _ => None,
        }
    }

    /// The path prefix of an impl's methods and consts (rustc's impl path rule).
    #[requirement("TR-TRACE-STATIC")]
    pub(crate) fn impl_prefix(&self, scope: ScopeId, header: &ImplHeader) -> String {
        let (printed, owner) = self.print_ty(scope, &header.self_ty, 0);
        let trait_owner = header
            .trait_path
            .as_ref()
            .and_then(|t| self.trait_owner(scope, t));
        if owner == Some(scope) || trait_owner == Some(scope) {
            normalize(&printed)
        } else {
            self.scopes[scope].def_path.clone()
        }
    }
}
