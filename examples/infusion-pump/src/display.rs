//! Text for the display, following ISMP's rules for unambiguous numbers: a leading zero
//! (".5" is read as "5") and no trailing zero ("5.0" is read as "50").
//!
//! Formatting is done by hand into a fixed buffer: `core::fmt` would add several kilobytes
//! of flash for two integers.

iec_runtime::module_unit!(id = "SU-DISPLAY", item = "SI-UI-DISPLAY", class = "B");

use core::fmt;

use iec_runtime::requirement;

use crate::units::MicrolitresPerHour;

/// Room for the longest rate text, "4294967.29 mL/h".
const CAPACITY: usize = 16;

/// A formatted value, ready to be drawn.
#[requirement("SRS-27")]
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DisplayText {
    bytes: [u8; CAPACITY],
    len: usize,
}

impl DisplayText {
    const fn new() -> DisplayText {
        DisplayText {
            bytes: [0; CAPACITY],
            len: 0,
        }
    }

    fn push(&mut self, byte: u8) {
        // Capacity covers the longest text; a longer one is cut rather than overflowing.
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    fn push_str(&mut self, text: &str) {
        for byte in text.bytes() {
            self.push(byte);
        }
    }

    fn push_number(&mut self, mut value: u32) {
        let mut digits = [0u8; 10];
        let mut count = 0;
        loop {
            digits[count] = b'0' + (value % 10) as u8;
            count += 1;
            value /= 10;
            if value == 0 {
                break;
            }
        }
        for &digit in digits[..count].iter().rev() {
            self.push(digit);
        }
    }

    /// The text.
    #[requirement("SRS-27")]
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever pushed.
        core::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl fmt::Debug for DisplayText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for DisplayText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rate in mL/h: a leading zero, no trailing zeros, at most two decimals, truncated.
#[requirement("SRS-27")]
pub fn format_rate(rate: MicrolitresPerHour) -> DisplayText {
    let mut text = DisplayText::new();
    text.push_number(rate.0 / 1000);
    let hundredths = (rate.0 % 1000) / 10;
    if hundredths != 0 {
        text.push(b'.');
        text.push(b'0' + (hundredths / 10) as u8);
        if !hundredths.is_multiple_of(10) {
            text.push(b'0' + (hundredths % 10) as u8);
        }
    }
    text.push_str(" mL/h");
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use iec_runtime::requirement;

    fn shown(micro_litres_per_hour: u32) -> DisplayText {
        format_rate(MicrolitresPerHour(micro_litres_per_hour))
    }

    #[test]
    #[requirement("SRS-27")]
    fn rates_below_one_have_a_leading_zero() {
        assert_eq!(shown(500).as_str(), "0.5 mL/h");
        assert_eq!(shown(50).as_str(), "0.05 mL/h");
        assert_eq!(shown(0).as_str(), "0 mL/h");
    }

    #[test]
    #[requirement("SRS-27")]
    fn rates_have_no_trailing_zeros() {
        assert_eq!(shown(12_000).as_str(), "12 mL/h");
        assert_eq!(shown(12_500).as_str(), "12.5 mL/h");
        assert_eq!(shown(1_200_000).as_str(), "1200 mL/h");
        assert_eq!(shown(100_000).as_str(), "100 mL/h");
    }

    #[test]
    #[requirement("SRS-27")]
    fn rates_are_truncated_to_two_decimals() {
        assert_eq!(shown(1_239).as_str(), "1.23 mL/h");
        assert_eq!(shown(999).as_str(), "0.99 mL/h");
        assert_eq!(shown(u32::MAX).as_str(), "4294967.29 mL/h");
    }
}
