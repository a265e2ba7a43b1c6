// `#[requirement]` on every item kind it accepts, and `#[software_unit]` on every kind it
// accepts; the items behave exactly as without the attributes.
use iec_runtime::{requirement, software_unit};

#[requirement("SRS-1")]
pub fn bolus_ul(dose_ug: u32) -> u32 {
    dose_ug / 2
}

#[requirement("SRS-1")]
const fn const_bolus(dose_ug: u32) -> u32 {
    dose_ug / 2
}

#[requirement("SRS-1")]
async fn async_bolus() -> u32 {
    1
}

#[requirement("SRS-1")]
fn generic_bolus<T: Into<u32>>(dose: T) -> u32
where
    T: Copy,
{
    dose.into()
}

// Inner attributes stay first in the body, before the registration the macro adds.
#[requirement("SRS-1")]
#[requirement("SRS-2")]
fn with_inner_attributes() -> u32 {
    #![allow(clippy::let_and_return)]
    #![deny(unused_variables)]
    let bolus = bolus_ul(4);
    bolus
}

#[requirement("SRS-2")]
pub struct Rate(pub u32);

#[requirement("SRS-2")]
impl Rate {
    #[requirement("SRS-2")]
    pub fn capped(&self, max: u32) -> u32 {
        self.0.min(max)
    }

    #[requirement("SRS-2")]
    pub const MAX: u32 = 1200;

    #[requirement("SRS-2")]
    fn new(value: u32) -> Self {
        Rate(value)
    }
}

#[requirement("SRS-3")]
pub trait Alarm {
    #[requirement("SRS-3")]
    const PRIORITY: u8 = 1;

    fn raise(&self) -> bool;

    #[requirement("SRS-3")]
    fn escalate(&self) -> bool {
        self.raise()
    }
}

#[requirement("SRS-3")]
impl Alarm for Rate {
    #[requirement("SRS-3")]
    const PRIORITY: u8 = 2;

    #[requirement("SRS-3")]
    fn raise(&self) -> bool {
        self.0 > Self::MAX
    }
}

#[requirement("SRS-1")]
pub enum Dose {
    Bolus(u32),
    Basal,
}

#[requirement("SRS-1")]
#[repr(C)]
pub union Raw {
    pub word: u32,
    pub bytes: [u8; 4],
}

#[requirement("SRS-1")]
mod inline {
    pub fn inner() -> u32 {
        3
    }
}

#[requirement("SRS-2")]
pub const MAX_RATE: u32 = 1200;

#[requirement("SRS-2")]
static LIMIT: u32 = MAX_RATE;

#[requirement("SRS-2")]
type Millilitres = u32;

#[requirement("SRS-2")]
pub type Litres<T> = Vec<T>;

#[software_unit(id = "SU-DOSE", item = "SI-PUMP", class = "C")]
mod dose {
    pub fn compute() -> u32 {
        1
    }
}

#[software_unit]
fn unit_fn() -> u32 {
    2
}

#[software_unit(id = "SU-PUMP")]
pub struct Pump;

#[software_unit(class = "B")]
impl Pump {
    fn run(&self) -> u32 {
        3
    }
}

#[software_unit(item = "SS-PUMP")]
pub enum Mode {
    Run,
}

#[software_unit]
pub trait Motor {
    fn step(&self);
}

fn main() {
    let rate = Rate::new(bolus_ul(10) + const_bolus(4) + generic_bolus(3u8) + with_inner_attributes() - 2);
    let _ = async_bolus();
    assert!(!rate.escalate());
    assert_eq!(rate.capped(Rate::MAX), 10);
    assert_eq!(<Rate as Alarm>::PRIORITY, 2);
    let _ = (Dose::Bolus(1), Dose::Basal, Mode::Run);
    let raw = Raw { word: 0 };
    let _ = unsafe { raw.bytes };
    let millilitres: Millilitres = inline::inner() + MAX_RATE + LIMIT;
    let _: Litres<u32> = vec![millilitres];
    let _ = dose::compute() + unit_fn() + Pump.run();
    // Records exist only in test builds: this build adds nothing to the binary.
    assert_eq!(iec_runtime::registry().count(), 0);
}

impl Motor for Pump {
    fn step(&self) {}
}
