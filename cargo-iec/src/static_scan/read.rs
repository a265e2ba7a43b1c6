//! Readers of item parts from tokens, shared by both outline builders: attributes, `use`
//! trees, annotation arguments, type alias targets, module macros, and annotations inside
//! macro input (sightings).

use std::ops::Range;

use super::lexer::{self, Delim, Kind, LineIndex, Token};
use super::names::{Hits, Names};
use super::outline::{AnnKind, Attr, Candidate, Pos, Sighting, SimplePath, UseEntry};
use crate::record::{Declares, UnitDeclaration};

/// Test attributes, by their last path segment (as the macros recognise them).
pub(crate) const TEST_ATTRIBUTES: &[&str] = &[
    "test",
    "rstest",
    "test_case",
    "should_panic",
    "ignore",
    "wasm_bindgen_test",
    "proptest",
    "quickcheck",
    "rustc_test_marker",
];

/// A file being outlined: its text, positions, and the annotation names in scope.
pub(crate) struct Cx<'a> {
    pub(crate) src: &'a str,
    pub(crate) lines: LineIndex<'a>,
    pub(crate) names: &'a Names,
    pub(crate) hits: Hits,
}

impl<'a> Cx<'a> {
    pub(crate) fn new(src: &'a str, names: &'a Names, hits: Hits) -> Self {
        Cx {
            src,
            lines: LineIndex::new(src),
            names,
            hits,
        }
    }

    pub(crate) fn pos(&mut self, offset: usize) -> Pos {
        let (line, column) = self.lines.position(offset);
        Pos { line, column }
    }

    /// The token's text; a raw identifier without its `r#`.
    pub(crate) fn text(&self, token: &Token) -> &'a str {
        let text = &self.src[token.start as usize..token.end as usize];
        if token.kind == Kind::Ident {
            text.strip_prefix("r#").unwrap_or(text)
        } else {
            text
        }
    }

    /// Does this byte range hold anything an outline would keep: an annotation name, or a
    /// file module declaration?
    pub(crate) fn worth_a_look(&self, range: Range<usize>) -> bool {
        self.hits.any_in_range(&range)
    }
}

/// Tokenizes `range` of `src`, offsets kept absolute.
pub(crate) fn tokens_of(src: &str, range: Range<usize>) -> Result<Vec<Token>, lexer::LexError> {
    let mut tokens = Vec::new();
    lexer::tokenize(&src[range.clone()], &mut tokens).map_err(|mut e| {
        e.offset += range.start;
        e
    })?;
    let base = range.start as u32;
    for token in &mut tokens {
        token.start += base;
        token.end += base;
    }
    Ok(tokens)
}

/// The source text of `tokens` with whitespace runs collapsed to one space.
pub(crate) fn written(src: &str, tokens: &[Token]) -> String {
    let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
        return String::new();
    };
    collapse_whitespace(&src[first.start as usize..last.end as usize])
}

fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Reads a path (`a::b::c`, `::a`) starting at `tokens[i]`; returns it and the index after.
pub(crate) fn read_path(
    cx: &Cx<'_>,
    tokens: &[Token],
    mut i: usize,
) -> Option<(SimplePath, usize)> {
    let mut path = SimplePath {
        leading_colon: false,
        segments: Vec::new(),
    };
    let is_colons = |i: usize| {
        tokens.get(i).is_some_and(|t| t.is_punct(b':'))
            && tokens.get(i + 1).is_some_and(|t| t.is_punct(b':'))
    };
    if is_colons(i) {
        path.leading_colon = true;
        i += 2;
    }
    loop {
        let token = tokens.get(i)?;
        if token.kind != Kind::Ident {
            return None;
        }
        path.segments.push(cx.text(token).to_string());
        i += 1;
        if is_colons(i) {
            i += 2;
        } else {
            return Some((path, i));
        }
    }
}

/// Splits `tokens` at top-level commas (groups are stepped over).
fn split_commas(tokens: &[Token]) -> Vec<&[Token]> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < tokens.len() {
        match tokens[i].kind {
            Kind::Open(_) => {
                i = index_after_group(tokens, i);
                continue;
            }
            Kind::Punct(b',') => {
                parts.push(&tokens[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < tokens.len() {
        parts.push(&tokens[start..]);
    }
    parts
}

/// The index after the group opened at `i`, in a slice whose partners are absolute indices
/// into the same slice (true for slices from [`tokens_of`] and of a whole file).
pub(crate) fn index_after_group(tokens: &[Token], i: usize) -> usize {
    // Partners index the original vector; slices of it are re-based by the caller keeping
    // `tokens` a prefix-aligned slice, so find the close by depth counting instead.
    let mut depth = 0usize;
    for (j, token) in tokens.iter().enumerate().skip(i) {
        match token.kind {
            Kind::Open(_) => depth += 1,
            Kind::Close(_) => {
                depth -= 1;
                if depth == 0 {
                    return j + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// Reads the content of `#[...]` (the tokens between the brackets); `hash` is the byte
/// offset of its `#`. Attributes the trace does not use give `None`.
pub(crate) fn attribute(cx: &mut Cx<'_>, content: &[Token], hash: usize) -> Option<Attr> {
    let (path, after) = read_path(cx, content, 0)?;
    let last = path.last();
    let single = path.segments.len() == 1 && !path.leading_colon;
    let rest = &content[after..];
    if single && last == "cfg" {
        let inner = paren_contents(rest)?;
        return Some(Attr::Cfg(written(cx.src, inner)));
    }
    if single && last == "cfg_attr" {
        let inner = paren_contents(rest)?;
        let mut parts = split_commas(inner).into_iter();
        let predicate = written(cx.src, parts.next()?);
        let attrs: Vec<Attr> = parts.filter_map(|part| attribute(cx, part, hash)).collect();
        if attrs.is_empty() {
            return None;
        }
        return Some(Attr::Conditional { predicate, attrs });
    }
    if single && last == "path" {
        if rest.len() == 2 && rest[0].is_punct(b'=') && rest[1].kind == Kind::Str {
            return string_value(cx.text(&rest[1])).map(Attr::Path);
        }
        return None;
    }
    if single && last == "macro_use" {
        return Some(Attr::MacroUse);
    }
    if let Some(kind) = cx.names.kind(last)
        && kind.is_attribute()
    {
        let pos = cx.pos(hash);
        let args = match paren_contents(rest) {
            Some(inner) if rest.len() == inner.len() + 2 => annotation_args(cx, inner, kind),
            _ => Err(format!(
                "`#[{}]` takes its arguments in parentheses",
                path.segments.join("::")
            )),
        };
        return Some(Attr::Candidate(Box::new(Candidate {
            path,
            kind,
            pos,
            args,
        })));
    }
    if TEST_ATTRIBUTES.contains(&last) {
        return Some(Attr::Test);
    }
    None
}

/// The tokens inside a leading `( ... )` group.
fn paren_contents(tokens: &[Token]) -> Option<&[Token]> {
    let first = tokens.first()?;
    if !first.is_open(Delim::Paren) {
        return None;
    }
    let end = index_after_group(tokens, 0);
    Some(&tokens[1..end - 1])
}

/// The value of a string literal token, if it is a plain or raw string.
pub(crate) fn string_value(text: &str) -> Option<String> {
    if let Some(raw) = text.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = &raw[hashes..];
        let body = body.strip_prefix('"')?;
        let body = body.strip_suffix(&"#".repeat(hashes))?;
        return body.strip_suffix('"').map(str::to_string);
    }
    let body = text.strip_prefix('"')?.strip_suffix('"')?;
    if !body.contains('\\') {
        return Some(body.to_string());
    }
    syn::parse_str::<syn::LitStr>(text).ok().map(|l| l.value())
}

/// Is `id` a well-formed requirement or item ID (the catalogue's and the macros' rule)?
fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':' | '/'))
}

/// Reads annotation arguments like the macros do; an `Err` says what the compiler would
/// reject.
pub(crate) fn annotation_args(
    cx: &Cx<'_>,
    tokens: &[Token],
    kind: AnnKind,
) -> Result<Declares, String> {
    let parts = split_commas(tokens);
    if kind == AnnKind::Problem {
        let mut ids: Vec<String> = Vec::new();
        for part in parts {
            let [t] = part else {
                return Err(format!(
                    "unexpected argument `{}`: problem IDs are string literals",
                    written(cx.src, part)
                ));
            };
            let id = (t.kind == Kind::Str)
                .then(|| string_value(cx.text(t)))
                .flatten()
                .ok_or_else(|| format!("{} is not a plain string literal", cx.text(t)))?;
            if !valid_id(&id) {
                return Err(format!("invalid problem ID {id:?}"));
            }
            if ids.contains(&id) {
                return Err(format!("duplicate problem ID {id:?}"));
            }
            ids.push(id);
        }
        if ids.is_empty() {
            return Err("at least one problem ID is needed".to_string());
        }
        return Ok(Declares::Problems { ids });
    }
    if kind.is_requirement() {
        let mut ids: Vec<String> = Vec::new();
        let mut qualifiers: Vec<String> = Vec::new();
        for part in parts {
            match part {
                [t] if t.kind == Kind::Str => {
                    let id = string_value(cx.text(t))
                        .ok_or_else(|| format!("{} is not a plain string literal", cx.text(t)))?;
                    if !valid_id(&id) {
                        return Err(format!("invalid requirement ID {id:?}"));
                    }
                    if !qualifiers.is_empty() {
                        return Err("requirement IDs come before qualifiers".to_string());
                    }
                    if ids.contains(&id) {
                        return Err(format!("duplicate requirement ID {id:?}"));
                    }
                    ids.push(id);
                }
                [t] if t.kind == Kind::Ident && cx.text(t) == "partial" => {
                    if qualifiers.iter().any(|q| q == "partial") {
                        return Err("`partial` is given twice".to_string());
                    }
                    qualifiers.push("partial".to_string());
                }
                other => {
                    return Err(format!(
                        "unexpected argument `{}`: requirement IDs are string literals, optionally followed by `partial`",
                        written(cx.src, other)
                    ));
                }
            }
        }
        if ids.is_empty() {
            return Err("at least one requirement ID is needed".to_string());
        }
        Ok(Declares::Requirements { ids, qualifiers })
    } else {
        let mut unit = UnitDeclaration::default();
        for part in parts {
            let [key, eq, value] = part else {
                return Err(format!(
                    "unexpected argument `{}`: write `id = \"...\"`, `item = \"...\"` or `class = \"...\"`",
                    written(cx.src, part)
                ));
            };
            let value_text = string_value(cx.text(value)).filter(|_| value.kind == Kind::Str);
            let (true, true, Some(value_text)) =
                (key.kind == Kind::Ident, eq.is_punct(b'='), value_text)
            else {
                return Err(format!(
                    "unexpected argument `{}`: keys take string literals",
                    written(cx.src, part)
                ));
            };
            let key = cx.text(key);
            let slot = match key {
                "id" => &mut unit.id,
                "item" => &mut unit.item,
                "class" => &mut unit.class,
                "segregation" => &mut unit.segregation,
                other => return Err(format!("unknown key `{other}`")),
            };
            if slot.is_some() {
                return Err(format!("`{key}` is given twice"));
            }
            let valid = match key {
                "class" => matches!(value_text.as_str(), "A" | "B" | "C"),
                "segregation" => !value_text.trim().is_empty(),
                _ => valid_id(&value_text),
            };
            if !valid {
                return Err(format!("invalid `{key}` value {value_text:?}"));
            }
            *slot = Some(value_text);
        }
        Ok(Declares::Unit(unit))
    }
}

/// Reads the tree of a `use` declaration (the tokens between `use` and `;`).
pub(crate) fn use_entries(cx: &Cx<'_>, tokens: &[Token]) -> Vec<UseEntry> {
    let mut entries = Vec::new();
    let prefix = SimplePath {
        leading_colon: false,
        segments: Vec::new(),
    };
    use_tree(cx, tokens, prefix, &mut entries);
    entries
}

fn use_tree(cx: &Cx<'_>, tokens: &[Token], mut prefix: SimplePath, out: &mut Vec<UseEntry>) {
    let mut i = 0;
    if tokens.len() >= 2 && tokens[0].is_punct(b':') && tokens[1].is_punct(b':') {
        if prefix.segments.is_empty() {
            prefix.leading_colon = true;
        }
        i = 2;
    }
    loop {
        let Some(token) = tokens.get(i) else {
            return;
        };
        match token.kind {
            Kind::Punct(b'*') => {
                out.push(UseEntry {
                    local: None,
                    path: prefix,
                });
                return;
            }
            Kind::Open(Delim::Brace) => {
                let end = index_after_group(tokens, i);
                for part in split_commas(&tokens[i + 1..end - 1]) {
                    use_tree(cx, part, prefix.clone(), out);
                }
                return;
            }
            Kind::Ident => {
                let name = cx.text(token).to_string();
                let colons = tokens.get(i + 1).is_some_and(|t| t.is_punct(b':'))
                    && tokens.get(i + 2).is_some_and(|t| t.is_punct(b':'));
                if colons {
                    prefix.segments.push(name);
                    i += 3;
                    continue;
                }
                let local = match (tokens.get(i + 1), tokens.get(i + 2)) {
                    (Some(a), Some(alias)) if a.kind == Kind::Ident && cx.text(a) == "as" => {
                        cx.text(alias).to_string()
                    }
                    _ if name == "self" => prefix.segments.last().cloned().unwrap_or_default(),
                    _ => name.clone(),
                };
                if name != "self" {
                    prefix.segments.push(name);
                }
                if local != "_" && !local.is_empty() {
                    out.push(UseEntry {
                        local: Some(local),
                        path: prefix,
                    });
                }
                return;
            }
            _ => return,
        }
    }
}

/// The target of a type alias when it is a plain path (`type A = crate::m::B<u8>;`).
pub(crate) fn alias_target(cx: &Cx<'_>, tokens: &[Token]) -> Option<SimplePath> {
    let (path, after) = read_path(cx, tokens, 0)?;
    let rest = &tokens[after..];
    let generic_only = rest.is_empty()
        || (rest[0].is_punct(b'<') && rest.last().is_some_and(|t| t.is_punct(b'>')));
    generic_only.then_some(path)
}

/// Annotations inside macro input or a macro definition, where the item they will be on
/// has no name yet.
pub(crate) fn sightings(cx: &mut Cx<'_>, tokens: &[Token]) -> Vec<Sighting> {
    let mut found = Vec::new();
    for i in 0..tokens.len() {
        let token = tokens[i];
        if token.is_punct(b'#') {
            let mut open = i + 1;
            if tokens.get(open).is_some_and(|t| t.is_punct(b'!')) {
                open += 1;
            }
            if !tokens.get(open).is_some_and(|t| t.is_open(Delim::Bracket)) {
                continue;
            }
            let end = index_after_group(tokens, open);
            let content = &tokens[open + 1..end - 1];
            let candidate = match attribute(cx, content, token.start as usize) {
                Some(Attr::Candidate(c)) => Some(*c),
                Some(Attr::Conditional { attrs, .. }) => attrs.into_iter().find_map(|a| match a {
                    Attr::Candidate(c) => Some(*c),
                    _ => None,
                }),
                _ => None,
            };
            if let Some(candidate) = candidate {
                let text = written(cx.src, &tokens[i..end]);
                found.push(Sighting {
                    pos: candidate.pos,
                    declares: candidate.args.ok(),
                    text: shorten(&text),
                });
            }
        } else if token.kind == Kind::Ident
            && tokens.get(i + 1).is_some_and(|t| t.is_punct(b'!'))
            && let Some(kind) = cx.names.kind(cx.text(&token))
            && !kind.is_attribute()
        {
            // `module_unit!(...)`, or qualified: `iec_runtime::module_unit!(...)`.
            let start = first_of_path(tokens, i);
            let group = i + 2;
            let end = if tokens
                .get(group)
                .is_some_and(|t| matches!(t.kind, Kind::Open(_)))
            {
                index_after_group(tokens, group)
            } else {
                i + 2
            };
            let declares = if end > group + 1 {
                annotation_args(cx, &tokens[group + 1..end - 1], kind).ok()
            } else {
                None
            };
            let pos = cx.pos(tokens[start].start as usize);
            found.push(Sighting {
                pos,
                declares,
                text: shorten(&written(cx.src, &tokens[start..end])),
            });
        }
    }
    found
}

/// The index of the first token of the path ending at `tokens[i]`.
fn first_of_path(tokens: &[Token], mut i: usize) -> usize {
    while i >= 2 && tokens[i - 1].is_punct(b':') && tokens[i - 2].is_punct(b':') {
        if i >= 3 && tokens[i - 3].kind == Kind::Ident {
            i -= 3;
        } else {
            return i - 2;
        }
    }
    i
}

fn shorten(text: &str) -> String {
    const LIMIT: usize = 100;
    if text.chars().count() <= LIMIT {
        return text.to_string();
    }
    let mut short: String = text.chars().take(LIMIT).collect();
    short.push('…');
    short
}

/// A module annotation macro invocation (`module_unit!(...)`) read from its path and the
/// tokens inside its delimiters, if its name is one.
pub(crate) fn module_macro(
    cx: &mut Cx<'_>,
    path: &SimplePath,
    path_start: usize,
    args: &[Token],
) -> Option<Box<Candidate>> {
    let kind = cx.names.kind(path.last())?;
    if kind.is_attribute() {
        return None;
    }
    Some(Box::new(Candidate {
        path: path.clone(),
        kind,
        pos: cx.pos(path_start),
        args: annotation_args(cx, args, kind),
    }))
}
