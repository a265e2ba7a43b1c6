//! Targets whose every annotation is compiled out by `cfg` (fixture `all-cfg`): their empty
//! registries are accepted only when the static scan shows each annotation under a `cfg`
//! that is off in the build; each is then a `channel-mismatch` naming the `cfg`, exactly as
//! when other annotations of the target are compiled in. A registry that is empty for any
//! other reason stays an error (exit 2).

use iec_acceptance::{Fixture, links};
use iec_runtime::requirement;
use serde_json::Value;

fn gaps(json: &Value) -> Vec<String> {
    json["gaps"]
        .as_array()
        .expect("gaps")
        .iter()
        .map(|g| {
            format!(
                "{} {} {}:{} {}",
                g["kind"].as_str().unwrap_or("-"),
                g["requirement"].as_str().unwrap_or("-"),
                g["file"].as_str().unwrap_or("-"),
                g["line"],
                g["message"].as_str().unwrap_or("-")
            )
        })
        .collect()
}

#[test]
#[requirement("TR-SELFTEST-COV-ALLCFG", "TR-TRACE-CROSSCHECK")]
fn a_target_whose_every_annotation_is_compiled_out_is_traced_with_a_channel_mismatch_each() {
    let fixture = Fixture::new("all-cfg");
    let run = fixture.cargo_iec(["trace", "--format", "json", "--deny", "channel-mismatch"]);
    assert_eq!(run.code, 1, "{run}");
    let json = run.json();
    assert!(links(&json).is_empty(), "{json:#}");
    fixture
        .snapshot_settings()
        .bind(|| insta::assert_snapshot!(gaps(&json).join("\n")));
    // Both targets were read, and the stderr says why their registries are empty: the
    // library (which names iec-runtime, so its dump was written, empty) and the integration
    // test (which then names nothing of iec-runtime, so it wrote no dump at all).
    for target in ["all-cfg-pump (lib)", "all-cfg-pump (test \"trend\")"] {
        assert!(
            run.stderr.contains(&format!(
                "note: {target}: its registry is empty because every annotation in its sources is compiled out in this build (cfg(feature = \"trend\"))"
            )),
            "{run}"
        );
    }
    // Not denied, the same trace is a pass: the gaps are reported, the run is not refused.
    let run = fixture.cargo_iec(["trace", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(gaps(&run.json()), gaps(&json));
}

#[test]
#[requirement("TR-SELFTEST-COV-ALLCFG")]
fn with_the_feature_on_the_same_annotations_are_linked_and_the_channels_agree() {
    let fixture = Fixture::new("all-cfg");
    let run = fixture.cargo_iec([
        "trace",
        "--features",
        "trend",
        "--format",
        "json",
        "--deny",
        "channel-mismatch,unimplemented,untested",
    ]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        links(&run.json()),
        [
            "AC-RATE implemented_by all_cfg_pump::rate",
            "AC-RATE verified_by trend::ten_millilitres_in_two_hours_is_five_an_hour",
            "AC-TREND implemented_by all_cfg_pump::trend::rises",
            "AC-TREND verified_by trend::a_higher_rate_rises",
        ]
    );
    assert!(!run.stderr.contains("registry is empty"), "{run}");
}

#[test]
#[requirement("TR-SELFTEST-COV-ALLCFG", "TR-TRACE-FAILCLOSED")]
fn an_empty_registry_with_annotations_compiled_in_is_still_refused_naming_one() {
    // iec-runtime without `std` writes no registry; with `trend` on, the annotations are
    // compiled in, so the empty registry is not explained by any cfg: exit 2, nothing on
    // stdout, naming the annotation and its cfg.
    let fixture = Fixture::new("all-cfg");
    fixture.edit(
        "Cargo.toml",
        "path = \"",
        "default-features = false, path = \"",
    );
    let run = fixture.cargo_iec(["trace", "--features", "trend", "--format", "json"]);
    assert_eq!(run.code, 2, "{run}");
    assert_eq!(run.stdout, "", "an empty trace was printed");
    let error = run.last_error();
    assert!(error.contains("registered none"), "{run}");
    assert!(
        error.contains("cfg(feature = \"trend\"), which is not provably off in this build"),
        "{run}"
    );
    // Without the feature the annotations are compiled out, whatever the runtime can do:
    // the empty registries are right.
    let run = fixture.cargo_iec(["trace", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        gaps(&run.json())
            .iter()
            .filter(|g| g.starts_with("channel-mismatch"))
            .count(),
        4,
        "{run}"
    );
}
