//! Package selection in a workspace of several crates, as cargo selects them: a virtual
//! manifest's default members, `-p`, `--workspace`, `--exclude`, `--manifest-path`.

use iec_acceptance::{Fixture, Run};
use iec_runtime::requirement;
use serde_json::Value;

fn trace(fixture: &Fixture, args: &[&str]) -> Run {
    let run = fixture.cargo_iec([&["trace", "--format", "json"], args].concat());
    assert_eq!(run.code, 0, "{run}");
    run
}

/// The packages of every link in the trace, sorted and deduplicated.
fn traced_packages(run: &Run) -> Vec<String> {
    let json = run.json();
    let mut packages: Vec<String> = json["requirements"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|requirement| {
            ["implemented_by", "verified_by"]
                .into_iter()
                .flat_map(move |links| requirement[links].as_array().into_iter().flatten())
        })
        .filter_map(|link| link["package"].as_str().map(str::to_string))
        .collect();
    packages.sort();
    packages.dedup();
    packages
}

#[test]
#[requirement("TR-TRACE-SELECT")]
fn a_virtual_manifest_without_flags_traces_its_default_members() {
    let fixture = Fixture::new("multi");
    assert_eq!(traced_packages(&trace(&fixture, &[])), ["multi-core"]);
}

#[test]
#[requirement("TR-TRACE-SELECT")]
fn workspace_traces_every_member_and_skips_the_one_without_iec_runtime() {
    let fixture = Fixture::new("multi");
    let run = trace(&fixture, &["--workspace"]);
    assert_eq!(traced_packages(&run), ["multi-alarms", "multi-core"]);
    assert_eq!(run.json()["gaps"], Value::Array(Vec::new()), "{run}");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.stdout));
}

#[test]
#[requirement("TR-TRACE-SELECT")]
fn workspace_table_matches_the_snapshot() {
    let fixture = Fixture::new("multi");
    let run = fixture.cargo_iec(["trace", "--workspace"]);
    assert_eq!(run.code, 0, "{run}");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.stdout));
}

#[test]
#[requirement("TR-TRACE-SELECT")]
fn package_traces_only_the_named_package() {
    let fixture = Fixture::new("multi");
    let run = trace(&fixture, &["-p", "multi-alarms"]);
    assert_eq!(traced_packages(&run), ["multi-alarms"]);
}

#[test]
#[requirement("TR-TRACE-SELECT")]
fn several_packages_can_be_named() {
    let fixture = Fixture::new("multi");
    let run = trace(&fixture, &["-p", "multi-alarms", "--package", "multi-core"]);
    assert_eq!(traced_packages(&run), ["multi-alarms", "multi-core"]);
}

#[test]
#[requirement("TR-TRACE-SELECT")]
fn exclude_removes_a_package_from_the_workspace() {
    let fixture = Fixture::new("multi");
    let run = trace(&fixture, &["--workspace", "--exclude", "multi-core"]);
    assert_eq!(traced_packages(&run), ["multi-alarms"]);
}

#[test]
#[requirement("TR-TRACE-SELECT")]
fn the_package_in_the_current_directory_is_traced_by_default() {
    let fixture = Fixture::new("multi");
    let run = fixture
        .command()
        .current_dir(fixture.path("crates/multi-alarms"))
        .args(["trace", "--format", "json"])
        .output()
        .expect("run cargo-iec");
    let run = Run {
        code: run.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&run.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&run.stderr).into_owned(),
    };
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(traced_packages(&run), ["multi-alarms"]);
}

#[test]
#[requirement("TR-TRACE-SELECT")]
fn manifest_path_traces_a_workspace_from_another_directory() {
    let fixture = Fixture::new("multi");
    let manifest = fixture.path("Cargo.toml");
    let run = fixture
        .command()
        .current_dir(std::env::temp_dir())
        .args([
            "trace",
            "--format",
            "json",
            "--workspace",
            "--manifest-path",
        ])
        .arg(&manifest)
        .output()
        .expect("run cargo-iec");
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    let json: Value = serde_json::from_slice(&run.stdout).expect("JSON");
    assert_eq!(json["catalogue"], "reqs/catalogue.toml");
    assert_eq!(json["summary"]["gaps"], 0, "{json:#}");
}

#[test]
#[requirement("TR-TRACE-SELECT")]
fn an_unknown_package_is_exit_2_and_lists_the_members() {
    let fixture = Fixture::new("multi");
    let run = fixture.cargo_iec(["trace", "-p", "multi-pump"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(run.messages()));
}

#[test]
#[requirement("TR-TRACE-SELECT")]
fn excluding_an_unknown_package_is_exit_2() {
    let fixture = Fixture::new("multi");
    let run = fixture.cargo_iec(["trace", "--workspace", "--exclude", "multi-pump"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.last_error().contains("multi-pump"), "{run}");
}

/// `--static` reads the workspace without resolving its dependencies (`cargo metadata
/// --no-deps`), where cargo does not say which package is the current one: it must still
/// select what cargo selects, from the current directory, a subdirectory of a member, a
/// member's `--manifest-path` or the virtual root.
#[test]
#[requirement("TR-PERF-METADATA")]
fn the_static_trace_selects_like_cargo_without_resolving_dependencies() {
    let fixture = Fixture::new("multi");
    let run_in = |dir: std::path::PathBuf, args: &[&str]| {
        let output = fixture
            .command()
            .current_dir(dir)
            .args([&["trace", "--static", "--format", "json"], args].concat())
            .output()
            .expect("run cargo-iec");
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert_eq!(run.code, 0, "{run}");
        traced_packages(&run)
    };
    assert_eq!(
        run_in(fixture.path("crates/multi-alarms"), &[]),
        ["multi-alarms"]
    );
    assert_eq!(
        run_in(fixture.path("crates/multi-alarms/src"), &[]),
        ["multi-alarms"]
    );
    assert_eq!(run_in(fixture.path(""), &[]), ["multi-core"]);
    let member = fixture.path("crates/multi-alarms/Cargo.toml");
    let member = member.to_str().expect("UTF-8 path");
    assert_eq!(
        run_in(std::env::temp_dir(), &["--manifest-path", member]),
        ["multi-alarms"]
    );
    let root = fixture.path("Cargo.toml");
    let root = root.to_str().expect("UTF-8 path");
    assert_eq!(
        run_in(std::env::temp_dir(), &["--manifest-path", root]),
        ["multi-core"]
    );
}

/// The catalogue is read on a guess (the workspace's, from the directory cargo starts in)
/// while `cargo metadata` runs; a selected package naming its own catalogue must still be
/// traced against that one, not against the guess.
#[test]
#[requirement("TR-PERF-PREFETCH")]
fn a_package_with_its_own_catalogue_is_traced_against_it_not_the_guessed_one() {
    let fixture = Fixture::new("multi");
    fixture.append(
        "crates/multi-alarms/Cargo.toml",
        "\n[package.metadata.iec]\ncatalogue = \"own.toml\"\n",
    );
    fixture.write(
        "crates/multi-alarms/own.toml",
        "[[requirement]]\nid = \"OWN-1\"\ntitle = \"Own\"\ntext = \"The package's own requirement.\"\n",
    );
    let run = fixture.cargo_iec([
        "trace",
        "--static",
        "--format",
        "json",
        "-p",
        "multi-alarms",
    ]);
    let json = run.json();
    let ids: Vec<&str> = json["requirements"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, ["OWN-1"], "{run}");
    assert_eq!(json["catalogue"], "crates/multi-alarms/own.toml", "{run}");
    // The workspace's own catalogue (the guess) is used when it is the one selected.
    let run = fixture.cargo_iec(["trace", "--static", "--format", "json", "-p", "multi-core"]);
    assert_eq!(run.json()["catalogue"], "reqs/catalogue.toml", "{run}");
}
