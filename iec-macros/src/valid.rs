//! Checks against the requirements catalogue, at compile time.
//!
//! The catalogue is found from `CARGO_MANIFEST_DIR` (see `iec_model::discover`) and parsed
//! once per compiler process; every later annotation reuses it. The first annotation of the
//! process also emits an `include_bytes!` of the catalogue, so that cargo's dependency
//! tracking recompiles the crate when the catalogue changes (stable Rust has no other way
//! for a proc macro to declare a file dependency).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use iec_model::Catalogue;
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
    by_manifest_dir: BTreeMap<PathBuf, (Option<PathBuf>, usize)>,
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

fn load(manifest_dir: &Path) -> (Option<PathBuf>, Loaded) {
    let found = match std::env::var_os(CATALOGUE_VARIABLE) {
        Some(path) => Ok(Some(iec_model::discover::CatalogueLocation {
            path: PathBuf::from(path),
            declared_in: None,
        })),
        None => iec_model::discover::find_catalogue(manifest_dir),
    };
    match found {
        Err(error) => (
            None,
            Loaded::Broken {
                message: format!("cannot look for the requirements catalogue: {error}"),
                reported: false,
            },
        ),
        Ok(None) => (None, Loaded::None),
        Ok(Some(location)) => match Catalogue::load(&location.path) {
            Ok(catalogue) => (Some(location.path), Loaded::Found(Arc::new(catalogue))),
            Err(error) => {
                let origin = match &location.declared_in {
                    Some(manifest) => format!(" (named in {})", manifest.display()),
                    None => String::new(),
                };
                let exists = location.path.exists();
                (
                    exists.then_some(location.path.clone()),
                    Loaded::Broken {
                        message: format!(
                            "the requirements catalogue{origin} is invalid, so requirement IDs cannot be checked; fix it and rebuild:\n{error}"
                        ),
                        reported: false,
                    },
                )
            }
        },
    }
}

/// The outcome of looking at the catalogue for one annotation.
pub(crate) struct Checked {
    /// Tokens that make cargo track the catalogue file (emitted once per process).
    pub(crate) tracking: Option<TokenStream>,
}

/// Runs `check` with the catalogue of the crate being compiled; reports an unreadable or
/// invalid catalogue once per process at `span`.
pub(crate) fn with_catalogue(
    span: Span,
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
                errors.push(syn::Error::new(span, message.clone()));
            }
        }
    }
    let tracking = match path {
        Some(path) if state.tracked.insert(path.clone()) => path.to_str().map(|path| {
            let variable = CATALOGUE_VARIABLE;
            quote! {
                const _: () = {
                    let _: &[u8] = ::core::include_bytes!(#path);
                    let _: ::core::option::Option<&str> = ::core::option_env!(#variable);
                };
            }
        }),
        _ => None,
    };
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
        let close = catalogue.closest_ids(&value);
        let hint = if close.is_empty() {
            format!(
                "; add it to {} or correct the ID",
                display_name(&catalogue.path)
            )
        } else {
            format!("; did you mean {}?", quoted(&close))
        };
        let message = if catalogue.system_requirements.iter().any(|r| r.id == value) {
            format!(
                "{value:?} is a system requirement; code implements software requirements, so name the software requirement that refines it"
            )
        } else {
            format!(
                "unknown requirement ID {value:?}: not in the requirements catalogue {}{hint}",
                display_name(&catalogue.path)
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
    let close = catalogue.closest_item_ids(&value);
    let hint = if close.is_empty() {
        format!(
            "; declare it as an [[item]] in {}",
            display_name(&catalogue.path)
        )
    } else {
        format!("; did you mean {}?", quoted(&close))
    };
    errors.push(syn::Error::new(
        item.span(),
        format!(
            "unknown software item {value:?}: not in the requirements catalogue {}{hint}",
            display_name(&catalogue.path)
        ),
    ));
}

fn quoted(ids: &[&str]) -> String {
    let quoted: Vec<String> = ids.iter().map(|id| format!("{id:?}")).collect();
    match quoted.as_slice() {
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
        [] => String::new(),
    }
}

/// The catalogue's file name, without the machine-specific directory (keeps messages, and
/// the UI tests that document them, the same everywhere).
fn display_name(path: &Path) -> String {
    path.file_name()
        .map(|name| format!("`{}`", name.to_string_lossy()))
        .unwrap_or_else(|| format!("`{}`", path.display()))
}
