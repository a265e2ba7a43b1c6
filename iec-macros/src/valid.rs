//! Checks against the requirements catalogue, at compile time.
//!
//! The catalogue is the one `IEC_TRACE_CATALOGUE` names, or else the one found from
//! `CARGO_MANIFEST_DIR` (see `iec_model::discover`), and is parsed once per compiler process; every later annotation reuses it. The first annotation of the
//! process also emits an `include_bytes!` of the catalogue, so that cargo's dependency
//! tracking recompiles the crate when the catalogue changes (stable Rust has no other way
//! for a proc macro to declare a file dependency).

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use iec_model::Catalogue;
use iec_model::discover::CatalogueLocation;
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::LitStr;

enum Loaded {
    /// No catalogue configured and no `requirements.toml`: IDs are not checked.
    None,
    Found(Arc<Catalogue>),
    /// Reported once per process; later annotations skip the checks.
    Broken {
        message: String,
        reported: bool,
    },
}

struct State {
    by_manifest_dir: BTreeMap<PathBuf, (Vec<PathBuf>, usize)>,
    loaded: Vec<Loaded>,
    tracked: BTreeSet<PathBuf>,
}

static STATE: Mutex<State> = Mutex::new(State {
    by_manifest_dir: BTreeMap::new(),
    loaded: Vec::new(),
    tracked: BTreeSet::new(),
});

/// Overrides discovery with an explicit catalogue path, for builds that do not run in the
/// package's directory (trybuild, Bazel, generated projects).
pub(crate) const CATALOGUE_VARIABLE: &str = "IEC_TRACE_CATALOGUE";

/// The path in [`CATALOGUE_VARIABLE`], when it applies to the crate being compiled. Under
/// cargo it applies to the packages cargo was asked to build (`CARGO_PRIMARY_PACKAGE`), not
/// to their dependencies: a dependency's IDs belong to its own catalogue, found as usual.
fn catalogue_override() -> Option<OsString> {
    let path = std::env::var_os(CATALOGUE_VARIABLE)?;
    let under_cargo = std::env::var_os("CARGO").is_some();
    let primary = std::env::var_os("CARGO_PRIMARY_PACKAGE").is_some();
    (!under_cargo || primary).then_some(path)
}

/// Who named the catalogue, as messages say it.
fn origin(location: &CatalogueLocation, from_variable: bool) -> String {
    match &location.declared_in {
        _ if from_variable => format!(" named by {CATALOGUE_VARIABLE}"),
        Some(manifest) => format!(" named in {} (`metadata.iec.catalogue`)", shown(manifest)),
        None => String::new(),
    }
}

/// Loads the catalogue for the crate in `manifest_dir`; also returns the files a rebuild
/// must watch (every file read, Doorstop items included).
fn load(manifest_dir: &Path) -> (Vec<PathBuf>, Loaded) {
    let overridden = catalogue_override();
    let from_variable = overridden.is_some();
    let found = match overridden {
        Some(path) => Ok(Some(CatalogueLocation {
            path: PathBuf::from(&path),
            sources: vec![PathBuf::from(path)],
            declared_in: None,
        })),
        None => iec_model::discover::find_catalogue(manifest_dir),
    };
    let location = match found {
        Err(error) => {
            let position = error.position.map(|p| format!(":{p}")).unwrap_or_default();
            let message = format!(
                "cannot look for the requirements catalogue, so requirement IDs cannot be checked:\n{}{position}: {}",
                plain(&error.manifest),
                error.message
            );
            return (
                Vec::new(),
                Loaded::Broken {
                    message,
                    reported: false,
                },
            );
        }
        Ok(None) => return (Vec::new(), Loaded::None),
        Ok(Some(location)) => location,
    };
    if let Some(missing) = location.sources.iter().find(|s| !s.exists()) {
        let fix = if from_variable {
            format!("point {CATALOGUE_VARIABLE} at the catalogue")
        } else {
            "correct the path".to_string()
        };
        let message = format!(
            "the requirements catalogue {}{} does not exist, so requirement IDs cannot be checked: create it, or {fix}",
            shown(missing),
            origin(&location, from_variable),
        );
        return (
            Vec::new(),
            Loaded::Broken {
                message,
                reported: false,
            },
        );
    }
    let source_files: Vec<PathBuf> = location
        .sources
        .iter()
        .filter(|s| s.is_file())
        .cloned()
        .collect();
    match Catalogue::load_sources(&location.sources) {
        Ok(catalogue) => (catalogue.files.clone(), Loaded::Found(Arc::new(catalogue))),
        Err(error) => {
            let problems: Vec<String> = error
                .problems
                .iter()
                .map(|problem| {
                    let position = problem
                        .position
                        .map(|p| format!(":{p}"))
                        .unwrap_or_default();
                    format!(
                        "{}{position}: {}",
                        plain(error.file_of(problem)),
                        problem.message
                    )
                })
                .collect();
            let message = format!(
                "the requirements catalogue {}{} is invalid, so requirement IDs cannot be checked; fix it and rebuild:\n{}",
                shown(&location.path),
                origin(&location, from_variable),
                problems.join("\n")
            );
            // Watch the files at fault too (a Doorstop item), so that fixing them rebuilds.
            let mut watched = source_files;
            watched.extend(
                error
                    .problems
                    .iter()
                    .map(|problem| error.file_of(problem).to_path_buf())
                    .filter(|file| file.is_file()),
            );
            watched.sort();
            watched.dedup();
            (
                watched,
                Loaded::Broken {
                    message,
                    reported: false,
                },
            )
        }
    }
}

/// The outcome of looking at the catalogue for one annotation.
pub(crate) struct Checked {
    /// Tokens that make cargo track the catalogue file (emitted once per process).
    pub(crate) tracking: Option<TokenStream>,
}

/// Runs `check` with the catalogue of the crate being compiled; reports an unreadable or
/// invalid catalogue once per process, at the annotation that found it.
pub(crate) fn with_catalogue(
    errors: &mut Vec<syn::Error>,
    check: impl FnOnce(&Catalogue, &mut Vec<syn::Error>),
) -> Checked {
    let Some(manifest_dir) = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from) else {
        return Checked { tracking: None };
    };
    let mut state = match STATE.lock() {
        Ok(state) => state,
        Err(poisoned) => poisoned.into_inner(),
    };
    let (path, index) = match state.by_manifest_dir.get(&manifest_dir) {
        Some(entry) => entry.clone(),
        None => {
            let (path, loaded) = load(&manifest_dir);
            let index = state.loaded.len();
            state.loaded.push(loaded);
            state
                .by_manifest_dir
                .insert(manifest_dir.clone(), (path.clone(), index));
            (path, index)
        }
    };
    match &mut state.loaded[index] {
        Loaded::None => {}
        Loaded::Found(catalogue) => check(&catalogue.clone(), errors),
        Loaded::Broken { message, reported } => {
            if !*reported {
                *reported = true;
                errors.push(syn::Error::new(Span::call_site(), message.clone()));
            }
        }
    }
    let new: Vec<String> = path
        .into_iter()
        .filter(|file| state.tracked.insert(file.clone()))
        .filter_map(|file| file.to_str().map(str::to_string))
        .collect();
    let tracking = (!new.is_empty()).then(|| {
        let variable = CATALOGUE_VARIABLE;
        quote! {
            const _: () = {
                #( let _: &[u8] = ::core::include_bytes!(#new); )*
                let _: ::core::option::Option<&str> = ::core::option_env!(#variable);
            };
        }
    });
    Checked { tracking }
}

/// An unknown requirement ID is an error at the ID, with the closest known IDs.
pub(crate) fn check_requirement_ids(
    catalogue: &Catalogue,
    ids: &[LitStr],
    errors: &mut Vec<syn::Error>,
) {
    for id in ids {
        let value = id.value();
        if catalogue.requirement(&value).is_some() {
            continue;
        }
        let message = if catalogue.system_requirements.iter().any(|r| r.id == value) {
            let refining: Vec<&str> = catalogue
                .requirements
                .iter()
                .filter(|r| r.parent.contains(&value))
                .map(|r| r.id.as_str())
                .collect();
            let example = if refining.is_empty() {
                String::new()
            } else {
                format!(", e.g. {}", quoted(&refining))
            };
            format!(
                "{value:?} is a system requirement: code implements and tests software requirements, so name the software requirement that refines it{example}"
            )
        } else if let Some(item) = catalogue.item(&value) {
            let what = if item.is_system {
                "software system"
            } else {
                "software item"
            };
            format!(
                "{value:?} is a {what}, not a requirement: name a requirement here, and declare a unit of the {what} with `#[software_unit(item = {value:?})]`"
            )
        } else {
            let close = catalogue.closest_ids(&value);
            let hint = if close.is_empty() {
                "correct the ID, or add it to the catalogue as a [[requirement]]".to_string()
            } else {
                format!("did you mean {}?", quoted(&close))
            };
            format!(
                "unknown requirement ID {value:?}: not in the requirements catalogue {}; {hint}",
                shown(&catalogue.path)
            )
        };
        errors.push(syn::Error::new(id.span(), message));
    }
}

/// An unknown problem ID is an error at the ID, with the closest known problem IDs.
pub(crate) fn check_problem_ids(
    catalogue: &Catalogue,
    ids: &[LitStr],
    errors: &mut Vec<syn::Error>,
) {
    for id in ids {
        let value = id.value();
        if catalogue.problem(&value).is_some() {
            continue;
        }
        let message = if catalogue.requirement(&value).is_some() {
            format!(
                "{value:?} is a requirement, not a problem report: link the test to it with `#[requirement({value:?})]`"
            )
        } else {
            let close = catalogue.closest_problem_ids(&value);
            let hint = if close.is_empty() {
                "correct the ID, or add it to the catalogue as a [[problem]]".to_string()
            } else {
                format!("did you mean {}?", quoted(&close))
            };
            format!(
                "unknown problem ID {value:?}: not among the problem reports of the requirements catalogue {}; {hint}",
                shown(&catalogue.path)
            )
        };
        errors.push(syn::Error::new(id.span(), message));
    }
}

/// An unknown software item is an error at the item ID, with the closest known items.
pub(crate) fn check_item_id(catalogue: &Catalogue, item: &LitStr, errors: &mut Vec<syn::Error>) {
    let value = item.value();
    if catalogue.item(&value).is_some() {
        return;
    }
    let is_requirement = catalogue.requirement(&value).is_some()
        || catalogue.system_requirements.iter().any(|r| r.id == value);
    let message = if is_requirement {
        format!(
            "{value:?} is a requirement, not a software item: `item` names an [[item]] or [[system]] of the catalogue; link the requirement with `#[requirement({value:?})]`"
        )
    } else {
        let close = catalogue.closest_item_ids(&value);
        let hint = if close.is_empty() {
            "correct the ID, or add it to the catalogue as an [[item]]".to_string()
        } else {
            format!("did you mean {}?", quoted(&close))
        };
        format!(
            "unknown software item {value:?}: not in the requirements catalogue {}; {hint}",
            shown(&catalogue.path)
        )
    };
    errors.push(syn::Error::new(item.span(), message));
}

fn quoted(ids: &[&str]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| format!("{id:?}")).collect();
    match quoted.as_slice() {
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
        [] => String::new(),
    }
}

/// A file as messages show it, in backticks: relative to the directory the compiler runs in
/// (the workspace root, as in the compiler's own `-->` lines) when it lies below it, else
/// its file name alone. Never a machine-specific absolute path, so that messages, and the
/// UI tests that document them, read the same everywhere.
fn shown(path: &Path) -> String {
    format!("`{}`", plain(path))
}

/// [`shown`] without the backticks, for `file:line:column` positions.
fn plain(path: &Path) -> String {
    let relative = if path.is_relative() {
        Some(path.to_path_buf())
    } else {
        std::env::current_dir()
            .ok()
            .and_then(|dir| path.strip_prefix(dir).ok().map(Path::to_path_buf))
    };
    let shown = match relative.map(|path| normalized(&path)) {
        Some(relative) if !relative.as_os_str().is_empty() => relative,
        _ => path
            .file_name()
            .map_or_else(|| path.to_path_buf(), PathBuf::from),
    };
    shown.display().to_string()
}

/// `path` without `.` components and with `dir/..` pairs removed, as far as that can be
/// done without looking at the file system.
fn normalized(path: &Path) -> PathBuf {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_without_machine_specific_directories() {
        let inside = std::env::current_dir()
            .unwrap()
            .join("docs/../docs/./requirements.toml");
        assert_eq!(plain(&inside), "docs/requirements.toml");
        assert_eq!(
            plain(Path::new("/nowhere/near/requirements.toml")),
            "requirements.toml"
        );
        assert_eq!(shown(Path::new("reqs.toml")), "`reqs.toml`");
    }

    #[test]
    fn lists_of_ids_read_as_a_sentence() {
        assert_eq!(quoted(&["SRS-1"]), "\"SRS-1\"");
        assert_eq!(
            quoted(&["SRS-1", "SRS-2", "SRS-3"]),
            "\"SRS-1\", \"SRS-2\" or \"SRS-3\""
        );
    }
}
