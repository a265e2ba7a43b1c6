//! The module tree of a crate, found like rustc finds it, and each file's outline.
//!
//! From a target's root file, every `mod name;` is resolved with rustc's rules
//! (`rustc_expand::module`): `name.rs` or `name/mod.rs` in the module's directory; a
//! non-`mod.rs` file `a.rs` owns the directory `a/` for its children; inline modules add
//! their name to the directory; `#[path = "..."]` on a file module is relative to the
//! directory of the file that declares it (inside inline modules: their directory), and on an
//! inline module it names the directory itself; a file loaded through `#[path]` is treated
//! like a `mod.rs` file. Children are read in parallel (rayon), each file once per crate.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use iec_runtime::requirement;
use rayon::prelude::*;

use super::lexer::{self, invalid_utf8_position};
use super::names::{Hits, Names};
use super::outline::{AnnKind, Attr, Item, ItemKind, Outline, Pos};
use super::read::Cx;
use super::{ScanError, ScanOptions, skeleton, syntax};
use crate::workspace::normalize;

type Buffers = (Vec<lexer::Token>, Vec<std::ops::Range<usize>>);

thread_local! {
    /// Each thread's source buffer, reused from file to file.
    static SOURCE: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Each thread's token and body buffers, reused from file to file.
    static BUFFERS: std::cell::RefCell<Buffers> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// How many module files deep a tree may go before it counts as circular.
const MAX_DEPTH: usize = 64;

/// A source file in a crate's module tree, with its outline and the files it declares.
#[derive(Debug)]
pub(crate) struct FileNode {
    /// Where it is.
    pub(crate) path: PathBuf,
    /// Relative to the workspace root, `/`-separated.
    pub(crate) rel: String,
    /// The outline, when the file was read in full (`None`: it holds no annotation name and
    /// no file module, or it could not be read).
    pub(crate) outline: Option<Outline>,
    /// Aliases of annotation names the file declares.
    pub(crate) aliases: Vec<(String, AnnKind)>,
    /// The files of its `mod name;` declarations, by the declaration's position.
    pub(crate) children: Vec<(Pos, FileNode)>,
}

/// Which directory a module's file modules are looked up in (rustc's `DirOwnership`).
#[derive(Debug, Clone)]
pub(crate) struct ModuleDir {
    dir: PathBuf,
    ownership: Ownership,
}

#[derive(Debug, Clone)]
enum Ownership {
    /// A module file; `Some(name)` for a non-`mod.rs` file `name.rs`, whose children live in
    /// `name/`.
    Owned(Option<String>),
    /// Inside a function body: file modules need `#[path]`.
    Block,
}

impl ModuleDir {
    /// The directory of a crate root or `mod.rs`-like file.
    pub(crate) fn of_root(file: &Path) -> Self {
        ModuleDir {
            dir: file.parent().map(Path::to_path_buf).unwrap_or_default(),
            ownership: Ownership::Owned(None),
        }
    }

    fn inline_child(&self, name: &str, path_attr: Option<&str>) -> Self {
        if let Some(path) = path_attr {
            return ModuleDir {
                dir: self.dir.join(path),
                ownership: Ownership::Owned(None),
            };
        }
        let mut dir = self.dir.clone();
        let ownership = match &self.ownership {
            Ownership::Owned(relative) => {
                if let Some(relative) = relative {
                    dir.push(relative);
                }
                Ownership::Owned(None)
            }
            Ownership::Block => Ownership::Block,
        };
        dir.push(name);
        ModuleDir { dir, ownership }
    }

    fn block(&self) -> Self {
        ModuleDir {
            dir: self.dir.clone(),
            ownership: Ownership::Block,
        }
    }
}

/// A `mod name;` declaration and where to look for its file.
pub(crate) struct Declaration<'o> {
    pub(crate) name: &'o str,
    pub(crate) pos: Pos,
    pub(crate) path_attr: Option<&'o str>,
    pub(crate) dir: ModuleDir,
    pub(crate) cfg_gated: bool,
}

fn path_attribute(attrs: &[Attr]) -> Option<&str> {
    attrs.iter().find_map(|a| match a {
        Attr::Path(p) => Some(p.as_str()),
        _ => None,
    })
}

fn cfg_gated(attrs: &[Attr]) -> bool {
    attrs.iter().any(|a| matches!(a, Attr::Cfg(_)))
}

/// Every file module declared in `items`, in source order, inline modules and bodies
/// included.
pub(crate) fn declarations<'o>(items: &'o [Item], dir: &ModuleDir, out: &mut Vec<Declaration<'o>>) {
    for item in items {
        match &item.kind {
            ItemKind::Mod {
                name,
                pos,
                body: None,
            } => out.push(Declaration {
                name,
                pos: *pos,
                path_attr: path_attribute(&item.attrs),
                dir: dir.clone(),
                cfg_gated: cfg_gated(&item.attrs),
            }),
            ItemKind::Mod {
                name,
                body: Some(body),
                ..
            } => {
                let child = dir.inline_child(name, path_attribute(&item.attrs));
                declarations(&body.items, &child, out);
            }
            ItemKind::Fn {
                body: Some(body), ..
            }
            | ItemKind::Const {
                body: Some(body), ..
            } => declarations(&body.items, &dir.block(), out),
            _ => {}
        }
    }
}

/// Reads a file into `buffer` (kept initialized and reused, so no per-file allocation or
/// size query); returns its length.
fn read_into(path: &Path, buffer: &mut Vec<u8>) -> io::Result<usize> {
    const CHUNK: usize = 64 * 1024;
    let mut file = std::fs::File::open(path)?;
    let mut filled = 0;
    loop {
        if buffer.len() < filled + CHUNK / 4 {
            buffer.resize(filled + CHUNK, 0);
        }
        match io::Read::read(&mut file, &mut buffer[filled..]) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
}

/// The names in each directory a crate's modules may be in, listed once: one `read_dir` per
/// directory instead of two `stat`s per module. A name that is listed but cannot be read (a
/// dangling or looping symlink) counts as existing, so that reading it reports the error.
#[derive(Default)]
struct Directories {
    listed: Mutex<HashMap<PathBuf, Arc<HashSet<OsString>>>>,
}

impl Directories {
    fn exists(&self, path: &Path) -> bool {
        match (path.parent(), path.file_name()) {
            (Some(dir), Some(name)) => self.listing(dir).contains(name),
            _ => false,
        }
    }

    /// The names in `dir`; without a system call when its parent, already listed, has no
    /// entry for it (as for `name/mod.rs` of most modules).
    fn listing(&self, dir: &Path) -> Arc<HashSet<OsString>> {
        let cached = |dir: &Path| {
            self.listed
                .lock()
                .ok()
                .and_then(|listed| listed.get(dir).cloned())
        };
        if let Some(names) = cached(dir) {
            return names;
        }
        let absent = match (dir.parent(), dir.file_name()) {
            (Some(parent), Some(name)) => cached(parent).is_some_and(|names| !names.contains(name)),
            _ => false,
        };
        let names: HashSet<OsString> = if absent {
            HashSet::new()
        } else {
            std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok())
                        .map(|e| e.file_name())
                        .collect()
                })
                .unwrap_or_default()
        };
        let names = Arc::new(names);
        if let Ok(mut listed) = self.listed.lock() {
            listed.insert(dir.to_path_buf(), Arc::clone(&names));
        }
        names
    }
}

/// The walk over one crate's module tree.
pub(crate) struct Walk<'w> {
    workspace_root: &'w Path,
    options: &'w ScanOptions,
    /// Aliases declared in other files (second pass).
    extra_aliases: &'w [(String, AnnKind)],
    /// The annotation names and `extra_aliases`.
    names: Names,
    directories: Directories,
}

/// Where a file was declared, for errors about reaching it.
#[derive(Clone)]
pub(crate) struct Origin {
    pub(crate) rel: String,
    pub(crate) pos: Pos,
}

impl<'w> Walk<'w> {
    pub(crate) fn new(
        workspace_root: &'w Path,
        options: &'w ScanOptions,
        extra_aliases: &'w [(String, AnnKind)],
    ) -> Self {
        let names = Names::new(extra_aliases.iter().map(|(a, k)| (a.as_str(), *k)));
        Walk {
            workspace_root,
            options,
            extra_aliases,
            names,
            directories: Directories::default(),
        }
    }

    pub(crate) fn relative(&self, path: &Path) -> String {
        let path = normalize(path);
        let shown = path.strip_prefix(self.workspace_root).unwrap_or(&path);
        shown
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }

    fn error_at(origin: Option<&Origin>, rel: &str, message: String) -> ScanError {
        match origin {
            Some(origin) => ScanError {
                file: origin.rel.clone(),
                line: origin.pos.line,
                column: origin.pos.column,
                message,
            },
            None => ScanError {
                file: rel.to_string(),
                line: 0,
                column: 0,
                message,
            },
        }
    }

    /// Reads and outlines `path` and, in parallel, every file it declares.
    pub(crate) fn file(
        &self,
        path: PathBuf,
        dir: ModuleDir,
        origin: Option<Origin>,
        ancestors: &[PathBuf],
        errors: &mut Vec<ScanError>,
    ) -> Option<FileNode> {
        let rel = self.relative(&path);
        // Module files nest in directories, so only `#[path]` or a symlink can make the tree
        // circular: the first shows as a repeated path, the second as endless depth.
        let normalized = normalize(&path);
        if ancestors.contains(&normalized) || ancestors.len() >= MAX_DEPTH {
            let why = if ancestors.len() >= MAX_DEPTH {
                format!(
                    "the module tree is more than {MAX_DEPTH} files deep here (a symlink loop?)"
                )
            } else {
                "it is already a module on this path of the module tree (through `#[path]`)"
                    .to_string()
            };
            errors.push(Self::error_at(
                origin.as_ref(),
                &rel,
                format!("circular modules: `{rel}` is not read again: {why}"),
            ));
            return None;
        }
        // Read into this thread's buffer (released before the children are read, which may
        // happen on this thread).
        let read = SOURCE.with(|buffer| {
            let mut buffer = buffer.borrow_mut();
            let length = read_into(&path, &mut buffer)?;
            let buffer = &buffer[..length];
            Ok::<_, io::Error>(match std::str::from_utf8(buffer) {
                Ok(text) => {
                    let (outline, aliases, error) = self.outline(text, &rel);
                    Ok((outline, aliases, error))
                }
                Err(error) => Err(invalid_utf8_position(buffer, error.valid_up_to())),
            })
        });
        let (outline, aliases, error) = match read {
            Ok(Ok(outlined)) => outlined,
            Ok(Err((line, column))) => {
                errors.push(ScanError {
                    file: rel.clone(),
                    line,
                    column,
                    message: format!(
                        "`{rel}` is not valid UTF-8 (the first invalid byte is here); Rust source files must be UTF-8"
                    ),
                });
                return None;
            }
            Err(error) => {
                errors.push(Self::error_at(
                    origin.as_ref(),
                    &rel,
                    format!("cannot read module file `{rel}`: {error}"),
                ));
                return None;
            }
        };
        errors.extend(error);
        let mut node = FileNode {
            path,
            rel,
            outline,
            aliases,
            children: Vec::new(),
        };
        let Some(outline) = &node.outline else {
            return Some(node);
        };
        let mut declared = Vec::new();
        declarations(&outline.items, &dir, &mut declared);
        if declared.is_empty() {
            return Some(node);
        }
        let mut ancestors = ancestors.to_vec();
        ancestors.push(normalized);
        let results: Vec<(Pos, Option<FileNode>, Vec<ScanError>)> = declared
            .par_iter()
            .map(|declaration| {
                let mut errors = Vec::new();
                let origin = Origin {
                    rel: node.rel.clone(),
                    pos: declaration.pos,
                };
                let child =
                    self.locate(declaration, &origin, &mut errors)
                        .and_then(|(path, dir)| {
                            self.file(path, dir, Some(origin), &ancestors, &mut errors)
                        });
                (declaration.pos, child, errors)
            })
            .collect();
        for (pos, child, child_errors) in results {
            errors.extend(child_errors);
            if let Some(child) = child {
                node.children.push((pos, child));
            }
        }
        Some(node)
    }

    /// The file of a `mod name;` declaration and the directory of its own children.
    #[requirement("TR-TRACE-STATIC")]
    fn locate(
        &self,
        declaration: &Declaration<'_>,
        origin: &Origin,
        errors: &mut Vec<ScanError>,
    ) -> Option<(PathBuf, ModuleDir)> {
        let name = declaration.name;
        if let Some(path) = declaration.path_attr {
            let file = declaration.dir.dir.join(path);
            if !self.directories.exists(&file) {
                errors.push(Self::error_at(
                    Some(origin),
                    "",
                    format!(
                        "file not found for module `{name}`: `#[path = \"{path}\"]` names `{}`, which does not exist",
                        self.relative(&file)
                    ),
                ));
                return None;
            }
            let dir = ModuleDir::of_root(&file);
            return Some((file, dir));
        }
        let relative = match &declaration.dir.ownership {
            Ownership::Owned(relative) => relative.as_deref(),
            Ownership::Block => {
                errors.push(Self::error_at(
                    Some(origin),
                    "",
                    format!(
                        "cannot declare a file module inside a function body: `mod {name};` needs `#[path = \"...\"]` there, as rustc requires"
                    ),
                ));
                return None;
            }
        };
        let mut base = declaration.dir.dir.clone();
        if let Some(relative) = relative {
            base.push(relative);
        }
        let plain = base.join(format!("{name}.rs"));
        let nested = base.join(name).join("mod.rs");
        match (
            self.directories.exists(&plain),
            self.directories.exists(&nested),
        ) {
            (true, false) => {
                let dir = ModuleDir {
                    dir: plain.parent().map(Path::to_path_buf).unwrap_or_default(),
                    ownership: Ownership::Owned(Some(name.to_string())),
                };
                Some((plain, dir))
            }
            (false, true) => {
                let dir = ModuleDir::of_root(&nested);
                Some((nested, dir))
            }
            (true, true) => {
                errors.push(Self::error_at(
                    Some(origin),
                    "",
                    format!(
                        "module `{name}` is both `{}` and `{}`; rustc rejects this (E0761), delete one (scanned `{}`)",
                        self.relative(&plain),
                        self.relative(&nested),
                        self.relative(&plain)
                    ),
                ));
                let dir = ModuleDir {
                    dir: plain.parent().map(Path::to_path_buf).unwrap_or_default(),
                    ownership: Ownership::Owned(Some(name.to_string())),
                };
                Some((plain, dir))
            }
            (false, false) => {
                let gated = if declaration.cfg_gated {
                    " (the declaration is under `#[cfg]`, but the static channel reads every configuration)"
                } else {
                    ""
                };
                errors.push(Self::error_at(
                    Some(origin),
                    "",
                    format!(
                        "file not found for module `{name}`: neither `{}` nor `{}` exists{gated}",
                        self.relative(&plain),
                        self.relative(&nested)
                    ),
                ));
                None
            }
        }
    }

    /// Outlines a file's text: skipped when it cannot matter, the fast reader otherwise,
    /// `syn` when that gives up or a full parse is asked for. Also returns the aliases of
    /// annotation names the file declares.
    pub(crate) fn outline(
        &self,
        text: &str,
        rel: &str,
    ) -> (Option<Outline>, Vec<(String, AnnKind)>, Option<ScanError>) {
        if !self.options.full_parse && !self.names.in_text(text) && !text.contains("mod") {
            return (None, Vec::new(), None);
        }
        BUFFERS.with(|buffers| {
            let (tokens, bodies) = &mut *buffers.borrow_mut();
            let lexed = lexer::tokenize_items(text, tokens, bodies).is_ok();
            let find = |names: &Names| {
                if lexed {
                    Hits::from_tokens(text, tokens, bodies, names)
                } else {
                    Hits::from_text(text, names)
                }
            };
            let (mut hits, aliases) = find(&self.names);
            if hits.units {
                self.options.unit_hint.give();
            }
            let own_names;
            let names = if aliases.is_empty() {
                &self.names
            } else {
                own_names = Names::new(
                    aliases
                        .iter()
                        .chain(self.extra_aliases)
                        .map(|(alias, kind)| (alias.as_str(), *kind)),
                );
                hits = find(&own_names).0;
                &own_names
            };
            if hits.is_empty() && !self.options.full_parse {
                return (None, aliases, None);
            }
            let mut cx = Cx::new(text, names, hits);
            let fast = if lexed && !self.options.full_parse {
                skeleton::file(&mut cx, tokens).ok()
            } else {
                None
            };
            let (outline, error) = self.finish(&mut cx, fast, rel);
            (outline, aliases, error)
        })
    }

    /// The fast reader's outline, or `syn`'s when it gave up (or the syntax error, with its
    /// line and column).
    #[requirement("TR-TRACE-STATIC")]
    fn finish(
        &self,
        cx: &mut Cx<'_>,
        fast: Option<Outline>,
        rel: &str,
    ) -> (Option<Outline>, Option<ScanError>) {
        let result = match fast {
            Some(outline) => (Some(outline), None),
            None => match syntax::file_outline(cx) {
                Ok(outline) => (Some(outline), None),
                Err((offset, message)) => {
                    let pos = cx.pos(offset);
                    (
                        None,
                        Some(ScanError {
                            file: rel.to_string(),
                            line: pos.line,
                            column: pos.column,
                            message: format!("cannot parse this file: {message}"),
                        }),
                    )
                }
            },
        };
        // syn's spans keep every parsed text in a per-thread map; this file is done.
        proc_macro2::extra::invalidate_current_thread_spans();
        result
    }
}
