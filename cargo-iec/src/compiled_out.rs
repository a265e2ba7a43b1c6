//! When an empty registry is the right answer: every annotation of a target compiled out.
//!
//! The compiled channel fails closed when a target's sources carry annotations but its test
//! binary registered none ([`crate::error::Error::EmptyRegistry`]). That is a false alarm
//! when the compiler dropped every one of them because of a `cfg` that is off in this build
//! (`#[cfg(feature = "x")]` with `x` off): then nothing registers, and when nothing names
//! iec-runtime any more the binary does not even link its registry dump. This module decides,
//! from the static scan, whether the empty registry is provably right, so the target is
//! traced like any other: each compiled-out annotation a `channel-mismatch` gap naming its
//! `cfg` (as when other annotations of the target were compiled in).
//!
//! Provably right means all of:
//! * every annotation the static scan found in the target sits under a `cfg` that is
//!   false in this test build, as far as it can be decided without guessing: `test` is true
//!   (these are test binaries), `feature = "name"` is true exactly for the features cargo
//!   enabled for the target, `not`, `all` and `any` combine them; anything else (`unix`,
//!   `target_os`, a `--cfg` of a build script) is unknown, and unknown is not off;
//! * the scan named every annotation the compiler read: each source file of the binary
//!   (its dep-info) that holds annotation-looking lines holds at least as many of the
//!   scan's records, and none the scan could not name (inside a macro);
//! * the scan read those files without error.
//!
//! Anything less keeps the error, with the reason.

use std::collections::{BTreeMap, BTreeSet};

use iec_runtime::requirement;

use crate::record::{Record, TargetRef};
use crate::static_scan::Scan;

/// What a `cfg` predicate evaluates to in a test build with `features` enabled, or `None`
/// when that cannot be decided (or the text is not a predicate).
pub fn evaluate(predicate: &str, features: &BTreeSet<String>) -> Option<bool> {
    let tokens = tokenize(predicate)?;
    let mut parser = Parser {
        tokens: &tokens,
        at: 0,
        features,
    };
    let value = parser.predicate()?;
    (parser.at == tokens.len()).then_some(value).flatten()
}

/// Whether a record's `cfg` (the conditions it sits under, joined by ` && `) is provably
/// false in this build: one of the conditions is.
pub fn is_compiled_out(cfg: &str, features: &BTreeSet<String>) -> bool {
    cfg.split(" && ")
        .any(|condition| evaluate(condition, features) == Some(false))
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Ident(String),
    Str(String),
    Open,
    Close,
    Comma,
    Equals,
}

fn tokenize(text: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | ',' | '=' => {
                chars.next();
                tokens.push(match c {
                    '(' => Token::Open,
                    ')' => Token::Close,
                    ',' => Token::Comma,
                    _ => Token::Equals,
                });
            }
            '"' => {
                chars.next();
                let mut value = String::new();
                loop {
                    match chars.next()? {
                        '"' => break,
                        // An escape: not a feature name cargo can enable; undecidable.
                        '\\' => return None,
                        c => value.push(c),
                    }
                }
                tokens.push(Token::Str(value));
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut ident = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_alphanumeric() || c == '_' {
                        ident.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(Token::Ident(ident));
            }
            // Comments, raw strings, paths: not a plain predicate.
            _ => return None,
        }
    }
    Some(tokens)
}

struct Parser<'t> {
    tokens: &'t [Token],
    at: usize,
    features: &'t BTreeSet<String>,
}

impl Parser<'_> {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at)?.clone();
        self.at += 1;
        Some(token)
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    /// Parses one predicate; `Some(None)` is a well-formed predicate of unknown value.
    fn predicate(&mut self) -> Option<Option<bool>> {
        let Token::Ident(name) = self.next()? else {
            return None;
        };
        match (name.as_str(), self.peek()) {
            ("not" | "all" | "any", Some(Token::Open)) => {
                self.next();
                let mut values = Vec::new();
                while self.peek() != Some(&Token::Close) {
                    values.push(self.predicate()?);
                    match self.peek()? {
                        Token::Comma => {
                            self.next();
                        }
                        Token::Close => {}
                        _ => return None,
                    }
                }
                self.next();
                Some(match name.as_str() {
                    "not" => match values.as_slice() {
                        [value] => value.map(|v| !v),
                        _ => return None,
                    },
                    "all" => combine(&values, false),
                    _ => combine(&values, true),
                })
            }
            (_, Some(Token::Equals)) => {
                self.next();
                let Token::Str(value) = self.next()? else {
                    return None;
                };
                Some((name == "feature").then(|| self.features.contains(&value)))
            }
            ("test", _) => Some(Some(true)),
            _ => Some(None),
        }
    }
}

/// `any` (`decisive` true) or `all` (`decisive` false) of three-valued `values`: the decisive
/// value wins when one is known; otherwise the result is known only when every value is.
fn combine(values: &[Option<bool>], decisive: bool) -> Option<bool> {
    if values.contains(&Some(decisive)) {
        Some(decisive)
    } else if values.iter().all(Option::is_some) {
        Some(!decisive)
    } else {
        None
    }
}

/// Why the empty registry of `target` is right: the `cfg` conditions of its annotations, or
/// (`Err`) the first reason it cannot be shown, as a clause for the error message.
///
/// `evidence` holds, per source file of the binary (relative to the workspace root), the
/// lines that look like annotations; `features` are the features cargo enabled for it.
#[requirement("TR-SELFTEST-COV-ALLCFG")]
pub fn explain_empty(
    target: &TargetRef,
    evidence: &BTreeMap<String, Vec<usize>>,
    scan: &Scan,
    features: &BTreeSet<String>,
) -> Result<BTreeSet<String>, String> {
    let records: Vec<&Record> = scan
        .records
        .iter()
        .filter(|r| &r.target == target)
        .collect();
    let mut conditions = BTreeSet::new();
    // An annotation under no `cfg` at all is the plainest reason: name it first.
    let mut ordered = records.clone();
    ordered.sort_by_key(|r| r.cfg.is_some());
    for record in ordered {
        match &record.cfg {
            Some(cfg) if is_compiled_out(cfg, features) => {
                conditions.insert(cfg.clone());
            }
            Some(cfg) => {
                return Err(format!(
                    "{}:{}: `{}` is under cfg({cfg}), which is not provably off in this build",
                    record.file, record.line, record.path
                ));
            }
            None => {
                return Err(format!(
                    "{}:{}: `{}` is under no `cfg`, so it should have registered",
                    record.file, record.line, record.path
                ));
            }
        }
    }
    if let Some(finding) = scan.unresolved.iter().find(|f| &f.target == target) {
        return Err(format!(
            "{}:{}: the static scan cannot name this annotation ({}), so it cannot show it is compiled out",
            finding.file, finding.line, finding.reason
        ));
    }
    for (file, lines) in evidence {
        if let Some(error) = scan.errors.iter().find(|e| &e.file == file) {
            return Err(format!("the static scan could not read it: {error}"));
        }
        let scanned = records.iter().filter(|r| &r.file == file).count();
        if scanned < lines.len() {
            let line = lines.get(scanned).or(lines.first()).copied().unwrap_or(0);
            return Err(format!(
                "{file}:{line}: the static scan found {scanned} annotation(s) in this file but the compiler read {} annotation-like line(s), so it cannot show each is compiled out",
                lines.len()
            ));
        }
    }
    if conditions.is_empty() {
        return Err("the static scan found none of them".to_string());
    }
    Ok(conditions)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn features(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|s| (*s).to_string()).collect()
    }

    #[test]
    #[requirement("TR-SELFTEST-COV-ALLCFG")]
    fn only_test_and_features_are_decided_and_unknown_is_never_off() {
        let on = features(&["x"]);
        assert_eq!(evaluate("feature = \"x\"", &on), Some(true));
        assert_eq!(evaluate("feature = \"y\"", &on), Some(false));
        assert_eq!(evaluate("test", &on), Some(true));
        assert_eq!(evaluate("not(test)", &on), Some(false));
        assert_eq!(evaluate("unix", &on), None);
        assert_eq!(evaluate("target_os = \"none\"", &on), None);
        assert_eq!(evaluate("all(unix, feature = \"y\")", &on), Some(false));
        assert_eq!(evaluate("any(unix, feature = \"y\")", &on), None);
        assert_eq!(evaluate("any(unix, feature = \"x\")", &on), Some(true));
        assert_eq!(evaluate("all()", &on), Some(true));
        assert_eq!(evaluate("any()", &on), Some(false));
        assert_eq!(evaluate("not(unix)", &on), None);
        // Not a plain predicate: undecided.
        assert_eq!(evaluate("feature = r\"y\"", &on), None);
        assert_eq!(evaluate("feature = \"y", &on), None);
        assert_eq!(evaluate("not(test, test)", &on), None);
        assert_eq!(evaluate("feature = \"y\" junk", &on), None);
        assert!(is_compiled_out("test && feature = \"y\"", &on));
        assert!(!is_compiled_out("test && unix", &on));
    }

    fn record(file: &str, line: u32, cfg: Option<&str>) -> Record {
        crate::record::test_record(&format!("p::f{line}"), "R", file, line, cfg)
    }

    #[test]
    #[requirement("TR-SELFTEST-COV-ALLCFG")]
    fn an_empty_registry_is_right_only_when_every_annotation_is_provably_compiled_out() {
        let target = record("src/lib.rs", 1, None).target;
        let off = Some("feature = \"x\"");
        let evidence = BTreeMap::from([("src/lib.rs".to_string(), vec![2])]);
        let scan = |records: Vec<Record>| Scan {
            records,
            ..Scan::default()
        };
        let none = features(&[]);
        assert_eq!(
            explain_empty(
                &target,
                &evidence,
                &scan(vec![record("src/lib.rs", 3, off)]),
                &none
            ),
            Ok(BTreeSet::from(["feature = \"x\"".to_string()]))
        );
        // The feature is on: the annotation should have registered.
        let error = explain_empty(
            &target,
            &evidence,
            &scan(vec![record("src/lib.rs", 3, off)]),
            &features(&["x"]),
        )
        .unwrap_err();
        assert!(error.contains("not provably off"), "{error}");
        // One annotation compiled in, one out.
        let error = explain_empty(
            &target,
            &evidence,
            &scan(vec![
                record("src/lib.rs", 3, off),
                record("src/lib.rs", 9, None),
            ]),
            &none,
        )
        .unwrap_err();
        assert!(
            error.contains("src/lib.rs:9") && error.contains("no `cfg`"),
            "{error}"
        );
        // `cfg(test)` is on in a test binary.
        let error = explain_empty(
            &target,
            &evidence,
            &scan(vec![record("src/lib.rs", 3, Some("test"))]),
            &none,
        )
        .unwrap_err();
        assert!(error.contains("cfg(test)"), "{error}");
        // The compiler read more annotations than the scan found.
        let more = BTreeMap::from([("src/lib.rs".to_string(), vec![2, 5])]);
        let error = explain_empty(
            &target,
            &more,
            &scan(vec![record("src/lib.rs", 3, off)]),
            &none,
        )
        .unwrap_err();
        assert!(error.contains("src/lib.rs:5"), "{error}");
        // Nothing found by the scan at all.
        let error = explain_empty(&target, &evidence, &scan(Vec::new()), &none).unwrap_err();
        assert!(error.contains("found 0"), "{error}");
        // Another target's records prove nothing.
        let mut elsewhere = record("src/lib.rs", 3, off);
        elsewhere.target.kind = "test".to_string();
        assert!(explain_empty(&target, &evidence, &scan(vec![elsewhere]), &none).is_err());
    }
}
