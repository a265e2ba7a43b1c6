//! The formats a catalogue source can be, each read into the same [`Draft`] that
//! [`Catalogue`](crate::Catalogue) validates:
//!
//! * a TOML file (`requirements.toml`, SPEC section 3): [`toml`];
//! * a Doorstop document: a directory with `.doorstop.yml` and one YAML file per item:
//!   [`doorstop`];
//! * a StrictDoc document: a `.sdoc` file: [`strictdoc`].
//!
//! Every value keeps the file, line and column it was read from, so that validation
//! reports problems where the user can fix them, whatever the format.

use std::path::{Path, PathBuf};

use crate::Position;
use crate::catalogue::{CatalogueError, Source};

pub mod doorstop;
pub mod strictdoc;
pub mod toml;
mod yaml;

/// A file and a position in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Place {
    pub(crate) file: PathBuf,
    pub(crate) position: Position,
}

impl Place {
    pub(crate) fn new(file: &Path, position: Position) -> Place {
        Place {
            file: file.to_path_buf(),
            position,
        }
    }
}

/// A value and where it was read.
#[derive(Debug, Clone)]
pub(crate) struct Located<T> {
    pub(crate) value: T,
    pub(crate) place: Place,
}

impl<T> Located<T> {
    pub(crate) fn new(value: T, place: Place) -> Located<T> {
        Located { value, place }
    }
}

/// A software requirement as read, before validation.
pub(crate) struct DraftRequirement {
    pub(crate) id: Located<String>,
    pub(crate) title: String,
    pub(crate) text: String,
    pub(crate) class: Option<Located<String>>,
    pub(crate) parent: Vec<Located<String>>,
    pub(crate) risk_controls: Vec<String>,
    pub(crate) verification: Option<Located<String>>,
    pub(crate) section: Option<Located<String>>,
    pub(crate) source: Option<Source>,
    /// Where its definition starts.
    pub(crate) place: Place,
}

/// A system requirement as read.
pub(crate) struct DraftSystemRequirement {
    pub(crate) id: Located<String>,
    pub(crate) title: String,
    pub(crate) text: String,
    pub(crate) source: Option<Source>,
    pub(crate) place: Place,
}

/// A software system or item as read.
pub(crate) struct DraftItem {
    pub(crate) id: Located<String>,
    pub(crate) title: String,
    pub(crate) class: Option<Located<String>>,
    pub(crate) parent: Option<Located<String>>,
    pub(crate) segregation: Option<String>,
    /// The workspace crates that make it up.
    pub(crate) crates: Vec<String>,
    pub(crate) is_system: bool,
    pub(crate) place: Place,
}

/// A section (heading) as read.
pub(crate) struct DraftSection {
    pub(crate) id: Located<String>,
    pub(crate) title: String,
    pub(crate) parent: Option<Located<String>>,
    pub(crate) source: Option<Source>,
    pub(crate) place: Place,
}

/// A `[[soup]]` entry as read.
pub(crate) struct DraftSoup {
    pub(crate) name: Located<String>,
    pub(crate) functional: Option<String>,
    pub(crate) performance: Option<String>,
    pub(crate) needs: Option<Vec<String>>,
    pub(crate) place: Place,
}

/// A `[[problem]]` entry as read.
pub(crate) struct DraftProblem {
    pub(crate) id: Located<String>,
    pub(crate) title: String,
    pub(crate) status: Located<String>,
    pub(crate) criticality: Option<String>,
    pub(crate) affects: Vec<Located<String>>,
    pub(crate) rationale: Option<String>,
    pub(crate) fixed_in: Option<String>,
    pub(crate) place: Place,
}

/// Everything one source holds.
#[derive(Default)]
pub(crate) struct Draft {
    /// Every file read for this source.
    pub(crate) files: Vec<PathBuf>,
    pub(crate) requirements: Vec<DraftRequirement>,
    pub(crate) system_requirements: Vec<DraftSystemRequirement>,
    pub(crate) items: Vec<DraftItem>,
    pub(crate) sections: Vec<DraftSection>,
    pub(crate) soup: Vec<DraftSoup>,
    pub(crate) problems: Vec<DraftProblem>,
}

/// The format of a catalogue source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A TOML catalogue file.
    Toml,
    /// A Doorstop document directory (holds `.doorstop.yml`).
    Doorstop,
    /// A StrictDoc `.sdoc` file.
    StrictDoc,
}

impl SourceKind {
    /// The format of the source at `path`: a directory is a Doorstop document, a `.sdoc`
    /// file StrictDoc, anything else TOML.
    pub fn of(path: &Path) -> SourceKind {
        if path.is_dir() {
            SourceKind::Doorstop
        } else if path.extension().is_some_and(|e| e == "sdoc") {
            SourceKind::StrictDoc
        } else {
            SourceKind::Toml
        }
    }
}

/// Reads a file as UTF-8, with a positioned error when it is not.
pub(crate) fn read_text(path: &Path, what: &str) -> Result<String, CatalogueError> {
    let bytes = std::fs::read(path).map_err(|error| {
        CatalogueError::single(path, None, format!("cannot read {what}: {error}"))
    })?;
    String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&error.into_bytes()[..offset]).into_owned();
        CatalogueError::single(
            path,
            Some(Position::of_offset(&text, offset)),
            format!("{what} is not valid UTF-8: save it as UTF-8"),
        )
    })
}

/// Reads one source in its format.
pub(crate) fn read(path: &Path) -> Result<Draft, CatalogueError> {
    match SourceKind::of(path) {
        SourceKind::Toml => {
            let text = read_text(path, "the requirements catalogue")?;
            toml::read(&text, path)
        }
        SourceKind::Doorstop => doorstop::read(path),
        SourceKind::StrictDoc => {
            let text = read_text(path, "the StrictDoc document")?;
            strictdoc::read(&text, path)
        }
    }
}

/// The first line of `text` that has words, for a title when a format has none: trimmed
/// of Markdown heading marks, at most 80 characters.
pub(crate) fn title_from_text(text: &str) -> Option<String> {
    let line = text
        .lines()
        .map(|l| l.trim().trim_start_matches('#').trim())
        .find(|l| !l.is_empty())?;
    let mut title: String = line.chars().take(80).collect();
    if line.chars().count() > 80 {
        title.push('…');
    }
    Some(title)
}
