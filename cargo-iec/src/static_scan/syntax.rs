//! The `syn` outline builder: for function bodies and initializers that hold annotations
//! (items can sit anywhere in them, in blocks and closures), and for whole files the fast
//! reader gave up on or when a full parse is asked for.
//!
//! It only decides the structure; attributes, `use` trees, annotation arguments and impl
//! headers are read from the same source ranges by the same helpers as the fast reader
//! ([`super::outline`]), so the two builders agree by construction. Spans give byte
//! offsets (proc-macro2's `span-locations`), relative to the parsed text; `base` re-bases
//! them onto the file.

use std::ops::Range;

use proc_macro2::Span;
use syn::ext::IdentExt as _;
use syn::spanned::Spanned;
use syn::visit::Visit;

use super::header;
use super::outline::{self, Attr, Item, ItemKind, Level, Outline, SimplePath, has_candidate};
use super::read::{self, Cx, tokens_of};

/// Parses the whole file; `Err` carries the syntax error's byte offset and message.
pub(crate) fn file_outline(cx: &mut Cx<'_>) -> Result<Outline, (usize, String)> {
    let src = cx.src;
    let mut base = 0;
    if src.starts_with('\u{feff}') {
        base = 3;
    }
    let rest = &src[base..];
    if rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[') {
        base += rest.find('\n').unwrap_or(rest.len());
    }
    let file: syn::File = syn::parse_str(&src[base..]).map_err(|error| {
        let offset = base + error.span().byte_range().start;
        (offset, error.to_string())
    })?;
    let mut walker = Walker { cx, base };
    let mut outline = Outline {
        inner_attrs: walker.attrs(&file.attrs, true),
        items: file.items.iter().filter_map(|i| walker.item(i)).collect(),
    };
    outline::prune(&mut outline.items, Level::Scope);
    Ok(outline)
}

/// The items inside a function body (`range` covers its braces); `None` when nothing in it
/// matters.
pub(crate) fn block_outline(
    cx: &mut Cx<'_>,
    range: Range<usize>,
) -> syn::Result<Option<Box<Outline>>> {
    let parser = |input: syn::parse::ParseStream<'_>| {
        let content;
        syn::braced!(content in input);
        content.call(syn::Attribute::parse_inner)?;
        syn::Block::parse_within(&content)
    };
    let stmts = syn::parse::Parser::parse_str(parser, &cx.src[range.clone()])?;
    let mut walker = Walker {
        cx,
        base: range.start,
    };
    let mut items = BodyItems {
        walker: &mut walker,
        items: Vec::new(),
    };
    for stmt in &stmts {
        items.visit_stmt(stmt);
    }
    Ok(body(items.items))
}

/// The items inside a const or static initializer (`range` covers the expression).
pub(crate) fn expr_outline(
    cx: &mut Cx<'_>,
    range: Range<usize>,
) -> syn::Result<Option<Box<Outline>>> {
    let expr: syn::Expr = syn::parse_str(&cx.src[range.clone()])?;
    let mut walker = Walker {
        cx,
        base: range.start,
    };
    let mut items = BodyItems {
        walker: &mut walker,
        items: Vec::new(),
    };
    items.visit_expr(&expr);
    Ok(body(items.items))
}

fn body(items: Vec<Item>) -> Option<Box<Outline>> {
    let mut body = Some(Box::new(Outline {
        inner_attrs: Vec::new(),
        items,
    }));
    outline::keep_body(&mut body);
    body
}

struct Walker<'w, 'a> {
    cx: &'w mut Cx<'a>,
    base: usize,
}

/// Collects the items (and macro invocations) anywhere inside a body, without descending
/// into the items themselves (the walker does that).
struct BodyItems<'b, 'w, 'a> {
    walker: &'b mut Walker<'w, 'a>,
    items: Vec<Item>,
}

impl<'ast> Visit<'ast> for BodyItems<'_, '_, '_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        if let Some(item) = self.walker.item(item) {
            self.items.push(item);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let kind = self.walker.macro_call(mac);
        self.items.push(Item {
            attrs: Vec::new(),
            kind,
        });
    }
}

impl Walker<'_, '_> {
    fn start(&self, span: Span) -> usize {
        self.base + span.byte_range().start
    }

    fn end(&self, span: Span) -> usize {
        self.base + span.byte_range().end
    }

    fn pos(&mut self, span: Span) -> outline::Pos {
        let offset = self.start(span);
        self.cx.pos(offset)
    }

    fn attrs(&mut self, attrs: &[syn::Attribute], inner: bool) -> Vec<Attr> {
        let mut out = Vec::new();
        for attr in attrs {
            if matches!(attr.style, syn::AttrStyle::Inner(_)) != inner {
                continue;
            }
            let range = self.end(attr.bracket_token.span.open())
                ..self.start(attr.bracket_token.span.close());
            let Ok(tokens) = tokens_of(self.cx.src, range) else {
                continue;
            };
            let hash = self.start(attr.pound_token.span);
            if let Some(attr) = read::attribute(self.cx, &tokens, hash) {
                out.push(attr);
            }
        }
        out
    }

    fn outer(&mut self, attrs: &[syn::Attribute]) -> Vec<Attr> {
        self.attrs(attrs, false)
    }

    fn tokens(&self, range: Range<usize>) -> Vec<super::lexer::Token> {
        tokens_of(self.cx.src, range).unwrap_or_default()
    }

    /// Items inside a function body or initializer.
    fn body_of_block(&mut self, block: &syn::Block) -> Option<Box<Outline>> {
        let mut items = BodyItems {
            walker: self,
            items: Vec::new(),
        };
        for stmt in &block.stmts {
            items.visit_stmt(stmt);
        }
        body(items.items)
    }

    fn body_of_expr(&mut self, expr: &syn::Expr) -> Option<Box<Outline>> {
        let mut items = BodyItems {
            walker: self,
            items: Vec::new(),
        };
        items.visit_expr(expr);
        body(items.items)
    }

    fn item(&mut self, item: &syn::Item) -> Option<Item> {
        let (attrs, kind) = match item {
            syn::Item::Fn(f) => {
                let attrs = self.outer(&f.attrs);
                let pos = self.pos(f.sig.ident.span());
                let body = self.body_of_block(&f.block);
                (
                    attrs,
                    ItemKind::Fn {
                        name: f.sig.ident.unraw().to_string(),
                        pos,
                        has_body: true,
                        body,
                    },
                )
            }
            syn::Item::Mod(m) => {
                let attrs = self.outer(&m.attrs);
                let pos = self.pos(m.ident.span());
                let body = m.content.as_ref().map(|(_, items)| {
                    let mut outline = Outline {
                        inner_attrs: self.attrs(&m.attrs, true),
                        items: items.iter().filter_map(|i| self.item(i)).collect(),
                    };
                    outline::prune(&mut outline.items, Level::Scope);
                    Box::new(outline)
                });
                (
                    attrs,
                    ItemKind::Mod {
                        name: m.ident.unraw().to_string(),
                        pos,
                        body,
                    },
                )
            }
            syn::Item::Use(u) => {
                let attrs = self.outer(&u.attrs);
                let tokens = self.tokens(self.end(u.use_token.span)..self.start(u.semi_token.span));
                (attrs, ItemKind::Use(read::use_entries(self.cx, &tokens)))
            }
            syn::Item::ExternCrate(e) => (
                self.outer(&e.attrs),
                ItemKind::ExternCrate {
                    name: e.ident.unraw().to_string(),
                    alias: e
                        .rename
                        .as_ref()
                        .map(|(_, alias)| alias.unraw().to_string()),
                },
            ),
            syn::Item::Impl(i) => {
                let attrs = self.outer(&i.attrs);
                let mut items: Vec<Item> = i
                    .items
                    .iter()
                    .filter_map(|item| self.impl_item(item))
                    .collect();
                outline::prune(&mut items, Level::Associated);
                let header = if has_candidate(&attrs) || !items.is_empty() {
                    let range =
                        self.start(i.impl_token.span)..self.start(i.brace_token.span.open());
                    header::impl_header(self.cx, range)
                } else {
                    None
                };
                (attrs, ItemKind::Impl { header, items })
            }
            syn::Item::Trait(t) => {
                let attrs = self.outer(&t.attrs);
                let pos = self.pos(t.ident.span());
                let mut items: Vec<Item> = t
                    .items
                    .iter()
                    .filter_map(|item| self.trait_item(item))
                    .collect();
                outline::prune(&mut items, Level::Associated);
                (
                    attrs,
                    ItemKind::Trait {
                        name: t.ident.unraw().to_string(),
                        pos,
                        items,
                    },
                )
            }
            syn::Item::Struct(s) => self.adt(&s.attrs, "struct", &s.ident),
            syn::Item::Enum(e) => self.adt(&e.attrs, "enum", &e.ident),
            syn::Item::Union(u) => self.adt(&u.attrs, "union", &u.ident),
            syn::Item::Type(t) => {
                let attrs = self.outer(&t.attrs);
                let kind = self.type_alias(&t.ident, Some(&t.ty));
                (attrs, kind)
            }
            syn::Item::Const(c) => {
                let attrs = self.outer(&c.attrs);
                let kind = self.constant(&c.ident, false, Some(&c.expr));
                (attrs, kind)
            }
            syn::Item::Static(s) => {
                let attrs = self.outer(&s.attrs);
                let kind = self.constant(&s.ident, true, Some(&s.expr));
                (attrs, kind)
            }
            syn::Item::Macro(m) => {
                let attrs = self.outer(&m.attrs);
                let kind = match &m.ident {
                    Some(name) if m.mac.path.is_ident("macro_rules") => {
                        let range = self.group_inside(&m.mac);
                        ItemKind::MacroRules {
                            name: name.unraw().to_string(),
                            sightings: self.sightings(range),
                        }
                    }
                    _ => self.macro_call(&m.mac),
                };
                (attrs, kind)
            }
            syn::Item::ForeignMod(f) => {
                let attrs = self.outer(&f.attrs);
                let open = f.brace_token.span.open();
                let pos = self.pos(open);
                let range = self.end(open)..self.start(f.brace_token.span.close());
                (
                    attrs,
                    ItemKind::Other {
                        what: "an extern block",
                        pos,
                        sightings: self.sightings(range),
                    },
                )
            }
            syn::Item::TraitAlias(t) => {
                let attrs = self.outer(&t.attrs);
                let pos = self.pos(t.ident.span());
                (
                    attrs,
                    ItemKind::Other {
                        what: "a trait alias",
                        pos,
                        sightings: Vec::new(),
                    },
                )
            }
            _ => return None,
        };
        Some(Item { attrs, kind })
    }

    fn adt(
        &mut self,
        attrs: &[syn::Attribute],
        keyword: &'static str,
        ident: &syn::Ident,
    ) -> (Vec<Attr>, ItemKind) {
        let attrs = self.outer(attrs);
        let pos = self.pos(ident.span());
        (
            attrs,
            ItemKind::Adt {
                keyword,
                name: ident.unraw().to_string(),
                pos,
            },
        )
    }

    fn type_alias(&mut self, ident: &syn::Ident, ty: Option<&syn::Type>) -> ItemKind {
        let pos = self.pos(ident.span());
        let target = ty.and_then(|ty| {
            let span = ty.span();
            let tokens = self.tokens(self.start(span)..self.end(span));
            read::alias_target(self.cx, &tokens)
        });
        ItemKind::TypeAlias {
            name: ident.unraw().to_string(),
            pos,
            target,
        }
    }

    fn constant(
        &mut self,
        ident: &syn::Ident,
        is_static: bool,
        expr: Option<&syn::Expr>,
    ) -> ItemKind {
        let pos = self.pos(ident.span());
        let body = expr.and_then(|expr| self.body_of_expr(expr));
        ItemKind::Const {
            name: ident.unraw().to_string(),
            pos,
            is_static,
            has_value: expr.is_some(),
            body,
        }
    }

    fn impl_item(&mut self, item: &syn::ImplItem) -> Option<Item> {
        let (attrs, kind) = match item {
            syn::ImplItem::Fn(f) => {
                let attrs = self.outer(&f.attrs);
                let pos = self.pos(f.sig.ident.span());
                let body = self.body_of_block(&f.block);
                (
                    attrs,
                    ItemKind::Fn {
                        name: f.sig.ident.unraw().to_string(),
                        pos,
                        has_body: true,
                        body,
                    },
                )
            }
            syn::ImplItem::Const(c) => {
                let attrs = self.outer(&c.attrs);
                (attrs, self.constant(&c.ident, false, Some(&c.expr)))
            }
            syn::ImplItem::Type(t) => {
                let attrs = self.outer(&t.attrs);
                (attrs, self.type_alias(&t.ident, Some(&t.ty)))
            }
            syn::ImplItem::Macro(m) => {
                let attrs = self.outer(&m.attrs);
                (attrs, self.macro_call(&m.mac))
            }
            _ => return None,
        };
        Some(Item { attrs, kind })
    }

    fn trait_item(&mut self, item: &syn::TraitItem) -> Option<Item> {
        let (attrs, kind) = match item {
            syn::TraitItem::Fn(f) => {
                let attrs = self.outer(&f.attrs);
                let pos = self.pos(f.sig.ident.span());
                let body = f
                    .default
                    .as_ref()
                    .and_then(|block| self.body_of_block(block));
                (
                    attrs,
                    ItemKind::Fn {
                        name: f.sig.ident.unraw().to_string(),
                        pos,
                        has_body: f.default.is_some(),
                        body,
                    },
                )
            }
            syn::TraitItem::Const(c) => {
                let attrs = self.outer(&c.attrs);
                let expr = c.default.as_ref().map(|(_, expr)| expr);
                (attrs, self.constant(&c.ident, false, expr))
            }
            syn::TraitItem::Type(t) => {
                let attrs = self.outer(&t.attrs);
                let ty = t.default.as_ref().map(|(_, ty)| ty);
                (attrs, self.type_alias(&t.ident, ty))
            }
            syn::TraitItem::Macro(m) => {
                let attrs = self.outer(&m.attrs);
                (attrs, self.macro_call(&m.mac))
            }
            _ => return None,
        };
        Some(Item { attrs, kind })
    }

    /// The byte range inside a macro's delimiters.
    fn group_inside(&self, mac: &syn::Macro) -> Range<usize> {
        let span = mac.delimiter.span();
        self.end(span.open())..self.start(span.close())
    }

    fn sightings(&mut self, range: Range<usize>) -> Vec<outline::Sighting> {
        if !self.cx.hits.names_in(&range) {
            return Vec::new();
        }
        let tokens = self.tokens(range);
        read::sightings(self.cx, &tokens)
    }

    fn macro_call(&mut self, mac: &syn::Macro) -> ItemKind {
        let path = SimplePath {
            leading_colon: mac.path.leading_colon.is_some(),
            segments: mac
                .path
                .segments
                .iter()
                .map(|s| s.ident.unraw().to_string())
                .collect(),
        };
        let path_start = match &mac.path.leading_colon {
            Some(colon) => self.start(colon.spans[0]),
            None => mac
                .path
                .segments
                .first()
                .map_or(0, |s| self.start(s.ident.span())),
        };
        let pos = self.cx.pos(path_start);
        let range = self.group_inside(mac);
        let tokens = self.tokens(range.clone());
        let module = read::module_macro(self.cx, &path, path_start, &tokens);
        let sightings = if module.is_none() {
            self.sightings(range)
        } else {
            Vec::new()
        };
        ItemKind::MacroCall {
            path,
            pos,
            module,
            sightings,
        }
    }
}
