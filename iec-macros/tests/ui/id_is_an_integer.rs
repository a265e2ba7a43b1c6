use iec_runtime::requirement;

#[requirement(12)]
fn bolus() {}

fn main() {
    bolus();
}
