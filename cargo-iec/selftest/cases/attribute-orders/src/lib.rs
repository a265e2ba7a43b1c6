//! Trap: both attribute orders, methods, trait impls, file and inline modules.

pub mod pump;

#[cfg(test)]
mod tests {
    use iec_runtime::requirement;

    #[requirement("ST-VALVE")]
    #[test]
    fn requirement_before_test() {
        let mut valve = crate::pump::valve::Valve::default();
        valve.open();
        assert!(valve.is_open);
    }
}
