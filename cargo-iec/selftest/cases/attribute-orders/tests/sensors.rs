//! An integration test, `#[test]` before `#[requirement]`.

use iec_runtime::requirement;
use st_attribute_orders::pump::Sensor as _;

#[test]
#[requirement("ST-SENSOR")]
#[requirement("ST-VALVE")]
fn test_before_requirement() {
    assert_eq!(st_attribute_orders::pump::sensors::Pressure.read(), 100);
}
