pub fn bolus() {}
