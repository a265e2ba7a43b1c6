use iec_runtime::requirement;

#[requirement("PUMP-CALIBRATION")]
fn calibrate() {}

fn main() {
    calibrate();
}
