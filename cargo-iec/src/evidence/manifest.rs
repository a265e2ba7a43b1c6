//! MANIFEST.sha256: one `HASH  PATH` line per file, sorted by path, the format
//! `sha256sum -c` checks.

use std::collections::BTreeMap;

use crate::environment::sha256_hex;

/// The manifest's file name.
pub const FILE: &str = "MANIFEST.sha256";

/// The manifest of `files` (path -> contents), which must not include the manifest.
pub fn render(files: &BTreeMap<String, Vec<u8>>) -> String {
    let mut out = String::new();
    for (path, bytes) in files {
        out.push_str(&sha256_hex(bytes));
        out.push_str("  ");
        out.push_str(path);
        out.push('\n');
    }
    out
}

/// A manifest line that is not `HASH  PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Parses a manifest into path -> hash; rejects malformed lines, duplicate paths and paths
/// that leave the bundle.
pub fn parse(text: &str) -> Result<BTreeMap<String, String>, BadLine> {
    let mut entries = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let bad = |message: &str| BadLine {
            line: index + 1,
            message: message.to_string(),
        };
        let (hash, path) = line
            .split_once("  ")
            .ok_or_else(|| bad("expected `SHA256  PATH`"))?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad("the hash is not 64 hexadecimal digits"));
        }
        if path.is_empty()
            || path.starts_with('/')
            || path.contains('\\')
            || path
                .split('/')
                .any(|part| part.is_empty() || part == "." || part == "..")
        {
            return Err(bad(&format!(
                "`{path}` is not a plain path inside the bundle"
            )));
        }
        if entries
            .insert(path.to_string(), hash.to_ascii_lowercase())
            .is_some()
        {
            return Err(bad(&format!("`{path}` is listed twice")));
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rendered_manifest_parses_back() {
        let files = BTreeMap::from([
            ("b.json".to_string(), b"{}".to_vec()),
            ("a.txt".to_string(), b"a".to_vec()),
        ]);
        let text = render(&files);
        assert!(text.starts_with(&sha256_hex(b"a")), "{text}");
        let parsed = parse(&text).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed["b.json"], sha256_hex(b"{}"));
    }

    #[test]
    fn paths_leaving_the_bundle_and_bad_hashes_are_rejected() {
        let hash = "0".repeat(64);
        assert!(parse(&format!("{hash}  ../etc/passwd\n")).is_err());
        assert!(parse(&format!("{hash}  /abs\n")).is_err());
        assert!(parse("abc  x\n").is_err());
        assert!(parse(&format!("{hash}  x\n{hash}  x\n")).is_err());
    }
}
