use iec_runtime::requirement;

trait Pump {
    #[requirement("SRS-1")]
    fn bolus_ul(&self, dose_ug: u32) -> u32;

    #[requirement("SRS-2")]
    const MAX_RATE: u32;

    #[requirement("SRS-2")]
    type Rate;
}

fn main() {}
