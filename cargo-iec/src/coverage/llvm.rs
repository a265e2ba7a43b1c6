//! The LLVM side of coverage: finding `llvm-profdata` and `llvm-cov` in the toolchain's
//! `llvm-tools` component, merging raw profiles, and reading `llvm-cov export` JSON.
//!
//! The export (`llvm.coverage.json.export`, versions 2 and 3) is read with serde into typed
//! structures: per file the line segments, per function its code regions with their
//! execution counts. No crate reads it under a licence this project can ship (the one that
//! exists is AGPL-3.0), and a crate parsing `.profraw`/`.profdata` and the binaries'
//! coverage maps directly would have to follow LLVM's format versions, which the
//! toolchain's own tools always match.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use iec_runtime::requirement;
use serde::Deserialize;

use crate::error::Error;

/// The two LLVM tools coverage needs, from the same toolchain as `rustc`.
#[derive(Debug, Clone)]
pub struct Tools {
    /// `llvm-profdata`.
    pub profdata: PathBuf,
    /// `llvm-cov`.
    pub cov: PathBuf,
}

fn executable(name: &str) -> String {
    if cfg!(windows) {
        format!("{name}.exe")
    } else {
        name.to_string()
    }
}

/// Finds `llvm-profdata` and `llvm-cov` under `rustc --print sysroot`/lib/rustlib/<host>/bin
/// (where `rustup component add llvm-tools` puts them); `LLVM_PROFDATA` and `LLVM_COV`
/// name others. Missing tools are an environment error that says how to install them.
#[requirement("TR-COVERAGE-TOOLS")]
pub fn find_tools(root: &Path) -> Result<Tools, Error> {
    let sysroot = crate::environment::rustc_output(root, &["--print", "sysroot"])
        .map(|out| out.trim().to_string())
        .ok_or_else(|| {
            Error::Input(
                "--coverage: `rustc --print sysroot` failed, so the llvm-tools component cannot be found".to_string(),
            )
        })?;
    let host = crate::environment::rustc(root)
        .host
        .unwrap_or_else(|| "unknown".to_string());
    let bin = Path::new(&sysroot)
        .join("lib")
        .join("rustlib")
        .join(&host)
        .join("bin");
    let find = |variable: &str, name: &str| -> Result<PathBuf, Error> {
        if let Some(path) = std::env::var_os(variable) {
            let path = PathBuf::from(path);
            return if path.is_file() {
                Ok(path)
            } else {
                Err(Error::Input(format!(
                    "--coverage: {variable}={} is not a file; unset it to use the toolchain's {name}",
                    path.display()
                )))
            };
        }
        let path = bin.join(executable(name));
        if path.is_file() {
            Ok(path)
        } else {
            Err(Error::Input(format!(
                "--coverage needs {name} from the toolchain's llvm-tools component, which is not installed ({} does not exist); install it with `rustup component add llvm-tools`",
                path.display()
            )))
        }
    };
    Ok(Tools {
        profdata: find("LLVM_PROFDATA", "llvm-profdata")?,
        cov: find("LLVM_COV", "llvm-cov")?,
    })
}

fn run_tool(mut command: Command, what: &str) -> Result<Vec<u8>, Error> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|source| Error::Io {
            context: format!("cannot run {what}"),
            source,
        })?;
    if !output.status.success() {
        return Err(Error::Input(format!(
            "{what} exited with {}: {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(output.stdout)
}

impl Tools {
    /// `llvm-profdata merge -sparse PROFILES -o OUT`.
    pub fn merge(&self, profiles: &[PathBuf], out: &Path) -> Result<(), Error> {
        let mut command = Command::new(&self.profdata);
        command
            .args(["merge", "-sparse"])
            .args(profiles)
            .arg("-o")
            .arg(out);
        run_tool(command, "llvm-profdata merge").map(|_| ())
    }

    /// `llvm-cov export -format=text` of `binary` with `profile`, limited to `sources` when
    /// any are given.
    pub fn export(
        &self,
        binary: &Path,
        profile: &Path,
        sources: &[PathBuf],
    ) -> Result<Export, Error> {
        let mut command = Command::new(&self.cov);
        command
            .args([
                "export",
                "-format=text",
                "-skip-expansions",
                "-instr-profile",
            ])
            .arg(profile)
            .arg(binary)
            .args(sources);
        let json = run_tool(command, "llvm-cov export")?;
        serde_json::from_slice(&json).map_err(|error| {
            Error::Input(format!(
                "llvm-cov export of {} is not the JSON this cargo-iec reads: {error}",
                binary.display()
            ))
        })
    }

    /// `llvm-cov --version`, for the record.
    pub fn version(&self) -> Option<String> {
        let output = Command::new(&self.cov)
            .arg("--version")
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()?;
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::trim)
            .find(|line| line.starts_with("LLVM version"))
            .map(|line| format!("llvm-cov ({line})"))
    }
}

/// `llvm-cov export -format=text`.
#[derive(Debug, Deserialize)]
pub struct Export {
    /// `llvm.coverage.json.export`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The export format's version.
    pub version: String,
    /// One entry per export (always one here).
    pub data: Vec<ExportData>,
}

/// The coverage of one export.
#[derive(Debug, Deserialize)]
pub struct ExportData {
    /// Per source file.
    pub files: Vec<ExportFile>,
    /// Per function (each instantiation of a generic one separately).
    #[serde(default)]
    pub functions: Vec<ExportFunction>,
}

/// One source file.
#[derive(Debug, Deserialize)]
pub struct ExportFile {
    /// Absolute path.
    pub filename: String,
    /// Segments, in order.
    pub segments: Vec<Segment>,
}

/// `[line, column, count, has_count, is_region_entry, is_gap_region]` (later versions may
/// append fields; they are ignored).
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Segment(pub u32, pub u32, pub u64, pub bool, pub bool, pub bool);

/// One function instantiation.
#[derive(Debug, Deserialize)]
pub struct ExportFunction {
    /// Its mangled name.
    pub name: String,
    /// The files its regions refer to, by index.
    pub filenames: Vec<String>,
    /// Its regions.
    pub regions: Vec<RegionEntry>,
}

/// `[line_start, column_start, line_end, column_end, count, file_id, expanded_file_id,
/// kind]`; kind 0 is a code region.
#[derive(Debug, Clone, Copy, Deserialize)]
pub struct RegionEntry(
    pub u32,
    pub u32,
    pub u32,
    pub u32,
    pub u64,
    pub u32,
    pub u32,
    pub u32,
);

/// A code region's position: start line and column, end line and column.
pub type RegionKey = [u32; 4];

/// The coverage of one file in one export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileCounts {
    /// Lines with code, and how often each ran (as `llvm-cov` counts lines).
    pub lines: BTreeMap<u32, u64>,
    /// Code regions and how often each ran (summed over instantiations).
    pub regions: BTreeMap<RegionKey, u64>,
}

/// Per file (absolute path as LLVM records it) of an export.
pub fn file_counts(export: &Export) -> BTreeMap<String, FileCounts> {
    let mut files: BTreeMap<String, FileCounts> = BTreeMap::new();
    for data in &export.data {
        for file in &data.files {
            files.entry(file.filename.clone()).or_default().lines = line_counts(&file.segments);
        }
        for function in &data.functions {
            for region in &function.regions {
                if region.7 != 0 {
                    continue;
                }
                let Some(filename) = function.filenames.get(region.5 as usize) else {
                    continue;
                };
                let count = files
                    .entry(filename.clone())
                    .or_default()
                    .regions
                    .entry([region.0, region.1, region.2, region.3])
                    .or_insert(0);
                *count = count.saturating_add(region.4);
            }
        }
    }
    files
}

/// Line counts from a file's segments, as `llvm-cov` computes them (LineCoverageStats): a
/// line is mapped when a region starts on it or the region in effect at its start has a
/// count, and not when it starts a skipped region; its count is the largest of the regions
/// starting on it and the one it continues.
#[requirement("TR-COVERAGE-UNITS")]
pub fn line_counts(segments: &[Segment]) -> BTreeMap<u32, u64> {
    let mut lines = BTreeMap::new();
    let Some(last) = segments.last() else {
        return lines;
    };
    let first_line = segments[0].0;
    let mut wrapped: Option<Segment> = None;
    let mut index = 0;
    for line in first_line..=last.0 {
        let start = index;
        while index < segments.len() && segments[index].0 == line {
            index += 1;
        }
        let on_line = &segments[start..index];
        let starts_region = |s: &&Segment| !s.5 && s.3 && s.4;
        let region_starts = on_line.iter().filter(starts_region).count();
        let skipped = on_line.first().is_some_and(|s| !s.3 && s.4);
        let mapped = !skipped && (wrapped.is_some_and(|w| w.3) || region_starts > 0);
        if mapped {
            let mut count = wrapped.map_or(0, |w| w.2);
            for segment in on_line.iter().filter(starts_region) {
                count = count.max(segment.2);
            }
            lines.insert(line, count);
        }
        if let Some(last_on_line) = on_line.last() {
            wrapped = Some(*last_on_line);
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[requirement("TR-COVERAGE-UNITS")]
    fn lines_count_as_llvm_cov_counts_them() {
        // fn f() {          line 1, count 3
        //     if x {        line 2
        //         a();      line 3, count 0 (region entry)
        //     }             line 4, gap back to count 3
        // }                 line 5
        let segments = [
            Segment(1, 1, 3, true, true, false),
            Segment(3, 9, 0, true, true, false),
            Segment(4, 6, 3, true, false, false),
            Segment(5, 2, 0, false, false, false),
        ];
        let lines = line_counts(&segments);
        assert_eq!(lines.get(&1), Some(&3));
        assert_eq!(lines.get(&2), Some(&3));
        assert_eq!(lines.get(&3), Some(&3), "wrapped count 3 is larger");
        assert_eq!(lines.get(&5), Some(&3));
        let skipped = [
            Segment(1, 1, 0, false, true, false),
            Segment(2, 1, 0, false, false, false),
        ];
        assert!(line_counts(&skipped).is_empty());
    }
}
