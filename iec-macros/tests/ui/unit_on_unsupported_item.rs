use iec_runtime::software_unit;

#[software_unit]
const MAX_RATE: u32 = 1200;

#[software_unit]
static PUMP: u32 = 0;

#[software_unit]
type Dose = u32;

fn main() {
    let _ = MAX_RATE + PUMP;
    let _: Dose = 0;
}
