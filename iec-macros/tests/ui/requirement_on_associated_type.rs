use iec_runtime::requirement;

struct Doses;

impl Iterator for Doses {
    #[requirement("SRS-1")]
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        None
    }
}

fn main() {
    let _ = Doses.next();
}
