//! The evidence bundle: one new directory per `cargo iec test` run holding everything an
//! auditor needs to see that each requirement was verified, on which commit, with which
//! tools, and that the files were not changed since (docs/evidence.md).
//!
//! The files are rendered in memory, written to a hidden temporary directory beside the
//! destination and renamed into place, so the bundle's name only ever names a complete
//! bundle; an existing directory is never overwritten.

pub mod anomalies;
pub mod manifest;
pub mod report;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use iec_runtime::requirement;

use crate::environment::{SourceState, UtcTime};
use crate::error::Error;

/// The bundle's layout version, recorded in environment.json.
pub const BUNDLE_SCHEMA: &str = "iec-trace/evidence/v1";

/// The files every bundle of [`BUNDLE_SCHEMA`] holds besides the manifest.
pub const FILES: [&str; 8] = [
    "anomalies.json",
    "environment.json",
    "junit.xml",
    "soup.json",
    "test-run.log",
    "trace.csv",
    "trace.html",
    "trace.json",
];

/// Prefix of the temporary directories bundles are assembled in.
const PARTIAL_PREFIX: &str = ".partial-";

/// A bundle being assembled: file name -> contents.
#[derive(Debug, Default)]
pub struct EvidenceBundle {
    files: BTreeMap<String, Vec<u8>>,
}

impl EvidenceBundle {
    /// Adds a file.
    pub fn add(&mut self, name: &str, contents: impl Into<Vec<u8>>) {
        self.files.insert(name.to_string(), contents.into());
    }

    /// The manifest's text (not yet written).
    pub fn manifest(&self) -> String {
        manifest::render(&self.files)
    }

    /// Writes the bundle to `destination`, which must not exist, through a temporary
    /// directory beside it and a rename. Returns the manifest's SHA-256.
    #[requirement("TR-EVIDENCE-ATOMIC", "TR-EVIDENCE-BUNDLE", "TR-PERF-TEST-OVERLAP")]
    pub fn write(&self, destination: &Path) -> Result<String, Error> {
        let parent = match destination.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        if destination.exists() {
            return Err(Error::Input(format!(
                "{} already exists; an evidence bundle is never overwritten: choose another --out",
                destination.display()
            )));
        }
        let io = |context: String| move |source| Error::Io { context, source };
        std::fs::create_dir_all(parent)
            .map_err(io(format!("cannot create {}", parent.display())))?;
        let partial = tempfile::Builder::new()
            .prefix(PARTIAL_PREFIX)
            .tempdir_in(parent)
            .map_err(io(format!(
                "cannot create a temporary directory in {}",
                parent.display()
            )))?;
        let manifest = self.manifest();
        let files: Vec<(&str, &[u8])> = self
            .files
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
            .chain(std::iter::once((manifest::FILE, manifest.as_bytes())))
            .collect();
        // Each file is written and synced on a thread of its own: the syncs wait for the
        // disk, one flush each, and were most of the time of writing a bundle. The first
        // error in name order is reported.
        let write = |name: &str, bytes: &[u8]| {
            let path = partial.path().join(name);
            let mut file = std::fs::File::create_new(&path)
                .map_err(io(format!("cannot create {}", path.display())))?;
            file.write_all(bytes)
                .and_then(|()| file.sync_all())
                .map_err(io(format!("cannot write {}", path.display())))
        };
        let written: Vec<Result<(), Error>> = std::thread::scope(|scope| {
            let threads: Vec<_> = files
                .iter()
                .map(|(name, bytes)| scope.spawn(|| write(name, bytes)))
                .collect();
            threads
                .into_iter()
                .map(|thread| {
                    thread
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        written.into_iter().collect::<Result<(), Error>>()?;
        // Checked again just before the rename: on Linux a rename onto an empty directory
        // would replace it.
        if destination.exists() {
            return Err(Error::Input(format!(
                "{} appeared while the bundle was written; it is left untouched",
                destination.display()
            )));
        }
        let partial = partial.keep();
        std::fs::rename(&partial, destination).map_err(|source| {
            let _ = std::fs::remove_dir_all(&partial);
            Error::Io {
                context: format!("cannot move the bundle to {}", destination.display()),
                source,
            }
        })?;
        if let Ok(dir) = std::fs::File::open(parent) {
            let _ = dir.sync_all();
        }
        Ok(crate::environment::sha256_hex(manifest.as_bytes()))
    }
}

/// The default bundle directory: `<target>/iec-evidence/<UTC time>-<commit>`, with
/// `-dirty` when the tree has changes, `-nogit` outside git, and `-2`, `-3`, ... when the
/// name is taken (`SOURCE_DATE_EPOCH` fixes the time).
#[requirement("TR-EVIDENCE-BUNDLE", "TR-EVIDENCE-CLEAN")]
pub fn default_destination(target_dir: &Path, time: UtcTime, source: &SourceState) -> PathBuf {
    let commit = source
        .short_commit
        .as_deref()
        .map_or("nogit".to_string(), |c| c.chars().take(7).collect());
    let state = match source.tree.as_str() {
        "clean" => "",
        "dirty" => "-dirty",
        _ => "",
    };
    let base = format!("{}-{commit}{state}", time.compact());
    let dir = target_dir.join("iec-evidence");
    let mut candidate = dir.join(&base);
    let mut n = 2;
    while candidate.exists() {
        candidate = dir.join(format!("{base}-{n}"));
        n += 1;
    }
    candidate
}

/// Removes temporary directories that runs killed mid-write left beside `destination`
/// (never a bundle: those have no `.partial-` prefix).
pub fn sweep_partials(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3_600);
        if name.to_string_lossy().starts_with(PARTIAL_PREFIX) && stale {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[requirement("TR-EVIDENCE-ATOMIC")]
    fn a_bundle_is_written_whole_and_never_over_an_existing_directory() {
        let scratch = tempfile::tempdir().unwrap();
        let destination = scratch.path().join("bundle");
        let mut bundle = EvidenceBundle::default();
        bundle.add("a.json", "{}\n");
        let digest = bundle.write(&destination).unwrap();
        assert_eq!(digest.len(), 64);
        let manifest = std::fs::read_to_string(destination.join(manifest::FILE)).unwrap();
        assert!(manifest.ends_with("  a.json\n"), "{manifest}");
        let again = bundle.write(&destination);
        assert!(again.is_err(), "an existing bundle must not be overwritten");
        std::fs::create_dir(scratch.path().join("empty")).unwrap();
        assert!(bundle.write(&scratch.path().join("empty")).is_err());
        let leftovers = partial_directories(scratch.path());
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    /// The half-written bundle directories left in `dir`.
    fn partial_directories(dir: &std::path::Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(PARTIAL_PREFIX))
            .collect()
    }

    #[test]
    #[requirement("TR-PERF-TEST-OVERLAP", "TR-EVIDENCE-ATOMIC")]
    fn files_written_side_by_side_are_all_there_and_one_that_fails_is_reported() {
        let scratch = tempfile::tempdir().unwrap();
        let mut bundle = EvidenceBundle::default();
        for n in 0..20 {
            bundle.add(&format!("f{n:02}.txt"), format!("file {n}\n"));
        }
        let whole = scratch.path().join("whole");
        bundle.write(&whole).unwrap();
        for n in 0..20 {
            assert_eq!(
                std::fs::read_to_string(whole.join(format!("f{n:02}.txt"))).unwrap(),
                format!("file {n}\n")
            );
        }
        // A name with a directory that does not exist cannot be created: the error names
        // it, and nothing is left behind (no bundle, no partial directory).
        bundle.add("missing/g.txt", "g\n");
        let broken = scratch.path().join("broken");
        let error = bundle.write(&broken).unwrap_err().to_string();
        assert!(
            error.contains("cannot create") && error.contains("g.txt"),
            "{error}"
        );
        assert!(!broken.exists());
        let leftovers = partial_directories(scratch.path());
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    #[requirement("TR-EVIDENCE-CLEAN")]
    fn the_default_name_has_the_time_the_commit_and_a_dirty_mark() {
        let scratch = tempfile::tempdir().unwrap();
        let time = UtcTime {
            unix: 0,
            source: "SOURCE_DATE_EPOCH",
        };
        let mut source = SourceState {
            commit: Some("0123456789abcdef".to_string()),
            short_commit: Some("0123456789ab".to_string()),
            branch: None,
            tree: "dirty".to_string(),
            changed_files: Vec::new(),
        };
        let first = default_destination(scratch.path(), time, &source);
        assert!(first.ends_with("iec-evidence/19700101T000000Z-0123456-dirty"));
        std::fs::create_dir_all(&first).unwrap();
        let second = default_destination(scratch.path(), time, &source);
        assert!(second.ends_with("iec-evidence/19700101T000000Z-0123456-dirty-2"));
        source.tree = "clean".to_string();
        assert!(
            default_destination(scratch.path(), time, &source)
                .ends_with("iec-evidence/19700101T000000Z-0123456")
        );
    }
}
