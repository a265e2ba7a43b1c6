//! Power-on self-test: firmware image integrity and working RAM.
//!
//! Runs before the controller starts and before working RAM holds anything: the RAM test
//! is destructive.

iec_runtime::module_unit!(id = "SU-SELFTEST", item = "SI-SUPERVISION", class = "C");
iec_runtime::module_requirement!("SRS-26");

use iec_runtime::requirement;

/// The reflected IEEE 802.3 polynomial.
const CRC32_POLYNOMIAL: u32 = 0xEDB8_8320;

/// Byte-wise CRC table, computed at compile time (1 KiB of flash, no RAM).
const CRC32_TABLE: [u32; 256] = crc32_table();

const fn crc32_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut crc = byte as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ CRC32_POLYNOMIAL
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[byte] = crc;
        byte += 1;
    }
    table
}

/// The CRC-32 (IEEE 802.3, as zlib and the build tooling compute it) of `data`.
pub const fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    let mut index = 0;
    while index < data.len() {
        crc = CRC32_TABLE[((crc ^ data[index] as u32) & 0xFF) as usize] ^ (crc >> 8);
        index += 1;
    }
    !crc
}

/// Why the self-test failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelfTestFailure {
    /// The firmware image is corrupt.
    ImageCrc {
        /// The CRC stored at build time.
        expected: u32,
        /// The CRC of the image in flash.
        actual: u32,
    },
    /// A RAM word did not hold the value written.
    Ram {
        /// The index of the failing word.
        word: usize,
    },
}

/// Checks the firmware image against the CRC the build stored with it.
#[requirement("SRS-26")]
pub fn verify_image(image: &[u8], expected: u32) -> Result<(), SelfTestFailure> {
    let actual = crc32(image);
    if actual != expected {
        return Err(SelfTestFailure::ImageCrc { expected, actual });
    }
    Ok(())
}

/// Word-addressed memory under test.
pub trait MemoryRegion {
    /// The number of 32-bit words.
    fn words(&self) -> usize;
    /// Reads word `index`.
    fn read(&self, index: usize) -> u32;
    /// Writes word `index`.
    fn write(&mut self, index: usize, value: u32);
}

impl MemoryRegion for [u32] {
    fn words(&self) -> usize {
        self.len()
    }

    fn read(&self, index: usize) -> u32 {
        // Volatile, or the compiler folds the read into the preceding write and tests
        // nothing. SAFETY: `&self[index]` is a valid, aligned, initialised u32.
        unsafe { core::ptr::read_volatile(&self[index]) }
    }

    fn write(&mut self, index: usize, value: u32) {
        // SAFETY: `&mut self[index]` is a valid, aligned u32 we have exclusive access to.
        unsafe { core::ptr::write_volatile(&mut self[index], value) }
    }
}

const ZEROS: u32 = 0;
const ONES: u32 = !0;

/// One March element: read `expect` and write `then` over every word, in `order`.
fn march_element<R: MemoryRegion + ?Sized>(
    ram: &mut R,
    ascending: bool,
    expect: Option<u32>,
    then: Option<u32>,
) -> Result<(), SelfTestFailure> {
    let words = ram.words();
    for step in 0..words {
        let word = if ascending { step } else { words - 1 - step };
        if let Some(expect) = expect
            && ram.read(word) != expect
        {
            return Err(SelfTestFailure::Ram { word });
        }
        if let Some(value) = then {
            ram.write(word, value);
        }
    }
    Ok(())
}

/// The March C- test, word-wide: finds stuck-at, transition, coupling and address
/// decoder faults. Leaves the region zeroed.
#[requirement("SRS-26")]
pub fn march_c_minus<R: MemoryRegion + ?Sized>(ram: &mut R) -> Result<(), SelfTestFailure> {
    march_element(ram, true, None, Some(ZEROS))?;
    march_element(ram, true, Some(ZEROS), Some(ONES))?;
    march_element(ram, true, Some(ONES), Some(ZEROS))?;
    march_element(ram, false, Some(ZEROS), Some(ONES))?;
    march_element(ram, false, Some(ONES), Some(ZEROS))?;
    march_element(ram, true, Some(ZEROS), None)
}

/// The whole power-on self-test: image first (a corrupt image may not test RAM right).
pub fn power_on_self_test<R: MemoryRegion + ?Sized>(
    image: &[u8],
    expected_crc: u32,
    ram: &mut R,
) -> Result<(), SelfTestFailure> {
    verify_image(image, expected_crc)?;
    march_c_minus(ram)
}

#[cfg(test)]
mod tests {
    use super::*;
    use iec_runtime::requirement;

    /// RAM with one defect.
    struct FaultyRam {
        words: [u32; 32],
        defect: Defect,
    }

    enum Defect {
        /// Bit `bit` of word `word` always reads 1.
        StuckAtOne { word: usize, bit: u32 },
        /// Writing `from` also writes `to` (shorted address line).
        Alias { from: usize, to: usize },
    }

    impl MemoryRegion for FaultyRam {
        fn words(&self) -> usize {
            self.words.len()
        }
        fn read(&self, index: usize) -> u32 {
            match self.defect {
                Defect::StuckAtOne { word, bit } if word == index => self.words[index] | (1 << bit),
                _ => self.words[index],
            }
        }
        fn write(&mut self, index: usize, value: u32) {
            self.words[index] = value;
            if let Defect::Alias { from, to } = self.defect
                && from == index
            {
                self.words[to] = value;
            }
        }
    }

    #[test]
    #[requirement("SRS-26")]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    #[requirement("SRS-26")]
    fn corrupt_image_fails_the_self_test() {
        let mut image = *b"firmware image v1.4.2";
        let expected = crc32(&image);
        assert_eq!(verify_image(&image, expected), Ok(()));
        image[3] ^= 0x10;
        assert_eq!(
            verify_image(&image, expected),
            Err(SelfTestFailure::ImageCrc {
                expected,
                actual: crc32(&image)
            })
        );
    }

    #[test]
    #[requirement("SRS-26")]
    fn healthy_ram_passes_and_is_left_zeroed() {
        let mut ram = [0xDEAD_BEEFu32; 64];
        assert_eq!(march_c_minus(&mut ram[..]), Ok(()));
        assert!(ram.iter().all(|&word| word == 0));
    }

    #[test]
    #[requirement("SRS-26")]
    fn stuck_bit_and_address_faults_are_found() {
        let mut stuck = FaultyRam {
            words: [0; 32],
            defect: Defect::StuckAtOne { word: 17, bit: 5 },
        };
        assert_eq!(
            march_c_minus(&mut stuck),
            Err(SelfTestFailure::Ram { word: 17 })
        );
        let mut aliased = FaultyRam {
            words: [0; 32],
            defect: Defect::Alias { from: 3, to: 20 },
        };
        assert_eq!(
            march_c_minus(&mut aliased),
            Err(SelfTestFailure::Ram { word: 20 })
        );
    }
}
