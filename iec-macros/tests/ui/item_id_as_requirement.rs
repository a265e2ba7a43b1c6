use iec_runtime::requirement;

#[requirement("SI-PUMP")]
fn pump() {}

fn main() {
    pump();
}
