//! The Doorstop and StrictDoc fixtures of the acceptance tests hold the same catalogue as
//! their TOML equivalent (tests/fixtures/interop-*), and their errors carry positions.

use std::path::{Path, PathBuf};

use iec_model::Catalogue;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures")
        .join(path)
}

fn load(sources: &[&str]) -> Catalogue {
    let paths: Vec<PathBuf> = sources.iter().map(|s| fixture(s)).collect();
    Catalogue::load_sources(&paths).unwrap_or_else(|e| panic!("{e}"))
}

type Shape = (
    String,
    String,
    String,
    Vec<String>,
    Option<String>,
    Option<String>,
);

fn shape(catalogue: &Catalogue) -> (Vec<Shape>, Vec<(String, String)>, Vec<String>) {
    (
        catalogue
            .requirements
            .iter()
            .map(|r| {
                (
                    r.id.clone(),
                    r.title.clone(),
                    r.text.clone(),
                    r.parent.clone(),
                    r.section.clone(),
                    r.class.map(|c| c.to_string()),
                )
            })
            .collect(),
        catalogue
            .sections
            .iter()
            .map(|s| (s.id.clone(), s.title.clone()))
            .collect(),
        catalogue
            .system_requirements
            .iter()
            .map(|s| s.id.clone())
            .collect(),
    )
}

#[test]
fn doorstop_and_strictdoc_read_the_same_catalogue_as_toml() {
    let toml = load(&[
        "interop-toml/reqs/system.toml",
        "interop-toml/reqs/software.toml",
    ]);
    let doorstop = load(&[
        "interop-doorstop/reqs/system.toml",
        "interop-doorstop/doorstop/SRS",
    ]);
    let strictdoc = load(&[
        "interop-strictdoc/reqs/system.toml",
        "interop-strictdoc/spec/srs.sdoc",
    ]);
    assert_eq!(toml.requirements.len(), 4);
    assert_eq!(shape(&doorstop), shape(&toml));
    assert_eq!(shape(&strictdoc), shape(&toml));
    // Each requirement names the file that defines it.
    assert!(
        doorstop
            .requirement("SRS-2")
            .unwrap()
            .file
            .ends_with("doorstop/SRS/SRS-2.yml")
    );
    assert_eq!(strictdoc.requirement("SRS-3").unwrap().line, 40);
    // Every file read is listed, for the macros' rebuild tracking.
    assert!(
        doorstop
            .files
            .iter()
            .any(|f| f.ends_with("SRS/.doorstop.yml"))
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iec-model-sources-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_broken_doorstop_item_is_reported_at_its_file_line_and_column() {
    let dir = scratch("doorstop");
    std::fs::write(dir.join(".doorstop.yml"), "settings:\n  prefix: SRS\n").unwrap();
    std::fs::write(dir.join("SRS1.yml"), "text: |\n  ok\nlinks:\n- SYS9\n").unwrap();
    std::fs::write(dir.join("SRS2.yml"), "text: [unclosed\n").unwrap();
    let error = Catalogue::load(&dir).unwrap_err();
    let messages: Vec<String> = error
        .problems
        .iter()
        .map(|p| {
            format!(
                "{}:{}: {}",
                error.file_of(p).file_name().unwrap().to_string_lossy(),
                p.position.unwrap(),
                p.message
            )
        })
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(
        messages[0].starts_with("SRS2.yml:2:1: invalid YAML"),
        "{messages:?}"
    );
    std::fs::write(dir.join("SRS2.yml"), "text: fine\n").unwrap();
    let error = Catalogue::load(&dir).unwrap_err().to_string();
    assert!(
        error.contains("SRS1.yml:4:3: unknown parent \"SYS9\""),
        "{error}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn ids_must_be_unique_across_sources() {
    let dir = scratch("duplicate");
    std::fs::write(
        dir.join("a.toml"),
        "[[requirement]]\nid = \"SRS-1\"\ntitle = \"a\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("b.sdoc"),
        "[DOCUMENT]\nTITLE: B\n\n[REQUIREMENT]\nUID: SRS-1\nTITLE: b\n",
    )
    .unwrap();
    let error = Catalogue::load_sources(&[dir.join("a.toml"), dir.join("b.sdoc")])
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("b.sdoc:5:6: duplicate ID \"SRS-1\": already defined at ")
            && error.contains("a.toml:2"),
        "{error}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}
