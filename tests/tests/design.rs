//! `cargo iec design`: the architecture and unit design record, and the gaps it finds.

use iec_acceptance::{Fixture, Run};
use iec_runtime::requirement;
use serde_json::Value;

fn design(fixture: &Fixture, args: &[&str]) -> Run {
    let run = fixture.cargo_iec([&["design"], args].concat());
    assert_eq!(run.code, 0, "{run}");
    run
}

fn unit<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["items"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|item| item["units"].as_array().into_iter().flatten())
        .find(|unit| unit["id"] == id)
        .unwrap_or_else(|| panic!("no unit {id} in the record:\n{json:#}"))
}

/// `kind subject path` of every gap of a JSON trace.
fn gaps(json: &Value) -> Vec<String> {
    json["gaps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|gap| {
            format!(
                "{} {} {}",
                gap["kind"].as_str().unwrap_or_default(),
                gap["unit"].as_str().unwrap_or_default(),
                gap["path"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
#[requirement("TR-DESIGN-RECORD")]
#[requirement("TR-DESIGN-INTERFACE")]
#[requirement("TR-DESIGN-DEPENDENCIES")]
fn the_json_record_lists_items_units_interfaces_dependencies_and_soup() {
    let fixture = Fixture::new("design");
    let first = design(&fixture, &["--format", "json"]);
    let second = design(&fixture, &["--format", "json"]);
    assert_eq!(
        first.stdout, second.stdout,
        "the record is byte-identical run to run"
    );
    let json = first.json();
    assert_eq!(json["schema"], "iec-trace/design/v1");
    let control = unit(&json, "SU-CONTROL");
    assert_eq!(control["class"], "C");
    assert_eq!(control["class_source"], "assigned");
    assert_eq!(
        control["design_text"],
        "The control loop: one step per tick, each step logged."
    );
    assert_eq!(
        control["interface"][0]["signature"],
        "pub fn step(value: u32) -> bool;"
    );
    assert_eq!(control["requirements"][0]["id"], "SRS-1");
    assert_eq!(
        control["requirements"][0]["tests"][0]["path"],
        "design::a_step_is_logged"
    );
    assert_eq!(control["uses"], serde_json::json!(["SU-LOG"]));
    // The renamed dependency `checks` is the package vendor-helper.
    assert_eq!(control["soup"], serde_json::json!(["vendor-helper"]));
    assert_eq!(
        json["soup"],
        serde_json::json!([{"name": "vendor-helper", "version": "1.2.3", "used_by": ["SU-CONTROL"],
            "functional": null, "performance": null, "needs": null}])
    );
    assert!(
        json["dependencies"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"level": "item", "from": "SI-CORE", "to": "SI-LOG"})),
        "{json:#}"
    );
    fixture.snapshot_settings().bind(|| {
        insta::assert_snapshot!("design_json", first.stdout);
    });
}

#[test]
#[requirement("TR-DESIGN-GAPS")]
fn trace_reports_class_dependency_and_undocumented_unit_gaps() {
    let fixture = Fixture::new("design");
    let run = fixture.cargo_iec(["trace", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        gaps(&run.json()),
        [
            "class-dependency SI-CORE SI-LOG",
            "class-dependency SU-CONTROL design_pump::log",
            "undocumented-unit SU-BARE design_pump::bare",
            "undocumented-unit SU-BARE design_pump::bare::helper",
            "soup-unspecified SU-CONTROL vendor-helper",
        ]
    );
    let denied = fixture.cargo_iec(["trace", "--deny", "class-dependency"]);
    assert_eq!(denied.code, 1, "{denied}");
}

#[test]
#[requirement("TR-DESIGN-GAPS")]
fn a_segregation_rationale_and_doc_comments_clear_the_gaps() {
    let fixture = Fixture::new("design");
    fixture.append(
        "requirements.toml",
        "segregation = \"The log runs in its own partition and cannot write the core's memory.\"\n\n\
[[soup]]\nname = \"vendor-helper\"\nfunctional = \"Range checks.\"\n\
performance = \"Constant time.\"\nneeds = [\"core\"]\n",
    );
    fixture.write(
        "src/bare.rs",
        "//! A helper.\n\niec_runtime::module_unit!(id = \"SU-BARE\", item = \"SI-CORE\", class = \"C\");\n\nuse iec_runtime::requirement;\n\n/// One.\n#[requirement(\"SRS-3\")]\npub fn helper() -> u32 {\n    1\n}\n",
    );
    let run = fixture.cargo_iec(["trace", "--format", "json", "--deny", "all"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(gaps(&run.json()).is_empty(), "{run}");
}

#[test]
#[requirement("TR-DESIGN-DIAGRAM")]
fn the_html_embeds_the_diagram_and_the_markdown_links_it() {
    let fixture = Fixture::new("design");
    let html = design(&fixture, &["--format", "html"]);
    assert!(
        html.stdout
            .contains("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{html}"
    );
    assert!(html.stdout.contains("id=\"unit-SU-CONTROL\""), "{html}");
    assert!(
        html.stdout
            .contains("<title>SU-CONTROL uses SU-LOG</title>"),
        "{html}"
    );
    design(&fixture, &["--format", "markdown", "--output", "record.md"]);
    let markdown = fixture.read("record.md");
    assert!(
        markdown.contains("![Architecture diagram](record.svg)"),
        "{markdown}"
    );
    let svg = fixture.read("record.svg");
    assert!(svg.starts_with("<svg "), "{svg}");
    assert!(svg.contains(">SU-BARE<"), "{svg}");
}

#[test]
#[requirement("TR-DESIGN-DEPENDENCIES")]
#[requirement("TR-DESIGN-GAPS")]
fn items_made_of_crates_take_their_units_and_depend_through_the_cargo_graph() {
    let fixture = Fixture::new("design-crates");
    let json = design(&fixture, &["--workspace", "--format", "json"]).json();
    let ctl = unit(&json, "SU-CTL");
    assert_eq!(ctl["class"], "C");
    assert_eq!(ctl["class_source"], "inherited");
    assert_eq!(unit(&json, "SU-LOG")["class"], "A");
    assert_eq!(json["items"][0]["id"], "SI-CTL");
    assert_eq!(json["items"][0]["units"][0]["id"], "SU-CTL");
    assert!(
        json["dependencies"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"level": "item", "from": "SI-CTL", "to": "SI-LOG"})),
        "{json:#}"
    );
    let run = fixture.cargo_iec(["trace", "--workspace", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let found = gaps(&run.json());
    assert!(
        found.contains(&"class-dependency SI-CTL SI-LOG".to_string()),
        "{found:?}"
    );
    assert!(
        found.contains(&"class-dependency SU-CTL log".to_string()),
        "{found:?}"
    );
    // The trace's own list of units agrees with the record: a unit naming no item belongs
    // to the item made of its crate and inherits that item's class.
    let units = &run.json()["units"];
    let placed: Vec<String> = units
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            format!(
                "{} {} {} {}",
                u["id"].as_str().unwrap(),
                u["item"],
                u["class"],
                u["class_source"]
            )
        })
        .collect();
    assert_eq!(
        placed,
        [
            "SU-CTL \"SI-CTL\" \"C\" \"inherited\"",
            "SU-LOG \"SI-LOG\" \"A\" \"inherited\""
        ],
        "{units:#}"
    );
}

#[test]
#[requirement("TR-DESIGN-RECORD")]
fn with_results_each_verifying_test_shows_its_result() {
    let fixture = Fixture::new("design");
    fixture.write(
        "junit.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="design-pump::design" tests="2">
    <testcase classname="design-pump::design" name="a_step_is_logged" time="0.1"/>
    <testcase classname="design-pump::design" name="the_helper_helps" time="0.1"/>
  </testsuite>
</testsuites>
"#,
    );
    let json = design(&fixture, &["--format", "json", "--results", "junit.xml"]).json();
    let result = &unit(&json, "SU-CONTROL")["requirements"][0]["tests"][0]["result"];
    assert_eq!(result, "passed", "{json:#}");
    let without = design(&fixture, &["--format", "json"]).json();
    assert!(unit(&without, "SU-CONTROL")["requirements"][0]["tests"][0]["result"].is_null());
}

/// Runs `cargo doc` on the fixture (private items too) and returns the HTML page of `page`.
/// (Rustdoc never documents test functions; what the macro adds to a test is checked by
/// iec-macros' own tests.)
fn rustdoc_page(fixture: &Fixture, page: &str) -> String {
    let target = iec_acceptance::fixtures_target_dir().join(format!("doc-{}", fixture.name()));
    let output =
        std::process::Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .args([
                "doc",
                "--no-deps",
                "--lib",
                "--document-private-items",
                "--offline",
            ])
            .current_dir(fixture.root())
            .env("CARGO_TARGET_DIR", &target)
            .output()
            .expect("run cargo doc");
    assert!(
        output.status.success(),
        "cargo doc failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let path = target.join("doc").join(page);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("read {}: {error}", path.display()))
}

/// The text of an HTML page with tags removed and whitespace collapsed.
fn text_of(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
#[requirement("TR-DESIGN-DOCS")]
fn rustdoc_shows_the_requirements_an_item_implements_and_the_unit_it_is() {
    let fixture = Fixture::new("clean");
    let function = text_of(&rustdoc_page(&fixture, "clean_pump/fn.rate_dml_per_h.html"));
    assert!(
        function.contains("Rate in tenths of mL/h for volume_ml over minutes. Implements REQ-RATE, Rate from volume and time"),
        "the item's own docs, then the requirement with its title:\n{function}"
    );
    let unit = text_of(&rustdoc_page(&fixture, "clean_pump/dose/index.html"));
    assert!(
        unit.contains("Dose limits. Software unit SU-DOSE of software item SI-CTRL (Pump control)"),
        "the unit's ID and item with its title:\n{unit}"
    );
}

#[test]
#[requirement("TR-DESIGN-BUNDLE")]
fn the_evidence_bundle_holds_the_design_record_and_the_trace_links_each_unit_to_it() {
    let fixture = Fixture::new("design");
    let out = tempfile::tempdir().expect("temporary directory");
    let bundle = out.path().join("bundle");
    let run = fixture.cargo_iec(["test", "--out", &bundle.to_string_lossy()]);
    assert!(bundle.join("MANIFEST.sha256").is_file(), "{run}");
    let read = |file: &str| {
        std::fs::read_to_string(bundle.join(file))
            .unwrap_or_else(|error| panic!("read {file}: {error}\n{run}"))
    };
    let manifest = read("MANIFEST.sha256");
    for file in ["design.html", "design.json", "design.md", "design.svg"] {
        assert!(
            manifest.contains(&format!("  {file}\n")),
            "{file} in the manifest:\n{manifest}"
        );
    }
    let design: Value = serde_json::from_str(&read("design.json")).expect("design.json");
    assert_eq!(design["schema"], "iec-trace/design/v1");
    assert!(
        read("design.md").contains("](design.svg)"),
        "the Markdown links the diagram"
    );
    let trace: Value = serde_json::from_str(&read("trace.json")).expect("trace.json");
    let units: Vec<&str> = trace["units"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|unit| unit["id"].as_str())
        .collect();
    assert!(!units.is_empty(), "the fixture has units:\n{trace:#}");
    let (trace_html, design_html) = (read("trace.html"), read("design.html"));
    for id in units {
        assert!(
            trace_html.contains(&format!("href=\"design.html#unit-{id}\"")),
            "trace.html links unit {id} to the design record"
        );
        assert!(
            design_html.contains(&format!("id=\"unit-{id}\"")),
            "design.html has a section for unit {id}"
        );
        unit(&design, id);
    }
    // The design record's tests carry the run's results.
    assert!(
        design.to_string().contains("\"result\":\"passed\""),
        "{design:#}"
    );
    let verify = fixture.cargo_iec(["verify", &bundle.to_string_lossy()]);
    assert_eq!(verify.code, 0, "{verify}");
}

/// The static trace reads the workspace without its Cargo graph (`cargo metadata
/// --no-deps`) and resolves the graph only for the design gaps: they must be those of a
/// trace that read the graph first (SOUP from a dependency, dependencies between items made
/// of crates).
#[test]
#[requirement("TR-PERF-METADATA")]
#[requirement("TR-PERF-UNIT-HINT")]
#[requirement("TR-DESIGN-GAPS")]
fn the_static_trace_resolves_the_cargo_graph_for_the_design_gaps() {
    let fixture = Fixture::new("design");
    let run = fixture.cargo_iec(["trace", "--static", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        gaps(&run.json()),
        [
            "class-dependency SI-CORE SI-LOG",
            "class-dependency SU-CONTROL design_pump::log",
            "undocumented-unit SU-BARE design_pump::bare",
            "undocumented-unit SU-BARE design_pump::bare::helper",
            "soup-unspecified SU-CONTROL vendor-helper",
        ]
    );
    let fixture = Fixture::new("design-crates");
    let run = fixture.cargo_iec(["trace", "--static", "--workspace", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let found = gaps(&run.json());
    for expected in [
        "class-dependency SI-CTL SI-LOG",
        "class-dependency SU-CTL log",
    ] {
        assert!(found.contains(&expected.to_string()), "{found:?}");
    }
}

/// The graph is resolved beside the scan once a file names a unit: when that resolution
/// fails (a dependency cargo cannot find, which `cargo metadata --no-deps` does not
/// look up), the failure is still reported, as cargo words it, with exit code 2 and no
/// trace; it is not lost on its thread, and the trace does not hang waiting for it.
#[test]
#[requirement("TR-PERF-UNIT-HINT")]
fn a_graph_that_cannot_be_resolved_beside_the_scan_is_still_an_error() {
    let fixture = Fixture::new("design");
    // A registry dependency that does not exist, offline: `--no-deps` never looks it up,
    // the resolution fails at once.
    fixture.edit(
        "Cargo.toml",
        "[dependencies]\n",
        "[dependencies]\niec-trace-no-such-crate = \"99\"\n",
    );
    let run = iec_acceptance::run(
        fixture
            .command()
            .env("CARGO_NET_OFFLINE", "true")
            .args(["trace", "--static", "--format", "json"]),
    );
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert!(
        run.stderr
            .contains("no matching package named `iec-trace-no-such-crate`"),
        "{run}"
    );
}

/// The design gaps of a trace, `kind unit path`, without the other kinds.
fn design_gaps(json: &Value) -> Vec<String> {
    gaps(json)
        .into_iter()
        .filter(|gap| {
            [
                "class-dependency ",
                "undocumented-unit ",
                "soup-unspecified ",
            ]
            .iter()
            .any(|kind| gap.starts_with(kind))
        })
        .collect()
}

/// The design read parses only the modules on the way to a unit or inside one: the gaps
/// still cross crates, files and nested module files, and reach units on a fn, an impl and
/// a struct inside modules that are no unit.
#[test]
#[requirement("TR-PERF-DESIGN-READ")]
#[requirement("TR-DESIGN-GAPS")]
fn gaps_cross_crates_and_nested_module_files_and_reach_units_inside_plain_modules() {
    let fixture = Fixture::new("design-read");
    let expected = [
        // A module unit in `drive/mod.rs` using, from its nested file `drive/motor.rs`, a
        // class A module unit in a flat file of another crate and a class B fn unit in a
        // nested file of a module that is no unit.
        "class-dependency SU-DRIVE read_alarm::sound",
        "class-dependency SU-DRIVE read_pump::util::clamp::clamp",
        // An impl unit using a struct unit, both in modules that are no unit.
        "class-dependency SU-LIMIT read_pump::config::Config",
        "undocumented-unit SU-DRIVE read_pump::drive::motor::turn",
        // A class B unit using a third-party crate.
        "soup-unspecified SU-CLAMP read-soup",
    ];
    let compiled = fixture.cargo_iec(["trace", "--workspace", "--format", "json"]);
    assert_eq!(compiled.code, 0, "{compiled}");
    assert_eq!(design_gaps(&compiled.json()), expected, "{compiled}");
    let sources = fixture.cargo_iec(["trace", "--static", "--workspace", "--format", "json"]);
    assert_eq!(sources.code, 0, "{sources}");
    assert_eq!(design_gaps(&sources.json()), expected, "{sources}");

    let json = design(&fixture, &["--static", "--workspace", "--format", "json"]).json();
    let drive = unit(&json, "SU-DRIVE");
    assert_eq!(
        drive["design_text"],
        "The drive: turns the motor within the limits."
    );
    assert_eq!(
        drive["uses"],
        serde_json::json!(["SU-ALARM", "SU-CLAMP", "SU-LIMIT"])
    );
    let interface: Vec<&str> = drive["interface"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["path"].as_str())
        .collect();
    assert_eq!(
        interface,
        ["read_pump::drive::motor::turn", "read_pump::drive::run"]
    );
    // An impl unit without docs of its own takes its type's, from the module around it.
    let limit = unit(&json, "SU-LIMIT");
    assert_eq!(limit["design_text"], "Caps a rate at the configured limit.");
    assert_eq!(limit["uses"], serde_json::json!(["SU-CONFIG"]));
    assert_eq!(
        unit(&json, "SU-CONFIG")["design_text"],
        "The configured rate limit."
    );
    assert_eq!(
        unit(&json, "SU-CLAMP")["soup"],
        serde_json::json!(["read-soup"])
    );
}

/// Runs `args` in `dir` twice: with the design read limited to the units, then reading
/// every file (IEC_TRACE_DESIGN_FULL_READ); asserts both exit alike (0 or 1) and print the
/// same bytes, and returns the limited run.
fn limited_equals_full(dir: &std::path::Path, args: &[&str]) -> Run {
    let mut command = iec_acceptance::cargo_iec();
    command.current_dir(dir).args(args);
    let limited = iec_acceptance::run(&mut command);
    command.env("IEC_TRACE_DESIGN_FULL_READ", "1");
    let full = iec_acceptance::run(&mut command);
    assert!(
        limited.code <= 1,
        "{args:?} in {}: {limited}",
        dir.display()
    );
    assert_eq!(limited.code, full.code, "{args:?}: {limited}\n{full}");
    if let Some((line, (a, b))) = limited
        .stdout
        .lines()
        .zip(full.stdout.lines())
        .enumerate()
        .find(|(_, (a, b))| a != b)
    {
        panic!(
            "{args:?} in {}: line {} differs\n limited: {a}\n full:    {b}",
            dir.display(),
            line + 1
        );
    }
    assert_eq!(
        limited.stdout.len(),
        full.stdout.len(),
        "{args:?}: one output is longer"
    );
    limited
}

#[test]
#[requirement("TR-PERF-DESIGN-READ")]
fn the_read_limited_to_the_units_gives_the_trace_and_record_of_a_read_of_every_file() {
    let mut compared = 0;
    for name in [
        "design-read",
        "design",
        "design-crates",
        "model",
        "multi",
        "coverage",
        "clean",
        "impact",
    ] {
        let fixture = Fixture::new(name);
        for args in [
            ["trace", "--static", "--workspace", "--format", "json"],
            ["design", "--static", "--workspace", "--format", "json"],
        ] {
            limited_equals_full(fixture.root(), &args);
            compared += 1;
        }
    }
    // The example: a realistic crate whose units are modules, impls and structs.
    let root = iec_acceptance::workspace_root();
    let manifest = root.join("examples/infusion-pump/Cargo.toml");
    let manifest = manifest.to_string_lossy();
    for command in ["trace", "design"] {
        let args = [
            command,
            "--static",
            "--format",
            "json",
            "--manifest-path",
            &manifest,
        ];
        let run = limited_equals_full(&root, &args);
        assert!(run.stdout.contains("\"SU-"), "the example has units: {run}");
        compared += 1;
    }
    assert_eq!(compared, 18);
}
