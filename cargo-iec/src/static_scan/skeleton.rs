//! The fast outline builder: reads item headers from [`super::lexer`] tokens and steps over
//! every body it has no reason to read.
//!
//! Modules, impls and traits are walked item by item; a function body or a const
//! initializer is one token group, looked into only when its bytes contain an annotation
//! name or a file-module declaration, and then parsed by `syn` ([`super::syntax`]). Anything
//! this reader does not recognise makes it give up on the file (`Err(GiveUp)`), and the whole
//! file goes to `syn` instead, which either outlines it or reports the syntax error.

use super::lexer::{Delim, Kind, Token};
use super::outline::{self, Attr, Item, ItemKind, Level, Outline, has_candidate};
use super::read::{self, Cx, read_path};
use super::{header, syntax};

/// The fast reader met something it does not handle; `syn` takes the file.
#[derive(Debug)]
pub(crate) struct GiveUp;

/// Outlines a whole file from its tokens.
pub(crate) fn file(cx: &mut Cx<'_>, tokens: &[Token]) -> Result<Outline, GiveUp> {
    let mut reader = Reader { cx, t: tokens };
    let mut outline = reader.list(0, tokens.len(), Level::Scope)?;
    outline::prune(&mut outline.items, Level::Scope);
    Ok(outline)
}

struct Reader<'r, 'a> {
    cx: &'r mut Cx<'a>,
    t: &'r [Token],
}

/// What the item keyword scan found.
enum End {
    /// The item ends with `;` at this index.
    Semi(usize),
    /// The item's body is the brace group opened at this index.
    Body(usize),
}

impl Reader<'_, '_> {
    fn ident(&self, i: usize) -> Option<&str> {
        let token = self.t.get(i)?;
        (token.kind == Kind::Ident).then(|| self.cx.text(token))
    }

    fn punct(&self, i: usize, b: u8) -> bool {
        self.t.get(i).is_some_and(|t| t.is_punct(b))
    }

    fn open(&self, i: usize, d: Delim) -> bool {
        self.t.get(i).is_some_and(|t| t.is_open(d))
    }

    fn partner(&self, i: usize) -> usize {
        self.t[i].partner as usize
    }

    fn start(&self, i: usize) -> usize {
        self.t[i].start as usize
    }

    /// Byte range of the group opened at `i`, delimiters included.
    fn group_bytes(&self, i: usize) -> std::ops::Range<usize> {
        self.start(i)..self.t[self.partner(i)].end as usize
    }

    /// The items of a module, impl or trait body between token indices `start..end`.
    fn list(&mut self, start: usize, end: usize, level: Level) -> Result<Outline, GiveUp> {
        let mut outline = Outline::default();
        let mut i = start;
        let mut inner_allowed = level == Level::Scope;
        while i < end {
            if self.punct(i, b'#') && self.punct(i + 1, b'!') && self.open(i + 2, Delim::Bracket) {
                if !inner_allowed {
                    return Err(GiveUp);
                }
                let close = self.partner(i + 2);
                let hash = self.start(i);
                if let Some(attr) = read::attribute(self.cx, &self.t[i + 3..close], hash) {
                    outline.inner_attrs.push(attr);
                }
                i = close + 1;
                continue;
            }
            inner_allowed = false;
            let mut attrs = Vec::new();
            let mut had_attribute = false;
            while self.punct(i, b'#') && self.open(i + 1, Delim::Bracket) {
                had_attribute = true;
                let close = self.partner(i + 1);
                let hash = self.start(i);
                if let Some(attr) = read::attribute(self.cx, &self.t[i + 2..close], hash) {
                    attrs.push(attr);
                }
                i = close + 1;
            }
            if i >= end {
                if had_attribute {
                    return Err(GiveUp);
                }
                break;
            }
            let (kind, next) = self.item(i, end, &attrs)?;
            if next > end {
                return Err(GiveUp);
            }
            if let Some(kind) = kind {
                let mut item = Item { attrs, kind };
                // Drop at once what the outline would drop at the end.
                if outline::keep(&mut item, level) {
                    outline.items.push(item);
                }
            }
            i = next;
        }
        Ok(outline)
    }

    /// Finds where an item starting its header at `i` ends: at `;`, or at its body (a brace
    /// group not in a generic argument or a default value).
    fn end_of(&self, mut i: usize, end: usize, body_allowed: bool) -> Result<End, GiveUp> {
        while i < end {
            let token = self.t[i];
            match token.kind {
                Kind::Punct(b';') => return Ok(End::Semi(i)),
                Kind::Open(Delim::Brace)
                    if body_allowed
                        && !(self.punct(i - 1, b'<')
                            || self.punct(i - 1, b',')
                            || self.punct(i - 1, b'=')) =>
                {
                    return Ok(End::Body(i));
                }
                Kind::Open(_) => i = self.partner(i) + 1,
                _ => i += 1,
            }
        }
        Err(GiveUp)
    }

    /// Reads one item (attributes already read) starting at `i`; returns it (`None` for
    /// items the trace ignores) and the index after it.
    fn item(
        &mut self,
        mut i: usize,
        end: usize,
        attrs: &[Attr],
    ) -> Result<(Option<ItemKind>, usize), GiveUp> {
        if self.ident(i) == Some("pub") {
            i += 1;
            if self.open(i, Delim::Paren) {
                i = self.partner(i) + 1;
            }
        }
        if self.punct(i, b';') {
            return Ok((None, i + 1));
        }
        // Qualifiers before the keyword.
        loop {
            let next_is_ident = self.t.get(i + 1).is_some_and(|t| t.kind == Kind::Ident);
            match self.ident(i) {
                Some("default" | "unsafe" | "async" | "safe") if next_is_ident => i += 1,
                Some("const")
                    if matches!(
                        self.ident(i + 1),
                        Some("fn" | "unsafe" | "async" | "extern")
                    ) =>
                {
                    i += 1
                }
                Some("auto") if self.ident(i + 1) == Some("trait") => i += 1,
                Some("extern") if self.ident(i + 1) == Some("crate") => break,
                Some("extern") => {
                    i += 1;
                    if self.t.get(i).is_some_and(|t| t.kind == Kind::Str) {
                        i += 1;
                    }
                    if self.open(i, Delim::Brace) {
                        let pos = self.cx.pos(self.start(i));
                        let sightings = self.sightings_in(i);
                        return Ok((
                            Some(ItemKind::Other {
                                what: "an extern block",
                                pos,
                                sightings,
                            }),
                            self.partner(i) + 1,
                        ));
                    }
                }
                _ => break,
            }
        }
        let Some(keyword) = self.ident(i) else {
            return Err(GiveUp);
        };
        match keyword {
            "fn" => self.function(i, end),
            "mod" => {
                let name = self.ident(i + 1).ok_or(GiveUp)?.to_string();
                let pos = self.cx.pos(self.start(i + 1));
                if self.punct(i + 2, b';') {
                    return Ok((
                        Some(ItemKind::Mod {
                            name,
                            pos,
                            body: None,
                        }),
                        i + 3,
                    ));
                }
                if !self.open(i + 2, Delim::Brace) {
                    return Err(GiveUp);
                }
                let close = self.partner(i + 2);
                let mut body = self.list(i + 3, close, Level::Scope)?;
                outline::prune(&mut body.items, Level::Scope);
                Ok((
                    Some(ItemKind::Mod {
                        name,
                        pos,
                        body: Some(Box::new(body)),
                    }),
                    close + 1,
                ))
            }
            "impl" => {
                let End::Body(open) = self.end_of(i + 1, end, true)? else {
                    return Err(GiveUp);
                };
                let close = self.partner(open);
                let mut body = self.list(open + 1, close, Level::Associated)?;
                outline::prune(&mut body.items, Level::Associated);
                let header = if has_candidate(attrs) || !body.items.is_empty() {
                    let range = self.start(i)..self.start(open);
                    Some(header::impl_header(self.cx, range).ok_or(GiveUp)?)
                } else {
                    None
                };
                Ok((
                    Some(ItemKind::Impl {
                        header,
                        items: body.items,
                    }),
                    close + 1,
                ))
            }
            "trait" => {
                let name = self.ident(i + 1).ok_or(GiveUp)?.to_string();
                let pos = self.cx.pos(self.start(i + 1));
                match self.end_of(i + 2, end, true)? {
                    End::Semi(semi) => Ok((
                        Some(ItemKind::Other {
                            what: "a trait alias",
                            pos,
                            sightings: Vec::new(),
                        }),
                        semi + 1,
                    )),
                    End::Body(open) => {
                        let close = self.partner(open);
                        let mut body = self.list(open + 1, close, Level::Associated)?;
                        outline::prune(&mut body.items, Level::Associated);
                        Ok((
                            Some(ItemKind::Trait {
                                name,
                                pos,
                                items: body.items,
                            }),
                            close + 1,
                        ))
                    }
                }
            }
            "struct" | "enum" | "union"
                if self.t.get(i + 1).is_some_and(|t| t.kind == Kind::Ident) =>
            {
                let keyword = match keyword {
                    "struct" => "struct",
                    "enum" => "enum",
                    _ => "union",
                };
                let name = self.ident(i + 1).ok_or(GiveUp)?.to_string();
                let pos = self.cx.pos(self.start(i + 1));
                let next = match self.end_of(i + 2, end, true)? {
                    End::Semi(semi) => semi + 1,
                    End::Body(open) => self.partner(open) + 1,
                };
                Ok((Some(ItemKind::Adt { keyword, name, pos }), next))
            }
            "type" => {
                let name = self.ident(i + 1).ok_or(GiveUp)?.to_string();
                let pos = self.cx.pos(self.start(i + 1));
                let End::Semi(semi) = self.end_of(i + 2, end, false)? else {
                    return Err(GiveUp);
                };
                let target = self
                    .top_level_eq(i + 2, semi)
                    .and_then(|eq| read::alias_target(self.cx, &self.t[eq + 1..semi]));
                Ok((Some(ItemKind::TypeAlias { name, pos, target }), semi + 1))
            }
            "const" | "static" => {
                let is_static = keyword == "static";
                let mut n = i + 1;
                if is_static && self.ident(n) == Some("mut") {
                    n += 1;
                }
                let name = self.ident(n).ok_or(GiveUp)?.to_string();
                let pos = self.cx.pos(self.start(n));
                let End::Semi(semi) = self.end_of(n + 1, end, false)? else {
                    return Err(GiveUp);
                };
                let eq = self.top_level_eq(n + 1, semi);
                let mut body = None;
                if let Some(eq) = eq
                    && eq + 1 < semi
                {
                    let range = self.start(eq + 1)..self.t[semi - 1].end as usize;
                    if self.cx.worth_a_look(range.clone()) {
                        body = syntax::expr_outline(self.cx, range).map_err(|_| GiveUp)?;
                    }
                }
                Ok((
                    Some(ItemKind::Const {
                        name,
                        pos,
                        is_static,
                        has_value: eq.is_some(),
                        body,
                    }),
                    semi + 1,
                ))
            }
            "use" => {
                let End::Semi(semi) = self.end_of(i + 1, end, false)? else {
                    return Err(GiveUp);
                };
                let entries = read::use_entries(self.cx, &self.t[i + 1..semi]);
                Ok((Some(ItemKind::Use(entries)), semi + 1))
            }
            "extern" => {
                // `extern crate name (as alias)?;`
                let name = self.ident(i + 2).ok_or(GiveUp)?.to_string();
                let alias = if self.ident(i + 3) == Some("as") {
                    Some(self.ident(i + 4).ok_or(GiveUp)?.to_string())
                } else {
                    None
                };
                let End::Semi(semi) = self.end_of(i + 3, end, false)? else {
                    return Err(GiveUp);
                };
                Ok((Some(ItemKind::ExternCrate { name, alias }), semi + 1))
            }
            "macro_rules" if self.punct(i + 1, b'!') => {
                let name = self.ident(i + 2).ok_or(GiveUp)?.to_string();
                let group = i + 3;
                if !matches!(self.t.get(group).map(|t| t.kind), Some(Kind::Open(_))) {
                    return Err(GiveUp);
                }
                let sightings = self.sightings_in(group);
                let mut next = self.partner(group) + 1;
                if self.punct(next, b';') {
                    next += 1;
                }
                Ok((Some(ItemKind::MacroRules { name, sightings }), next))
            }
            "macro" if self.t.get(i + 1).is_some_and(|t| t.kind == Kind::Ident) => {
                let pos = self.cx.pos(self.start(i + 1));
                let End::Body(open) = self.end_of(i + 2, end, true)? else {
                    return Err(GiveUp);
                };
                let sightings = self.sightings_in(open);
                Ok((
                    Some(ItemKind::Other {
                        what: "a macro definition",
                        pos,
                        sightings,
                    }),
                    self.partner(open) + 1,
                ))
            }
            _ => self.macro_call(i),
        }
    }

    /// The index of the first `=` outside groups and generic arguments in `k..to`: where
    /// a const's initializer or an alias's target starts.
    fn top_level_eq(&self, mut k: usize, to: usize) -> Option<usize> {
        let mut angles = 0usize;
        while k < to {
            match self.t[k].kind {
                Kind::Open(_) => {
                    k = self.partner(k) + 1;
                    continue;
                }
                Kind::Punct(b'<') => angles += 1,
                Kind::Punct(b'>') if !(k > 0 && self.punct(k - 1, b'-')) => {
                    angles = angles.saturating_sub(1);
                }
                Kind::Punct(b'=') if angles == 0 => return Some(k),
                _ => {}
            }
            k += 1;
        }
        None
    }

    fn function(&mut self, i: usize, end: usize) -> Result<(Option<ItemKind>, usize), GiveUp> {
        let name = self.ident(i + 1).ok_or(GiveUp)?.to_string();
        let pos = self.cx.pos(self.start(i + 1));
        match self.end_of(i + 2, end, true)? {
            End::Semi(semi) => Ok((
                Some(ItemKind::Fn {
                    name,
                    pos,
                    has_body: false,
                    body: None,
                }),
                semi + 1,
            )),
            End::Body(open) => {
                let range = self.group_bytes(open);
                let body = if self.cx.worth_a_look(range.clone()) {
                    syntax::block_outline(self.cx, range).map_err(|_| GiveUp)?
                } else {
                    None
                };
                Ok((
                    Some(ItemKind::Fn {
                        name,
                        pos,
                        has_body: true,
                        body,
                    }),
                    self.partner(open) + 1,
                ))
            }
        }
    }

    /// A macro invocation in item position: `path!(...);`, `path! { ... }`.
    fn macro_call(&mut self, i: usize) -> Result<(Option<ItemKind>, usize), GiveUp> {
        let (path, after) = read_path(self.cx, self.t, i).ok_or(GiveUp)?;
        if !self.punct(after, b'!') {
            return Err(GiveUp);
        }
        let group = after + 1;
        let Some(Kind::Open(delim)) = self.t.get(group).map(|t| t.kind) else {
            return Err(GiveUp);
        };
        let close = self.partner(group);
        let mut next = close + 1;
        if delim != Delim::Brace || self.punct(next, b';') {
            if !self.punct(next, b';') {
                return Err(GiveUp);
            }
            next += 1;
        }
        let path_start = self.start(i);
        let pos = self.cx.pos(path_start);
        let module = read::module_macro(self.cx, &path, path_start, &self.t[group + 1..close]);
        let sightings = if module.is_none() {
            self.sightings_in(group)
        } else {
            Vec::new()
        };
        Ok((
            Some(ItemKind::MacroCall {
                path,
                pos,
                module,
                sightings,
            }),
            next,
        ))
    }

    /// Annotations inside the group opened at `open` (macro input or definition), read
    /// from a full tokenization of it: function bodies in it were stepped over.
    fn sightings_in(&mut self, open: usize) -> Vec<outline::Sighting> {
        let close = self.partner(open);
        let inside = self.t[open].end as usize..self.start(close);
        if !self.cx.hits.names_in(&self.group_bytes(open)) {
            return Vec::new();
        }
        match read::tokens_of(self.cx.src, inside) {
            Ok(tokens) => read::sightings(self.cx, &tokens),
            Err(_) => Vec::new(),
        }
    }
}
