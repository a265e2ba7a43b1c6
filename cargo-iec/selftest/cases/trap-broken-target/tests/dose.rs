//! Does not build: a type error.

use iec_runtime::requirement;

#[test]
#[requirement("ST-DOSE")]
fn capped() {
    let dose: u32 = "nine";
    assert_eq!(st_trap_broken_target::capped(dose, 5), 5);
}
