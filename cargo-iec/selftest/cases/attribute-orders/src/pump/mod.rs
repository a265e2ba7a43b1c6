//! A file module with a nested file module and an inline one.

pub mod valve;

/// A sensor.
pub trait Sensor {
    /// Its reading.
    fn read(&self) -> u32;
}

/// Inline module.
pub mod sensors {
    use iec_runtime::requirement;

    /// A pressure sensor.
    pub struct Pressure;

    #[requirement("ST-SENSOR")]
    impl super::Sensor for Pressure {
        fn read(&self) -> u32 {
            100
        }
    }
}
