//! The SOUP list (IEC 62304 8.1.2): every third-party crate of the selected packages'
//! resolved dependency graph, how it is used, and the Rust toolchain and standard library.
//!
//! Use is decided by how the crate is reached from the selected packages:
//! - `product`: through normal dependencies only; it is compiled into the shipped software;
//! - `development-tool`: through a build dependency or a proc-macro; it runs at build time;
//! - `test-tool`: through a dev dependency of a selected package; it is in tests only.
//!
//! A crate reached several ways has every use, most critical first. Workspace members are
//! not SOUP but their dependencies are followed. The graph is cargo's resolve for the
//! selected features and every platform (a superset for one target).

pub mod advisories;
mod render;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

use cargo_metadata::{DependencyKind, Metadata, Package, PackageId};
use iec_runtime::requirement;
use serde::Serialize;

pub use render::{csv, cyclonedx, json, table};

use crate::environment::Rustc;
use crate::error::Error;

/// Schema of the JSON list.
pub const SCHEMA: &str = "iec-trace/soup/v1";

/// How a SOUP crate is used, most critical first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Use {
    /// In the shipped software (a normal dependency).
    Product,
    /// Runs at build time: a build dependency or a proc-macro.
    DevelopmentTool,
    /// In tests only: a dev dependency.
    TestTool,
}

impl Use {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Use::Product => "product",
            Use::DevelopmentTool => "development-tool",
            Use::TestTool => "test-tool",
        }
    }
}

/// One third-party crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SoupCrate {
    /// Crate name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Where it comes from: `registry+https://...`, `git+https://...#commit`.
    pub source: Option<String>,
    /// The Cargo.lock checksum (SHA-256 of the .crate file), `null` for git sources.
    pub checksum: Option<String>,
    /// SPDX license expression as the crate declares it.
    pub license: Option<String>,
    /// A license file, when the crate names one instead.
    pub license_file: Option<String>,
    /// Repository URL.
    pub repository: Option<String>,
    /// Homepage URL.
    pub homepage: Option<String>,
    /// Authors (the manufacturer, in IEC 62304's words).
    pub authors: Vec<String>,
    /// The crate's description.
    pub description: Option<String>,
    /// Its most critical use.
    #[serde(rename = "use")]
    pub primary_use: Use,
    /// Every use, most critical first.
    pub uses: Vec<Use>,
    /// Package URL, `pkg:cargo/NAME@VERSION`.
    pub purl: String,
    /// The crates it depends on, as `NAME@VERSION`.
    pub dependencies: Vec<String>,
}

/// A component of the Rust toolchain's standard library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StdComponent {
    /// `core`, `alloc`, `std`, `proc_macro`, `test`.
    pub name: String,
    /// The toolchain's release.
    pub version: Option<String>,
    /// How it is used.
    #[serde(rename = "use")]
    pub primary_use: Use,
    /// Its license.
    pub license: &'static str,
    /// Its repository.
    pub repository: &'static str,
}

/// The toolchain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Toolchain {
    /// `rustc -vV`.
    pub rustc: Rustc,
    /// `cargo -V`.
    pub cargo: Option<String>,
    /// The standard library's crates.
    pub standard_library: Vec<StdComponent>,
}

/// The SOUP list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SoupList {
    /// [`SCHEMA`].
    pub schema: &'static str,
    /// The selected packages, `NAME@VERSION`: the software the list is for.
    pub packages: Vec<String>,
    /// Third-party crates, sorted by name and version.
    pub crates: Vec<SoupCrate>,
    /// The Rust toolchain and standard library.
    pub toolchain: Toolchain,
}

/// Checksums from Cargo.lock by (name, version, source).
fn lock_checksums(path: &Path) -> Result<BTreeMap<(String, String, String), String>, Error> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(BTreeMap::new());
    };
    let lock: toml::Table = text.parse().map_err(|error: toml::de::Error| {
        Error::Input(format!("{}: {}", path.display(), error.message()))
    })?;
    let mut checksums = BTreeMap::new();
    for package in lock
        .get("package")
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(toml::Value::as_table)
    {
        let field = |key: &str| package.get(key).and_then(toml::Value::as_str);
        if let (Some(name), Some(version), Some(checksum)) =
            (field("name"), field("version"), field("checksum"))
        {
            checksums.insert(
                (
                    name.to_string(),
                    version.to_string(),
                    field("source").unwrap_or("").to_string(),
                ),
                checksum.to_string(),
            );
        }
    }
    Ok(checksums)
}

fn is_proc_macro(package: &Package) -> bool {
    package.targets.iter().any(|t| t.is_proc_macro())
}

/// Every package reachable from `roots`, with how it is used.
fn uses_from(metadata: &Metadata, roots: &[&Package]) -> BTreeMap<PackageId, BTreeSet<Use>> {
    let Some(resolve) = &metadata.resolve else {
        return BTreeMap::new();
    };
    let nodes: BTreeMap<&PackageId, _> = resolve.nodes.iter().map(|n| (&n.id, n)).collect();
    let packages: BTreeMap<&PackageId, &Package> =
        metadata.packages.iter().map(|p| (&p.id, p)).collect();
    let root_ids: BTreeSet<&PackageId> = roots.iter().map(|p| &p.id).collect();
    let mut uses: BTreeMap<PackageId, BTreeSet<Use>> = BTreeMap::new();
    let mut seen: BTreeSet<(PackageId, Use)> = BTreeSet::new();
    let mut queue: VecDeque<(&PackageId, Use)> =
        root_ids.iter().map(|id| (*id, Use::Product)).collect();
    while let Some((id, how)) = queue.pop_front() {
        if !seen.insert((id.clone(), how)) {
            continue;
        }
        if !root_ids.contains(id) {
            uses.entry(id.clone()).or_default().insert(how);
        }
        let Some(node) = nodes.get(id) else { continue };
        for dep in &node.deps {
            let proc_macro = packages.get(&dep.pkg).is_some_and(|p| is_proc_macro(p));
            for kind in &dep.dep_kinds {
                let next = match kind.kind {
                    DependencyKind::Build => Some(Use::DevelopmentTool),
                    // Dev dependencies are resolved for workspace members only; those of
                    // a member that is not selected do not reach the selected software.
                    DependencyKind::Development => root_ids.contains(id).then_some(Use::TestTool),
                    _ if proc_macro => Some(Use::DevelopmentTool),
                    _ => Some(how),
                };
                if let Some(next) = next {
                    queue.push_back((&dep.pkg, next));
                }
            }
        }
    }
    uses
}

fn purl(package: &Package) -> String {
    format!("pkg:cargo/{}@{}", package.name, package.version)
}

/// The SOUP list of `roots` (selected workspace packages).
#[requirement("TR-SOUP-LIST")]
pub fn list(
    metadata: &Metadata,
    roots: &[&Package],
    root: &Path,
    rustc: Rustc,
    cargo: Option<String>,
) -> Result<SoupList, Error> {
    let checksums = lock_checksums(&root.join("Cargo.lock"))?;
    let members: BTreeSet<&PackageId> = metadata.workspace_members.iter().collect();
    let packages: BTreeMap<&PackageId, &Package> =
        metadata.packages.iter().map(|p| (&p.id, p)).collect();
    let nodes: BTreeMap<&PackageId, _> = metadata
        .resolve
        .iter()
        .flat_map(|r| &r.nodes)
        .map(|n| (&n.id, n))
        .collect();
    let mut crates = Vec::new();
    for (id, uses) in uses_from(metadata, roots) {
        if members.contains(&id) {
            continue;
        }
        let Some(package) = packages.get(&id) else {
            continue;
        };
        let source = package.source.as_ref().map(|s| s.repr.clone());
        let checksum = checksums
            .get(&(
                package.name.to_string(),
                package.version.to_string(),
                source.clone().unwrap_or_default(),
            ))
            .cloned();
        let uses: Vec<Use> = uses.into_iter().collect();
        let mut dependencies: Vec<String> = nodes
            .get(&id)
            .map(|node| {
                node.deps
                    .iter()
                    .filter(|d| {
                        d.dep_kinds
                            .iter()
                            .any(|k| k.kind != DependencyKind::Development)
                    })
                    .filter_map(|d| packages.get(&d.pkg))
                    .filter(|p| !members.contains(&p.id))
                    .map(|p| format!("{}@{}", p.name, p.version))
                    .collect()
            })
            .unwrap_or_default();
        dependencies.sort();
        dependencies.dedup();
        crates.push(SoupCrate {
            name: package.name.to_string(),
            version: package.version.to_string(),
            source,
            checksum,
            license: package.license.clone(),
            license_file: package
                .license_file
                .as_ref()
                .map(|f| f.file_name().map_or_else(|| f.to_string(), str::to_string)),
            repository: package.repository.clone(),
            homepage: package.homepage.clone(),
            authors: package.authors.clone(),
            description: package
                .description
                .as_ref()
                .map(|d| d.split_whitespace().collect::<Vec<_>>().join(" ")),
            primary_use: uses.first().copied().unwrap_or(Use::Product),
            uses,
            purl: purl(package),
            dependencies,
        });
    }
    crates.sort_by(|a, b| (&a.name, &a.version, &a.source).cmp(&(&b.name, &b.version, &b.source)));
    let release = rustc.release.clone();
    let std_component = |name: &str, primary_use| StdComponent {
        name: name.to_string(),
        version: release.clone(),
        primary_use,
        license: "MIT OR Apache-2.0",
        repository: "https://github.com/rust-lang/rust",
    };
    let mut selected: Vec<String> = roots
        .iter()
        .map(|p| format!("{}@{}", p.name, p.version))
        .collect();
    selected.sort();
    Ok(SoupList {
        schema: SCHEMA,
        packages: selected,
        crates,
        toolchain: Toolchain {
            rustc,
            cargo,
            standard_library: vec![
                std_component("core", Use::Product),
                std_component("alloc", Use::Product),
                std_component("std", Use::Product),
                std_component("proc_macro", Use::DevelopmentTool),
                std_component("test", Use::TestTool),
            ],
        },
    })
}
