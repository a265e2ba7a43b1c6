//! `cargo iec soup`: the third-party crates of a fixture, their use, and the formats.

use iec_acceptance::Fixture;
use iec_runtime::requirement;
use serde_json::Value;

fn soup(fixture: &Fixture, format: &str) -> String {
    let run = fixture.cargo_iec(["soup", "--format", format]);
    assert_eq!(run.code, 0, "{run}");
    run.stdout
}

fn crate_named<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["crates"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no crate {name} in the list:\n{list:#}"))
}

#[test]
#[requirement("TR-SOUP-LIST")]
fn each_crate_is_listed_with_its_use_checksum_and_license() {
    let fixture = Fixture::new("clean");
    let list: Value = serde_json::from_str(&soup(&fixture, "json")).expect("JSON");
    assert_eq!(list["schema"], "iec-trace/soup/v1");
    assert_eq!(list["packages"], serde_json::json!(["clean-pump@0.1.0"]));
    // iec-runtime is a path dependency of the fixture: SOUP from its point of view.
    let runtime = crate_named(&list, "iec-runtime");
    assert_eq!(runtime["use"], "product");
    assert!(
        runtime["source"].is_null(),
        "a path dependency: {runtime:#}"
    );
    let inventory = crate_named(&list, "inventory");
    assert_eq!(
        inventory["use"], "product",
        "a normal dependency of the product"
    );
    assert!(
        inventory["source"]
            .as_str()
            .is_some_and(|s| s.starts_with("registry+")),
        "{inventory:#}"
    );
    let lock = std::fs::read_to_string(fixture.path("Cargo.lock")).expect("Cargo.lock");
    let checksum = inventory["checksum"].as_str().expect("a checksum");
    assert!(
        lock.contains(checksum),
        "the checksum comes from Cargo.lock"
    );
    assert!(inventory["license"].is_string());
    assert!(inventory["repository"].is_string());
    assert_eq!(
        crate_named(&list, "iec-macros")["use"],
        "development-tool",
        "a proc-macro runs at build time"
    );
    assert_eq!(crate_named(&list, "syn")["use"], "development-tool");
    assert!(
        list["crates"]
            .as_array()
            .is_some_and(|all| all.iter().all(|c| c["name"] != "clean-pump")),
        "workspace members are not SOUP"
    );
    let std_names: Vec<&str> = list["toolchain"]["standard_library"]
        .as_array()
        .expect("standard library")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(std_names, ["core", "alloc", "std", "proc_macro", "test"]);
    assert!(list["toolchain"]["rustc"]["release"].is_string());
}

#[test]
#[requirement("TR-SOUP-LIST")]
fn dev_dependencies_are_test_tools() {
    let fixture = Fixture::new("clean");
    fixture.append("Cargo.toml", "\n[dev-dependencies]\nsha2 = \"0.10\"\n");
    let list: Value = serde_json::from_str(&soup(&fixture, "json")).expect("JSON");
    assert_eq!(crate_named(&list, "sha2")["use"], "test-tool");
    assert_eq!(
        crate_named(&list, "sha2")["uses"],
        serde_json::json!(["test-tool"])
    );
}

#[test]
#[requirement("TR-SOUP-FORMATS")]
fn the_formats_are_a_table_csv_and_cyclonedx_1_5() {
    let fixture = Fixture::new("clean");
    let table = soup(&fixture, "table");
    assert!(table.starts_with("SOUP of clean-pump@0.1.0: "), "{table}");
    assert!(table.contains("\nToolchain: rustc "), "{table}");
    let csv = soup(&fixture, "csv");
    assert!(
        csv.starts_with("name,version,use,uses,license,license_file,source,checksum,"),
        "{csv}"
    );
    let bom: Value = serde_json::from_str(&soup(&fixture, "cyclonedx")).expect("JSON");
    assert_eq!(bom["bomFormat"], "CycloneDX");
    assert_eq!(bom["specVersion"], "1.5");
    assert_eq!(bom["metadata"]["component"]["name"], "clean-pump");
    let components = bom["components"].as_array().expect("components");
    let inventory = components
        .iter()
        .find(|c| c["name"] == "inventory")
        .expect("inventory");
    assert_eq!(inventory["scope"], "required");
    assert_eq!(inventory["hashes"][0]["alg"], "SHA-256");
    assert!(
        inventory["purl"]
            .as_str()
            .is_some_and(|p| p.starts_with("pkg:cargo/inventory@"))
    );
    let syn = components.iter().find(|c| c["name"] == "syn").expect("syn");
    assert_eq!(syn["scope"], "excluded", "build-time only");
    assert!(
        bom["dependencies"]
            .as_array()
            .is_some_and(|d| !d.is_empty())
    );
    assert_eq!(
        soup(&fixture, "cyclonedx"),
        serde_json::to_string_pretty(&bom).expect("JSON") + "\n",
        "deterministic"
    );
}
