//! Verifies the fixture's requirements.

use iec_runtime::requirement;

#[test]
#[requirement("SRS-1")]
#[requirement("SRS-2")]
fn a_step_is_logged() {
    assert!(st_design::control::step(5));
}

#[test]
#[requirement("SRS-3")]
fn the_helper_helps() {
    assert_eq!(st_design::bare::helper(), 1);
}
