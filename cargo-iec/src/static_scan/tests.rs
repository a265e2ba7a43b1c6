//! One behaviour per test, on small source trees written to a temporary directory.

use std::path::Path;

use iec_runtime::requirement;

use super::*;

/// Writes `files` (path, text) under a new temporary directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn target(dir: &Path, kind: &str, name: &str, root: &str) -> TargetSource {
    TargetSource {
        target: TargetRef {
            package: "demo".to_string(),
            kind: kind.to_string(),
            name: name.to_string(),
        },
        crate_name: name.replace('-', "_"),
        root: dir.join(root),
        edition: "2021".to_string(),
        extern_crates: vec!["iec_runtime".to_string(), "other".to_string()],
        runtime_crates: vec!["iec_runtime".to_string()],
    }
}

fn scan_with(files: &[(&str, &str)], options: &ScanOptions) -> Scan {
    let dir = tree(files);
    let lib = target(dir.path(), "lib", "demo", "src/lib.rs");
    scan_targets(dir.path(), &[lib], options)
}

/// Scans a lib whose root is `src/lib.rs`, with the fast reader and with full parsing, and
/// checks both give the same result.
fn scan(files: &[(&str, &str)]) -> Scan {
    let fast = scan_with(files, &ScanOptions::default());
    let full = scan_with(
        files,
        &ScanOptions {
            full_parse: true,
            ..ScanOptions::default()
        },
    );
    assert_eq!(fast, full, "the fast reader and syn disagree");
    fast
}

/// `path kind file:line:column` of every record.
fn found(scan: &Scan) -> Vec<String> {
    scan.records
        .iter()
        .map(|r| {
            format!(
                "{} {} {}:{}:{}",
                r.path, r.item_kind, r.file, r.line, r.column
            )
        })
        .collect()
}

fn paths(scan: &Scan) -> Vec<&str> {
    scan.records.iter().map(|r| r.path.as_str()).collect()
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn nested_inline_and_file_modules_give_full_paths() {
    let scan = scan(&[
        ("src/lib.rs", "pub mod a;\npub mod b { pub mod c; }\n"),
        ("src/a.rs", "pub mod deep;\n"),
        (
            "src/a/deep.rs",
            "use iec_runtime::requirement;\n#[requirement(\"R-1\")]\npub fn f() {}\n",
        ),
        (
            "src/b/c.rs",
            "#[iec_runtime::requirement(\"R-2\")]\npub fn g() {}\n",
        ),
    ]);
    assert_eq!(
        found(&scan),
        [
            "demo::a::deep::f fn src/a/deep.rs:3:8",
            "demo::b::c::g fn src/b/c.rs:2:8"
        ]
    );
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
}

#[test]
fn mod_rs_and_non_mod_rs_files_own_their_directories() {
    let scan = scan(&[
        ("src/lib.rs", "mod a;\nmod b;\n"),
        ("src/a/mod.rs", "mod x;\n"),
        (
            "src/a/x.rs",
            "#[iec_runtime::requirement(\"R-1\")]\nfn in_a() {}\n",
        ),
        ("src/b.rs", "mod y;\n"),
        (
            "src/b/y.rs",
            "#[iec_runtime::requirement(\"R-1\")]\nfn in_b() {}\n",
        ),
    ]);
    assert_eq!(paths(&scan), ["demo::a::x::in_a", "demo::b::y::in_b"]);
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn path_attribute_on_a_file_module_is_relative_to_the_declaring_file() {
    let scan = scan(&[
        ("src/lib.rs", "mod a;\n"),
        ("src/a.rs", "#[path = \"elsewhere/p.rs\"]\nmod p;\n"),
        (
            "src/elsewhere/p.rs",
            "mod child;\n#[iec_runtime::requirement(\"R-1\")]\nfn f() {}\n",
        ),
        // A file loaded through #[path] is like mod.rs: its children are its siblings.
        (
            "src/elsewhere/child.rs",
            "#[iec_runtime::requirement(\"R-1\")]\nfn g() {}\n",
        ),
    ]);
    assert_eq!(paths(&scan), ["demo::a::p::child::g", "demo::a::p::f"]);
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
}

#[test]
fn path_attribute_inside_an_inline_module_is_relative_to_its_directory() {
    let scan = scan(&[
        ("src/lib.rs", "mod a;\n"),
        (
            "src/a.rs",
            "mod inl {\n    #[path = \"q.rs\"]\n    mod q;\n}\n",
        ),
        (
            "src/a/inl/q.rs",
            "#[iec_runtime::requirement(\"R-1\")]\nfn f() {}\n",
        ),
    ]);
    assert_eq!(paths(&scan), ["demo::a::inl::q::f"]);
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn path_attribute_on_an_inline_module_names_its_directory() {
    let scan = scan(&[
        (
            "src/lib.rs",
            "mod outer {\n    #[path = \"dir\"]\n    mod inl { mod leaf; }\n}\n",
        ),
        (
            "src/outer/dir/leaf.rs",
            "#[iec_runtime::requirement(\"R-1\")]\nfn f() {}\n",
        ),
    ]);
    assert_eq!(paths(&scan), ["demo::outer::inl::leaf::f"]);
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
}

#[test]
fn inherent_and_generic_methods_are_named_type_method() {
    let scan = scan(&[(
        "src/lib.rs",
        "use iec_runtime::requirement;\npub struct Pid<T>(T);\nimpl<T: Copy> Pid<T> {\n    #[requirement(\"R-1\")]\n    pub fn p(&self) {}\n    #[requirement(\"R-1\")]\n    pub const K: u8 = 1;\n}\n",
    )]);
    assert_eq!(
        found(&scan),
        [
            "demo::Pid::K const src/lib.rs:7:15",
            "demo::Pid::p fn src/lib.rs:5:12"
        ]
    );
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn trait_impl_methods_are_named_by_the_self_type() {
    let scan = scan(&[(
        "src/lib.rs",
        "use iec_runtime::requirement;\npub struct Motor;\nimpl Drop for Motor {\n    #[requirement(\"R-1\")]\n    fn drop(&mut self) {}\n}\npub trait Local { fn l(&self); }\nimpl Local for Vec<u8> {\n    #[requirement(\"R-1\")]\n    fn l(&self) {}\n}\n",
    )]);
    assert_eq!(paths(&scan), ["alloc::vec::Vec::l", "demo::Motor::drop"]);
}

#[test]
fn trait_default_methods_are_named_by_the_trait() {
    let scan = scan(&[(
        "src/lib.rs",
        "use iec_runtime::requirement;\npub mod m {\n    use iec_runtime::requirement;\n    pub trait Biquad<T> {\n        #[requirement(\"R-1\")]\n        fn dflt(&self) -> u8 { 0 }\n    }\n}\n",
    )]);
    assert_eq!(paths(&scan), ["demo::m::Biquad::dflt"]);
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn an_impl_away_from_its_type_and_trait_names_methods_by_its_module() {
    // rustc prints `demo::tests::<impl demo::Foo>::helper`, normalized to this.
    let scan = scan(&[(
        "src/lib.rs",
        "pub struct Foo;\nmod tests {\n    use iec_runtime::requirement;\n    use super::Foo;\n    impl Foo {\n        #[requirement(\"R-1\")]\n        fn helper() {}\n    }\n    impl super::Foo { #[requirement(\"R-1\")] fn other() {} }\n}\n",
    )]);
    assert_eq!(paths(&scan), ["demo::tests::helper", "demo::tests::other"]);
}

#[test]
fn methods_of_an_imported_type_use_its_definition_path_next_to_a_local_trait() {
    let scan = scan(&[(
        "src/lib.rs",
        "pub mod a { pub struct Foo; }\npub mod b {\n    use crate::a::Foo as Renamed;\n    pub trait Bt { fn bt(&self); }\n    impl Bt for Renamed {\n        #[iec_runtime::requirement(\"R-1\")]\n        fn bt(&self) {}\n    }\n}\n",
    )]);
    assert_eq!(paths(&scan), ["demo::a::Foo::bt"]);
}

#[test]
fn an_annotated_impl_block_is_named_by_its_self_type_as_written() {
    let scan = scan(&[(
        "src/lib.rs",
        "use iec_runtime::requirement;\npub struct Pid<T>(T);\n#[requirement(\"R-1\")]\nimpl<T> Pid<T> {}\n",
    )]);
    assert_eq!(found(&scan), ["demo::Pid impl src/lib.rs:4:9"]);
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn a_renamed_import_is_an_annotation() {
    let scan = scan(&[(
        "src/lib.rs",
        "use iec_runtime::requirement as implements;\n#[implements(\"R-1\")]\npub fn f() {}\n",
    )]);
    assert_eq!(paths(&scan), ["demo::f"]);
}

#[test]
fn a_renamed_import_in_a_group_is_an_annotation() {
    let scan = scan(&[(
        "src/lib.rs",
        "use iec_runtime::{requirement as req, software_unit as unit};\n#[req(\"R-1\")]\npub fn f() {}\n#[unit(item = \"SI-1\")]\npub mod m {}\n",
    )]);
    assert_eq!(paths(&scan), ["demo::f", "demo::m"]);
    let Declares::Unit(unit) = &scan.records[1].declares else {
        panic!("not a unit: {:?}", scan.records[1]);
    };
    assert_eq!(unit.item.as_deref(), Some("SI-1"));
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn a_qualified_attribute_needs_no_import() {
    let scan = scan(&[(
        "src/lib.rs",
        "#[iec_runtime::requirement(\"R-1\", partial)]\npub fn f() {}\n#[::iec_runtime::software_unit(id = \"SU-1\", class = \"B\")]\npub struct S;\n",
    )]);
    assert_eq!(paths(&scan), ["demo::S", "demo::f"]);
    assert_eq!(
        scan.records[1].declares,
        Declares::Requirements {
            ids: vec!["R-1".to_string()],
            qualifiers: vec!["partial".to_string()],
        }
    );
}

#[test]
fn a_glob_import_of_the_runtime_brings_the_annotations() {
    let scan = scan(&[(
        "src/lib.rs",
        "use iec_runtime::*;\n#[requirement(\"R-1\")]\npub fn f() {}\nmodule_unit!(item = \"SI-1\");\n",
    )]);
    assert_eq!(
        found(&scan),
        ["demo mod src/lib.rs:4:1", "demo::f fn src/lib.rs:3:8"]
    );
}

#[test]
fn an_attribute_of_another_crate_with_the_same_name_is_not_an_annotation() {
    let scan = scan(&[(
        "src/lib.rs",
        "use other::requirement;\n#[requirement(\"R-1\")]\npub fn f() {}\n",
    )]);
    assert!(scan.records.is_empty(), "{:?}", scan.records);
}

#[test]
fn an_alias_reexported_from_another_file_is_followed() {
    let scan = scan(&[
        (
            "src/lib.rs",
            "pub use iec_runtime::requirement as implements;\npub mod user;\n",
        ),
        (
            "src/user.rs",
            "use super::*;\n#[implements(\"R-1\")]\npub fn f() {}\n",
        ),
    ]);
    assert_eq!(paths(&scan), ["demo::user::f"]);
}

#[test]
fn module_macros_record_the_enclosing_module() {
    let scan = scan(&[
        ("src/lib.rs", "pub mod alarm;\npub mod pump;\n"),
        (
            "src/alarm.rs",
            "  iec_runtime::module_unit!(id = \"SU-ALARM\", item = \"SI-1\", class = \"B\");\n",
        ),
        (
            "src/pump.rs",
            "use iec_runtime::module_requirement;\nmodule_requirement!(\"R-1\", \"R-2\");\n",
        ),
    ]);
    assert_eq!(
        found(&scan),
        [
            "demo::alarm mod src/alarm.rs:1:3",
            "demo::pump mod src/pump.rs:2:1"
        ]
    );
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn cfg_conditions_are_recorded_outermost_first() {
    let scan = scan(&[
        (
            "src/lib.rs",
            "#[cfg(feature = \"x\")]\nmod gated;\n#[iec_runtime::requirement(\"R-1\")]\npub fn plain() {}\n",
        ),
        (
            "src/gated.rs",
            "#![cfg(unix)]\nmod inner {\n    #[cfg(not(feature   =  \"y\"))]\n    #[iec_runtime::requirement(\"R-1\")]\n    fn f() {}\n}\n",
        ),
    ]);
    let cfgs: Vec<(&str, Option<&str>)> = scan
        .records
        .iter()
        .map(|r| (r.path.as_str(), r.cfg.as_deref()))
        .collect();
    assert_eq!(
        cfgs,
        [
            (
                "demo::gated::inner::f",
                Some("feature = \"x\" && unix && not(feature = \"y\")")
            ),
            ("demo::plain", None),
        ]
    );
}

#[test]
fn items_of_a_cfg_test_module_carry_cfg_test() {
    let scan = scan(&[(
        "src/lib.rs",
        "#[cfg(test)]\nmod tests {\n    use iec_runtime::requirement;\n    #[test]\n    #[requirement(\"R-1\")]\n    fn verifies() {}\n}\n",
    )]);
    assert_eq!(scan.records.len(), 1);
    assert_eq!(scan.records[0].cfg.as_deref(), Some("test"));
    assert!(scan.records[0].is_test);
}

#[test]
fn an_annotation_under_cfg_attr_carries_its_predicate() {
    let scan = scan(&[(
        "src/lib.rs",
        "#[cfg_attr(feature = \"trace\", iec_runtime::requirement(\"R-1\"))]\npub fn f() {}\n",
    )]);
    assert_eq!(scan.records[0].cfg.as_deref(), Some("feature = \"trace\""));
}

#[test]
fn a_test_attribute_before_or_after_the_annotation_marks_a_test() {
    let scan = scan(&[(
        "src/lib.rs",
        "use iec_runtime::requirement;\n#[test]\n#[requirement(\"R-1\")]\nfn before() {}\n#[requirement(\"R-1\")]\n#[tokio::test]\nasync fn after() {}\n#[requirement(\"R-1\")]\nfn not_a_test() {}\n",
    )]);
    let tests: Vec<(&str, bool)> = scan
        .records
        .iter()
        .map(|r| (r.path.as_str(), r.is_test))
        .collect();
    assert_eq!(
        tests,
        [
            ("demo::after", true),
            ("demo::before", true),
            ("demo::not_a_test", false)
        ]
    );
}

#[test]
fn items_in_function_bodies_are_named_like_the_compiler_names_them() {
    // Functions by their enclosing function (`type_name`), other items by `module_path!()`.
    let scan = scan(&[(
        "src/lib.rs",
        "use iec_runtime::requirement;\npub fn outer() {\n    #[requirement(\"R-1\")]\n    fn inner() {}\n    let c = || {\n        #[requirement(\"R-1\")]\n        fn in_closure() {}\n    };\n    #[requirement(\"R-1\")]\n    struct Local;\n    impl Local { #[requirement(\"R-1\")] fn m(&self) {} }\n}\n",
    )]);
    assert_eq!(
        paths(&scan),
        [
            "demo::Local",
            "demo::outer::Local::m",
            "demo::outer::in_closure",
            "demo::outer::inner"
        ]
    );
}

#[test]
fn annotations_inside_macro_rules_are_unresolved_findings() {
    let scan = scan(&[(
        "src/lib.rs",
        "use iec_runtime::requirement;\nmacro_rules! lim {\n    ($n:ident) => { #[requirement(\"R-1\")] pub fn $n() {} };\n}\nlim!(tachy);\n",
    )]);
    assert!(scan.records.is_empty());
    assert_eq!(scan.unresolved.len(), 1, "{:?}", scan.unresolved);
    let finding = &scan.unresolved[0];
    assert_eq!(
        (finding.file.as_str(), finding.line, finding.column),
        ("src/lib.rs", 3, 21)
    );
    assert!(
        finding.reason.contains("macro_rules! lim"),
        "{}",
        finding.reason
    );
    assert_eq!(
        finding.declares,
        Some(Declares::Requirements {
            ids: vec!["R-1".to_string()],
            qualifiers: Vec::new(),
        })
    );
}

#[test]
fn annotations_inside_a_macro_invocation_are_unresolved_findings() {
    let scan = scan(&[(
        "src/lib.rs",
        "cfg_if::cfg_if! {\n    if #[cfg(unix)] {\n        #[iec_runtime::requirement(\"R-1\")]\n        fn f() {}\n    }\n}\n",
    )]);
    assert!(scan.records.is_empty());
    assert_eq!(scan.unresolved.len(), 1);
    assert_eq!(scan.unresolved[0].line, 3);
    assert!(scan.unresolved[0].reason.contains("cfg_if::cfg_if!"));
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn a_file_that_does_not_parse_is_reported_with_line_and_column_and_the_scan_goes_on() {
    let scan = scan(&[
        ("src/lib.rs", "mod broken;\nmod fine;\n"),
        (
            "src/broken.rs",
            "#[iec_runtime::requirement(\"R-1\")]\nfn f() {}\npub fn 3d() {}\n",
        ),
        (
            "src/fine.rs",
            "#[iec_runtime::requirement(\"R-1\")]\nfn g() {}\n",
        ),
    ]);
    assert_eq!(paths(&scan), ["demo::fine::g"]);
    assert_eq!(scan.errors.len(), 1, "{:?}", scan.errors);
    let error = &scan.errors[0];
    assert_eq!(
        (error.file.as_str(), error.line, error.column),
        ("src/broken.rs", 3, 8)
    );
    assert!(
        error
            .to_string()
            .starts_with("src/broken.rs:3:8: cannot parse this file: "),
        "{error}"
    );
}

#[test]
fn a_syntax_error_inside_an_annotated_body_is_reported() {
    let scan = scan(&[(
        "src/lib.rs",
        "fn f() {\n    #[iec_runtime::requirement(\"R-1\")]\n    fn inner() {}\n    let x = ;\n}\n",
    )]);
    assert_eq!(scan.errors.len(), 1, "{:?}", scan.errors);
    assert_eq!((scan.errors[0].line, scan.errors[0].column), (4, 13));
}

#[test]
fn a_full_parse_also_reports_syntax_errors_in_bodies_without_annotations() {
    let files = [(
        "src/lib.rs",
        "#[iec_runtime::requirement(\"R-1\")]\nfn f() {\n    let x = ;\n}\n",
    )];
    let fast = scan_with(&files, &ScanOptions::default());
    assert!(
        fast.errors.is_empty(),
        "bodies without annotations are the compiler's business"
    );
    assert_eq!(fast.records.len(), 1);
    let full = scan_with(
        &files,
        &ScanOptions {
            full_parse: true,
            ..ScanOptions::default()
        },
    );
    assert_eq!(full.errors.len(), 1);
    assert_eq!((full.errors[0].line, full.errors[0].column), (3, 13));
}

#[test]
fn an_unbalanced_delimiter_is_reported_where_syn_reports_it() {
    let scan = scan(&[
        ("src/lib.rs", "mod broken;\n"),
        (
            "src/broken.rs",
            "#[iec_runtime::requirement(\"R-1\")]\nfn f() {\n",
        ),
    ]);
    assert_eq!(scan.errors.len(), 1, "{:?}", scan.errors);
    assert_eq!(scan.errors[0].file, "src/broken.rs");
    assert!(scan.errors[0].line >= 1);
}

#[test]
fn a_non_utf8_file_is_an_error_and_the_scan_goes_on() {
    let dir = tree(&[
        ("src/lib.rs", "mod latin;\nmod fine;\n"),
        (
            "src/fine.rs",
            "#[iec_runtime::requirement(\"R-1\")]\nfn g() {}\n",
        ),
    ]);
    std::fs::write(dir.path().join("src/latin.rs"), b"// ok\n// caf\xe9\n").unwrap();
    let lib = target(dir.path(), "lib", "demo", "src/lib.rs");
    let scan = scan_targets(dir.path(), &[lib], &ScanOptions::default());
    assert_eq!(paths(&scan), ["demo::fine::g"]);
    assert_eq!(scan.errors.len(), 1);
    let error = &scan.errors[0];
    assert_eq!(
        (error.file.as_str(), error.line, error.column),
        ("src/latin.rs", 2, 7)
    );
    assert!(error.message.contains("not valid UTF-8"));
}

#[test]
fn a_missing_module_file_is_an_error_at_its_declaration() {
    let scan = scan(&[(
        "src/lib.rs",
        "mod here {}\n  mod gone;\n#[iec_runtime::requirement(\"R-1\")]\nfn f() {}\n",
    )]);
    assert_eq!(paths(&scan), ["demo::f"]);
    assert_eq!(scan.errors.len(), 1);
    let error = &scan.errors[0];
    assert_eq!(
        (error.file.as_str(), error.line, error.column),
        ("src/lib.rs", 2, 7)
    );
    assert!(
        error
            .message
            .contains("neither `src/gone.rs` nor `src/gone/mod.rs` exists"),
        "{}",
        error.message
    );
}

#[test]
fn a_module_that_includes_itself_is_an_error() {
    let scan = scan(&[
        ("src/lib.rs", "mod a;\n"),
        ("src/a.rs", "#[path = \"a.rs\"]\nmod again;\n"),
    ]);
    assert_eq!(scan.errors.len(), 1, "{:?}", scan.errors);
    assert!(scan.errors[0].message.contains("circular modules"));
    assert_eq!(scan.errors[0].file, "src/a.rs");
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_an_error_and_the_scan_goes_on() {
    let dir = tree(&[
        ("src/lib.rs", "mod looped;\nmod fine;\n"),
        (
            "src/fine.rs",
            "#[iec_runtime::requirement(\"R-1\")]\nfn g() {}\n",
        ),
    ]);
    std::os::unix::fs::symlink("looped.rs", dir.path().join("src/looped.rs")).unwrap();
    let lib = target(dir.path(), "lib", "demo", "src/lib.rs");
    let scan = scan_targets(dir.path(), &[lib], &ScanOptions::default());
    assert_eq!(paths(&scan), ["demo::fine::g"]);
    assert_eq!(scan.errors.len(), 1, "{:?}", scan.errors);
    assert_eq!(
        (scan.errors[0].file.as_str(), scan.errors[0].line),
        ("src/lib.rs", 1)
    );
    assert!(
        scan.errors[0]
            .message
            .contains("cannot read module file `src/looped.rs`")
    );
}

#[test]
fn a_malformed_annotation_is_an_error_at_its_position() {
    let scan = scan(&[(
        "src/lib.rs",
        "#[iec_runtime::requirement(SRS_1)]\nfn f() {}\n",
    )]);
    assert!(scan.records.is_empty());
    assert_eq!(scan.errors.len(), 1);
    assert_eq!((scan.errors[0].line, scan.errors[0].column), (1, 1));
    assert!(scan.errors[0].message.contains("malformed"));
}

#[test]
fn test_targets_are_their_own_crates_and_see_their_modules() {
    let dir = tree(&[
        (
            "src/lib.rs",
            "#[iec_runtime::requirement(\"R-1\")]\npub fn lib_fn() {}\n",
        ),
        (
            "tests/it.rs",
            "mod common;\n#[test]\n#[iec_runtime::requirement(\"R-1\")]\nfn t() {}\n",
        ),
        (
            "tests/common/mod.rs",
            "#[iec_runtime::requirement(\"R-2\")]\npub fn helper() {}\n",
        ),
    ]);
    let targets = [
        target(dir.path(), "lib", "demo", "src/lib.rs"),
        target(dir.path(), "test", "it", "tests/it.rs"),
    ];
    let scan = scan_targets(dir.path(), &targets, &ScanOptions::default());
    let found: Vec<(&str, &str)> = scan
        .records
        .iter()
        .map(|r| (r.path.as_str(), r.target.name.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            ("demo::lib_fn", "demo"),
            ("it::common::helper", "it"),
            ("it::t", "it")
        ]
    );
}

#[test]
fn a_renamed_runtime_dependency_is_followed() {
    let dir = tree(&[(
        "src/lib.rs",
        "use iec::requirement as r;\n#[iec::requirement(\"R-1\")]\npub fn a() {}\n#[r(\"R-1\")]\npub fn b() {}\n",
    )]);
    let mut lib = target(dir.path(), "lib", "demo", "src/lib.rs");
    lib.runtime_crates = vec!["iec".to_string()];
    lib.extern_crates = vec!["iec".to_string()];
    let scan = scan_targets(dir.path(), &[lib], &ScanOptions::default());
    assert_eq!(paths(&scan), ["demo::a", "demo::b"]);
}

#[test]
fn words_in_comments_and_strings_are_not_annotations() {
    let scan = scan(&[(
        "src/lib.rs",
        "// #[iec_runtime::requirement(\"R-1\")] fn f() {}\n/// mod gone;\npub fn g() { let _ = \"#[iec_runtime::requirement(\\\"R-1\\\")] mod x;\"; }\n",
    )]);
    assert!(scan.records.is_empty());
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    assert!(scan.unresolved.is_empty());
}

/// The crate both channels read in [`both_channels_agree_on_a_real_crate`]: the cases the
/// fixtures above cover one by one, together.
const CROSS_CHECK: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[package]\nname = \"cross-check\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\niec-runtime = { path = \"@RUNTIME@\" }\n\n[workspace]\n",
    ),
    (
        "requirements.toml",
        "[[requirement]]\nid = \"R-1\"\ntitle = \"one\"\n\n[[requirement]]\nid = \"R-2\"\ntitle = \"two\"\n\n[[item]]\nid = \"SI-1\"\ntitle = \"item\"\n",
    ),
    (
        "src/lib.rs",
        r#"use iec_runtime::{requirement, software_unit};
pub mod a;
#[path = "elsewhere/renamed.rs"]
pub mod pathed;
pub mod inl {
    pub mod sub;
}
pub struct Top;
pub trait Tr {
    #[requirement("R-2")]
    fn dflt(&self) -> u8 { 0 }
}
impl Tr for Vec<u8> {}
impl Tr for u32 { #[requirement("R-1")] fn dflt(&self) -> u8 { 1 } }
pub type Alias = Top;
impl Alias { #[requirement("R-1")] pub fn via_alias() {} }
#[requirement("R-2")]
impl a::Foo { pub fn x() {} }
#[requirement("R-1")]
pub fn outer() -> u32 {
    #[requirement("R-2")]
    fn inner() -> u32 { 1 }
    struct Local;
    impl Local { #[requirement("R-2")] fn m(&self) {} }
    Local.m();
    let c = || { #[requirement("R-2")] fn in_closure() {} in_closure(); };
    c();
    inner()
}
#[software_unit(id = "SU-TOP", item = "SI-1", class = "B", segregation = "runs in its own task")]
impl Top {
    #[requirement("R-1")]
    pub const K: u8 = 1;
    #[requirement("R-1", partial)]
    pub fn meth() {}
}
#[requirement("R-1")]
pub static S: u8 = 0;
macro_rules! generated { ($n:ident) => { #[requirement("R-1")] pub fn $n() {} }; }
generated!(made_by_macro);
#[cfg(test)]
mod tests {
    use iec_runtime::requirement as verifies;
    #[test]
    #[verifies("R-1")]
    fn test_first() { super::outer(); }
    #[verifies("R-2")]
    #[test]
    fn test_second() { super::made_by_macro(); }
}
"#,
    ),
    (
        "src/a.rs",
        r#"use iec_runtime::{requirement as implements};
pub mod deep;
pub struct Foo;
impl Foo { #[implements("R-1")] pub fn y() {} }
impl crate::Tr for Foo { #[implements("R-2")] fn dflt(&self) -> u8 { 2 } }
impl super::Top { #[implements("R-1")] pub fn away() {} }
"#,
    ),
    (
        "src/a/deep.rs",
        "iec_runtime::module_unit!(item = \"SI-1\");\nuse iec_runtime::*;\n#[requirement(\"R-1\")]\npub fn d() {}\n",
    ),
    (
        "src/elsewhere/renamed.rs",
        "  iec_runtime::module_requirement!(\"R-2\");\npub mod child;\n",
    ),
    (
        "src/elsewhere/child.rs",
        "/* é */ #[iec_runtime::requirement(\"R-2\")] pub fn c() {}\n",
    ),
    (
        "src/inl/sub.rs",
        "use iec_runtime::module_requirement;\nmodule_requirement!(\"R-1\");\n",
    ),
    (
        "tests/it.rs",
        "mod common;\n#[test]\n#[iec_runtime::requirement(\"R-1\")]\nfn integration() { common::helper(); }\n",
    ),
    (
        "tests/common/mod.rs",
        "#[iec_runtime::requirement(\"R-2\")]\npub fn helper() {}\n",
    ),
];

/// Writes the cross-check crate where its builds are kept between runs, touching only the
/// files whose text changed (so cargo does not rebuild for nothing).
fn cross_check_crate() -> std::path::PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let runtime = std::fs::canonicalize(manifest_dir.join("../iec-runtime")).unwrap();
    let dir = manifest_dir.join("../target/static-scan-tests/cross-check");
    for (path, text) in CROSS_CHECK {
        let text = text.replace("@RUNTIME@", &runtime.display().to_string());
        let path = dir.join(path);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
    }
    crate::workspace::normalize(&dir)
}

#[test]
#[requirement("TR-TRACE-STATIC")]
fn both_channels_agree_on_a_real_crate() {
    use crate::cli::PackageSelection;
    let dir = cross_check_crate();
    let selection = PackageSelection {
        manifest_path: Some(dir.join("Cargo.toml")),
        ..PackageSelection::default()
    };
    let workspace = crate::workspace::Workspace::load(&selection).unwrap();
    let compiled = crate::compiled::collect(&workspace, &selection).unwrap();
    let scanned = super::scan(&workspace);
    assert!(scanned.errors.is_empty(), "{:?}", scanned.errors);
    let without_cfg = |records: &[Record]| -> std::collections::BTreeSet<Record> {
        records
            .iter()
            .map(|r| Record {
                cfg: None,
                ..r.clone()
            })
            .collect()
    };
    let compiled_set = without_cfg(&compiled.records);
    let static_set = without_cfg(&scanned.records);
    let only_compiled: Vec<&Record> = compiled_set.difference(&static_set).collect();
    let only_static: Vec<&Record> = static_set.difference(&compiled_set).collect();
    assert!(
        only_static.is_empty(),
        "only the static channel saw {only_static:#?}"
    );
    // The one record the static channel cannot name is the macro-generated function, and
    // it is reported as an unresolved finding with the same annotation.
    assert_eq!(
        only_compiled
            .iter()
            .map(|r| r.path.as_str())
            .collect::<Vec<_>>(),
        ["cross_check::made_by_macro"],
        "{only_compiled:#?}"
    );
    assert_eq!(scanned.unresolved.len(), 1, "{:?}", scanned.unresolved);
    assert_eq!(
        scanned.unresolved[0].declares.as_ref(),
        Some(&only_compiled[0].declares)
    );
    assert!(compiled_set.len() >= 25, "{compiled_set:#?}");
}

/// A 16 KiB input the `static_scan` fuzz target found (fuzz/regressions/static_scan/):
/// its glob imports made every failed name lookup resolve every glob again, exponentially
/// (13 s in the optimised fuzz build). Each glob is now resolved once per scope; the CI
/// fuzz smoke also runs this input under libFuzzer's 10 s timeout.
#[test]
#[requirement("TR-TRACE-STATIC")]
fn glob_imports_are_resolved_once_per_scope() {
    let input = include_bytes!("../../../fuzz/regressions/static_scan/timeout-glob-chains");
    let source = String::from_utf8_lossy(input);
    let fast = scan_with(&[("src/lib.rs", &source)], &ScanOptions::default());
    let again = scan_with(&[("src/lib.rs", &source)], &ScanOptions::default());
    assert_eq!(fast, again);
}

/// The unit hint is given for a file naming a unit annotation, outside function bodies,
/// and never for a workspace without one.
#[test]
#[requirement("TR-PERF-UNIT-HINT")]
fn the_unit_hint_is_given_for_unit_names_only() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let hints = |files: &[(&str, &str)]| {
        let count = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&count);
        let options = ScanOptions {
            unit_hint: UnitHint::new(move || {
                counter.fetch_add(1, Ordering::Relaxed);
            }),
            ..ScanOptions::default()
        };
        let _ = scan_with(files, &options);
        count.load(Ordering::Relaxed)
    };
    let requirement_only =
        "use iec_runtime::requirement;\n#[requirement(\"R-1\")]\npub fn f() {}\n";
    assert_eq!(hints(&[("src/lib.rs", requirement_only)]), 0);
    let unit = "use iec_runtime::software_unit;\n#[software_unit(id = \"SU-1\")]\npub mod m {}\n";
    assert!(hints(&[("src/lib.rs", unit)]) >= 1);
    let module_unit = "iec_runtime::module_unit!(id = \"SU-2\");\npub fn f() {}\n";
    assert!(hints(&[("src/lib.rs", module_unit)]) >= 1);
}
