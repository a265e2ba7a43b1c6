//! `cargo iec verify BUNDLE`: is this evidence bundle the one `cargo iec test` wrote?
//!
//! Every file the manifest lists must exist with its SHA-256; every file present must be
//! listed; the files every bundle holds must be there; each machine-readable file must
//! carry a schema version this cargo-iec reads. Every problem names its file.

use std::collections::BTreeMap;
use std::path::Path;

use iec_runtime::requirement;

use crate::environment::sha256_hex;
use crate::error::Error;
use crate::evidence::{self, manifest};

/// Something wrong with one file of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file, relative to the bundle.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

/// A bundle that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Files checked, the manifest included.
    pub files: usize,
    /// The manifest's own SHA-256.
    pub manifest_sha256: String,
    /// The bundle's commit and tree state, from environment.json.
    pub source: String,
}

/// Every regular file under `dir`, relative, `/`-separated; symbolic links and other
/// non-files are problems.
fn files_in(dir: &Path, prefix: &str, files: &mut Vec<String>, problems: &mut Vec<Problem>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        problems.push(Problem {
            file: if prefix.is_empty() {
                ".".to_string()
            } else {
                prefix.to_string()
            },
            message: "cannot be read".to_string(),
        });
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let relative = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        match entry.file_type() {
            Ok(kind) if kind.is_symlink() => problems.push(Problem {
                file: relative,
                message: "is a symbolic link; a bundle holds only files".to_string(),
            }),
            Ok(kind) if kind.is_dir() => files_in(&entry.path(), &relative, files, problems),
            Ok(kind) if kind.is_file() => files.push(relative),
            _ => problems.push(Problem {
                file: relative,
                message: "is not a regular file".to_string(),
            }),
        }
    }
}

/// The schema version each machine-readable file must have, as (JSON field, expected).
fn expected_schemas() -> BTreeMap<&'static str, Vec<(&'static str, &'static str)>> {
    BTreeMap::from([
        (
            "environment.json",
            vec![
                ("schema", crate::environment::SCHEMA),
                ("bundle", evidence::BUNDLE_SCHEMA),
            ],
        ),
        ("trace.json", vec![("schema", crate::trace::SCHEMA)]),
        (
            "anomalies.json",
            vec![("schema", evidence::anomalies::SCHEMA)],
        ),
        ("soup.json", vec![("schema", crate::soup::SCHEMA)]),
        // Bundles written before the design record was added have none; when present, it
        // must be a record this version reads.
        ("design.json", vec![("schema", crate::design::SCHEMA)]),
        // Only in bundles of `cargo iec impact --run`.
        ("impact.json", vec![("schema", crate::impact::SCHEMA)]),
        // Only in bundles of `cargo iec test --coverage`; checked when present.
        ("coverage.json", vec![("schema", crate::coverage::SCHEMA)]),
    ])
}

fn check_schemas(bundle: &Path, problems: &mut Vec<Problem>) {
    for (file, fields) in expected_schemas() {
        let Ok(text) = std::fs::read_to_string(bundle.join(file)) else {
            continue; // reported as missing already
        };
        let value: serde_json::Value = match serde_json::from_str(&text) {
            Ok(value) => value,
            Err(error) => {
                problems.push(Problem {
                    file: file.to_string(),
                    message: format!("is not valid JSON: {error}"),
                });
                continue;
            }
        };
        for (field, expected) in fields {
            match value.get(field).and_then(serde_json::Value::as_str) {
                Some(found) if found == expected => {}
                found => problems.push(Problem {
                    file: file.to_string(),
                    message: format!(
                        "`{field}` is {}, this cargo-iec reads `{expected}`",
                        found.map_or("missing".to_string(), |f| format!("`{f}`"))
                    ),
                }),
            }
        }
    }
    if let Ok(text) = std::fs::read_to_string(bundle.join("junit.xml"))
        && let Err(error) = crate::junit::read(&text)
    {
        problems.push(Problem {
            file: "junit.xml".to_string(),
            message: format!("is not readable JUnit: {error}"),
        });
    }
}

#[requirement("TR-VALIDATION-BUNDLE")]
fn check_selftest_schema(bundle: &Path, problems: &mut Vec<Problem>) {
    let Ok(text) = std::fs::read_to_string(bundle.join("selftest.json")) else {
        return;
    };
    let found = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("schema").and_then(|s| s.as_str()).map(str::to_string));
    if found.as_deref() != Some(crate::selftest::SCHEMA) {
        problems.push(Problem {
            file: "selftest.json".to_string(),
            message: format!(
                "`schema` is {}, this cargo-iec reads `{}`",
                found.map_or("missing".to_string(), |f| format!("`{f}`")),
                crate::selftest::SCHEMA
            ),
        });
    }
}

/// Checks a bundle; `Err` when it cannot be read at all, `Ok(Err(problems))` when it does
/// not verify.
#[requirement("TR-VERIFY-BUNDLE")]
pub fn verify(
    bundle: &Path,
    expected_manifest: Option<&str>,
) -> Result<Result<Verified, Vec<Problem>>, Error> {
    if !bundle.is_dir() {
        return Err(Error::Input(format!(
            "{} is not a directory; name an evidence bundle written by `cargo iec test`",
            bundle.display()
        )));
    }
    let mut problems = Vec::new();
    let manifest_bytes = match std::fs::read(bundle.join(manifest::FILE)) {
        Ok(bytes) => bytes,
        Err(_) => {
            return Ok(Err(vec![Problem {
                file: manifest::FILE.to_string(),
                message: "is missing: nothing can be verified".to_string(),
            }]));
        }
    };
    let manifest_sha256 = sha256_hex(&manifest_bytes);
    if let Some(expected) = expected_manifest
        && !expected.trim().eq_ignore_ascii_case(&manifest_sha256)
    {
        problems.push(Problem {
            file: manifest::FILE.to_string(),
            message: format!(
                "its SHA-256 is {manifest_sha256}, not the recorded {}",
                expected.trim()
            ),
        });
    }
    let entries = match manifest::parse(&String::from_utf8_lossy(&manifest_bytes)) {
        Ok(entries) => entries,
        Err(bad) => {
            problems.push(Problem {
                file: manifest::FILE.to_string(),
                message: format!("line {}: {}", bad.line, bad.message),
            });
            return Ok(Err(problems));
        }
    };
    let mut present = Vec::new();
    files_in(bundle, "", &mut present, &mut problems);
    for file in &present {
        if file != manifest::FILE && !entries.contains_key(file) {
            problems.push(Problem {
                file: file.clone(),
                message: "is not in the manifest: it was added after the bundle was written"
                    .to_string(),
            });
        }
    }
    for (file, hash) in &entries {
        match std::fs::read(bundle.join(file)) {
            Err(_) => problems.push(Problem {
                file: file.clone(),
                message: "is listed in the manifest but missing".to_string(),
            }),
            Ok(bytes) => {
                let actual = sha256_hex(&bytes);
                if actual != *hash {
                    problems.push(Problem {
                        file: file.clone(),
                        message: format!(
                            "SHA-256 mismatch: the manifest says {hash}, the file has {actual}; the file or the manifest was changed after the bundle was written"
                        ),
                    });
                }
            }
        }
    }
    // A `cargo iec selftest` report is a bundle of its own kind (selftest.json).
    let selftest = entries.contains_key("selftest.json");
    let (required_files, kind): (&[&str], &str) = if selftest {
        (&crate::selftest::FILES, crate::selftest::SCHEMA)
    } else {
        (&evidence::FILES, evidence::BUNDLE_SCHEMA)
    };
    for required in required_files {
        if !entries.contains_key(*required) && !present.iter().any(|p| p == required) {
            problems.push(Problem {
                file: required.to_string(),
                message: format!("is missing: every {kind} bundle has it"),
            });
        }
    }
    if selftest {
        check_selftest_schema(bundle, &mut problems);
    } else {
        check_schemas(bundle, &mut problems);
    }
    if !problems.is_empty() {
        problems.sort();
        problems.dedup();
        return Ok(Err(problems));
    }
    if selftest {
        let passed = std::fs::read_to_string(bundle.join("selftest.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .map(|report| {
                let not_run = report["not_run"].as_array().map_or(0, Vec::len);
                format!(
                    "selftest of cargo-iec {}: {} of {} cases match{}",
                    report["tool"]["version"].as_str().unwrap_or("?"),
                    report["matched"],
                    report["cases"],
                    if not_run == 0 {
                        String::new()
                    } else {
                        format!(", {not_run} not run (see not_run in selftest.json)")
                    }
                )
            })
            .unwrap_or_default();
        return Ok(Ok(Verified {
            files: entries.len() + 1,
            manifest_sha256,
            source: passed,
        }));
    }
    let source = std::fs::read_to_string(bundle.join("environment.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .map(|env| {
            format!(
                "commit {}, tree {}",
                env["source"]["commit"].as_str().unwrap_or("(none)"),
                env["source"]["tree"].as_str().unwrap_or("?")
            )
        })
        .unwrap_or_default();
    Ok(Ok(Verified {
        files: entries.len() + 1,
        manifest_sha256,
        source,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::EvidenceBundle;

    fn bundle_with(trace_schema: &str) -> tempfile::TempDir {
        let scratch = tempfile::tempdir().unwrap();
        let mut bundle = EvidenceBundle::default();
        for file in evidence::FILES {
            bundle.add(file, "");
        }
        bundle.add(
            "environment.json",
            format!(
                "{{\"schema\": \"{}\", \"bundle\": \"{}\"}}",
                crate::environment::SCHEMA,
                evidence::BUNDLE_SCHEMA
            ),
        );
        bundle.add("trace.json", format!("{{\"schema\": \"{trace_schema}\"}}"));
        bundle.add(
            "anomalies.json",
            format!("{{\"schema\": \"{}\"}}", evidence::anomalies::SCHEMA),
        );
        bundle.add(
            "soup.json",
            format!("{{\"schema\": \"{}\"}}", crate::soup::SCHEMA),
        );
        bundle.add("junit.xml", "<testsuites/>");
        bundle.write(&scratch.path().join("b")).unwrap();
        scratch
    }

    #[test]
    #[requirement("TR-VERIFY-BUNDLE")]
    fn a_bundle_of_known_schemas_verifies() {
        let scratch = bundle_with(crate::trace::SCHEMA);
        let verified = verify(&scratch.path().join("b"), None).unwrap().unwrap();
        assert_eq!(verified.files, evidence::FILES.len() + 1);
    }

    #[test]
    #[requirement("TR-VERIFY-BUNDLE")]
    fn an_unknown_schema_version_is_a_problem_of_its_file() {
        let scratch = bundle_with("iec-trace/trace/v2");
        let problems = verify(&scratch.path().join("b"), None)
            .unwrap()
            .unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(problems[0].file, "trace.json");
        assert!(
            problems[0].message.contains("iec-trace/trace/v2"),
            "{problems:?}"
        );
    }
}
