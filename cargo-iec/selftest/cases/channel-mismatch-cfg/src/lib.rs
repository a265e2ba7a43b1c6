//! Seeded: the only implementation is compiled out by a feature this build lacks.

use iec_runtime::requirement;

/// Bolus volume, only in the v2 pump.
#[cfg(feature = "pump-v2")]
#[requirement("ST-BOLUS")]
pub fn bolus() -> u32 {
    5
}

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[test]
    #[requirement("ST-BOLUS")]
    fn bolus_is_specified() {}
}
