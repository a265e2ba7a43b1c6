use iec_runtime::problem;

#[problem("PR-17")]
struct Overshoot;

fn main() {
    let _ = Overshoot;
}
