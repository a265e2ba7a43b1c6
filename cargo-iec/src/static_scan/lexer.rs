//! A byte-level tokenizer for Rust source: far cheaper than `proc_macro2`'s, because it
//! allocates nothing per token and keeps no source map.
//!
//! It knows exactly as much of the lexical grammar as the outline needs: comments (nested
//! block comments, doc comments) and literals (strings, raw strings, byte and C strings,
//! chars versus lifetimes, numbers) are skipped as single tokens so that a brace or an
//! attribute inside them is never mistaken for code, and delimiters are matched so a group
//! can be stepped over in one jump. Anything it cannot tokenize is a [`LexError`]; the scan
//! then lets `syn` parse the file to report the error the way the compiler would.

use std::ops::Range;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An identifier or keyword (`r#` prefix excluded from the text).
    Ident,
    /// A lifetime or label, `'a`.
    Lifetime,
    /// A string literal of any flavour (`"..."`, `r#"..."#`, `b"..."`, `c"..."`).
    Str,
    /// A char or byte literal.
    Char,
    /// A numeric literal.
    Number,
    /// One punctuation byte (`#`, `:`, `!`, `=`, ...).
    Punct(u8),
    /// An opening delimiter; `partner` is the index of its closing token.
    Open(Delim),
    /// A closing delimiter; `partner` is the index of its opening token.
    Close(Delim),
}

/// The three kinds of delimiters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delim {
    /// `( )`
    Paren,
    /// `[ ]`
    Bracket,
    /// `{ }`
    Brace,
}

/// One token: its kind and byte range in the source.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    /// Byte offset of the first byte.
    pub(crate) start: u32,
    /// Byte offset one past the last byte.
    pub(crate) end: u32,
    /// For delimiters, the index of the matching one; otherwise unused.
    pub(crate) partner: u32,
}

impl Token {
    /// Is this the punctuation byte `b`?
    pub(crate) fn is_punct(&self, b: u8) -> bool {
        self.kind == Kind::Punct(b)
    }

    /// Is this an opening delimiter of kind `d`?
    pub(crate) fn is_open(&self, d: Delim) -> bool {
        self.kind == Kind::Open(d)
    }
}

/// A lexical error: where and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexError {
    /// Byte offset of the problem.
    pub(crate) offset: usize,
    /// What is wrong.
    pub(crate) message: String,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_continue(b: u8) -> bool {
    CLASS[b as usize] == IDENT || CLASS[b as usize] == DIGIT
}

// Byte classes of the main loop.
const PUNCT: u8 = 0;
const SPACE: u8 = 1;
const IDENT: u8 = 2;
const DIGIT: u8 = 3;
const SLASH: u8 = 4;
const QUOTE: u8 = 5;
const APOSTROPHE: u8 = 6;
const OPEN: u8 = 7;
const CLOSE: u8 = 8;
const INVALID: u8 = 9;

static CLASS: [u8; 256] = {
    let mut table = [INVALID; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        table[b] = if c >= 0x80 || c.is_ascii_alphabetic() || c == b'_' {
            IDENT
        } else if c.is_ascii_digit() {
            DIGIT
        } else if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
            SPACE
        } else if c == b'/' {
            SLASH
        } else if c == b'"' {
            QUOTE
        } else if c == b'\'' {
            APOSTROPHE
        } else if matches!(c, b'(' | b'[' | b'{') {
            OPEN
        } else if matches!(c, b')' | b']' | b'}') {
            CLOSE
        } else if c.is_ascii_graphic() {
            PUNCT
        } else {
            INVALID
        };
        b += 1;
    }
    table
};

fn delim_of(b: u8) -> Delim {
    match b {
        b'(' | b')' => Delim::Paren,
        b'[' | b']' => Delim::Bracket,
        _ => Delim::Brace,
    }
}

/// Tokenizes `src` into `out` (cleared first).
pub(crate) fn tokenize(src: &str, out: &mut Vec<Token>) -> Result<(), LexError> {
    lex(src, out, None)
}

/// Tokenizes `src` into `out` (cleared first) but steps over the bodies of functions: each
/// is an empty brace group in `out`, and its byte range (braces included) is pushed to
/// `bodies`. Stepping over a body still respects its strings, chars and comments, and costs
/// a fraction of tokenizing it; the outline reads a body only when it holds an annotation.
pub(crate) fn tokenize_items(
    src: &str,
    out: &mut Vec<Token>,
    bodies: &mut Vec<Range<usize>>,
) -> Result<(), LexError> {
    bodies.clear();
    lex(src, out, Some(bodies))
}

/// Can the token before `fn` precede a function item (rather than a `fn` pointer type)?
fn item_fn_follows(src: &str, previous: Option<&Token>) -> bool {
    let Some(token) = previous else {
        return true;
    };
    match token.kind {
        Kind::Punct(b';') | Kind::Close(_) | Kind::Open(Delim::Brace) | Kind::Str => true,
        Kind::Ident => matches!(
            &src[token.start as usize..token.end as usize],
            "pub" | "const" | "async" | "unsafe" | "extern" | "default" | "safe"
        ),
        _ => false,
    }
}

fn lex(
    src: &str,
    out: &mut Vec<Token>,
    mut bodies: Option<&mut Vec<Range<usize>>>,
) -> Result<(), LexError> {
    out.clear();
    out.reserve(src.len() / 5);
    let bytes = src.as_bytes();
    let len = bytes.len();
    let mut i = 0usize;
    if src.starts_with('\u{feff}') {
        i = 3;
    }
    // A shebang line (but not an inner attribute `#![...]`).
    if bytes[i..].starts_with(b"#!") && !bytes[i + 2..].trim_ascii_start().starts_with(b"[") {
        i = src[i..].find('\n').map_or(len, |n| i + n);
    }
    let mut stack: Vec<usize> = Vec::new();
    let push = |out: &mut Vec<Token>, kind: Kind, start: usize, end: usize| {
        out.push(Token {
            kind,
            start: start as u32,
            end: end as u32,
            partner: 0,
        });
    };
    // The nesting depth of a function signature whose body is awaited.
    let mut signature: Option<usize> = None;
    while i < len {
        let b = bytes[i];
        match CLASS[b as usize] {
            SPACE => {
                i += 1;
                while i < len && CLASS[bytes[i] as usize] == SPACE {
                    i += 1;
                }
            }
            IDENT => {
                if matches!(b, b'r' | b'b' | b'c')
                    && let Some(end) = prefixed_literal(bytes, i)?
                {
                    let kind = if bytes[i + 1] == b'\'' {
                        Kind::Char
                    } else {
                        Kind::Str
                    };
                    let end = skip_suffix(bytes, end);
                    push(out, kind, i, end);
                    i = end;
                    continue;
                }
                // A raw identifier keeps its `r#` in the token (the compiler's span starts
                // there); `Cx::text` leaves it out.
                let mut end = i + 1;
                if b == b'r' && bytes.get(end) == Some(&b'#') {
                    end += 1;
                    if !bytes.get(end).is_some_and(|&c| is_ident_start(c)) {
                        return Err(LexError {
                            offset: i,
                            message: "expected an identifier after `r#`".to_string(),
                        });
                    }
                }
                while end < len && is_ident_continue(bytes[end]) {
                    end += 1;
                }
                if bodies.is_some()
                    && end == i + 2
                    && &bytes[i..end] == b"fn"
                    && signature.is_none()
                    && item_fn_follows(src, out.last())
                {
                    signature = Some(stack.len());
                }
                push(out, Kind::Ident, i, end);
                i = end;
            }
            DIGIT => {
                let end = skip_number(bytes, i);
                push(out, Kind::Number, i, end);
                i = end;
            }
            SLASH if bytes.get(i + 1) == Some(&b'/') => {
                i = src[i..].find('\n').map_or(len, |n| i + n + 1);
            }
            SLASH if bytes.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(bytes, i)?;
            }
            QUOTE => {
                let end = skip_quoted(bytes, i + 1, b'"', i)?;
                let end = skip_suffix(bytes, end);
                push(out, Kind::Str, i, end);
                i = end;
            }
            APOSTROPHE => {
                let (kind, end) = char_or_lifetime(src, i)?;
                push(out, kind, i, end);
                i = end;
            }
            OPEN => {
                if b == b'{'
                    && signature == Some(stack.len())
                    && let Some(bodies) = bodies.as_deref_mut()
                    && !out
                        .last()
                        .is_some_and(|t| matches!(t.kind, Kind::Punct(b'<' | b',' | b'=')))
                {
                    let end = skip_body(src, i)?;
                    let open = out.len();
                    out.push(Token {
                        kind: Kind::Open(Delim::Brace),
                        start: i as u32,
                        end: (i + 1) as u32,
                        partner: (open + 1) as u32,
                    });
                    out.push(Token {
                        kind: Kind::Close(Delim::Brace),
                        start: (end - 1) as u32,
                        end: end as u32,
                        partner: open as u32,
                    });
                    bodies.push(i..end);
                    signature = None;
                    i = end;
                    continue;
                }
                stack.push(out.len());
                push(out, Kind::Open(delim_of(b)), i, i + 1);
                i += 1;
            }
            CLOSE => {
                let delim = delim_of(b);
                let Some(open) = stack.pop() else {
                    return Err(LexError {
                        offset: i,
                        message: format!("unexpected closing delimiter: `{}`", b as char),
                    });
                };
                if out[open].kind != Kind::Open(delim) {
                    return Err(LexError {
                        offset: i,
                        message: format!(
                            "mismatched closing delimiter: `{}` does not close the delimiter opened at byte {}",
                            b as char, out[open].start
                        ),
                    });
                }
                let index = out.len();
                out[open].partner = index as u32;
                out.push(Token {
                    kind: Kind::Close(delim),
                    start: i as u32,
                    end: (i + 1) as u32,
                    partner: open as u32,
                });
                if signature.is_some_and(|depth| stack.len() < depth) {
                    signature = None;
                }
                i += 1;
            }
            PUNCT | SLASH => {
                if b == b';' && signature == Some(stack.len()) {
                    signature = None;
                }
                push(out, Kind::Punct(b), i, i + 1);
                i += 1;
            }
            _ => {
                return Err(LexError {
                    offset: i,
                    message: "unexpected character".to_string(),
                });
            }
        }
    }
    if let Some(open) = stack.pop() {
        return Err(LexError {
            offset: out[open].start as usize,
            message: "this delimiter is never closed".to_string(),
        });
    }
    Ok(())
}

// Bytes that matter when stepping over a body.
static SKIP: [bool; 256] = {
    let mut table = [false; 256];
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\'' as usize] = true;
    table[b'/' as usize] = true;
    table
};

/// The index of the first byte at or after `i` that matters when stepping over a body
/// (`{`, `}`, `"`, `'`, `/`: [`SKIP`]), or `bytes.len()`. Eight bytes at a time: function
/// bodies are mostly identifiers and spaces, and stepping over them byte by byte was the
/// largest part of the lexer's time (docs/PERFORMANCE.md).
#[iec_runtime::requirement("TR-PERF-SCAN")]
fn next_interesting(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // The high bit of each byte of the result is set where `word` has the byte `b` (exact
    // for every byte, no borrow between bytes).
    fn equal(word: u64, b: u8) -> u64 {
        let x = word ^ (ONES * u64::from(b));
        !(((x & LOW7) + LOW7) | x | LOW7)
    }
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let found = equal(word, b'{')
            | equal(word, b'}')
            | equal(word, b'"')
            | equal(word, b'\'')
            | equal(word, b'/');
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && !SKIP[bytes[i] as usize] {
        i += 1;
    }
    i
}

/// Steps over the brace group opened at `start`; returns the index after its `}`.
fn skip_body(src: &str, start: usize) -> Result<usize, LexError> {
    let bytes = src.as_bytes();
    let len = bytes.len();
    let mut depth = 0usize;
    let mut i = start;
    loop {
        i = next_interesting(bytes, i);
        if i >= len {
            return Err(LexError {
                offset: start,
                message: "this delimiter is never closed".to_string(),
            });
        }
        match bytes[i] {
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth -= 1;
                i += 1;
                if depth == 0 {
                    return Ok(i);
                }
            }
            b'"' => {
                // A raw string's `r`, `br` or `cr` and hashes come before its quote.
                let mut k = i;
                while k > 0 && bytes[k - 1] == b'#' {
                    k -= 1;
                }
                let hashes = i - k;
                // The `r` must start a token (`r"`, `br"`, `cr"`), not end an identifier.
                let starts_token = |at: usize| at == 0 || !is_ident_continue(bytes[at - 1]);
                let raw = k > 0
                    && bytes[k - 1] == b'r'
                    && (starts_token(k - 1)
                        || (k >= 2 && matches!(bytes[k - 2], b'b' | b'c') && starts_token(k - 2)));
                i = if raw {
                    skip_raw(bytes, k, k - 1)?
                } else if hashes > 0 {
                    return Err(LexError {
                        offset: i,
                        message: "unexpected `#` before a string".to_string(),
                    });
                } else {
                    skip_quoted(bytes, i + 1, b'"', i)?
                };
            }
            b'\'' => {
                let (_, end) = char_or_lifetime(src, i)?;
                i = end;
            }
            _ => {
                // `/`: a comment, or division.
                match bytes.get(i + 1) {
                    Some(b'/') => i = src[i..].find('\n').map_or(len, |n| i + n + 1),
                    Some(b'*') => i = skip_block_comment(bytes, i)?,
                    _ => i += 1,
                }
            }
        }
    }
}

fn skip_block_comment(bytes: &[u8], start: usize) -> Result<usize, LexError> {
    let mut depth = 0usize;
    let mut i = start;
    while i + 1 < bytes.len() {
        match (bytes[i], bytes[i + 1]) {
            (b'/', b'*') => {
                depth += 1;
                i += 2;
            }
            (b'*', b'/') => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => i += 1,
        }
    }
    Err(LexError {
        offset: start,
        message: "unterminated block comment".to_string(),
    })
}

/// Skips a quoted literal body starting at `i` (after the opening quote); returns the index
/// after the closing quote.
fn skip_quoted(bytes: &[u8], mut i: usize, quote: u8, start: usize) -> Result<usize, LexError> {
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' {
            i += 2;
        } else if b == quote {
            return Ok(i + 1);
        } else {
            i += 1;
        }
    }
    Err(LexError {
        offset: start,
        message: if quote == b'"' {
            "unterminated double quote string".to_string()
        } else {
            "unterminated character literal".to_string()
        },
    })
}

/// Skips a raw string body: `i` at the first `#` or `"` after the `r`.
fn skip_raw(bytes: &[u8], mut i: usize, start: usize) -> Result<usize, LexError> {
    let mut hashes = 0usize;
    while i < bytes.len() && bytes[i] == b'#' {
        hashes += 1;
        i += 1;
    }
    if bytes.get(i) != Some(&b'"') {
        return Err(LexError {
            offset: start,
            message: "expected `\"` in a raw string literal".to_string(),
        });
    }
    i += 1;
    while i < bytes.len() {
        if bytes[i] == b'"'
            && bytes.len() >= i + 1 + hashes
            && bytes[i + 1..i + 1 + hashes].iter().all(|&h| h == b'#')
        {
            return Ok(i + 1 + hashes);
        }
        i += 1;
    }
    Err(LexError {
        offset: start,
        message: "unterminated raw string".to_string(),
    })
}

/// A literal with a letter prefix at `i`, if there is one: returns its end.
fn prefixed_literal(bytes: &[u8], i: usize) -> Result<Option<usize>, LexError> {
    let at = |k: usize| bytes.get(i + k).copied();
    let raw_follows = |k: usize| match at(k) {
        Some(b'"') => true,
        Some(b'#') => {
            // `r#ident` is a raw identifier, `r#"` / `r##"` a raw string.
            let mut j = i + k;
            while bytes.get(j) == Some(&b'#') {
                j += 1;
            }
            bytes.get(j) == Some(&b'"')
        }
        _ => false,
    };
    match (bytes[i], at(1)) {
        (b'r', _) if raw_follows(1) => Ok(Some(skip_raw(bytes, i + 1, i)?)),
        (b'b', Some(b'"')) | (b'c', Some(b'"')) => Ok(Some(skip_quoted(bytes, i + 2, b'"', i)?)),
        (b'b', Some(b'\'')) => Ok(Some(skip_quoted(bytes, i + 2, b'\'', i)?)),
        (b'b', Some(b'r')) | (b'c', Some(b'r')) if raw_follows(2) => {
            Ok(Some(skip_raw(bytes, i + 2, i)?))
        }
        _ => Ok(None),
    }
}

fn skip_suffix(bytes: &[u8], mut i: usize) -> usize {
    if i < bytes.len() && is_ident_start(bytes[i]) {
        while i < bytes.len() && is_ident_continue(bytes[i]) {
            i += 1;
        }
    }
    i
}

fn char_or_lifetime(src: &str, i: usize) -> Result<(Kind, usize), LexError> {
    let bytes = src.as_bytes();
    match bytes.get(i + 1) {
        Some(b'\\') => Ok((Kind::Char, skip_quoted(bytes, i + 1, b'\'', i)?)),
        Some(_) => {
            let c = src[i + 1..].chars().next().unwrap_or('\0');
            let after = i + 1 + c.len_utf8();
            if bytes.get(after) == Some(&b'\'') {
                return Ok((Kind::Char, after + 1));
            }
            let mut end = i + 1;
            if bytes.get(end) == Some(&b'r') && bytes.get(end + 1) == Some(&b'#') {
                end += 2;
            }
            let ident_start = end;
            while end < bytes.len() && is_ident_continue(bytes[end]) {
                end += 1;
            }
            if end == ident_start {
                return Err(LexError {
                    offset: i,
                    message: "unterminated character literal".to_string(),
                });
            }
            Ok((Kind::Lifetime, end))
        }
        None => Err(LexError {
            offset: i,
            message: "unterminated character literal".to_string(),
        }),
    }
}

fn skip_number(bytes: &[u8], start: usize) -> usize {
    let hex = bytes[start] == b'0' && matches!(bytes.get(start + 1), Some(b'x' | b'X'));
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() || b == b'_' {
            if !hex
                && matches!(b, b'e' | b'E')
                && matches!(bytes.get(i + 1), Some(b'+' | b'-'))
                && bytes.get(i + 2).is_some_and(u8::is_ascii_digit)
            {
                i += 2;
            }
            i += 1;
        } else if b == b'.'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
            && !bytes[start..i].contains(&b'.')
        {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// Line and column (both 1-based, the column in chars like `column!()`) of byte offsets.
///
/// Lines are counted from the last position asked for when the next one is further on (the
/// usual order), else from the nearest earlier checkpoint, so a file's positions cost about
/// one pass over the part of it that holds them.
pub(crate) struct LineIndex<'a> {
    src: &'a str,
    /// `(offset, line, start of that line)`, increasing, a few kilobytes apart.
    checkpoints: Vec<(usize, usize, usize)>,
    /// The last position computed.
    cursor: (usize, usize, usize),
}

impl<'a> LineIndex<'a> {
    /// An index over `src`.
    pub(crate) fn new(src: &'a str) -> Self {
        LineIndex {
            src,
            checkpoints: vec![(0, 1, 0)],
            cursor: (0, 1, 0),
        }
    }

    /// The position of byte `offset`.
    pub(crate) fn position(&mut self, offset: usize) -> (u32, u32) {
        let bytes = self.src.as_bytes();
        let offset = offset.min(bytes.len());
        let (from, mut line, mut line_start) = if offset >= self.cursor.0 {
            self.cursor
        } else {
            let k = self.checkpoints.partition_point(|&(at, _, _)| at <= offset) - 1;
            self.checkpoints[k]
        };
        let between = &bytes[from..offset];
        let newlines = count_newlines(between);
        if newlines > 0 {
            line += newlines;
            line_start = from + between.iter().rposition(|&b| b == b'\n').unwrap_or(0) + 1;
        }
        if offset >= self.cursor.0 {
            self.cursor = (offset, line, line_start);
            let last = self.checkpoints.last().map_or(0, |c| c.0);
            if offset >= last + 4096 {
                self.checkpoints.push(self.cursor);
            }
        }
        let prefix = &bytes[line_start..offset];
        let column = if prefix.is_ascii() {
            prefix.len()
        } else {
            prefix.iter().filter(|&&b| (b & 0xC0) != 0x80).count()
        };
        (line as u32, (column + 1) as u32)
    }
}

/// Counts `\n` bytes eight at a time.
fn count_newlines(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut chunks = bytes.chunks_exact(8);
    let mut count = 0usize;
    for chunk in &mut chunks {
        let word =
            u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8])) ^ (ONES * u64::from(b'\n'));
        // The high bit of each byte is set where the byte is zero (exact, no borrows).
        let zero = !(((word & LOW7) + LOW7) | word | LOW7);
        count += zero.count_ones() as usize;
    }
    count + chunks.remainder().iter().filter(|&&b| b == b'\n').count()
}

/// Position of the first invalid byte of a non-UTF-8 file: line, and column in bytes.
pub(crate) fn invalid_utf8_position(bytes: &[u8], valid_up_to: usize) -> (u32, u32) {
    let before = &bytes[..valid_up_to];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = std::str::from_utf8(&before[line_start..])
        .map_or(valid_up_to - line_start, |s| s.chars().count())
        + 1;
    (line as u32, column as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        let mut out = Vec::new();
        tokenize(src, &mut out).unwrap();
        out.iter()
            .map(|t| (t.kind, &src[t.start as usize..t.end as usize]))
            .collect()
    }

    #[test]
    fn comments_and_strings_hide_braces_and_attributes() {
        let src = r####"a /* { /* nested } */ */ "}" r#"#[x]"# b'}' '}' // }
            c"{" br##"}"## 'a x"####;
        let found = kinds(src);
        assert_eq!(found[0], (Kind::Ident, "a"));
        assert!(
            found
                .iter()
                .all(|(k, _)| !matches!(k, Kind::Open(_) | Kind::Close(_)))
        );
        assert_eq!(found.last().unwrap(), &(Kind::Ident, "x"));
        assert!(found.contains(&(Kind::Lifetime, "'a")));
        assert!(found.contains(&(Kind::Char, "'}'")));
    }

    #[test]
    fn raw_identifiers_and_numbers() {
        let found = kinds("r#type 1.5e-3f64 0x1e 1..2 x.0");
        assert_eq!(found[0], (Kind::Ident, "r#type"));
        assert_eq!(found[1], (Kind::Number, "1.5e-3f64"));
        assert_eq!(found[2], (Kind::Number, "0x1e"));
        assert_eq!(found[3], (Kind::Number, "1"));
    }

    #[test]
    fn unbalanced_delimiters_are_errors_with_offsets() {
        let mut out = Vec::new();
        let error = tokenize("fn f() { (] }", &mut out).unwrap_err();
        assert_eq!(error.offset, 10);
        let error = tokenize("fn f() {", &mut out).unwrap_err();
        assert_eq!(error.offset, 7);
    }

    /// The body skip, byte by byte: the reference for [`next_interesting`].
    fn next_interesting_slowly(bytes: &[u8], mut i: usize) -> usize {
        while i < bytes.len() && !SKIP[bytes[i] as usize] {
            i += 1;
        }
        i
    }

    #[test]
    #[iec_runtime::requirement("TR-PERF-SCAN")]
    fn the_word_at_a_time_search_finds_the_same_bytes_as_the_byte_loop() {
        let text = "fn f() { let x = a / b; s(\"}\"); 'c' \u{e9}\u{100} { } } //x";
        let mut bytes: Vec<u8> = text.bytes().collect();
        // Every byte value between plain bytes, in groups of 7: at every offset in a word.
        bytes.extend((0u8..=255).flat_map(|b| [b'a', b, 0xff, b'z', b' ', 0x7f, 0x80]));
        for start in 0..=bytes.len() {
            assert_eq!(
                next_interesting(&bytes, start),
                next_interesting_slowly(&bytes, start),
                "from {start}"
            );
        }
    }

    /// The end of the body `tokenize_items` steps over, and the tokens after it.
    fn after_body(src: &str) -> (String, Vec<(Kind, String)>) {
        let mut out = Vec::new();
        let mut bodies = Vec::new();
        tokenize_items(src, &mut out, &mut bodies).unwrap();
        let body = bodies.first().cloned().expect("a body");
        let after = out
            .iter()
            .filter(|t| t.start as usize >= body.end)
            .map(|t| (t.kind, src[t.start as usize..t.end as usize].to_string()))
            .collect();
        (src[body].to_string(), after)
    }

    #[test]
    #[iec_runtime::requirement("TR-PERF-SCAN")]
    fn body_skip_respects_strings_raw_strings_chars_lifetimes_and_comments() {
        let cases = [
            // Braces in strings, escaped quotes, a string ending in a backslash.
            r#"{ let s = "{ \" }"; let t = "\\"; }"#,
            // Raw strings with hashes and quotes, byte and C raw strings.
            r###"{ r#"}"# ; br##"} "# }"## ; cr"}" }"###,
            // Char literals with braces and quotes versus lifetimes and labels.
            r"{ let c = '}'; let q = '\''; let d = '{'; 'outer: loop { break 'outer; } }",
            // Nested block comments and line comments holding braces, and division.
            "{ /* } /* { */ } */ // }\n x / y }",
            // An identifier ending in r before a string is not a raw string.
            r#"{ bar"}"; }"#,
            // Long runs of plain bytes across word boundaries, non-ASCII.
            "{ let écart_très_long_identifiant = aaaaaaaaaaaaaaaaaaaaaaa; }",
        ];
        for body in cases {
            let src = format!("fn f<'a>(x: &'a u8) {body} struct A;");
            let (found, after) = after_body(&src);
            assert_eq!(found, body, "{src}");
            assert_eq!(
                after[..2],
                [
                    (Kind::Ident, "struct".to_string()),
                    (Kind::Ident, "A".to_string())
                ],
                "{src}"
            );
        }
    }

    #[test]
    fn newlines_are_counted_exactly() {
        let text = "a\n\n\u{e9}\n0123456789\n\n\nxyz\u{a0}\n";
        for end in 0..text.len() {
            let bytes = &text.as_bytes()[..end];
            assert_eq!(
                count_newlines(bytes),
                bytes.iter().filter(|&&b| b == b'\n').count()
            );
        }
    }

    #[test]
    fn positions_asked_in_any_order_are_right() {
        let src: String = (0..3000).map(|i| format!("line {i} \u{e9}\n")).collect();
        let mut index = LineIndex::new(&src);
        let offsets = [0, 9000, 100, 25000, 24999, 5, src.len() - 1, 40];
        for offset in offsets {
            let line = src[..offset].matches('\n').count() + 1;
            let start = src[..offset].rfind('\n').map_or(0, |n| n + 1);
            let column = src[start..offset].chars().count() + 1;
            assert_eq!(
                index.position(offset),
                (line as u32, column as u32),
                "{offset}"
            );
        }
    }

    #[test]
    fn columns_count_chars_like_the_compiler() {
        let src = "ab\n/* é */ fn x";
        let mut index = LineIndex::new(src);
        assert_eq!(index.position(src.find("fn").unwrap()), (2, 9));
        assert_eq!(index.position(0), (1, 1));
    }
}
