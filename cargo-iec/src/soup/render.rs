//! The SOUP list as a table, JSON, CSV and CycloneDX 1.5.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{SoupCrate, SoupList, Use};

/// Sorted, schema-versioned JSON (`iec-trace/soup/v1`) with a trailing newline.
#[iec_runtime::requirement("TR-SOUP-FORMATS")]
pub fn json(list: &SoupList) -> String {
    let mut text = serde_json::to_string_pretty(list)
        .unwrap_or_else(|error| format!("{{\"error\": \"cannot serialise the list: {error}\"}}"));
    text.push('\n');
    text
}

/// Where a crate comes from, briefly: `crates.io`, the git URL, or the registry.
fn short_source(source: Option<&str>) -> String {
    match source {
        None => "path".to_string(),
        Some("registry+https://github.com/rust-lang/crates.io-index") => "crates.io".to_string(),
        Some(other) => other
            .split_once('+')
            .map_or(other, |(_, url)| url)
            .to_string(),
    }
}

/// Aligned text for people: one line per crate, then the toolchain.
#[iec_runtime::requirement("TR-SOUP-FORMATS")]
pub fn table(list: &SoupList) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "crate".to_string(),
        "version".to_string(),
        "use".to_string(),
        "license".to_string(),
        "source".to_string(),
        "checksum".to_string(),
    ]];
    for item in &list.crates {
        rows.push([
            item.name.clone(),
            item.version.clone(),
            item.uses
                .iter()
                .map(|u| u.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            item.license
                .clone()
                .or_else(|| item.license_file.as_ref().map(|f| format!("see {f}")))
                .unwrap_or_else(|| "(none declared)".to_string()),
            short_source(item.source.as_deref()),
            item.checksum.as_deref().map_or_else(
                || "-".to_string(),
                |c| format!("{}…", &c[..c.len().min(12)]),
            ),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    let count = |wanted: Use| {
        list.crates
            .iter()
            .filter(|c| c.primary_use == wanted)
            .count()
    };
    let _ = writeln!(
        out,
        "SOUP of {}: {} crate{} ({} product, {} development tool, {} test tool)\n",
        list.packages.join(", "),
        list.crates.len(),
        if list.crates.len() == 1 { "" } else { "s" },
        count(Use::Product),
        count(Use::DevelopmentTool),
        count(Use::TestTool),
    );
    for row in &rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line.push_str(cell);
            } else {
                let _ = write!(line, "{cell:width$}  ", width = widths[c]);
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let toolchain = &list.toolchain;
    let _ = writeln!(
        out,
        "\nToolchain: rustc {} ({}), host {}; {}",
        toolchain.rustc.release.as_deref().unwrap_or("?"),
        toolchain.rustc.commit_hash.as_deref().unwrap_or("?"),
        toolchain.rustc.host.as_deref().unwrap_or("?"),
        toolchain.cargo.as_deref().unwrap_or("cargo ?"),
    );
    let _ = writeln!(
        out,
        "Standard library {}: {}",
        toolchain.rustc.release.as_deref().unwrap_or("?"),
        toolchain
            .standard_library
            .iter()
            .map(|s| format!("{} ({})", s.name, s.primary_use.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out
}

/// One row per crate, RFC 4180 quoting.
#[iec_runtime::requirement("TR-SOUP-FORMATS")]
pub fn csv(list: &SoupList) -> Result<String, ::csv::Error> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record([
        "name",
        "version",
        "use",
        "uses",
        "license",
        "license_file",
        "source",
        "checksum",
        "repository",
        "homepage",
        "authors",
        "description",
    ])?;
    for item in &list.crates {
        let uses = item
            .uses
            .iter()
            .map(|u| u.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        writer.write_record([
            item.name.as_str(),
            item.version.as_str(),
            item.primary_use.as_str(),
            uses.as_str(),
            item.license.as_deref().unwrap_or(""),
            item.license_file.as_deref().unwrap_or(""),
            item.source.as_deref().unwrap_or(""),
            item.checksum.as_deref().unwrap_or(""),
            item.repository.as_deref().unwrap_or(""),
            item.homepage.as_deref().unwrap_or(""),
            item.authors.join("; ").as_str(),
            item.description.as_deref().unwrap_or(""),
        ])?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|error| ::csv::Error::from(error.into_error()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Cargo's `MIT/Apache-2.0` is the old way of writing `MIT OR Apache-2.0`.
fn spdx_expression(license: &str) -> String {
    license
        .split('/')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn component(item: &SoupCrate, bom_ref: &str) -> Value {
    let mut component = json!({
        "type": "library",
        "bom-ref": bom_ref,
        "name": item.name,
        "version": item.version,
        "purl": item.purl,
        // CycloneDX: `excluded` means not needed at run time (build and test tools).
        "scope": if item.primary_use == Use::Product { "required" } else { "excluded" },
    });
    if let Some(description) = &item.description {
        component["description"] = json!(description);
    }
    if !item.authors.is_empty() {
        component["author"] = json!(item.authors.join(", "));
    }
    if let Some(license) = &item.license {
        component["licenses"] = json!([{ "expression": spdx_expression(license) }]);
    } else if let Some(file) = &item.license_file {
        component["licenses"] = json!([{ "license": { "name": format!("see {file}") } }]);
    }
    if let Some(checksum) = &item.checksum {
        component["hashes"] = json!([{ "alg": "SHA-256", "content": checksum }]);
    }
    let mut references = Vec::new();
    if let Some(repository) = &item.repository {
        references.push(json!({ "type": "vcs", "url": repository }));
    }
    if let Some(homepage) = &item.homepage {
        references.push(json!({ "type": "website", "url": homepage }));
    }
    if let Some(source) = &item.source {
        references.push(json!({ "type": "distribution", "url": source }));
    }
    if !references.is_empty() {
        component["externalReferences"] = json!(references);
    }
    let mut properties =
        vec![json!({ "name": "iec-trace:use", "value": item.primary_use.as_str() })];
    for other in item.uses.iter().skip(1) {
        properties.push(json!({ "name": "iec-trace:use", "value": other.as_str() }));
    }
    component["properties"] = json!(properties);
    component
}

/// A CycloneDX 1.5 JSON bill of materials: the selected packages as the metadata component,
/// every SOUP crate and the standard library as components, the toolchain as tools, and
/// the dependency graph. No timestamp or serial number, so equal inputs give equal files.
#[iec_runtime::requirement("TR-SOUP-FORMATS")]
pub fn cyclonedx(list: &SoupList) -> String {
    let mut refs: BTreeMap<String, String> = BTreeMap::new();
    for item in &list.crates {
        let key = format!("{}@{}", item.name, item.version);
        let bom_ref = if refs.values().any(|r| *r == item.purl) {
            format!("{}#{}", item.purl, item.source.as_deref().unwrap_or("path"))
        } else {
            item.purl.clone()
        };
        refs.entry(key).or_insert(bom_ref);
    }
    let release = list.toolchain.rustc.release.clone().unwrap_or_default();
    let mut components: Vec<Value> = list
        .crates
        .iter()
        .map(|item| {
            let key = format!("{}@{}", item.name, item.version);
            component(
                item,
                refs.get(&key).map_or(item.purl.as_str(), String::as_str),
            )
        })
        .collect();
    for std in &list.toolchain.standard_library {
        components.push(json!({
            "type": "library",
            "bom-ref": format!("rust-{}@{release}", std.name),
            "name": std.name,
            "version": release,
            "group": "rust-lang",
            "scope": if std.primary_use == Use::Product { "required" } else { "excluded" },
            "licenses": [{ "expression": std.license }],
            "externalReferences": [{ "type": "vcs", "url": std.repository }],
            "properties": [{ "name": "iec-trace:use", "value": std.primary_use.as_str() }],
        }));
    }
    let products: Vec<Value> = list
        .packages
        .iter()
        .map(|p| {
            let (name, version) = p.split_once('@').unwrap_or((p, ""));
            json!({
                "type": "application",
                "bom-ref": format!("pkg:cargo/{name}@{version}"),
                "name": name,
                "version": version,
                "purl": format!("pkg:cargo/{name}@{version}"),
            })
        })
        .collect();
    let main = match products.as_slice() {
        [one] => one.clone(),
        _ => json!({
            "type": "application",
            "bom-ref": "workspace",
            "name": "workspace",
            "components": products,
        }),
    };
    let mut dependencies: Vec<Value> = list
        .crates
        .iter()
        .map(|item| {
            let key = format!("{}@{}", item.name, item.version);
            json!({
                "ref": refs.get(&key).cloned().unwrap_or_else(|| item.purl.clone()),
                "dependsOn": item
                    .dependencies
                    .iter()
                    .filter_map(|d| refs.get(d).cloned())
                    .collect::<Vec<_>>(),
            })
        })
        .collect();
    dependencies.sort_by(|a, b| a["ref"].as_str().cmp(&b["ref"].as_str()));
    let mut tools = vec![json!({
        "type": "application",
        "name": "cargo-iec",
        "version": env!("CARGO_PKG_VERSION"),
    })];
    tools.push(json!({
        "type": "application",
        "group": "rust-lang",
        "name": "rustc",
        "version": release,
        "description": list.toolchain.rustc.verbose_version.lines().next().unwrap_or(""),
    }));
    if let Some(cargo) = &list.toolchain.cargo {
        tools.push(json!({
            "type": "application",
            "group": "rust-lang",
            "name": "cargo",
            "version": cargo.split_whitespace().nth(1).unwrap_or(""),
            "description": cargo,
        }));
    }
    let bom = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "metadata": {
            "tools": { "components": tools },
            "component": main,
        },
        "components": components,
        "dependencies": dependencies,
    });
    let mut text = serde_json::to_string_pretty(&bom).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_style_license_lists_become_spdx_expressions() {
        assert_eq!(spdx_expression("MIT/Apache-2.0"), "MIT OR Apache-2.0");
        assert_eq!(spdx_expression("MIT OR Apache-2.0"), "MIT OR Apache-2.0");
    }

    #[test]
    fn crates_io_is_named_briefly() {
        assert_eq!(
            short_source(Some(
                "registry+https://github.com/rust-lang/crates.io-index"
            )),
            "crates.io"
        );
        assert_eq!(
            short_source(Some("git+https://example.org/x.git#abc")),
            "https://example.org/x.git#abc"
        );
        assert_eq!(short_source(None), "path");
    }
}
