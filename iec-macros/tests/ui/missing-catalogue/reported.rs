// IEC_TRACE_CATALOGUE names a file that does not exist.
use iec_runtime::requirement;

#[requirement("SRS-1")]
fn bolus() {}

fn main() {
    bolus();
}
