//! Where a package's requirements catalogue lives.
//!
//! The same rules serve the macros (from `CARGO_MANIFEST_DIR`, at compile time) and
//! `cargo iec` (from the workspace it reads), so both always agree on the catalogue:
//!
//! 1. `catalogue = "PATH"` (or a list of paths, `catalogue = ["docs/reqs.toml",
//!    "doorstop/SRS", "spec/srs.sdoc"]`) in the package's `[package.metadata.iec]`, relative
//!    to the package's directory;
//! 2. else `catalogue = "PATH"` in `[workspace.metadata.iec]` of the workspace root (the
//!    nearest ancestor `Cargo.toml` with a `[workspace]` table, or the one
//!    `package.workspace` names), relative to the workspace root;
//! 3. else `requirements.toml` in the workspace root (or in the package's directory when it
//!    is not part of a workspace), if that file exists.

use std::path::{Path, PathBuf};

use crate::Position;

/// A catalogue found for a package, and the manifest that chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueLocation {
    /// The catalogue file, the first source when there are several (it may not exist when
    /// a manifest names it explicitly).
    pub path: PathBuf,
    /// Every source, in the order the manifest lists them (`path` first): TOML files,
    /// Doorstop document directories, StrictDoc `.sdoc` files.
    pub sources: Vec<PathBuf>,
    /// The manifest whose `metadata.iec.catalogue` named it, if one did.
    pub declared_in: Option<PathBuf>,
}

/// A manifest that could not be read while looking for the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{}: {message}", manifest.display(), position.map(|p| format!(":{p}")).unwrap_or_default())]
pub struct DiscoverError {
    /// The manifest at fault.
    pub manifest: PathBuf,
    /// Where in it, when known.
    pub position: Option<Position>,
    /// What is wrong.
    pub message: String,
}

struct Manifest {
    path: PathBuf,
    table: toml::Table,
}

impl Manifest {
    fn read(path: PathBuf) -> Result<Manifest, DiscoverError> {
        let text = std::fs::read_to_string(&path).map_err(|error| DiscoverError {
            manifest: path.clone(),
            position: None,
            message: format!("cannot read the manifest: {error}"),
        })?;
        let table = text.parse::<toml::Table>().map_err(|error| DiscoverError {
            manifest: path.clone(),
            position: error.span().map(|s| Position::of_offset(&text, s.start)),
            message: error.message().trim_end().to_string(),
        })?;
        Ok(Manifest { path, table })
    }

    fn get(&self, keys: &[&str]) -> Option<&toml::Value> {
        let (first, rest) = keys.split_first()?;
        let mut value = self.table.get(*first)?;
        for key in rest {
            value = value.as_table()?.get(*key)?;
        }
        Some(value)
    }

    fn catalogue(&self, section: &str) -> Result<Option<Vec<PathBuf>>, DiscoverError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let invalid = || DiscoverError {
            manifest: self.path.clone(),
            position: None,
            message: format!(
                "`{section}.metadata.iec.catalogue` must be a path or a non-empty list of paths: the requirements catalogue's sources"
            ),
        };
        match self.get(&[section, "metadata", "iec", "catalogue"]) {
            None => Ok(None),
            Some(toml::Value::String(path)) => Ok(Some(vec![dir.join(path)])),
            Some(toml::Value::Array(paths)) if !paths.is_empty() => paths
                .iter()
                .map(|p| p.as_str().map(|p| dir.join(p)).ok_or_else(invalid))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(_) => Err(invalid()),
        }
    }
}

impl CatalogueLocation {
    fn declared(sources: Vec<PathBuf>, manifest: PathBuf) -> CatalogueLocation {
        CatalogueLocation {
            path: sources[0].clone(),
            sources,
            declared_in: Some(manifest),
        }
    }
}

/// The workspace root for the package whose manifest directory is `package_dir`.
pub fn workspace_root(package_dir: &Path) -> Result<PathBuf, DiscoverError> {
    let package = Manifest::read(package_dir.join("Cargo.toml"))?;
    Ok(find_workspace(package_dir, &package)?.map_or_else(
        || package_dir.to_path_buf(),
        |m| m.path.parent().unwrap_or(Path::new(".")).to_path_buf(),
    ))
}

fn find_workspace(
    package_dir: &Path,
    package: &Manifest,
) -> Result<Option<Manifest>, DiscoverError> {
    if package.table.contains_key("workspace") {
        return Ok(None);
    }
    if let Some(toml::Value::String(dir)) = package.get(&["package", "workspace"]) {
        return Manifest::read(package_dir.join(dir).join("Cargo.toml")).map(Some);
    }
    for dir in package_dir.ancestors().skip(1) {
        let candidate = dir.join("Cargo.toml");
        if candidate.is_file() {
            let manifest = Manifest::read(candidate)?;
            if manifest.table.contains_key("workspace") {
                return Ok(Some(manifest));
            }
        }
    }
    Ok(None)
}

/// Finds the catalogue for the package in `package_dir` (the directory of its `Cargo.toml`).
/// `Ok(None)` when no manifest names one and no `requirements.toml` exists.
pub fn find_catalogue(package_dir: &Path) -> Result<Option<CatalogueLocation>, DiscoverError> {
    let package = Manifest::read(package_dir.join("Cargo.toml"))?;
    if let Some(sources) = package.catalogue("package")? {
        return Ok(Some(CatalogueLocation::declared(sources, package.path)));
    }
    let workspace = match find_workspace(package_dir, &package)? {
        Some(workspace) => workspace,
        None => package,
    };
    if let Some(sources) = workspace.catalogue("workspace")? {
        return Ok(Some(CatalogueLocation::declared(sources, workspace.path)));
    }
    let root = workspace.path.parent().unwrap_or(Path::new("."));
    let default = root.join("requirements.toml");
    Ok(default.is_file().then(|| CatalogueLocation {
        path: default.clone(),
        sources: vec![default],
        declared_in: None,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("iec-model-discover-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn package_metadata_wins_over_workspace_metadata() {
        let root = scratch("package");
        write(
            &root.join("Cargo.toml"),
            "[workspace]\nmembers=[\"a\"]\n[workspace.metadata.iec]\ncatalogue = \"ws.toml\"\n",
        );
        write(
            &root.join("a/Cargo.toml"),
            "[package]\nname=\"a\"\n[package.metadata.iec]\ncatalogue = \"reqs/a.toml\"\n",
        );
        let found = find_catalogue(&root.join("a")).unwrap().unwrap();
        assert_eq!(found.path, root.join("a/reqs/a.toml"));
        assert_eq!(found.declared_in, Some(root.join("a/Cargo.toml")));
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn workspace_metadata_then_default_file() {
        let root = scratch("workspace");
        write(
            &root.join("Cargo.toml"),
            "[workspace]\nmembers=[\"crates/a\"]\n[workspace.metadata.iec]\ncatalogue = \"docs/reqs.toml\"\n",
        );
        write(&root.join("crates/a/Cargo.toml"), "[package]\nname=\"a\"\n");
        let found = find_catalogue(&root.join("crates/a")).unwrap().unwrap();
        assert_eq!(found.path, root.join("docs/reqs.toml"));
        write(
            &root.join("Cargo.toml"),
            "[workspace]\nmembers=[\"crates/a\"]\n",
        );
        assert_eq!(find_catalogue(&root.join("crates/a")).unwrap(), None);
        write(&root.join("requirements.toml"), "");
        let found = find_catalogue(&root.join("crates/a")).unwrap().unwrap();
        assert_eq!(found.path, root.join("requirements.toml"));
        assert_eq!(workspace_root(&root.join("crates/a")).unwrap(), root);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_list_of_sources_is_read_in_order() {
        let root = scratch("list");
        write(
            &root.join("Cargo.toml"),
            "[package]\nname=\"a\"\n[package.metadata.iec]\ncatalogue = [\"reqs.toml\", \"doorstop/SRS\", \"spec/srs.sdoc\"]\n",
        );
        let found = find_catalogue(&root).unwrap().unwrap();
        assert_eq!(found.path, root.join("reqs.toml"));
        assert_eq!(
            found.sources,
            [
                root.join("reqs.toml"),
                root.join("doorstop/SRS"),
                root.join("spec/srs.sdoc")
            ]
        );
        write(
            &root.join("Cargo.toml"),
            "[package]\nname=\"a\"\n[package.metadata.iec]\ncatalogue = []\n",
        );
        let error = find_catalogue(&root).unwrap_err();
        assert!(error.message.contains("non-empty list"), "{error}");
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_broken_manifest_is_reported_with_its_position() {
        let root = scratch("broken");
        write(&root.join("Cargo.toml"), "[package\nname=\"a\"\n");
        let error = find_catalogue(&root).unwrap_err();
        assert_eq!(error.position.map(|p| p.line), Some(1));
        fs::remove_dir_all(root).unwrap();
    }
}
