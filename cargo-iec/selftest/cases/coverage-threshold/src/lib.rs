//! Seeds `coverage`: class C unit SU-DOSE has code no test runs (`priming`), so its line
//! coverage is under the class C threshold of 100%. Trap: class B unit SU-RATE, fully run,
//! meets its 50% threshold and is no gap.

/// Bolus dosing.
#[iec_runtime::software_unit(id = "SU-DOSE", item = "SI-PUMP", class = "C")]
pub mod dose {
    use iec_runtime::requirement;

    /// Twice the programmed dose.
    #[requirement("ST-DOSE")]
    pub fn bolus(dose: u32) -> u32 {
        dose * 2
    }

    /// A priming bolus: never run by any test.
    #[requirement("ST-DOSE")]
    pub fn priming(dose: u32) -> u32 {
        let doubled = dose.saturating_mul(2);
        doubled + 1
    }

    #[cfg(test)]
    mod tests {
        use iec_runtime::requirement;

        #[test]
        #[requirement("ST-DOSE")]
        fn a_bolus_doubles_the_dose() {
            assert_eq!(super::bolus(3), 6);
        }
    }
}

/// Rate limiting.
#[iec_runtime::software_unit(id = "SU-RATE", item = "SI-PUMP", class = "B", segregation = "the motor controller caps the rate again in hardware")]
pub mod rate {
    use iec_runtime::requirement;

    /// The rate, capped at 999 mL/h.
    #[requirement("ST-RATE")]
    pub fn capped(rate: u32) -> u32 {
        rate.min(999)
    }

    #[cfg(test)]
    mod tests {
        use iec_runtime::requirement;

        #[test]
        #[requirement("ST-RATE")]
        fn rates_are_capped() {
            assert_eq!(super::capped(1200), 999);
        }
    }
}
