//! One side of a comparison: the working tree, or a git revision read into a private
//! temporary directory, traced by the static channel.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use iec_model::Catalogue;

use crate::cli::{ChannelArgs, PackageSelection};
use crate::error::Error;
use crate::git::Repository;
use crate::record::TargetRef;
use crate::trace::Trace;
use crate::workspace::Workspace;

/// Where a source file sits in a crate.
#[derive(Debug, Clone)]
pub struct ModuleFile {
    /// The module's path (`crate::a::b`).
    pub module: String,
    /// The target whose module tree holds it.
    pub target: TargetRef,
}

/// A traced revision.
pub struct Side {
    /// The revision as given (`main`, `HEAD~1`), or `working tree`.
    pub label: String,
    /// Its commit; `None` for the working tree.
    pub commit: Option<String>,
    /// The workspace, as of that revision.
    pub workspace: Workspace,
    /// The catalogue, as of that revision.
    pub catalogue: Catalogue,
    /// The static trace.
    pub trace: Trace,
    /// Source files of the traced targets by path relative to the workspace root.
    pub files: BTreeMap<String, ModuleFile>,
    /// Keeps a revision's files until the side is dropped.
    _snapshot: Option<tempfile::TempDir>,
}

impl Side {
    /// The contents of `rel` (relative to the workspace root) at this side; `None` when
    /// the file does not exist there.
    pub fn read(&self, rel: &str) -> Option<String> {
        let bytes = std::fs::read(self.workspace.root.join(rel)).ok()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The working tree's side.
    pub fn working_tree(workspace: Workspace) -> Result<Side, Error> {
        Side::traced("working tree".to_string(), None, workspace, None)
    }

    /// The side of `commit` (named `label`), with the packages of `current` that exist
    /// there.
    pub fn revision(
        repository: &Repository,
        label: &str,
        commit: &str,
        current: &Workspace,
    ) -> Result<Side, Error> {
        let snapshot = tempfile::Builder::new()
            .prefix("iec-revision-")
            .tempdir()
            .map_err(|source| Error::Io {
                context: "cannot create a temporary directory for the revision".to_string(),
                source,
            })?;
        repository.materialize(commit, snapshot.path())?;
        let inside = current
            .root
            .strip_prefix(&repository.top)
            .unwrap_or(Path::new(""))
            .to_path_buf();
        let root: PathBuf = snapshot.path().join(inside);
        let manifest = root.join("Cargo.toml");
        if !manifest.is_file() {
            return Err(Error::Input(format!(
                "revision `{label}` has no workspace at {}: its Cargo.toml does not exist there",
                current.root.display()
            )));
        }
        // Without a committed Cargo.lock, cargo would resolve the revision afresh (from the
        // network); the working tree's lock keeps it to the versions already at hand.
        let lock = root.join("Cargo.lock");
        let current_lock = current.root.join("Cargo.lock");
        if !lock.exists() && current_lock.is_file() && std::fs::copy(&current_lock, &lock).is_ok() {
            crate::note(&format!(
                "revision `{label}` commits no Cargo.lock: its dependencies are resolved with the working tree's"
            ));
        }
        let selection = PackageSelection {
            manifest_path: Some(manifest),
            workspace: true,
            ..PackageSelection::default()
        };
        let mut workspace = Workspace::load(&selection).map_err(|error| {
            Error::Input(format!(
                "cannot read the workspace at revision `{label}`: {error}"
            ))
        })?;
        let wanted: BTreeSet<&str> = current.selected.iter().map(|p| p.name.as_str()).collect();
        workspace
            .selected
            .retain(|p| wanted.contains(p.name.as_str()));
        // The snapshot is a copy of the files, not a repository: no commit history.
        workspace.history = false;
        Side::traced(
            label.to_string(),
            Some(commit.to_string()),
            workspace,
            Some(snapshot),
        )
    }

    fn traced(
        label: String,
        commit: Option<String>,
        workspace: Workspace,
        snapshot: Option<tempfile::TempDir>,
    ) -> Result<Side, Error> {
        let channels = ChannelArgs {
            static_only: true,
            keep_going: true,
        };
        let selection = PackageSelection::default();
        let (catalogue, trace, _, _) =
            crate::traced_with_tests(&workspace, &selection, &channels, true).map_err(|error| {
                match &commit {
                    Some(_) => Error::Input(format!("at revision `{label}`: {error}")),
                    None => error,
                }
            })?;
        let files = module_files(&workspace);
        Ok(Side {
            label,
            commit,
            workspace,
            catalogue,
            trace,
            files,
            _snapshot: snapshot,
        })
    }
}

/// Every source file of the traced targets with its module path; a file in several
/// trees (a bin and its lib) is taken from the library.
fn module_files(workspace: &Workspace) -> BTreeMap<String, ModuleFile> {
    let mut targets: Vec<crate::static_scan::TargetSource> = workspace
        .selected
        .iter()
        .flat_map(crate::static_scan::targets_of)
        .collect();
    targets.sort_by_key(|t| t.target.kind != "lib");
    let trees = crate::static_scan::module_files(&workspace.root, &targets);
    let mut files = BTreeMap::new();
    for (target, rels) in targets.iter().zip(trees) {
        let root = workspace.relative(&target.root);
        let dir = root.rsplit_once('/').map_or("", |(dir, _)| dir);
        for rel in rels {
            let module = module_path(&target.crate_name, &root, dir, &rel);
            files.entry(rel).or_insert_with(|| ModuleFile {
                module,
                target: target.target.clone(),
            });
        }
    }
    files
}

/// The module a file holds, from its place under the crate root's directory (`#[path]`
/// attributes are not followed: such a file is named by where it is).
fn module_path(crate_name: &str, root: &str, dir: &str, rel: &str) -> String {
    if rel == root {
        return crate_name.to_string();
    }
    let inside = if dir.is_empty() {
        rel
    } else {
        rel.strip_prefix(dir)
            .and_then(|r| r.strip_prefix('/'))
            .unwrap_or(rel)
    };
    let inside = inside.strip_suffix(".rs").unwrap_or(inside);
    let inside = inside.strip_suffix("/mod").unwrap_or(inside);
    let mut path = crate_name.to_string();
    for segment in inside.split('/').filter(|s| !s.is_empty()) {
        path.push_str("::");
        path.push_str(segment);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::module_path;
    use iec_runtime::requirement;

    #[test]
    #[requirement("TR-IMPACT-ITEMS")]
    fn files_are_named_by_their_module() {
        assert_eq!(module_path("k", "src/lib.rs", "src", "src/lib.rs"), "k");
        assert_eq!(
            module_path("k", "src/lib.rs", "src", "src/a/b.rs"),
            "k::a::b"
        );
        assert_eq!(
            module_path("k", "src/lib.rs", "src", "src/a/mod.rs"),
            "k::a"
        );
        assert_eq!(
            module_path("rate", "tests/rate.rs", "tests", "tests/common/mod.rs"),
            "rate::common"
        );
    }
}
