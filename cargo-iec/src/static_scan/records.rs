//! The walk over a crate's outline that produces records and findings: each annotation
//! named the way the compiled channel names it (see [`super::resolve`] for the rules),
//! with the `cfg` conditions it sits under.

use iec_runtime::requirement;

use super::modules::FileNode;
use super::outline::{AnnKind, Attr, Candidate, Item, ItemKind, Pos, has_candidate};
use super::resolve::{ScopeId, Scopes};
use super::{Finding, ScanError, TargetSource};
use crate::record::{Declares, Record};

/// The item a record names.
struct Named<'k> {
    path: String,
    kind: &'k str,
    pos: Pos,
    is_test: bool,
}

/// Records, findings and errors of one crate.
pub(crate) struct Crate<'o> {
    scopes: Scopes<'o>,
    pub(crate) records: Vec<Record>,
    pub(crate) findings: Vec<Finding>,
    pub(crate) errors: Vec<ScanError>,
}

/// Walk state: where the items being read are.
#[derive(Clone)]
struct Place<'o> {
    scope: ScopeId,
    file: &'o str,
    module_path: String,
    /// The `cfg` conditions around, outermost first.
    cfg: Vec<&'o str>,
    container: Container,
}

#[derive(Clone)]
enum Container {
    /// A module or block.
    Scope,
    /// An impl block: methods and consts are `prefix::name`.
    Impl { prefix: String },
    /// A trait: default methods and consts are `trait_path::name`.
    Trait { path: String },
}

fn cfg_of(attrs: &[Attr]) -> impl Iterator<Item = &str> {
    attrs.iter().filter_map(|a| match a {
        Attr::Cfg(c) => Some(c.as_str()),
        _ => None,
    })
}

fn is_test(attrs: &[Attr]) -> bool {
    attrs.iter().any(|a| match a {
        Attr::Test => true,
        Attr::Conditional { attrs, .. } => is_test(attrs),
        _ => false,
    })
}

/// Can this item produce a record, a finding or a scope (apart from its attributes)?
fn has_content(kind: &ItemKind) -> bool {
    match kind {
        ItemKind::Mod { .. } => true,
        ItemKind::Fn { body, .. } | ItemKind::Const { body, .. } => body.is_some(),
        ItemKind::Impl { items, .. } | ItemKind::Trait { items, .. } => !items.is_empty(),
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

/// The annotation candidates of an item, each with the `cfg_attr` predicates it sits under.
fn candidates(attrs: &[Attr]) -> Vec<(&Candidate, Vec<&str>)> {
    if !has_candidate(attrs) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for attr in attrs {
        match attr {
            Attr::Candidate(c) => out.push((&**c, Vec::new())),
            Attr::Conditional { predicate, attrs } => {
                for (c, mut predicates) in candidates(attrs) {
                    predicates.insert(0, predicate.as_str());
                    out.push((c, predicates));
                }
            }
            _ => {}
        }
    }
    out
}

impl<'o> Crate<'o> {
    /// Reads the crate rooted at `root`.
    pub(crate) fn new(source: &'o TargetSource, root: &'o FileNode) -> Self {
        Crate {
            scopes: Scopes::new(source, root),
            records: Vec::new(),
            findings: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Walks the crate's items and produces its records and findings.
    pub(crate) fn walk(&mut self, root: &'o FileNode) {
        let Some(outline) = &root.outline else {
            return;
        };
        let place = Place {
            scope: 0,
            file: &root.rel,
            module_path: self.scopes.source.crate_name.clone(),
            cfg: cfg_of(&outline.inner_attrs).collect(),
            container: Container::Scope,
        };
        self.items(&outline.items, &place, Some(root));
    }

    fn items(&mut self, items: &'o [Item], place: &Place<'o>, node: Option<&'o FileNode>) {
        for item in items {
            self.item(item, place, node);
        }
    }

    /// Adds a record, with the `cfg` conditions it sits under.
    #[requirement("TR-TRACE-STATIC")]
    fn record(&mut self, place: &Place<'_>, item: Named<'_>, declares: Declares, cfg: &[&str]) {
        let Named {
            path,
            kind,
            pos,
            is_test,
        } = item;
        self.records.push(Record {
            path,
            declares,
            item_kind: kind.to_string(),
            file: place.file.to_string(),
            line: pos.line,
            column: pos.column,
            package: self.scopes.source.target.package.clone(),
            is_test,
            target: self.scopes.source.target.clone(),
            cfg: (!cfg.is_empty()).then(|| cfg.join(" && ")),
        });
    }

    fn finding(&mut self, place: &Place<'_>, pos: Pos, declares: Option<Declares>, reason: String) {
        self.findings.push(Finding {
            file: place.file.to_string(),
            line: pos.line,
            column: pos.column,
            target: self.scopes.source.target.clone(),
            declares,
            reason,
        });
    }

    /// The annotations on an item that resolve to iec-trace's, each with its `cfg`.
    fn annotations(
        &mut self,
        attrs: &'o [Attr],
        place: &Place<'_>,
        cfg: &[&'o str],
    ) -> Vec<(Declares, Pos, Vec<&'o str>, AnnKind)> {
        let mut found = Vec::new();
        for (candidate, predicates) in candidates(attrs) {
            if !self.scopes.is_annotation(place.scope, candidate) {
                continue;
            }
            match &candidate.args {
                Ok(declares) => {
                    let mut cfg = cfg.to_vec();
                    cfg.extend(predicates);
                    found.push((declares.clone(), candidate.pos, cfg, candidate.kind));
                }
                Err(message) => self.errors.push(ScanError {
                    file: place.file.to_string(),
                    line: candidate.pos.line,
                    column: candidate.pos.column,
                    message: format!(
                        "malformed `#[{}]`: {message}",
                        candidate.path.segments.join("::")
                    ),
                }),
            }
        }
        found
    }

    fn item(&mut self, item: &'o Item, place: &Place<'o>, node: Option<&'o FileNode>) {
        if !has_candidate(&item.attrs) && !has_content(&item.kind) {
            return;
        }
        let mut cfg = place.cfg.clone();
        cfg.extend(cfg_of(&item.attrs));
        let annotations = self.annotations(&item.attrs, place, &cfg);
        let test = is_test(&item.attrs);
        let scope_path = self.scopes.def_path(place.scope);
        let member = |name: &str| match &place.container {
            Container::Scope => format!("{scope_path}::{name}"),
            Container::Impl { prefix } => format!("{prefix}::{name}"),
            Container::Trait { path } => format!("{path}::{name}"),
        };
        let trait_path = |name: &str| format!("{scope_path}::{name}");
        let emit = |this: &mut Self, path: String, kind: &str, pos: Pos, unit_allowed: bool| {
            for (declares, at, cfg, ann) in &annotations {
                if *ann == AnnKind::Problem && kind != "fn" {
                    this.finding(
                        place,
                        *at,
                        Some(declares.clone()),
                        format!(
                            "`#[problem]` cannot be placed on a {kind}; the compiler rejects it"
                        ),
                    );
                    continue;
                }
                if *ann == AnnKind::Unit && !unit_allowed {
                    this.finding(place, *at, Some(declares.clone()), format!("`#[software_unit]` cannot be placed on a {kind}; the compiler rejects it"));
                    continue;
                }
                let named = Named {
                    path: path.clone(),
                    kind,
                    pos,
                    is_test: test,
                };
                this.record(place, named, declares.clone(), cfg);
            }
        };
        let unsupported = |this: &mut Self, what: &str| {
            for (declares, at, _, _) in &annotations {
                this.finding(
                    place,
                    *at,
                    Some(declares.clone()),
                    format!("an annotation on {what} has no item to name; the compiler rejects it"),
                );
            }
        };
        match &item.kind {
            ItemKind::Mod { name, pos, body } => {
                let child_scope = self.scopes.scope_of(item);
                let module_path = format!("{}::{name}", place.module_path);
                match body {
                    Some(body) => {
                        emit(self, module_path.clone(), "mod", *pos, true);
                        if let Some(scope) = child_scope {
                            let mut cfg = cfg.clone();
                            cfg.extend(cfg_of(&body.inner_attrs));
                            let inner = Place {
                                scope,
                                file: place.file,
                                module_path,
                                cfg,
                                container: Container::Scope,
                            };
                            self.items(&body.items, &inner, node);
                        }
                    }
                    None => {
                        unsupported(
                            self,
                            "a file module declaration (`#[...] mod name;` is unstable; write `iec_runtime::module_requirement!(...)` or `module_unit!(...)` inside the file)",
                        );
                        let file = node.and_then(|n| {
                            n.children.iter().find(|(p, _)| p == pos).map(|(_, f)| f)
                        });
                        if let (Some(file), Some(scope)) = (file, child_scope)
                            && let Some(outline) = &file.outline
                        {
                            let mut cfg = cfg.clone();
                            cfg.extend(cfg_of(&outline.inner_attrs));
                            let inner = Place {
                                scope,
                                file: &file.rel,
                                module_path,
                                cfg,
                                container: Container::Scope,
                            };
                            self.items(&outline.items, &inner, Some(file));
                        }
                    }
                }
            }
            ItemKind::Fn {
                name,
                pos,
                has_body,
                body,
            } => {
                if !has_body && !matches!(place.container, Container::Scope) {
                    unsupported(
                        self,
                        &format!(
                            "the trait method `{name}` without a default body (annotate the trait, or the method in each impl)"
                        ),
                    );
                    return;
                }
                let path = member(name);
                emit(self, path.clone(), "fn", *pos, true);
                if let (Some(body), Some(scope)) = (body, self.scopes.scope_of(item)) {
                    self.scopes.set_def_path(scope, path);
                    let inner = Place {
                        scope,
                        file: place.file,
                        module_path: place.module_path.clone(),
                        cfg,
                        container: Container::Scope,
                    };
                    self.items(&body.items, &inner, node);
                }
            }
            ItemKind::Const {
                name,
                pos,
                is_static,
                has_value,
                body,
            } => {
                let kind = if *is_static { "static" } else { "const" };
                if !has_value {
                    unsupported(
                        self,
                        &format!(
                            "the associated const `{name}` without a value (annotate the trait, or the const in each impl)"
                        ),
                    );
                    return;
                }
                let path = member(name);
                emit(self, path.clone(), kind, *pos, false);
                if let (Some(body), Some(scope)) = (body, self.scopes.scope_of(item)) {
                    self.scopes.set_def_path(scope, path);
                    let inner = Place {
                        scope,
                        file: place.file,
                        module_path: place.module_path.clone(),
                        cfg,
                        container: Container::Scope,
                    };
                    self.items(&body.items, &inner, node);
                }
            }
            ItemKind::Impl { header, items } => {
                let Some(header) = header else {
                    unsupported(self, "an impl block whose header could not be read");
                    return;
                };
                let path = format!("{}::{}", place.module_path, header.written);
                emit(self, path, "impl", header.pos, true);
                let prefix = self.scopes.impl_prefix(place.scope, header);
                let inner = Place {
                    container: Container::Impl { prefix },
                    cfg,
                    ..place.clone()
                };
                self.items(items, &inner, node);
            }
            ItemKind::Trait { name, pos, items } => {
                let path = trait_path(name);
                emit(
                    self,
                    format!("{}::{name}", place.module_path),
                    "trait",
                    *pos,
                    true,
                );
                let inner = Place {
                    container: Container::Trait { path },
                    cfg,
                    ..place.clone()
                };
                self.items(items, &inner, node);
            }
            ItemKind::Adt { keyword, name, pos } => {
                emit(
                    self,
                    format!("{}::{name}", place.module_path),
                    keyword,
                    *pos,
                    *keyword != "union",
                );
            }
            ItemKind::TypeAlias { name, pos, .. } => {
                if matches!(place.container, Container::Scope) {
                    emit(
                        self,
                        format!("{}::{name}", place.module_path),
                        "type",
                        *pos,
                        false,
                    );
                } else {
                    unsupported(self, &format!("the associated type `{name}`"));
                }
            }
            ItemKind::Use(_) => unsupported(self, "a `use` declaration"),
            ItemKind::ExternCrate { .. } => unsupported(self, "an `extern crate`"),
            ItemKind::MacroRules { name, sightings } => {
                unsupported(self, "a macro definition");
                for sighting in sightings {
                    self.finding(place, sighting.pos, sighting.declares.clone(), format!(
                        "`{}` is inside `macro_rules! {name}`: the items it expands to are named at each call site, and the static channel does not expand macros",
                        sighting.text
                    ));
                }
            }
            ItemKind::MacroCall {
                path,
                pos,
                module,
                sightings,
            } => {
                unsupported(
                    self,
                    "a macro invocation (annotate the items the macro expands to, inside its definition)",
                );
                if let Some(candidate) = module
                    && self.scopes.is_annotation(place.scope, candidate)
                {
                    match &candidate.args {
                        Ok(declares) => {
                            let module_path = place.module_path.clone();
                            let named = Named {
                                path: module_path,
                                kind: "mod",
                                pos: *pos,
                                is_test: false,
                            };
                            self.record(place, named, declares.clone(), &cfg);
                        }
                        Err(message) => self.errors.push(ScanError {
                            file: place.file.to_string(),
                            line: pos.line,
                            column: pos.column,
                            message: format!(
                                "malformed `{}!`: {message}",
                                path.segments.join("::")
                            ),
                        }),
                    }
                }
                for sighting in sightings {
                    self.finding(place, sighting.pos, sighting.declares.clone(), format!(
                        "`{}` is inside an invocation of `{}!`: the static channel does not expand macros, so the item it will be on has no name here",
                        sighting.text,
                        path.segments.join("::")
                    ));
                }
            }
            ItemKind::Other {
                what, sightings, ..
            } => {
                unsupported(self, what);
                for sighting in sightings {
                    self.finding(
                        place,
                        sighting.pos,
                        sighting.declares.clone(),
                        format!(
                            "`{}` is inside {what}, where annotations have no item to name",
                            sighting.text
                        ),
                    );
                }
            }
        }
    }
}
