use iec_runtime::problem;

// Before #[test]: in a build that is not a test, #[test] removes the function first.
#[problem("PR-71")]
#[test]
fn overshoot_is_fixed() {}

fn main() {}
