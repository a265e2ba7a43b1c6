use iec_runtime::problem;

// Before #[test]: in a build that is not a test, #[test] removes the function first.
#[problem("SRS-1")]
#[test]
fn bolus_is_computed() {}

fn main() {}
