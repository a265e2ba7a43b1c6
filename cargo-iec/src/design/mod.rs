//! `cargo iec design`: the architecture (IEC 62304 5.3) and unit design (5.4) record, read
//! from the code: items and units with their classes, design text (doc comments), public
//! interfaces (signatures rendered from syn), requirements and tests, the dependencies
//! between units and items (from the paths their code uses), and the SOUP each unit uses.
//!
//! It also finds the gaps the record makes possible: `class-dependency` and
//! `undocumented-unit`, reported by `cargo iec trace` like every other gap.

pub mod command;
pub mod render;
pub mod source;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use iec_model::{Catalogue, SafetyClass};
use iec_runtime::requirement;
use serde::Serialize;

use crate::trace::contains;
use crate::trace::{Gap, GapKind, Trace, UnitTrace};
use crate::workspace::Workspace;
use source::{Analysis, CodeItem, CrateRoot, Wanted};

/// The version of the design JSON; bump on any incompatible change (docs/design-json.md).
pub const SCHEMA: &str = "iec-trace/design/v1";

/// The whole record.
#[derive(Debug, Clone, Serialize)]
pub struct Design {
    /// Schema version.
    pub schema: &'static str,
    /// The catalogue, relative to the workspace root.
    pub catalogue: String,
    /// Software systems and items, in catalogue order; units that name no item come last
    /// under an entry whose `id` is `null`.
    pub items: Vec<ItemDesign>,
    /// Unit -> unit and item -> item dependencies, sorted.
    pub dependencies: Vec<Dependency>,
    /// Third-party crates the units use, sorted by name.
    pub soup: Vec<SoupUse>,
}

/// A software system or item.
#[derive(Debug, Clone, Serialize)]
pub struct ItemDesign {
    /// Its ID (`null` for the units that name no item).
    pub id: Option<String>,
    /// Its title.
    pub title: Option<String>,
    /// Whether it is a software system (top level).
    pub system: bool,
    /// Effective class.
    pub class: Option<String>,
    /// `assigned`, `inherited` or `default`.
    pub class_source: Option<&'static str>,
    /// Parent item or system.
    pub parent: Option<String>,
    /// Segregation rationale.
    pub segregation: Option<String>,
    /// Its units, sorted by ID.
    pub units: Vec<UnitDesign>,
}

/// A software unit.
#[derive(Debug, Clone, Serialize)]
pub struct UnitDesign {
    /// ID.
    pub id: String,
    /// Rust path.
    pub path: String,
    /// `mod`, `fn`, `impl`, `struct`, ...
    pub kind: String,
    /// Class.
    pub class: String,
    /// `assigned`, `inherited` or `default`.
    pub class_source: &'static str,
    /// Segregation rationale.
    pub segregation: Option<String>,
    /// Source file.
    pub file: String,
    /// Line.
    pub line: u32,
    /// Its doc comment (a module unit's: the module's `//!` and `///` docs).
    pub design_text: String,
    /// The signatures of its public items, sorted by path.
    pub interface: Vec<InterfaceItem>,
    /// Requirements it implements, sorted by ID, with the tests that verify them.
    pub requirements: Vec<RequirementRef>,
    /// Third-party crates its code uses (package names), sorted.
    pub soup: Vec<String>,
    /// Units it uses, sorted by ID.
    pub uses: Vec<String>,
}

/// A public item of a unit.
#[derive(Debug, Clone, Serialize)]
pub struct InterfaceItem {
    /// Full path.
    pub path: String,
    /// `fn`, `struct`, ...
    pub kind: &'static str,
    /// Line in the unit's file.
    pub line: u32,
    /// The signature as Rust source.
    pub signature: String,
    /// Its doc comment.
    pub docs: String,
}

/// A requirement a unit implements.
#[derive(Debug, Clone, Serialize)]
pub struct RequirementRef {
    /// ID.
    pub id: String,
    /// Title.
    pub title: String,
    /// The tests that verify it, sorted.
    pub tests: Vec<TestRef>,
}

/// A verifying test.
#[derive(Debug, Clone, Serialize)]
pub struct TestRef {
    /// Full path.
    pub path: String,
    /// `passed`, `failed`, ... when results are joined; `null` otherwise.
    pub result: Option<String>,
}

/// One edge of the architecture.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Dependency {
    /// `unit` or `item`.
    pub level: &'static str,
    /// The unit or item whose code uses the other.
    pub from: String,
    /// The unit or item used.
    pub to: String,
}

/// A third-party crate used by units.
#[derive(Debug, Clone, Serialize)]
pub struct SoupUse {
    /// Package name.
    pub name: String,
    /// Resolved version.
    pub version: String,
    /// Units using it, sorted by ID.
    pub used_by: Vec<String>,
    /// Its functional requirements, from its `[[soup]]` entry in the catalogue.
    pub functional: Option<String>,
    /// Its performance requirements, from `[[soup]]`.
    pub performance: Option<String>,
    /// The hardware and software it needs, from `[[soup]]`.
    pub needs: Option<Vec<String>>,
}

/// A third-party crate as the code can name it.
#[derive(Debug, Clone)]
struct SoupCrate {
    name: String,
    version: String,
}

/// What the sources say about the units.
#[derive(Debug, Default)]
pub struct Sources {
    analysis: Analysis,
    soup: BTreeMap<String, SoupCrate>,
    /// Crate name in paths -> its package.
    packages: BTreeMap<String, String>,
    /// (package, workspace package it depends on), from the Cargo graph.
    package_deps: BTreeSet<(String, String)>,
}

/// The variable that makes the design read every module and item of every crate instead of
/// what the units need (docs/PERFORMANCE.md): both give the same trace and record, which
/// the acceptance tests check with it.
pub const FULL_READ: &str = "IEC_TRACE_DESIGN_FULL_READ";

/// Reads what the record of `units` and its gaps need from the library and binary crates of
/// the selected packages (the files of the modules on the way to a unit or inside one, the
/// items inside units: a crate holding no unit is not parsed), and their dependencies'
/// names (renames included) from cargo metadata (the resolved graph: call
/// [`Workspace::resolve`] first on a workspace loaded without it). With [`FULL_READ`] set,
/// everything. Read once per workspace for the same units: the join's design gaps and
/// `cargo iec test`'s design record share it.
#[requirement("TR-PERF-DESIGN-READ")]
pub fn read_sources(workspace: &Workspace, units: &[UnitTrace]) -> Arc<Sources> {
    let paths: Vec<String> = units.iter().map(|unit| unit.path.clone()).collect();
    let full = std::env::var_os(FULL_READ).is_some();
    let mut memo = workspace
        .design_sources
        .0
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((read_for, read_full, sources)) = &*memo
        && *read_for == paths
        && *read_full == full
    {
        return Arc::clone(sources);
    }
    let sources = Arc::new(if full {
        read_sources_with(workspace, Wanted::All)
    } else {
        let wanted: Vec<&str> = paths.iter().map(String::as_str).collect();
        read_sources_with(workspace, Wanted::Units(&wanted))
    });
    *memo = Some((paths, full, Arc::clone(&sources)));
    sources
}

/// What [`read_sources`] read last: the unit paths, whether everything was read
/// ([`FULL_READ`]), and the sources.
#[derive(Default)]
pub struct SourcesMemo(std::sync::Mutex<Option<SourcesRead>>);

/// The unit paths read for, whether everything was read, and what was read.
type SourcesRead = (Vec<String>, bool, Arc<Sources>);

/// Reads what `wanted` keeps of the library and binary crates of the selected packages,
/// and their dependencies' names (renames included) from cargo metadata.
#[requirement("TR-DESIGN-DEPENDENCIES")]
pub fn read_sources_with(workspace: &Workspace, wanted: Wanted<'_>) -> Sources {
    let metadata = workspace.graph();
    let members: BTreeSet<&cargo_metadata::PackageId> = metadata.workspace_members.iter().collect();
    let lib_name = |id: &cargo_metadata::PackageId| -> Option<String> {
        let package = metadata.packages.iter().find(|p| &p.id == id)?;
        let lib = package
            .targets
            .iter()
            .find(|t| crate::record::target_kind(&t.kind) == Some("lib"))?;
        Some(lib.name.replace('-', "_"))
    };
    let mut sources = Sources::default();
    // (crate name, root file, externs) of every lib and bin target, read below in parallel.
    let mut crates: Vec<(String, PathBuf, BTreeMap<String, String>)> = Vec::new();
    for package in &workspace.selected {
        let mut externs = BTreeMap::new();
        let node = metadata
            .resolve
            .as_ref()
            .and_then(|r| r.nodes.iter().find(|n| n.id == package.id));
        for dep in node.map(|n| n.deps.as_slice()).unwrap_or_default() {
            let normal = dep
                .dep_kinds
                .iter()
                .any(|k| k.kind == cargo_metadata::DependencyKind::Normal);
            if !normal || dep.name.is_empty() {
                continue;
            }
            if members.contains(&dep.pkg) {
                if let Some(p) = metadata.packages.iter().find(|p| p.id == dep.pkg) {
                    sources
                        .package_deps
                        .insert((package.name.to_string(), p.name.to_string()));
                }
                if let Some(lib) = lib_name(&dep.pkg) {
                    externs.insert(dep.name.clone(), lib);
                }
            } else if let Some(p) = metadata.packages.iter().find(|p| p.id == dep.pkg) {
                // The annotations' runtime is the trace's, not part of the unit's design.
                if matches!(p.name.as_str(), "iec-runtime" | "iec-macros") {
                    continue;
                }
                externs.insert(dep.name.clone(), dep.name.clone());
                sources.soup.insert(
                    dep.name.clone(),
                    SoupCrate {
                        name: p.name.to_string(),
                        version: p.version.to_string(),
                    },
                );
            }
        }
        let library = lib_name(&package.id);
        for target in &package.targets {
            let kind = crate::record::target_kind(&target.kind);
            if !matches!(kind, Some("lib" | "bin")) {
                continue;
            }
            let mut target_externs = externs.clone();
            if kind == Some("bin")
                && let Some(library) = &library
            {
                target_externs.insert(library.clone(), library.clone());
            }
            sources
                .packages
                .insert(target.name.replace('-', "_"), package.name.to_string());
            crates.push((
                target.name.replace('-', "_"),
                target.src_path.clone().into_std_path_buf(),
                target_externs,
            ));
        }
    }
    // Parsing the files with syn is most of a design read: one crate per thread, merged
    // in the order the crates were listed, so the result is the sequential one.
    let analyses: Vec<source::Analysis> = crates
        .par_iter()
        .filter(|(name, _, _)| wanted.module(name))
        .map(|(name, root, externs)| {
            let krate = CrateRoot {
                name: name.clone(),
                root: root.clone(),
                externs,
            };
            let mut analysis = source::Analysis::default();
            source::read_crate(&krate, &workspace.root, wanted, &mut analysis);
            analysis
        })
        .collect();
    for analysis in analyses {
        sources.analysis.items.extend(analysis.items);
        // A lib and a bin of one package share a crate name: their module docs join.
        for (module, text) in analysis.module_docs {
            let entry = sources.analysis.module_docs.entry(module).or_default();
            if !entry.is_empty() && !text.is_empty() {
                entry.push_str("\n\n");
            }
            entry.push_str(&text);
        }
        sources.analysis.unreadable.extend(analysis.unreadable);
    }
    sources.analysis.unreadable.sort();
    sources.analysis.unreadable.dedup();
    sources
}

/// The innermost unit whose path contains `path`.
fn owner(units: &[UnitTrace], path: &str) -> Option<usize> {
    units
        .iter()
        .enumerate()
        .filter(|(_, u)| contains(&u.path, path))
        .max_by_key(|(_, u)| u.path.len())
        .map(|(i, _)| i)
}

/// Per unit: its items, the units it uses and the SOUP it uses.
struct Joined<'a> {
    items: Vec<Vec<&'a CodeItem>>,
    uses: Vec<BTreeSet<usize>>,
    soup: Vec<BTreeSet<String>>,
}

fn join<'a>(units: &[UnitTrace], sources: &'a Sources) -> Joined<'a> {
    let mut joined = Joined {
        items: vec![Vec::new(); units.len()],
        uses: vec![BTreeSet::new(); units.len()],
        soup: vec![BTreeSet::new(); units.len()],
    };
    for item in &sources.analysis.items {
        let Some(from) = owner(units, &item.path) else {
            continue;
        };
        joined.items[from].push(item);
        for reference in &item.references {
            if let Some(to) = owner(units, reference) {
                if to != from {
                    joined.uses[from].insert(to);
                }
            } else {
                let first = reference.split("::").next().unwrap_or_default();
                if let Some(soup) = sources.soup.get(first) {
                    joined.soup[from].insert(soup.name.clone());
                }
            }
        }
    }
    joined
}

fn design_text(unit: &UnitTrace, items: &[&CodeItem], sources: &Sources) -> String {
    if unit.kind == "mod" {
        return sources
            .analysis
            .module_docs
            .get(&unit.path)
            .cloned()
            .unwrap_or_default();
    }
    let own = |kind: &str| {
        items
            .iter()
            .find(|i| i.path == unit.path && i.kind == kind)
            .map(|i| i.docs.clone())
            .filter(|d| !d.is_empty())
    };
    match unit.kind.as_str() {
        // An impl unit's design text is on the impl block, else on its type.
        "impl" => own("impl")
            .or_else(|| {
                sources
                    .analysis
                    .items
                    .iter()
                    .find(|i| i.path == unit.path && i.kind != "impl" && i.kind != "use")
                    .map(|i| i.docs.clone())
            })
            .unwrap_or_default(),
        kind => own(kind).unwrap_or_default(),
    }
}

fn interface(items: &[&CodeItem]) -> Vec<InterfaceItem> {
    let mut out: Vec<InterfaceItem> = items
        .iter()
        .filter_map(|i| {
            Some(InterfaceItem {
                path: i.path.clone(),
                kind: i.kind,
                line: i.line,
                signature: i.signature.clone()?,
                docs: i.docs.clone(),
            })
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path).then(a.line.cmp(&b.line)));
    out
}

fn class_of(text: &str) -> Option<SafetyClass> {
    SafetyClass::parse(text)
}

/// Item -> item dependencies from the Cargo graph, between items that list `crates`.
fn crate_item_edges(catalogue: &Catalogue, sources: &Sources) -> BTreeSet<(String, String)> {
    let mut edges = BTreeSet::new();
    for (from, to) in &sources.package_deps {
        let item_of = |package: &String| {
            catalogue
                .items
                .iter()
                .find(|i| i.crates.contains(package))
                .map(|i| i.id.clone())
        };
        if let (Some(a), Some(b)) = (item_of(from), item_of(to))
            && a != b
        {
            edges.insert((a, b));
        }
    }
    edges
}

/// The `class-dependency` and `undocumented-unit` gaps.
#[requirement("TR-DESIGN-GAPS")]
pub fn gaps(trace: &Trace, catalogue: &Catalogue, sources: &Sources) -> Vec<Gap> {
    // The trace already placed units naming no item in the item made of their crate.
    let units = &trace.units;
    let joined = join(units, sources);
    let mut gaps = BTreeSet::new();
    let mut item_edges = crate_item_edges(catalogue, sources);
    for (from, used) in joined.uses.iter().enumerate() {
        let user = &units[from];
        for &to in used {
            let callee = &units[to];
            if let (Some(a), Some(b)) = (&user.item, &callee.item)
                && a != b
            {
                item_edges.insert((a.clone(), b.clone()));
            }
            let (Some(high), Some(low)) = (class_of(&user.class), class_of(&callee.class)) else {
                continue;
            };
            // The rationale may be the unit's own or its item's (which covers its units).
            let segregated = callee.segregation.is_some()
                || callee
                    .item
                    .as_deref()
                    .and_then(|id| catalogue.item(id))
                    .is_some_and(|item| item.segregation.is_some());
            if low < high && !segregated {
                gaps.insert(Gap {
                    problem: None,
                    advisory: None,
                    kind: GapKind::ClassDependency,
                    requirement: None,
                    unit: Some(user.id.clone()),
                    class: Some(user.class.clone()),
                    path: Some(callee.path.clone()),
                    file: Some(user.file.clone()),
                    line: Some(user.line),
                    message: format!(
                        "class {} unit {} uses class {} unit {} ({}), which records no segregation rationale (IEC 62304 4.3, 5.3.5)",
                        user.class, user.id, callee.class, callee.id, callee.path
                    ),
                });
            }
        }
    }
    for (a, b) in &item_edges {
        let (Some((high, _)), Some((low, _))) = (catalogue.item_class(a), catalogue.item_class(b))
        else {
            continue;
        };
        let Some(lower) = catalogue.item(b) else {
            continue;
        };
        if low < high && lower.segregation.is_none() {
            gaps.insert(Gap {
                problem: None,
                advisory: None,
                kind: GapKind::ClassDependency,
                requirement: None,
                unit: Some(a.clone()),
                class: Some(high.as_str().to_string()),
                path: Some(b.clone()),
                file: Some(trace.catalogue.clone()),
                line: u32::try_from(lower.line).ok(),
                message: format!(
                    "class {high} item {a} uses class {low} item {b}, which records no segregation rationale (IEC 62304 4.3, 5.3.5)"
                ),
            });
        }
    }
    for (index, unit) in units.iter().enumerate() {
        if class_of(&unit.class) < Some(SafetyClass::B) {
            continue;
        }
        for name in &joined.soup[index] {
            if catalogue
                .soup_entry(name)
                .is_some_and(iec_model::catalogue::Soup::is_specified)
            {
                continue;
            }
            gaps.insert(Gap {
                problem: None,
                advisory: None,
                kind: GapKind::SoupUnspecified,
                requirement: None,
                unit: Some(unit.id.clone()),
                class: Some(unit.class.clone()),
                path: Some(name.clone()),
                file: Some(unit.file.clone()),
                line: Some(unit.line),
                message: format!(
                    "class {} unit {} uses the SOUP crate {name}, which has no [[soup]] entry with `functional`, `performance` and `needs` in the catalogue (IEC 62304 5.3.3, 5.3.4)",
                    unit.class, unit.id
                ),
            });
        }
    }
    for (index, unit) in units.iter().enumerate() {
        if class_of(&unit.class) != Some(SafetyClass::C) {
            continue;
        }
        if design_text(unit, &joined.items[index], sources).is_empty() {
            gaps.insert(Gap {
                problem: None,
                advisory: None,
                kind: GapKind::UndocumentedUnit,
                requirement: None,
                unit: Some(unit.id.clone()),
                class: Some(unit.class.clone()),
                path: Some(unit.path.clone()),
                file: Some(unit.file.clone()),
                line: Some(unit.line),
                message: format!(
                    "class C unit {} has no design text: document it with a doc comment (IEC 62304 5.4.2)",
                    unit.id
                ),
            });
        }
        for item in interface(&joined.items[index]) {
            if item.docs.is_empty() {
                gaps.insert(Gap {
                    problem: None,
                    advisory: None,
                    kind: GapKind::UndocumentedUnit,
                    requirement: None,
                    unit: Some(unit.id.clone()),
                    class: Some(unit.class.clone()),
                    path: Some(item.path.clone()),
                    file: Some(unit.file.clone()),
                    line: Some(item.line),
                    message: format!(
                        "public {} {} of class C unit {} has no doc comment: document its interface (IEC 62304 5.4.3)",
                        item.kind, item.path, unit.id
                    ),
                });
            }
        }
    }
    gaps.into_iter().collect()
}

/// Adds the design gaps to `trace`.
pub fn apply(
    trace: &mut Trace,
    catalogue: &Catalogue,
    workspace: &Workspace,
) -> Result<(), crate::error::Error> {
    // Without units and without items made of crates there is nothing to check: skip
    // resolving the Cargo graph and reading the sources (with units, only the files of
    // their modules are parsed: read_sources).
    if trace.units.is_empty() && catalogue.items.iter().all(|item| item.crates.is_empty()) {
        return Ok(());
    }
    // The phase log splits the join here: the trace so far, then the design's parts.
    crate::timing::phase("join (trace)");
    workspace.resolve()?;
    crate::timing::phase("design: cargo metadata (graph)");
    let sources = read_sources(workspace, &trace.units);
    crate::timing::phase("design: read sources");
    let found = gaps(trace, catalogue, &sources);
    crate::timing::phase("design: gaps");
    trace.gaps.extend(found);
    trace.gaps.sort();
    trace.gaps.dedup();
    trace.summary.gaps = trace.gaps.len();
    Ok(())
}

/// Builds the record.
#[requirement("TR-DESIGN-RECORD")]
pub fn build(trace: &Trace, catalogue: &Catalogue, sources: &Sources) -> Design {
    // The trace already placed units naming no item in the item made of their crate.
    let units = &trace.units;
    let joined = join(units, sources);
    let requirement = |id: &str| trace.requirements.iter().find(|r| r.id == id);
    let unit_design = |index: usize| {
        let unit = &units[index];
        let mut uses: Vec<String> = joined.uses[index]
            .iter()
            .map(|&i| units[i].id.clone())
            .collect();
        uses.sort();
        UnitDesign {
            id: unit.id.clone(),
            path: unit.path.clone(),
            kind: unit.kind.clone(),
            class: unit.class.clone(),
            class_source: unit.class_source,
            segregation: unit.segregation.clone(),
            file: unit.file.clone(),
            line: unit.line,
            design_text: design_text(unit, &joined.items[index], sources),
            interface: interface(&joined.items[index]),
            requirements: unit
                .requirements
                .iter()
                .map(|id| {
                    let found = requirement(id);
                    RequirementRef {
                        id: id.clone(),
                        title: found.map(|r| r.title.clone()).unwrap_or_default(),
                        tests: found
                            .map(|r| {
                                r.verified_by
                                    .iter()
                                    .map(|t| TestRef {
                                        path: t.path.clone(),
                                        result: t.result.map(|r| {
                                            serde_json::to_value(r)
                                                .ok()
                                                .and_then(|v| v.as_str().map(str::to_string))
                                                .unwrap_or_default()
                                        }),
                                    })
                                    .collect()
                            })
                            .unwrap_or_default(),
                    }
                })
                .collect(),
            soup: joined.soup[index].iter().cloned().collect(),
            uses,
        }
    };
    let mut by_item: BTreeMap<Option<&str>, Vec<usize>> = BTreeMap::new();
    for (index, unit) in units.iter().enumerate() {
        let item = unit
            .item
            .as_deref()
            .filter(|id| catalogue.item(id).is_some());
        by_item.entry(item).or_default().push(index);
    }
    let mut items: Vec<ItemDesign> = catalogue
        .items
        .iter()
        .map(|item| {
            let class = catalogue.item_class(&item.id);
            ItemDesign {
                id: Some(item.id.clone()),
                title: Some(item.title.clone()),
                system: item.is_system,
                class: class.map(|(c, _)| c.as_str().to_string()),
                class_source: class.map(|(_, s)| s.as_str()),
                parent: item.parent.clone(),
                segregation: item.segregation.clone(),
                units: by_item
                    .get(&Some(item.id.as_str()))
                    .map(|list| list.iter().map(|&i| unit_design(i)).collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    if let Some(list) = by_item.get(&None) {
        items.push(ItemDesign {
            id: None,
            title: None,
            system: false,
            class: None,
            class_source: None,
            parent: None,
            segregation: None,
            units: list.iter().map(|&i| unit_design(i)).collect(),
        });
    }
    for item in &mut items {
        item.units.sort_by(|a, b| a.id.cmp(&b.id));
    }
    let mut dependencies: BTreeSet<Dependency> = crate_item_edges(catalogue, sources)
        .into_iter()
        .map(|(from, to)| Dependency {
            level: "item",
            from,
            to,
        })
        .collect();
    for (from, used) in joined.uses.iter().enumerate() {
        for &to in used {
            dependencies.insert(Dependency {
                level: "unit",
                from: units[from].id.clone(),
                to: units[to].id.clone(),
            });
            if let (Some(a), Some(b)) = (&units[from].item, &units[to].item)
                && a != b
            {
                dependencies.insert(Dependency {
                    level: "item",
                    from: a.clone(),
                    to: b.clone(),
                });
            }
        }
    }
    let mut soup: BTreeMap<&str, SoupUse> = BTreeMap::new();
    for (index, used) in joined.soup.iter().enumerate() {
        for name in used {
            let Some(found) = sources.soup.values().find(|s| &s.name == name) else {
                continue;
            };
            let spec = catalogue.soup_entry(&found.name);
            let entry = soup.entry(found.name.as_str()).or_insert_with(|| SoupUse {
                name: found.name.clone(),
                version: found.version.clone(),
                used_by: Vec::new(),
                functional: spec.and_then(|s| s.functional.clone()),
                performance: spec.and_then(|s| s.performance.clone()),
                needs: spec.and_then(|s| s.needs.clone()),
            });
            entry.used_by.push(units[index].id.clone());
        }
    }
    let mut soup: Vec<SoupUse> = soup.into_values().collect();
    for entry in &mut soup {
        entry.used_by.sort();
        entry.used_by.dedup();
    }
    Design {
        schema: SCHEMA,
        catalogue: trace.catalogue.clone(),
        items,
        dependencies: dependencies.into_iter().collect(),
        soup,
    }
}
