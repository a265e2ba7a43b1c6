//! Suspect links: `cargo iec review` records, per link, a hash of the requirement's text and
//! of the linked item's signature in a committed lock file (`iec.lock`); when either
//! changes, the link is `suspect` until it is reviewed again.
//!
//! The lock file is TOML, one `[[link]]` table per link, sorted, so that two branches that
//! review different links merge without conflicts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use iec_model::Catalogue;
use iec_runtime::requirement;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use syn::spanned::Spanned;

use crate::error::Error;
use crate::trace::{Gap, GapKind, Link, Trace};

/// The lock file's format version.
const VERSION: u32 = 1;

/// The lock file's default name, in the workspace root.
pub const DEFAULT_LOCK: &str = "iec.lock";

/// One reviewed link.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewedLink {
    /// The requirement.
    pub requirement: String,
    /// `implements` or `verifies`.
    pub relation: String,
    /// The item's Rust path.
    pub path: String,
    /// SHA-256 of the requirement's title and text when reviewed.
    pub requirement_hash: String,
    /// SHA-256 of the item's signature when reviewed.
    pub item_hash: String,
}

/// The lock file.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// Format version.
    pub version: u32,
    /// Reviewed links, sorted.
    #[serde(default, rename = "link")]
    pub links: Vec<ReviewedLink>,
}

fn sha256(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// The hash of a requirement's reviewed content: its title and text, whitespace-normalised
/// so that rewrapping a paragraph is not a change.
pub fn requirement_hash(title: &str, text: &str) -> String {
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    sha256(&format!("{}\n{}", words(title), words(text)))
}

/// Signatures of annotated items, read from their source files (each parsed once).
#[derive(Default)]
pub struct Signatures {
    files: BTreeMap<PathBuf, Option<syn::File>>,
}

fn without_trace_attributes(attrs: &mut Vec<syn::Attribute>) {
    attrs.retain(|attr| {
        let last = attr.path().segments.last().map(|s| s.ident.to_string());
        !matches!(
            last.as_deref(),
            Some("doc" | "requirement" | "software_unit" | "test" | "should_panic" | "ignore")
        ) && !attr.path().is_ident("cfg_attr")
    });
}

fn tokens(item: &impl quote::ToTokens) -> String {
    quote::ToTokens::to_token_stream(item).to_string()
}

/// The signature of the item whose name starts at `line`:`column` (1-based), as tokens.
fn signature_in(items: &[syn::Item], line: usize, column: usize) -> Option<String> {
    let at = |span: proc_macro2::Span| {
        let start = span.start();
        start.line == line && start.column + 1 == column
    };
    for item in items {
        let mut item = item.clone();
        let found = match &mut item {
            syn::Item::Fn(f) if at(f.sig.ident.span()) => Some(tokens(&f.sig)),
            syn::Item::Fn(f) => signature_in_block(&f.block, line, column),
            syn::Item::Struct(s) if at(s.ident.span()) => {
                without_trace_attributes(&mut s.attrs);
                Some(tokens(s))
            }
            syn::Item::Enum(e) if at(e.ident.span()) => {
                without_trace_attributes(&mut e.attrs);
                Some(tokens(e))
            }
            syn::Item::Union(u) if at(u.ident.span()) => {
                without_trace_attributes(&mut u.attrs);
                Some(tokens(u))
            }
            syn::Item::Type(t) if at(t.ident.span()) => {
                without_trace_attributes(&mut t.attrs);
                Some(tokens(t))
            }
            syn::Item::Const(c) if at(c.ident.span()) => {
                without_trace_attributes(&mut c.attrs);
                Some(tokens(c))
            }
            syn::Item::Static(s) if at(s.ident.span()) => {
                without_trace_attributes(&mut s.attrs);
                Some(tokens(s))
            }
            syn::Item::Trait(t) if at(t.ident.span()) => Some(format!(
                "trait {} {} : {}",
                t.ident,
                tokens(&t.generics),
                tokens(&t.supertraits)
            )),
            syn::Item::Trait(t) => t.items.iter().find_map(|trait_item| match trait_item {
                syn::TraitItem::Fn(f) if at(f.sig.ident.span()) => Some(tokens(&f.sig)),
                syn::TraitItem::Const(c) if at(c.ident.span()) => {
                    Some(format!("const {} : {}", c.ident, tokens(&c.ty)))
                }
                _ => None,
            }),
            syn::Item::Impl(i) if at(i.self_ty.span()) => Some(format!(
                "impl {} {} for {}",
                tokens(&i.generics),
                i.trait_.as_ref().map(|t| tokens(&t.1)).unwrap_or_default(),
                tokens(&i.self_ty)
            )),
            syn::Item::Impl(i) => i.items.iter().find_map(|impl_item| match impl_item {
                syn::ImplItem::Fn(f) if at(f.sig.ident.span()) => Some(tokens(&f.sig)),
                syn::ImplItem::Fn(f) => signature_in_block(&f.block, line, column),
                syn::ImplItem::Const(c) if at(c.ident.span()) => {
                    let mut c = c.clone();
                    c.attrs.clear();
                    Some(tokens(&c))
                }
                _ => None,
            }),
            syn::Item::Mod(m) if at(m.ident.span()) => Some(format!("mod {}", m.ident)),
            syn::Item::Mod(m) => m
                .content
                .as_ref()
                .and_then(|(_, items)| signature_in(items, line, column)),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn signature_in_block(block: &syn::Block, line: usize, column: usize) -> Option<String> {
    let items: Vec<syn::Item> = block
        .stmts
        .iter()
        .filter_map(|stmt| match stmt {
            syn::Stmt::Item(item) => Some(item.clone()),
            _ => None,
        })
        .collect();
    signature_in(&items, line, column)
}

impl Signatures {
    /// The hash of the signature of `link`'s item, or of its location when the item cannot
    /// be found (a module declared from inside, a file that no longer parses).
    pub fn item_hash(&mut self, root: &Path, link: &Link) -> String {
        let path = root.join(&link.file);
        let file = self.files.entry(path.clone()).or_insert_with(|| {
            let text = std::fs::read_to_string(&path).ok()?;
            syn::parse_file(&text).ok()
        });
        let signature = file
            .as_ref()
            .and_then(|file| signature_in(&file.items, link.line as usize, column_of(link)))
            .unwrap_or_else(|| format!("{} {}", link.kind, link.path));
        sha256(&signature)
    }
}

/// The 1-based column of the item's name, as `column!()` gave it.
fn column_of(link: &Link) -> usize {
    link.column as usize
}

/// Where the lock file is: `lock = "PATH"` in `[workspace.metadata.iec]`, else `iec.lock`
/// in the workspace root.
pub fn lock_path(root: &Path, metadata: &serde_json::Value) -> PathBuf {
    metadata
        .get("iec")
        .and_then(|iec| iec.get("lock"))
        .and_then(serde_json::Value::as_str)
        .map_or_else(|| root.join(DEFAULT_LOCK), |path| root.join(path))
}

/// Reads the lock file; `Ok(None)` when there is none (no link has been reviewed yet).
pub fn read_lock(path: &Path) -> Result<Option<Lock>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Io {
                context: format!("cannot read {}", path.display()),
                source,
            });
        }
    };
    let lock: Lock = crate::error::from_toml(
        &text,
        &path.display().to_string(),
        "; fix it, or delete it and run `cargo iec review` to review every link again",
    )?;
    if lock.version != VERSION {
        return Err(Error::Input(format!(
            "{}: lock file version {} is not supported (this cargo-iec writes version {VERSION})",
            path.display(),
            lock.version
        )));
    }
    Ok(Some(lock))
}

/// Every current link with its hashes.
fn current_links(
    trace: &Trace,
    catalogue: &Catalogue,
    root: &Path,
) -> Vec<(ReviewedLink, usize, bool, usize)> {
    let mut signatures = Signatures::default();
    let mut out = Vec::new();
    for (r, requirement) in trace.requirements.iter().enumerate() {
        let Some(entry) = catalogue.requirement(&requirement.id) else {
            continue;
        };
        let requirement_hash = requirement_hash(&entry.title, &entry.text);
        for (verifies, links) in [
            (false, &requirement.implemented_by),
            (true, &requirement.verified_by),
        ] {
            for (l, link) in links.iter().enumerate() {
                out.push((
                    ReviewedLink {
                        requirement: requirement.id.clone(),
                        relation: if verifies { "verifies" } else { "implements" }.to_string(),
                        path: link.path.clone(),
                        requirement_hash: requirement_hash.clone(),
                        item_hash: signatures.item_hash(root, link),
                    },
                    r,
                    verifies,
                    l,
                ));
            }
        }
    }
    out
}

/// Marks links whose requirement text or item signature changed since they were reviewed
/// (or that were never reviewed) as suspect, and adds a `suspect` gap for each.
#[requirement("TR-TRACE-SUSPECT")]
pub fn apply(trace: &mut Trace, catalogue: &Catalogue, root: &Path, lock: &Lock) {
    let reviewed: BTreeMap<(&str, &str, &str), &ReviewedLink> = lock
        .links
        .iter()
        .map(|l| {
            (
                (l.requirement.as_str(), l.relation.as_str(), l.path.as_str()),
                l,
            )
        })
        .collect();
    let mut gaps = BTreeSet::new();
    for (current, r, verifies, l) in current_links(trace, catalogue, root) {
        let key = (
            current.requirement.as_str(),
            current.relation.as_str(),
            current.path.as_str(),
        );
        let reason = match reviewed.get(&key) {
            None => Some("never reviewed"),
            Some(old)
                if old.requirement_hash != current.requirement_hash
                    && old.item_hash != current.item_hash =>
            {
                Some("requirement text and item signature changed since review")
            }
            Some(old) if old.requirement_hash != current.requirement_hash => {
                Some("requirement text changed since review")
            }
            Some(old) if old.item_hash != current.item_hash => {
                Some("item signature changed since review")
            }
            Some(_) => None,
        };
        let Some(reason) = reason else { continue };
        let requirement = &mut trace.requirements[r];
        let link = if verifies {
            &mut requirement.verified_by[l]
        } else {
            &mut requirement.implemented_by[l]
        };
        link.suspect = Some(reason.to_string());
        gaps.insert(Gap {
            problem: None,
            advisory: None,
            kind: GapKind::Suspect,
            requirement: Some(current.requirement.clone()),
            unit: None,
            class: catalogue
                .requirement(&current.requirement)
                .and_then(|r| r.class)
                .map(|c| c.to_string()),
            path: Some(current.path.clone()),
            file: Some(link.file.clone()),
            line: Some(link.line),
            message: format!(
                "the link {} {} {} is suspect: {reason}; check it and run `cargo iec review`",
                current.path, current.relation, current.requirement
            ),
        });
    }
    trace.gaps.extend(gaps);
    trace.gaps.sort();
    trace.summary.gaps = trace.gaps.len();
}

/// The lock after reviewing: current hashes for the links of `only` (all links when
/// empty), earlier entries kept for the others; links that no longer exist are dropped.
pub fn reviewed(
    trace: &Trace,
    catalogue: &Catalogue,
    root: &Path,
    previous: Option<&Lock>,
    only: &[String],
) -> Lock {
    let previous: BTreeMap<(String, String, String), ReviewedLink> = previous
        .map(|lock| {
            lock.links
                .iter()
                .map(|l| {
                    (
                        (l.requirement.clone(), l.relation.clone(), l.path.clone()),
                        l.clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut links = Vec::new();
    for (current, ..) in current_links(trace, catalogue, root) {
        let key = (
            current.requirement.clone(),
            current.relation.clone(),
            current.path.clone(),
        );
        let selected = only.is_empty() || only.contains(&current.requirement);
        match previous.get(&key) {
            Some(old) if !selected => links.push(old.clone()),
            None if !selected => {}
            _ => links.push(current),
        }
    }
    links.sort();
    links.dedup();
    Lock {
        version: VERSION,
        links,
    }
}

/// The lock file's text: a header comment, then the sorted links.
pub fn render(lock: &Lock) -> Result<String, Error> {
    let body = toml::to_string(lock)
        .map_err(|error| Error::Input(format!("cannot write the lock file: {error}")))?;
    Ok(format!(
        "# Reviewed traceability links: written by `cargo iec review`; commit this file.\n\
         # A link whose requirement text or item signature changes is `suspect` until reviewed again.\n\n{body}"
    ))
}
