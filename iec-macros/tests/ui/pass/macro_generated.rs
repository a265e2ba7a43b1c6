// Items a `macro_rules!` macro generates can carry the attributes, once per expansion.
use iec_runtime::{requirement, software_unit};

macro_rules! limit {
    ($name:ident, $id:literal, $value:expr) => {
        #[requirement($id)]
        pub fn $name() -> u32 {
            $value
        }
    };
}

limit!(max_rate, "SRS-2", 1200);
limit!(max_bolus, "SRS-1", 50);

macro_rules! unit {
    ($name:ident) => {
        #[software_unit(item = "SI-PUMP")]
        pub struct $name;

        #[requirement("SRS-3")]
        impl $name {
            #[requirement("SRS-3")]
            pub fn raise(&self) -> bool {
                true
            }
        }
    };
}

unit!(Occlusion);
unit!(Battery);

fn main() {
    assert_eq!(max_rate() + max_bolus(), 1250);
    assert!(Occlusion.raise() && Battery.raise());
}
