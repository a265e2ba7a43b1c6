mod dose {
    iec_runtime::module_unit!(item = "SI-PMUP");
}

mod rate {
    iec_runtime::module_unit!(itme = "SI-PUMP", class = "D");
}

fn main() {}
