mod dose {
    iec_runtime::module_requirement!("SRS-9");
}

mod rate {
    iec_runtime::module_requirement!();
}

mod alarm {
    iec_runtime::module_requirement!(SRS_3);
}

fn main() {}
