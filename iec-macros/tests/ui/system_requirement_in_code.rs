use iec_runtime::requirement;

#[requirement("SYS-1")]
fn deliver() {}

fn main() {
    deliver();
}
