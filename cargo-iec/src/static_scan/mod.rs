//! The static channel: annotations read from the sources with no build, as the same
//! [`Record`]s the compiled channel produces.
//!
//! ```no_run
//! # fn main() -> Result<(), cargo_iec::error::Error> {
//! use cargo_iec::cli::PackageSelection;
//! use cargo_iec::workspace::Workspace;
//!
//! let workspace = Workspace::load(&PackageSelection::default())?;
//! let scan = cargo_iec::static_scan::scan(&workspace);
//! for error in &scan.errors {
//!     eprintln!("{error}");
//! }
//! println!("{} annotations", scan.records.len());
//! # Ok(())
//! # }
//! ```
//!
//! # What it reads
//! Every lib, bin, test and example target of the selected packages that can use
//! iec-runtime, each as its own crate (paths start with the target's crate name, as in the
//! compiled channel). From each target's root file the module tree is followed like rustc
//! follows it (`modules.rs`); in each file the annotations are found, their names resolved
//! in the module's scope (`use` renames, groups, globs, qualified paths), and their items
//! named the way the compiled channel names them (`resolve.rs`). Items under `#[cfg(...)]`
//! carry the conditions as written: the static channel reads every configuration.
//!
//! # How it stays fast (SPEC section 8)
//! Parsing every file with `syn` costs about 40 times what `rg` does on a large workspace,
//! so the scan reads as little as it can:
//! 1. Prefilter: a file in which no annotation name (nor an alias of one) and no `mod`
//!    occurs cannot produce a record or a module, and is not tokenized (substring search).
//! 2. The other files are tokenized by a small lexer (`lexer.rs`) that allocates nothing per
//!    token and steps over function bodies (matching braces, strings, chars and comments)
//!    without producing tokens for them; where annotation names and `mod name;` occur is
//!    noted once per file (`names.rs`).
//! 3. The items are outlined from those tokens (`skeleton.rs`): modules, impls and traits
//!    are walked; a function body or initializer is read only when an annotation name or a
//!    file-module declaration occurs in it, and then with `syn` (`syntax.rs`), which finds
//!    items anywhere (blocks, closures). Impl headers are read by hand, with `syn` for the
//!    rare shapes that are not paths (`header.rs`). A file the fast reader does not
//!    understand is parsed by `syn` whole, which outlines it or reports its syntax error.
//! 4. Names are resolved per crate once all its files are outlined (`resolve.rs`), and the
//!    records built (`records.rs`).
//!
//! Files are read in parallel (rayon): a module's children as soon as its file is
//! outlined, crates side by side. [`ScanOptions::full_parse`] parses every file with `syn`
//! instead: several times slower, but it checks the syntax of every body too. Tests run
//! every fixture both ways and require the same result.
//!
//! # What it cannot see
//! Macros are not expanded: an annotation inside a `macro_rules!` definition or inside a
//! macro invocation's input is reported in [`Scan::unresolved`] with its position and, when
//! readable, what it declares, never dropped; so is an annotation on something that cannot
//! carry one (a `use`, a `mod name;` declaration, a trait method without a body).
//!
//! Known differences from the compiled channel, each one reported by a cross-check rather
//! than hidden:
//! - `cfg` is not evaluated: every configuration is read and records carry the conditions;
//!   a file module missing because its `#[cfg]` is off on this machine is still an error.
//!   `cfg_attr` is understood around annotations and test attributes only.
//! - A method is named by its impl's self type only when the compiler would (the impl sits
//!   next to the type or the trait); the self type's definition path is found through
//!   `use`, re-exports, aliases and the std prelude, but a type of another crate is printed
//!   as imported (`serde_json::Value`, where the compiler says `serde_json::value::Value`),
//!   including types of other workspace crates used from integration tests.
//! - Other attribute macros are assumed to leave items where they are (`#[async_trait]`,
//!   `#[tokio::main]` ...); derives and generated items are not seen.
//! - Closures and async blocks are part of their function: an impl inside a closure is taken
//!   to be next to the types of the enclosing function. A `use` in a function body applies
//!   to the whole body; an alias of an annotation name declared inside a function body is not
//!   recognised.
//! - A name not found anywhere counts as an annotation when it is an exported name
//!   (`requirement`, a glob of another crate may bring it), never when it is an alias; a file
//!   not read in full (it holds no annotation name) is assumed to declare whatever is looked
//!   up in it.
//! - The fast path checks tokens, delimiters and item headers, not the bodies it steps over:
//!   [`ScanOptions::full_parse`] reports syntax errors inside them too.
//! - File names are normalized (`a/../b.rs` is `b.rs`, where `file!()` keeps the `..`), and
//!   module files are matched by exact name, also on case-insensitive file systems.
//! - Edition 2015 `use` paths are taken from the crate root; `macro` (declarative macros
//!   2.0) and negative impls are not read.

use std::path::{Path, PathBuf};

use cargo_metadata::{Package, TargetKind};
use iec_runtime::requirement;
use rayon::prelude::*;

use crate::record::{Declares, Record, TargetRef};
use crate::workspace::Workspace;

pub(crate) mod header;
pub(crate) mod lexer;
pub(crate) mod modules;
pub(crate) mod names;
pub(crate) mod outline;
pub(crate) mod read;
pub(crate) mod records;
pub(crate) mod resolve;
pub(crate) mod skeleton;
pub(crate) mod syntax;

#[cfg(test)]
mod tests;

/// What the static channel found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    /// Every annotation it could name, sorted and without duplicates.
    pub records: Vec<Record>,
    /// Annotations it saw but cannot attribute to a named item (inside macros, or on items
    /// that cannot carry them), sorted.
    pub unresolved: Vec<Finding>,
    /// Files it could not read, parse or find, and malformed annotations, sorted.
    pub errors: Vec<ScanError>,
}

/// An annotation the static channel saw but cannot turn into a record.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Finding {
    /// Source file, relative to the workspace root, `/`-separated.
    pub file: String,
    /// Line of the annotation.
    pub line: u32,
    /// Column of the annotation (chars, 1-based).
    pub column: u32,
    /// The target whose module tree holds the file.
    pub target: TargetRef,
    /// What the annotation declares, when its arguments could be read.
    pub declares: Option<Declares>,
    /// Why it has no record.
    pub reason: String,
}

/// A problem with the sources; the scan went on without the part it concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScanError {
    /// The file with the problem, or the file declaring a module that cannot be read;
    /// relative to the workspace root, `/`-separated.
    pub file: String,
    /// Line (1-based), or 0 when the problem is the whole file.
    pub line: u32,
    /// Column (chars, 1-based), or 0 when the problem is the whole file.
    pub column: u32,
    /// What is wrong, as a sentence.
    pub message: String,
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )
        }
    }
}

impl std::error::Error for ScanError {}

/// How to scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Parse every file fully with `syn` (checks the syntax of every function body; several
    /// times slower).
    pub full_parse: bool,
    /// Told when a file names a unit annotation.
    pub unit_hint: UnitHint,
}

/// A hint the scan gives as soon as a file names `software_unit` or `module_unit` (not
/// a promise that a unit is found: the name may be imported and unused): the design read,
/// which needs the resolved Cargo graph, will probably follow, so the caller can start
/// resolving it beside the scan. Called from any scan thread, once per such file; it
/// changes nothing in what the scan finds.
#[derive(Clone, Default)]
pub struct UnitHint(Option<std::sync::Arc<dyn Fn() + Send + Sync>>);

impl UnitHint {
    /// A hint that calls `on_unit`.
    pub fn new(on_unit: impl Fn() + Send + Sync + 'static) -> UnitHint {
        UnitHint(Some(std::sync::Arc::new(on_unit)))
    }

    pub(crate) fn give(&self) {
        if let Some(on_unit) = &self.0 {
            on_unit();
        }
    }
}

impl std::fmt::Debug for UnitHint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "UnitHint(set)"
        } else {
            "UnitHint(none)"
        })
    }
}

/// One target to scan: a crate root and how names resolve in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSource {
    /// The target, as records name it.
    pub target: TargetRef,
    /// The crate name: the first segment of its paths.
    pub crate_name: String,
    /// The root file (`src/lib.rs`, `tests/it.rs`, ...).
    pub root: PathBuf,
    /// The Rust edition (`2015` resolves `use` paths from the crate root).
    pub edition: String,
    /// Names of crates the target can refer to (dependencies, renamed as in the manifest).
    pub extern_crates: Vec<String>,
    /// Names under which iec-runtime's (or iec-macros') annotations are reachable.
    pub runtime_crates: Vec<String>,
}

/// The kinds the compiled channel reads (benches and build scripts are not built by it).
fn target_kind(kinds: &[TargetKind]) -> Option<&'static str> {
    crate::record::target_kind(kinds).filter(|kind| *kind != "bench")
}

/// The targets of `package` the static channel reads: those of a package that depends on
/// iec-runtime (or is iec-runtime), as in the compiled channel; annotations are reachable
/// through iec-runtime and iec-macros under their names in the manifest.
pub fn targets_of(package: &Package) -> Vec<TargetSource> {
    const RUNTIME: [&str; 2] = ["iec-runtime", "iec-macros"];
    let local = |name: &str| name.replace('-', "_");
    let is_runtime = package.name.as_str() == "iec-runtime";
    if !is_runtime && !package.dependencies.iter().any(|d| d.name == "iec-runtime") {
        return Vec::new();
    }
    let mut runtime_crates: Vec<String> = package
        .dependencies
        .iter()
        .filter(|d| RUNTIME.contains(&d.name.as_str()))
        .map(|d| local(d.rename.as_deref().unwrap_or(&d.name)))
        .collect();
    if is_runtime {
        runtime_crates.push("iec_runtime".to_string());
    }
    let extern_crates: Vec<String> = package
        .dependencies
        .iter()
        .map(|d| local(d.rename.as_deref().unwrap_or(&d.name)))
        .collect();
    let library = package
        .targets
        .iter()
        .find(|t| target_kind(&t.kind) == Some("lib"))
        .map(|t| local(&t.name));
    let mut sources = Vec::new();
    for target in &package.targets {
        let Some(kind) = target_kind(&target.kind) else {
            continue;
        };
        let mut externs = extern_crates.clone();
        if kind != "lib"
            && let Some(library) = &library
        {
            externs.push(library.clone());
        }
        sources.push(TargetSource {
            target: TargetRef {
                package: package.name.to_string(),
                kind: kind.to_string(),
                name: target.name.clone(),
            },
            crate_name: local(&target.name),
            root: target.src_path.clone().into_std_path_buf(),
            edition: target.edition.as_str().to_string(),
            extern_crates: externs,
            runtime_crates: runtime_crates.clone(),
        });
    }
    sources
}

/// Scans the sources of the selected packages of `workspace`.
#[requirement("TR-TRACE-STATIC")]
pub fn scan(workspace: &Workspace) -> Scan {
    scan_with_hint(workspace, UnitHint::default())
}

/// [`scan`], telling `unit_hint` when a file names a unit annotation.
#[requirement("TR-PERF-UNIT-HINT")]
pub fn scan_with_hint(workspace: &Workspace, unit_hint: UnitHint) -> Scan {
    let targets: Vec<TargetSource> = workspace.selected.iter().flat_map(targets_of).collect();
    let options = ScanOptions {
        unit_hint,
        ..ScanOptions::default()
    };
    scan_targets(&workspace.root, &targets, &options)
}

/// Scans one package (relative paths from `workspace_root`).
pub fn scan_package(workspace_root: &Path, package: &Package, options: &ScanOptions) -> Scan {
    scan_targets(workspace_root, &targets_of(package), options)
}

/// Scans `targets`; file names in the result are relative to `workspace_root`.
#[requirement("TR-TRACE-STATIC")]
pub fn scan_targets(
    workspace_root: &Path,
    targets: &[TargetSource],
    options: &ScanOptions,
) -> Scan {
    let root = crate::workspace::normalize(workspace_root);
    let trees = read_trees(&root, targets, options, &[]);
    // An alias declared in one file can be used in another (re-exported, or through
    // `use super::*`); files that mention an alias they did not see are outlined again.
    let mut aliases: Vec<(String, outline::AnnKind)> = trees
        .iter()
        .flat_map(|(node, _)| node.iter().flat_map(all_aliases))
        .collect();
    aliases.sort_by(|a, b| a.0.cmp(&b.0));
    aliases.dedup_by(|a, b| a.0 == b.0);
    let trees = if aliases.is_empty() {
        trees
    } else {
        trees
            .into_par_iter()
            .map(|(node, errors)| {
                let walk = modules::Walk::new(&root, options, &aliases);
                let node = node.map(|mut node| {
                    reoutline(&walk, &mut node, &aliases);
                    node
                });
                (node, errors)
            })
            .collect()
    };
    let mut result = Scan::default();
    // Each tree is dropped on the thread that resolved it.
    let crates: Vec<(Vec<Record>, Vec<Finding>, Vec<ScanError>)> = targets
        .par_iter()
        .zip(trees.into_par_iter())
        .map(|(source, (node, mut errors))| {
            let Some(node) = node else {
                return (Vec::new(), Vec::new(), errors);
            };
            let mut krate = records::Crate::new(source, &node);
            krate.walk(&node);
            errors.append(&mut krate.errors);
            (krate.records, krate.findings, errors)
        })
        .collect();
    for (records, findings, errors) in crates {
        result.records.extend(records);
        result.unresolved.extend(findings);
        result.errors.extend(errors);
    }
    result.records.par_sort_unstable();
    result.records.dedup();
    result.unresolved.sort_unstable();
    result.unresolved.dedup();
    result.errors.sort_unstable();
    result.errors.dedup();
    result
}

type Tree = (Option<modules::FileNode>, Vec<ScanError>);

fn read_trees(
    root: &Path,
    targets: &[TargetSource],
    options: &ScanOptions,
    aliases: &[(String, outline::AnnKind)],
) -> Vec<Tree> {
    targets
        .par_iter()
        .map(|source| {
            let walk = modules::Walk::new(root, options, aliases);
            let mut errors = Vec::new();
            let node = walk.file(
                source.root.clone(),
                modules::ModuleDir::of_root(&source.root),
                None,
                &[],
                &mut errors,
            );
            (node, errors)
        })
        .collect()
}

fn all_aliases(node: &modules::FileNode) -> Vec<(String, outline::AnnKind)> {
    let mut out = node.aliases.clone();
    for (_, child) in &node.children {
        out.extend(all_aliases(child));
    }
    out
}

/// Outlines again the files that mention an alias declared elsewhere.
fn reoutline(
    walk: &modules::Walk<'_>,
    node: &mut modules::FileNode,
    aliases: &[(String, outline::AnnKind)],
) {
    node.children
        .par_iter_mut()
        .for_each(|(_, child)| reoutline(walk, child, aliases));
    let foreign: Vec<&str> = aliases
        .iter()
        .filter(|(alias, _)| !node.aliases.iter().any(|(own, _)| own == alias))
        .map(|(alias, _)| alias.as_str())
        .collect();
    if foreign.is_empty() {
        return;
    }
    let Ok(text) = std::fs::read_to_string(&node.path) else {
        return;
    };
    if !foreign.iter().any(|alias| text.contains(alias)) {
        return;
    }
    let (outline, _, _) = walk.outline(&text, &node.rel);
    if outline.is_some() {
        node.outline = outline;
    }
}

/// The source files of each target's module tree (relative to `workspace_root`,
/// `/`-separated), in the order of `targets`: which crate a file belongs to, for tools
/// that compare files (`cargo iec impact`).
pub fn module_files(workspace_root: &Path, targets: &[TargetSource]) -> Vec<Vec<String>> {
    fn collect(node: &modules::FileNode, out: &mut Vec<String>) {
        out.push(node.rel.clone());
        for (_, child) in &node.children {
            collect(child, out);
        }
    }
    let root = crate::workspace::normalize(workspace_root);
    read_trees(&root, targets, &ScanOptions::default(), &[])
        .into_iter()
        .map(|(node, _)| {
            let mut files = Vec::new();
            if let Some(node) = &node {
                collect(node, &mut files);
            }
            files
        })
        .collect()
}
