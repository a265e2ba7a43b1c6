//! The valve.

use iec_runtime::requirement;

/// A valve.
#[derive(Default)]
pub struct Valve {
    /// Open or not.
    pub is_open: bool,
}

impl Valve {
    /// Opens it.
    #[requirement("ST-VALVE")]
    pub fn open(&mut self) {
        self.is_open = true;
    }
}
