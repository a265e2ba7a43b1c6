//! Which identifiers may be annotations in a file, and where they occur.
//!
//! The exported names (`requirement`, `software_unit`, `module_requirement`, `module_unit`)
//! and aliases of them (`use iec_runtime::requirement as implements;`) are candidates; name
//! resolution ([`super::resolve`]) later decides which candidates are iec-trace's. Knowing
//! where candidates and file-module declarations occur lets the scan skip files and bodies
//! that hold neither.

use std::ops::Range;

use super::lexer::{Kind, Token};
use super::outline::AnnKind;

/// Names that may be annotations in this file: the exported names plus aliases
/// (`use iec_runtime::requirement as implements;`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Names {
    /// Name and kind; a handful, so a list beats a hash map.
    list: Vec<(String, AnnKind)>,
    /// Bit `n` is set when some name is `n` bytes long: most identifiers are rejected by
    /// their length alone.
    lengths: u64,
    needles: Vec<String>,
}

impl Names {
    /// The exported names and `aliases`.
    pub(crate) fn new<'a>(aliases: impl IntoIterator<Item = (&'a str, AnnKind)>) -> Names {
        let mut names = Names::default();
        for kind in [
            AnnKind::Requirement,
            AnnKind::Unit,
            AnnKind::ModuleRequirement,
            AnnKind::ModuleUnit,
            AnnKind::Problem,
        ] {
            names.add(kind.canonical(), kind);
        }
        // `module_requirement` contains `requirement`.
        names.needles = vec![
            "requirement".to_string(),
            "software_unit".to_string(),
            "module_unit".to_string(),
            "problem".to_string(),
        ];
        for (alias, kind) in aliases {
            if names.kind(alias).is_none() {
                names.add(alias, kind);
                names.needles.push(alias.to_string());
            }
        }
        names
    }

    fn add(&mut self, name: &str, kind: AnnKind) {
        self.list.push((name.to_string(), kind));
        if name.len() < 64 {
            self.lengths |= 1 << name.len();
        }
    }

    /// The kind a name stands for.
    pub(crate) fn kind(&self, name: &str) -> Option<AnnKind> {
        if name.len() < 64 && self.lengths & (1 << name.len()) == 0 {
            return None;
        }
        self.list.iter().find(|(n, _)| n == name).map(|(_, k)| *k)
    }

    /// Does `text` contain an annotation name (or a longer word containing one)?
    pub(crate) fn in_text(&self, text: &str) -> bool {
        self.in_text_with(text, true)
    }

    /// [`Names::in_text`] when whether `text` contains `mod` is known: without it,
    /// `module_unit` cannot occur and is not searched for.
    pub(crate) fn in_text_with(&self, text: &str, has_mod: bool) -> bool {
        self.needles
            .iter()
            .any(|n| (has_mod || n != "module_unit") && text.contains(n.as_str()))
    }
}

/// Where annotation names and file-module declarations occur in a file: found once per
/// file, so that asking whether a body is worth reading costs a binary search instead of
/// another pass over its bytes.
#[derive(Debug, Default)]
pub(crate) struct Hits {
    names: Vec<usize>,
    modules: Vec<usize>,
    /// Whether a unit annotation's name (`software_unit`, `module_unit` or an alias of
    /// one) occurs outside function bodies.
    pub(crate) units: bool,
}

impl Hits {
    /// Finds them in a file's tokens and in the function `bodies` the tokenizer stepped
    /// over, with the aliases of annotation names the file declares
    /// (`requirement as implements`) that `names` does not know yet.
    pub(crate) fn from_tokens(
        src: &str,
        tokens: &[Token],
        bodies: &[Range<usize>],
        names: &Names,
    ) -> (Hits, Vec<(String, AnnKind)>) {
        let mut hits = Hits::default();
        let mut aliases: Vec<(String, AnnKind)> = Vec::new();
        let ident = |k: usize| {
            tokens.get(k).filter(|t| t.kind == Kind::Ident).map(|t| {
                let text = &src[t.start as usize..t.end as usize];
                text.strip_prefix("r#").unwrap_or(text)
            })
        };
        for (k, token) in tokens.iter().enumerate() {
            if token.kind != Kind::Ident {
                continue;
            }
            let Some(text) = ident(k) else { continue };
            if text == "mod"
                && ident(k + 1).is_some()
                && tokens.get(k + 2).is_some_and(|t| t.is_punct(b';'))
            {
                hits.modules.push(token.start as usize);
            } else if let Some(kind) = names.kind(text) {
                hits.names.push(token.start as usize);
                hits.units |= matches!(kind, AnnKind::Unit | AnnKind::ModuleUnit);
                if AnnKind::from_canonical(text).is_some()
                    && ident(k + 1) == Some("as")
                    && let Some(alias) = ident(k + 2)
                    && alias != "_"
                    && names.kind(alias).is_none()
                    && !aliases.iter().any(|(a, _)| a == alias)
                {
                    aliases.push((alias.to_string(), kind));
                }
            }
        }
        // A body counts at its opening brace: what matters is whether a range holds it.
        let mut body_hits = false;
        for body in bodies {
            let text = &src[body.clone()];
            let has_mod = text.contains("mod");
            if names.in_text_with(text, has_mod) {
                hits.names.push(body.start);
                body_hits = true;
            }
            if has_mod && !module_declarations(text).is_empty() {
                hits.modules.push(body.start);
                body_hits = true;
            }
        }
        if body_hits {
            hits.names.sort_unstable();
            hits.modules.sort_unstable();
        }
        (hits, aliases)
    }

    /// Finds them in a file's text, for a file that cannot be tokenized (its outline comes
    /// from `syn`, or its error does).
    pub(crate) fn from_text(text: &str, names: &Names) -> (Hits, Vec<(String, AnnKind)>) {
        let mut hits = Hits::default();
        for needle in &names.needles {
            let before = hits.names.len();
            hits.names
                .extend(text.match_indices(needle.as_str()).map(|(at, _)| at));
            hits.units |= hits.names.len() > before
                && matches!(
                    names.kind(needle),
                    Some(AnnKind::Unit | AnnKind::ModuleUnit)
                );
        }
        hits.names.sort_unstable();
        hits.modules = module_declarations(text);
        let aliases = aliases_at(text, &hits);
        (hits, aliases)
    }

    /// Nothing in the file can matter.
    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty() && self.modules.is_empty()
    }

    fn any_in(list: &[usize], range: &Range<usize>) -> bool {
        let first = list.partition_point(|&at| at < range.start);
        list.get(first).is_some_and(|&at| at < range.end)
    }

    /// Does `range` contain an annotation name?
    pub(crate) fn names_in(&self, range: &Range<usize>) -> bool {
        Self::any_in(&self.names, range)
    }

    /// Does `range` contain an annotation name or a file-module declaration?
    pub(crate) fn any_in_range(&self, range: &Range<usize>) -> bool {
        self.names_in(range) || Self::any_in(&self.modules, range)
    }
}

/// Where `text` might declare a file module (`mod name;`). Byte-level and conservative: a
/// match inside a comment or string only costs a closer look.
pub(crate) fn module_declarations(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let declares = |at: usize| {
        if at > 0 && is_ident_byte(bytes[at - 1]) {
            return false;
        }
        let mut i = at + 3;
        let spaces = i;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == spaces {
            return false;
        }
        let name = i;
        if bytes.get(i) == Some(&b'r') && bytes.get(i + 1) == Some(&b'#') {
            i += 2;
        }
        while i < bytes.len() && is_ident_byte(bytes[i]) {
            i += 1;
        }
        if i == name {
            return false;
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        bytes.get(i) == Some(&b';')
    };
    text.match_indices("mod")
        .map(|(at, _)| at)
        .filter(|&at| declares(at))
        .collect()
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Aliases of annotation names this text declares (`requirement as implements`), looked for
/// where `hits` found annotation names.
pub(crate) fn aliases_at(text: &str, hits: &Hits) -> Vec<(String, AnnKind)> {
    let bytes = text.as_bytes();
    let mut found: Vec<(String, AnnKind)> = Vec::new();
    let mut previous_end = 0;
    for &at in &hits.names {
        if at < previous_end {
            continue;
        }
        let mut start = at;
        while start > 0 && is_ident_byte(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = at;
        while end < bytes.len() && is_ident_byte(bytes[end]) {
            end += 1;
        }
        previous_end = end;
        let Some(kind) = AnnKind::from_canonical(&text[start..end]) else {
            continue;
        };
        let rest = text[end..].trim_start();
        let Some(rest) = rest.strip_prefix("as") else {
            continue;
        };
        if !rest.starts_with(|c: char| c.is_whitespace()) {
            continue;
        }
        let rest = rest.trim_start();
        let rest = rest.strip_prefix("r#").unwrap_or(rest);
        let alias: String = rest
            .bytes()
            .take_while(|&b| is_ident_byte(b))
            .map(char::from)
            .collect();
        if !alias.is_empty()
            && alias != "_"
            && AnnKind::from_canonical(&alias).is_none()
            && !found.iter().any(|(a, _)| *a == alias)
        {
            found.push((alias, kind));
        }
    }
    found
}
