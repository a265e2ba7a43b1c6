//! Errors that stop a command, and the exit codes they map to.

use std::path::PathBuf;

/// Stable exit codes, documented in `cargo iec trace --help` and docs/CLI.md.
pub mod exit_code {
    /// Success: the trace was produced and the policy found no denied gap.
    pub const OK: u8 = 0;
    /// The policy (`--deny`, `[workspace.metadata.iec] deny`) found gaps.
    pub const POLICY_GAPS: u8 = 1;
    /// Usage, input or environment error: nothing was traced.
    pub const ERROR: u8 = 2;
}

/// Why a command could not run. Every variant says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `cargo metadata` failed.
    #[error("cannot read the workspace: {0}")]
    Metadata(String),
    /// A `-p` names no package of the workspace.
    #[error("package `{name}` is not a member of the workspace at {root}; members are: {members}")]
    UnknownPackage {
        /// The name given.
        name: String,
        /// The workspace root.
        root: String,
        /// The members, comma-separated.
        members: String,
    },
    /// No catalogue for the selected packages.
    #[error(
        "no requirements catalogue for package `{package}`: create `requirements.toml` in the workspace root ({root}), or name one with `catalogue = \"PATH\"` in `[workspace.metadata.iec]` or `[package.metadata.iec]`"
    )]
    NoCatalogue {
        /// The package.
        package: String,
        /// The workspace root.
        root: String,
    },
    /// Selected packages use different catalogues.
    #[error(
        "the selected packages use different requirements catalogues ({first} and {second}); trace them separately with `-p`"
    )]
    SeveralCatalogues {
        /// One catalogue.
        first: String,
        /// Another.
        second: String,
    },
    /// A manifest could not be read while locating the catalogue.
    #[error("{0}")]
    Discover(#[from] iec_model::discover::DiscoverError),
    /// The catalogue is invalid.
    #[error("invalid requirements catalogue:\n{0}")]
    Catalogue(#[from] iec_model::CatalogueError),
    /// Invalid configuration in `[workspace.metadata.iec]`.
    #[error("{manifest}: `[workspace.metadata.iec]` {message}")]
    Config {
        /// The manifest.
        manifest: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A gap kind given to `--deny` does not exist.
    #[error("unknown gap kind `{0}` in the policy; known kinds: {1}")]
    UnknownGapKind(String, String),
    /// Building the test targets failed.
    #[error(
        "building the test targets failed ({0}); the compiler's messages are above. Fix the build, or trace without building with `--static`"
    )]
    Build(String),
    /// Running a test binary to read its registry failed.
    #[error("cannot run test binary {binary} to read its registry: {message}")]
    Run {
        /// The executable.
        binary: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// Fail closed: a target's sources carry annotations, but its binary reported none.
    #[error(
        "{target}: its sources carry annotations ({evidence}) but its test binary registered none{reason}; refusing to report an empty trace. Check that the package depends on iec-runtime with its default `std` feature in test builds, and that the annotations are not compiled out by `cfg`"
    )]
    EmptyRegistry {
        /// The target, e.g. `infusion-pump (lib)`.
        target: String,
        /// Where an annotation was seen.
        evidence: String,
        /// Extra detail.
        reason: String,
    },
    /// A registry dump could not be parsed.
    #[error(
        "the registry dump of {binary} is unreadable at line {line}: {message}; the test binary and cargo-iec may come from different iec-trace versions"
    )]
    Dump {
        /// The executable.
        binary: PathBuf,
        /// Line in the dump.
        line: usize,
        /// What went wrong.
        message: String,
    },
    /// Writing the output failed.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The destination.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Invalid input that is not the catalogue (a lock file, a configuration value).
    #[error("{0}")]
    Input(String),
    /// Any other I/O failure, with context.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Parses the TOML `text` of the file shown as `shown`; a syntax or type error is an input
/// error naming `shown:line:column` and what is wrong, followed by `advice` (empty, or
/// starting with `; `).
pub fn from_toml<T: serde::de::DeserializeOwned>(
    text: &str,
    shown: &str,
    advice: &str,
) -> Result<T, Error> {
    toml::from_str(text).map_err(|error| {
        let position = error
            .span()
            .map(|span| format!(":{}", iec_model::Position::of_offset(text, span.start)))
            .unwrap_or_default();
        Error::Input(format!(
            "{shown}{position}: {}{advice}",
            error.message().trim_end()
        ))
    })
}

/// Reads a configuration file that may be absent: `Ok(None)` when it does not exist and was
/// not named explicitly (`explicit`), an I/O error naming `what` and `shown` otherwise.
pub fn read_optional(
    path: &std::path::Path,
    shown: &str,
    what: &str,
    explicit: bool,
) -> Result<Option<String>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && !explicit => Ok(None),
        Err(source) => Err(Error::Io {
            context: format!("cannot read {what} {shown}"),
            source,
        }),
    }
}
