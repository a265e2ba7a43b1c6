//! The workspace as cargo sees it: `cargo metadata`, package selection like cargo's, the
//! catalogue the selected packages share, and `[workspace.metadata.iec]`.

use std::path::{Path, PathBuf};

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
    /// `cargo metadata` output.
    pub metadata: Metadata,
    /// Selected packages, sorted by name.
    pub selected: Vec<Package>,
    /// The workspace root.
    pub root: PathBuf,
    /// Whether `root` has its git history (problem reports' commits are read from it);
    /// `false` for a revision materialised in a temporary directory.
    pub history: bool,
}

impl Workspace {
    /// Reads the workspace and selects packages as cargo would.
    #[requirement("TR-TRACE-SELECT")]
    pub fn load(selection: &PackageSelection) -> Result<Workspace, Error> {
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
        let metadata = command.exec().map_err(|error| {
            let message = error.to_string();
            // cargo_metadata says "exited with an error: " and cargo's own text starts with
            // "error: " too; say it once.
            let message = message.trim_end().replace("error: error: ", "error: ");
            Error::Metadata(message)
        })?;
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
        } else if let Some(package) = metadata.root_package() {
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
        })
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
        // Messages name the catalogue relative to the workspace root, like every other path.
        let mut catalogue = Catalogue::load_sources(&sources).map_err(|mut error| {
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
