//! The workspace as cargo sees it: `cargo metadata`, package selection like cargo's, the
//! catalogue the selected packages share, and `[workspace.metadata.iec]`.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::thread::JoinHandle;

use cargo_metadata::{CargoOpt, Metadata, MetadataCommand, Package};
use iec_model::Catalogue;
use iec_model::discover::find_catalogue;
use iec_runtime::requirement;

use crate::cli::PackageSelection;

/// The environment variable the macros read for an explicit catalogue path.
pub const CATALOGUE_VARIABLE: &str = "IEC_TRACE_CATALOGUE";
use crate::error::Error;

/// The workspace and the packages selected for tracing.
pub struct Workspace {
    /// `cargo metadata` output; without the resolved dependency graph (and with the
    /// workspace members only in `packages`) when loaded by [`Workspace::load_members`]:
    /// [`Workspace::graph`] has it in every case.
    pub metadata: Metadata,
    /// Selected packages, sorted by name.
    pub selected: Vec<Package>,
    /// The workspace root.
    pub root: PathBuf,
    /// Whether `root` has its git history (problem reports' commits are read from it);
    /// `false` for a revision materialised in a temporary directory.
    pub history: bool,
    /// The `cargo metadata` command that resolves the graph, when `metadata` was read
    /// without it; run at most once, on the first [`Workspace::resolve`].
    unresolved: Option<MetadataCommand>,
    /// Its output.
    resolved: OnceLock<Metadata>,
    /// Held while `unresolved` runs, so a resolution started early on another thread
    /// ([`Workspace::resolve`] from the scan's hint) is waited for, not run twice.
    resolving: Mutex<()>,
    /// The catalogue read while `cargo metadata` ran (see [`Prefetch`]); taken by the first
    /// [`Workspace::catalogue`].
    prefetched: Mutex<Option<Prefetch>>,
    /// What the design record read of the sources, and for which unit paths: the join and
    /// `cargo iec test`'s design record ask for the same (`design::read_sources`).
    pub(crate) design_sources: crate::design::SourcesMemo,
}

/// What a catalogue read on a guess returns: the sources it found and their catalogue.
type Prefetched = Option<(
    Vec<PathBuf>,
    Result<Catalogue, iec_model::catalogue::CatalogueError>,
)>;

/// The catalogue read on a guess while `cargo metadata` runs: the catalogue of the package
/// or workspace whose manifest cargo starts from (`--manifest-path`, else the current
/// directory). [`Workspace::catalogue`] uses it only when the selected packages name the
/// same sources, so a wrong guess costs a thread's work, never a different result. On a
/// 5,000-requirement catalogue this takes its parse off the critical path
/// (docs/PERFORMANCE.md).
struct Prefetch(JoinHandle<Prefetched>);

impl Prefetch {
    #[requirement("TR-PERF-PREFETCH")]
    fn start(manifest_path: Option<&Path>) -> Option<Prefetch> {
        let dir = match manifest_path {
            Some(path) => std::path::absolute(path).ok()?.parent()?.to_path_buf(),
            None => std::env::current_dir().ok()?,
        };
        let variable = std::env::var_os(CATALOGUE_VARIABLE);
        std::thread::Builder::new()
            .name("catalogue-prefetch".to_string())
            .spawn(move || {
                let sources: Vec<PathBuf> = match variable {
                    Some(path) => vec![normalize(&std::path::absolute(PathBuf::from(path)).ok()?)],
                    None => find_catalogue(&dir)
                        .ok()??
                        .sources
                        .iter()
                        .map(|s| normalize(s))
                        .collect(),
                };
                let loaded = Catalogue::load_sources(&sources);
                Some((sources, loaded))
            })
            .ok()
            .map(Prefetch)
    }
}

impl Workspace {
    /// Reads the workspace and selects packages as cargo would.
    #[requirement("TR-TRACE-SELECT")]
    pub fn load(selection: &PackageSelection) -> Result<Workspace, Error> {
        Workspace::load_with(selection, false)
    }

    /// [`Workspace::load`] without resolving dependencies (`cargo metadata --no-deps`,
    /// several times faster on a large workspace), for the static trace, which reads the
    /// members' manifests and sources only. The graph is resolved later, once, when
    /// something asks for it ([`Workspace::resolve`]: the design gaps of a workspace with
    /// units or items made of crates, the SOUP advisories). With feature flags the graph
    /// is resolved at once, so that cargo checks them as before.
    #[requirement("TR-PERF-METADATA")]
    pub fn load_members(selection: &PackageSelection) -> Result<Workspace, Error> {
        let features = selection.all_features
            || selection.no_default_features
            || !selection.features.is_empty();
        Workspace::load_with(selection, !features)
    }

    fn load_with(selection: &PackageSelection, no_deps: bool) -> Result<Workspace, Error> {
        let mut command = MetadataCommand::new();
        if let Some(path) = &selection.manifest_path {
            command.manifest_path(path);
        }
        let mut features = Vec::new();
        if selection.all_features {
            command.features(CargoOpt::AllFeatures);
        }
        if selection.no_default_features {
            command.features(CargoOpt::NoDefaultFeatures);
        }
        for list in &selection.features {
            features.extend(
                list.split([' ', ','])
                    .filter(|f| !f.is_empty())
                    .map(str::to_string),
            );
        }
        if !features.is_empty() {
            command.features(CargoOpt::SomeFeatures(features));
        }
        let full = command.clone();
        if no_deps {
            command.no_deps();
        }
        let prefetch = Prefetch::start(selection.manifest_path.as_deref());
        let metadata = run_metadata(&command)?;
        let root = metadata.workspace_root.clone().into_std_path_buf();
        let members = metadata.workspace_packages();
        let member_names = || {
            let mut names: Vec<String> = members.iter().map(|p| p.name.to_string()).collect();
            names.sort();
            names.join(", ")
        };
        let mut selected: Vec<Package> = if !selection.packages.is_empty() {
            let mut chosen = Vec::new();
            for spec in &selection.packages {
                let name = spec.split(['@', ':']).next().unwrap_or(spec);
                match members.iter().find(|p| p.name.as_str() == name) {
                    Some(package) => chosen.push((*package).clone()),
                    None => {
                        return Err(Error::UnknownPackage {
                            name: spec.clone(),
                            root: root.display().to_string(),
                            members: member_names(),
                        });
                    }
                }
            }
            chosen
        } else if selection.workspace {
            for spec in &selection.exclude {
                if !members.iter().any(|p| p.name.as_str() == spec) {
                    return Err(Error::UnknownPackage {
                        name: spec.clone(),
                        root: root.display().to_string(),
                        members: member_names(),
                    });
                }
            }
            members
                .iter()
                .filter(|p| !selection.exclude.iter().any(|e| e == p.name.as_str()))
                .map(|p| (*p).clone())
                .collect()
        } else if let Some(package) = root_package(&metadata, selection.manifest_path.as_deref()) {
            vec![package.clone()]
        } else {
            metadata
                .workspace_default_packages()
                .into_iter()
                .cloned()
                .collect()
        };
        selected.sort_by(|a, b| a.name.cmp(&b.name));
        selected.dedup_by(|a, b| a.id == b.id);
        Ok(Workspace {
            metadata,
            selected,
            root,
            history: true,
            unresolved: no_deps.then_some(full),
            resolved: OnceLock::new(),
            resolving: Mutex::new(()),
            prefetched: Mutex::new(prefetch),
            design_sources: crate::design::SourcesMemo::default(),
        })
    }

    /// Resolves the dependency graph if [`Workspace::load_members`] left it out (runs the
    /// full `cargo metadata` once); then [`Workspace::graph`] has it.
    #[requirement("TR-PERF-METADATA")]
    pub fn resolve(&self) -> Result<(), Error> {
        if let Some(command) = &self.unresolved
            && self.resolved.get().is_none()
        {
            let _running = self
                .resolving
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // Another thread may have resolved it while this one waited.
            if self.resolved.get().is_none() {
                let metadata = run_metadata(command)?;
                let _ = self.resolved.set(metadata);
            }
        }
        Ok(())
    }

    /// Whether [`Workspace::resolve`] still has a `cargo metadata` to run.
    pub fn is_unresolved(&self) -> bool {
        self.unresolved.is_some() && self.resolved.get().is_none()
    }

    /// The metadata with the resolved dependency graph and every package: `metadata`, or
    /// what [`Workspace::resolve`] read when `metadata` lacks them. Call `resolve` first.
    pub fn graph(&self) -> &Metadata {
        self.resolved.get().unwrap_or(&self.metadata)
    }

    /// The one catalogue of the selected packages (one source or several).
    #[requirement(
        "TR-CAT-FIND",
        "TR-CAT-PARSE",
        "TR-INTEROP-SOURCES",
        "TR-INTEROP-DOORSTOP",
        "TR-INTEROP-STRICTDOC",
        "TR-PROBLEM-CATALOGUE"
    )]
    pub fn catalogue(&self) -> Result<Catalogue, Error> {
        let mut found: Option<Vec<PathBuf>> = None;
        // The macros honour IEC_TRACE_CATALOGUE; the trace must check against the same file.
        if let Some(path) = std::env::var_os(CATALOGUE_VARIABLE) {
            let path = std::path::absolute(PathBuf::from(path)).map_err(|source| Error::Io {
                context: format!("cannot resolve {CATALOGUE_VARIABLE}"),
                source,
            })?;
            crate::note(&format!(
                "using the catalogue {} named by {CATALOGUE_VARIABLE}",
                self.relative(&path)
            ));
            found = Some(vec![normalize(&path)]);
        }
        let from_environment = found.is_some();
        for package in self.selected.iter().filter(|_| !from_environment) {
            let dir = package_dir(package);
            let location = find_catalogue(dir)?.ok_or_else(|| Error::NoCatalogue {
                package: package.name.to_string(),
                root: self.root.display().to_string(),
            })?;
            let sources: Vec<PathBuf> = location.sources.iter().map(|s| normalize(s)).collect();
            match &found {
                Some(first) if *first != sources => {
                    return Err(Error::SeveralCatalogues {
                        first: self.shown_sources(first),
                        second: self.shown_sources(&sources),
                    });
                }
                _ => found = Some(sources),
            }
        }
        let sources = found.ok_or_else(|| Error::NoCatalogue {
            package: "(none selected)".to_string(),
            root: self.root.display().to_string(),
        })?;
        let prefetched = self
            .prefetched
            .lock()
            .ok()
            .and_then(|mut prefetch| prefetch.take())
            .and_then(|Prefetch(thread)| thread.join().ok().flatten());
        let loaded = match prefetched {
            Some((guessed, loaded)) if guessed == sources => loaded,
            _ => Catalogue::load_sources(&sources),
        };
        // Messages name the catalogue relative to the workspace root, like every other path.
        let mut catalogue = loaded.map_err(|mut error| {
            error.path = PathBuf::from(self.relative(&error.path));
            let root = format!("{}/", self.root.display());
            for problem in &mut error.problems {
                if let Some(file) = &mut problem.file {
                    *file = PathBuf::from(self.relative(file));
                }
                // "already defined at FILE:LINE" names another source: relative too.
                problem.message = problem.message.replace(&root, "");
            }
            Error::Catalogue(error)
        })?;
        // Gaps point at the file that defines each requirement, relative like every path.
        for requirement in &mut catalogue.requirements {
            requirement.file = PathBuf::from(self.relative(&requirement.file));
        }
        Ok(catalogue)
    }

    fn shown_sources(&self, sources: &[PathBuf]) -> String {
        let shown: Vec<String> = sources.iter().map(|s| self.relative(s)).collect();
        shown.join(" + ")
    }

    /// `path` relative to the workspace root, with `/` separators, when it is inside it.
    pub fn relative(&self, path: &Path) -> String {
        let path = normalize(path);
        let shown = path.strip_prefix(&self.root).unwrap_or(&path);
        shown
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/")
    }
}

fn run_metadata(command: &MetadataCommand) -> Result<Metadata, Error> {
    command.exec().map_err(|error| {
        let message = error.to_string();
        // cargo_metadata says "exited with an error: " and cargo's own text starts with
        // "error: " too; say it once.
        let message = message.trim_end().replace("error: error: ", "error: ");
        Error::Metadata(message)
    })
}

/// The package of the manifest cargo starts from (`--manifest-path`, else the nearest
/// `Cargo.toml` from the current directory up), like cargo's `resolve.root`; `None` for a
/// virtual manifest. Read from the graph when there is one; without it (`--no-deps`)
/// found the way cargo finds it, which `Metadata::root_package` does not do (it assumes
/// the workspace root).
fn root_package<'m>(metadata: &'m Metadata, manifest_path: Option<&Path>) -> Option<&'m Package> {
    if metadata.resolve.is_some() {
        return metadata.root_package();
    }
    let current = match manifest_path {
        Some(path) => normalize(&std::path::absolute(path).ok()?),
        None => std::env::current_dir()
            .ok()?
            .ancestors()
            .map(|dir| dir.join("Cargo.toml"))
            .find(|manifest| manifest.is_file())?,
    };
    let members: Vec<&Package> = metadata.workspace_packages();
    if let Some(package) = members
        .iter()
        .find(|p| p.manifest_path.as_std_path() == current)
    {
        return Some(package);
    }
    // The same file by another name (a symlinked directory).
    let current = std::fs::canonicalize(&current).ok()?;
    members.into_iter().find(|p| {
        std::fs::canonicalize(p.manifest_path.as_std_path()).is_ok_and(|path| path == current)
    })
}

/// The directory holding a package's Cargo.toml.
pub fn package_dir(package: &Package) -> &Path {
    package
        .manifest_path
        .parent()
        .map_or(Path::new("."), |dir| dir.as_std_path())
}

/// Removes `.` and `..` components without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Where a configuration file is: `option` (a command-line flag), else `key = "PATH"` in
/// `[workspace.metadata.iec]` (`metadata`, relative to `root`), else `default` in `root`.
/// The flag says whether the file must exist: named files must, the default may be absent.
pub fn configured_file(
    root: &Path,
    metadata: &serde_json::Value,
    option: Option<&Path>,
    key: &str,
    default: &str,
) -> (PathBuf, bool) {
    if let Some(path) = option {
        return (path.to_path_buf(), true);
    }
    match metadata
        .get("iec")
        .and_then(|iec| iec.get(key))
        .and_then(serde_json::Value::as_str)
    {
        Some(path) => (root.join(path), true),
        None => (root.join(default), false),
    }
}
