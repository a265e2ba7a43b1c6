//! The CI gate: which gaps fail the run.
//!
//! ```toml
//! [workspace.metadata.iec]
//! deny = ["unimplemented", "untested"]   # for every class
//!
//! [workspace.metadata.iec.class.C]       # stricter for class C
//! deny = ["untested-unit", "suspect"]
//! ```
//!
//! `--deny KIND,...` adds kinds for every class; `--warn KIND,...` keeps kinds from failing
//! the run whatever the configuration says (they are still listed).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use iec_model::SafetyClass;
use iec_runtime::requirement;

use crate::error::Error;
use crate::trace::{Gap, GapKind};

/// Which gap kinds fail the run, globally and per safety class.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    deny: BTreeSet<GapKind>,
    warn: BTreeSet<GapKind>,
    by_class: BTreeMap<SafetyClass, BTreeSet<GapKind>>,
}

fn known_kinds() -> String {
    GapKind::ALL.map(GapKind::as_str).join(", ")
}

fn parse_kinds<'a>(
    names: impl IntoIterator<Item = &'a str>,
    into: &mut BTreeSet<GapKind>,
) -> Result<(), Error> {
    for name in names {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        if name == "all" {
            into.extend(GapKind::ALL);
            continue;
        }
        let kind = GapKind::parse(name)
            .ok_or_else(|| Error::UnknownGapKind(name.to_string(), known_kinds()))?;
        into.insert(kind);
    }
    Ok(())
}

fn config_list<'a>(
    value: &'a serde_json::Value,
    manifest: &Path,
    key: &str,
) -> Result<Vec<&'a str>, Error> {
    let list = value.as_array().ok_or_else(|| Error::Config {
        manifest: manifest.to_path_buf(),
        message: format!("`{key}` must be a list of gap kinds, e.g. {key} = [\"untested\"]"),
    })?;
    list.iter()
        .map(|kind| {
            kind.as_str().ok_or_else(|| Error::Config {
                manifest: manifest.to_path_buf(),
                message: format!("`{key}` lists gap kinds as strings, found {kind}"),
            })
        })
        .collect()
}

impl Policy {
    /// The policy from the command line and `[workspace.metadata.iec]` (the `metadata`
    /// value of `cargo metadata`, whose manifest is `manifest`).
    #[requirement("TR-CLI-POLICY")]
    pub fn resolve(
        cli_deny: &[String],
        cli_warn: &[String],
        metadata: &serde_json::Value,
        manifest: &Path,
    ) -> Result<Policy, Error> {
        let mut policy = Policy::default();
        parse_kinds(cli_deny.iter().map(String::as_str), &mut policy.deny)?;
        parse_kinds(cli_warn.iter().map(String::as_str), &mut policy.warn)?;
        let Some(iec) = metadata.get("iec") else {
            return Ok(policy);
        };
        if let Some(deny) = iec.get("deny") {
            parse_kinds(config_list(deny, manifest, "deny")?, &mut policy.deny)?;
        }
        if let Some(classes) = iec.get("class") {
            let classes = classes.as_object().ok_or_else(|| Error::Config {
                manifest: manifest.to_path_buf(),
                message:
                    "`class` must be a table of classes, e.g. [workspace.metadata.iec.class.C]"
                        .to_string(),
            })?;
            for (name, table) in classes {
                let class = SafetyClass::parse(name).ok_or_else(|| Error::Config {
                    manifest: manifest.to_path_buf(),
                    message: format!("`class.{name}`: classes are \"A\", \"B\" or \"C\""),
                })?;
                let key = format!("class.{name}.deny");
                if let Some(fields) = table.as_object()
                    && let Some(field) = fields.keys().find(|k| k.as_str() != "deny")
                {
                    return Err(Error::Config {
                        manifest: manifest.to_path_buf(),
                        message: format!(
                            "`class.{name}.{field}` is not a known key; a class policy has `deny`"
                        ),
                    });
                }
                if let Some(deny) = table.get("deny") {
                    let kinds = policy.by_class.entry(class).or_default();
                    parse_kinds(config_list(deny, manifest, &key)?, kinds)?;
                }
            }
        }
        Ok(policy)
    }

    /// Whether `gap` fails the run.
    pub fn denies(&self, gap: &Gap) -> bool {
        // An accepted gap that was fixed must leave the list: nothing turns that off.
        if gap.kind == GapKind::StaleAcceptance {
            return true;
        }
        if self.warn.contains(&gap.kind) {
            return false;
        }
        self.deny.contains(&gap.kind)
            || gap
                .class
                .as_deref()
                .and_then(SafetyClass::parse)
                .and_then(|class| self.by_class.get(&class))
                .is_some_and(|kinds| kinds.contains(&gap.kind))
    }

    /// Whether any part of the policy mentions `kind` (orphan tests are only listed then).
    pub fn mentions(&self, kind: GapKind) -> bool {
        !self.warn.contains(&kind)
            && (self.deny.contains(&kind) || self.by_class.values().any(|k| k.contains(&kind)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gap(kind: GapKind, class: Option<&str>) -> Gap {
        Gap {
            kind,
            problem: None,
            advisory: None,
            requirement: Some("SRS-1".to_string()),
            unit: None,
            class: class.map(str::to_string),
            path: None,
            file: None,
            line: None,
            message: String::new(),
        }
    }

    #[test]
    #[requirement("TR-CLI-POLICY")]
    fn class_policies_deny_only_gaps_of_their_class() {
        let metadata = serde_json::json!({"iec": {"deny": ["unimplemented"], "class": {"C": {"deny": ["untested"]}}}});
        let policy = Policy::resolve(&[], &[], &metadata, Path::new("Cargo.toml")).unwrap();
        assert!(policy.denies(&gap(GapKind::Unimplemented, None)));
        assert!(policy.denies(&gap(GapKind::Untested, Some("C"))));
        assert!(!policy.denies(&gap(GapKind::Untested, Some("B"))));
        assert!(!policy.denies(&gap(GapKind::Untested, None)));
    }

    #[test]
    #[requirement("TR-CLI-POLICY")]
    fn warn_overrides_configured_deny() {
        let metadata = serde_json::json!({"iec": {"deny": ["untested"]}});
        let warn = vec!["untested".to_string()];
        let policy = Policy::resolve(&[], &warn, &metadata, Path::new("Cargo.toml")).unwrap();
        assert!(!policy.denies(&gap(GapKind::Untested, None)));
    }

    #[test]
    #[requirement("TR-CLI-POLICY")]
    fn unknown_kinds_and_classes_are_errors() {
        let bad = vec!["untestd".to_string()];
        let error = Policy::resolve(&bad, &[], &serde_json::Value::Null, Path::new("Cargo.toml"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown gap kind `untestd`"), "{error}");
        let metadata = serde_json::json!({"iec": {"class": {"D": {"deny": []}}}});
        let error = Policy::resolve(&[], &[], &metadata, Path::new("Cargo.toml"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("`class.D`"), "{error}");
    }

    #[test]
    #[requirement("TR-CLI-POLICY")]
    fn a_kind_is_mentioned_when_denied_globally_or_for_a_class_unless_warned() {
        let manifest = Path::new("Cargo.toml");
        let orphans = vec!["orphan-test".to_string()];
        let none = Policy::resolve(&[], &[], &serde_json::Value::Null, manifest).unwrap();
        assert!(!none.mentions(GapKind::OrphanTest));
        let global = Policy::resolve(&orphans, &[], &serde_json::Value::Null, manifest).unwrap();
        assert!(global.mentions(GapKind::OrphanTest));
        assert!(!global.mentions(GapKind::Untested));
        let metadata = serde_json::json!({"iec": {"class": {"C": {"deny": ["orphan-test"]}}}});
        let by_class = Policy::resolve(&[], &[], &metadata, manifest).unwrap();
        assert!(by_class.mentions(GapKind::OrphanTest));
        assert!(!by_class.mentions(GapKind::Untested));
        let warned = Policy::resolve(&orphans, &orphans, &metadata, manifest).unwrap();
        assert!(!warned.mentions(GapKind::OrphanTest));
    }

    #[test]
    #[requirement("TR-CLI-POLICY")]
    fn an_unknown_kind_is_answered_with_every_known_kind() {
        let bad = vec!["untestd".to_string()];
        let error = Policy::resolve(&[], &bad, &serde_json::Value::Null, Path::new("Cargo.toml"))
            .unwrap_err()
            .to_string();
        let known = error
            .split_once("known kinds: ")
            .map(|(_, known)| known)
            .unwrap_or_else(|| panic!("no list of known kinds: {error}"));
        let listed: Vec<&str> = known.split(", ").collect();
        let all: Vec<&str> = GapKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(listed, all, "{error}");
    }
}
