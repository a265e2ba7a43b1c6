//! Embeds the `cargo iec selftest` suite in the binary: the case workspaces under
//! `selftest/cases/` and, when built from the iec-trace repository, the sources of
//! iec-runtime, iec-macros and iec-model the cases build against (so an installed binary
//! tests the annotation crates of its own version, without the repository).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default());
    let mut files: Vec<(String, PathBuf)> = Vec::new();

    let cases = manifest_dir.join("selftest");
    println!("cargo::rerun-if-changed={}", cases.display());
    let mut found = Vec::new();
    walk(&cases, &mut found);
    for path in found {
        files.push((relative(&path, &cases), path));
    }

    // The annotation crates, when this is the repository (not a published package).
    let repository = manifest_dir.parent().unwrap_or(&manifest_dir).to_path_buf();
    let root_manifest = repository.join("Cargo.toml");
    let crates = ["iec-model", "iec-macros", "iec-runtime"];
    let mut embedded_runtime = false;
    if repository.join("iec-runtime/Cargo.toml").is_file() && root_manifest.is_file() {
        println!("cargo::rerun-if-changed={}", root_manifest.display());
        println!(
            "cargo::rerun-if-changed={}",
            repository.join("Cargo.lock").display()
        );
        for name in crates {
            let dir = repository.join(name);
            println!("cargo::rerun-if-changed={}", dir.join("src").display());
            println!(
                "cargo::rerun-if-changed={}",
                dir.join("Cargo.toml").display()
            );
            files.push((format!("runtime/{name}/Cargo.toml"), dir.join("Cargo.toml")));
            let mut sources = Vec::new();
            walk(&dir.join("src"), &mut sources);
            for path in sources {
                files.push((format!("runtime/{name}/{}", relative(&path, &dir)), path));
            }
        }
        // A workspace of the three crates, inheriting the repository's settings.
        let text = std::fs::read_to_string(&root_manifest).unwrap_or_default();
        let mut table: toml::Table = toml::from_str(&text).unwrap_or_default();
        if let Some(toml::Value::Table(workspace)) = table.get_mut("workspace") {
            workspace.insert(
                "members".to_string(),
                toml::Value::Array(crates.iter().map(|c| toml::Value::from(*c)).collect()),
            );
            workspace.remove("default-members");
            workspace.remove("metadata");
        }
        let synthetic = out_dir.join("runtime-Cargo.toml");
        std::fs::write(&synthetic, toml::to_string(&table).unwrap_or_default())
            .expect("write the runtime workspace manifest");
        files.push(("runtime/Cargo.toml".to_string(), synthetic));
        let lock = repository.join("Cargo.lock");
        if lock.is_file() {
            files.push(("runtime/Cargo.lock".to_string(), lock));
        }
        embedded_runtime = true;
    }

    files.sort();
    let mut code = String::from(
        "/// The embedded suite: (path, contents).\npub(crate) const FILES: &[(&str, &[u8])] = &[\n",
    );
    for (name, path) in &files {
        let _ = writeln!(
            code,
            "    ({name:?}, include_bytes!({:?})),",
            path.display().to_string()
        );
    }
    code.push_str("];\n");
    let _ = writeln!(
        code,
        "/// Whether the annotation crates' sources are embedded.\npub(crate) const EMBEDDED_RUNTIME: bool = {embedded_runtime};"
    );
    std::fs::write(out_dir.join("selftest_files.rs"), code).expect("write selftest_files.rs");
}
