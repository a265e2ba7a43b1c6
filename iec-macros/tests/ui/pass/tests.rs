// On tests the attribute records a verification link; its order with the test attributes
// is free.
use iec_runtime::requirement;

fn bolus_ul(dose_ug: u32) -> u32 {
    dose_ug / 2
}

#[test]
#[requirement("SRS-1")]
fn test_before() {
    assert_eq!(bolus_ul(4), 2);
}

#[requirement("SRS-1")]
#[test]
fn test_after() {
    assert_eq!(bolus_ul(4), 2);
}

#[test]
#[should_panic(expected = "capped")]
#[requirement("SRS-2")]
fn should_panic_before() {
    panic!("capped");
}

#[requirement("SRS-2", partial)]
#[test]
#[should_panic]
fn should_panic_after() {
    panic!("capped");
}

#[requirement("SRS-3")]
#[test]
#[ignore = "needs the pump hardware"]
fn ignored() {}

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[test]
    #[requirement("SRS-1", "SRS-2")]
    fn in_a_test_module() {
        assert_eq!(super::bolus_ul(2), 1);
    }
}

fn main() {
    assert_eq!(bolus_ul(2), 1);
}
