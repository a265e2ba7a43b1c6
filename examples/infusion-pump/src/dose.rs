//! Bolus doses: volume computation and the drug library's limits on them (PCA use).
//!
//! A bolus passes four checks before it is delivered: the hard limit, the soft limit (which
//! the user may override by confirming), the lockout interval since the previous bolus, and
//! the total bolus dose of the last hour.

iec_runtime::module_unit!(id = "SU-DOSE", item = "SI-DELIVERY", class = "C");

use core::time::Duration;

use iec_runtime::requirement;

use crate::units::{Instant, Micrograms, MicrogramsPerMillilitre, Microlitres};
use library::DrugEntry;

/// The hospital drug library: per-drug concentrations and dose limits set by pharmacy.
///
/// Entries compiled into the firmware are built with [`DrugEntry::checked`] in a `const`, so
/// an inconsistent entry fails the build rather than reaching a patient; entries received
/// at run time (library updates) go through [`DrugEntry::validated`].
#[iec_runtime::software_unit(id = "SU-DRUG-LIBRARY", item = "SI-DRUG-LIBRARY", class = "C")]
pub mod library {
    use core::time::Duration;

    use iec_runtime::requirement;

    use crate::units::{Micrograms, MicrogramsPerHour, MicrogramsPerMillilitre};

    /// The limits pharmacy set for one drug at one concentration.
    #[requirement("SRS-7")]
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct DrugEntry {
        /// The name shown to the user.
        pub name: &'static str,
        /// The concentration of the syringe.
        pub concentration: MicrogramsPerMillilitre,
        /// Boluses above this need the user's confirmation.
        pub bolus_soft_limit: Micrograms,
        /// Boluses above this are refused.
        pub bolus_hard_limit: Micrograms,
        /// The most bolus drug allowed in any 60 minutes.
        pub hourly_limit: Micrograms,
        /// The least time between the starts of two boluses.
        pub lockout: Duration,
        /// The highest continuous dose rate that may be programmed.
        pub dose_rate_hard_limit: MicrogramsPerHour,
    }

    /// Why a drug library entry is refused.
    #[requirement("SRS-7")]
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum LibraryError {
        /// The concentration is zero, so no volume could be computed.
        ZeroConcentration,
        /// The soft bolus limit is above the hard limit, so it would never apply.
        SoftLimitAboveHardLimit,
        /// The hourly limit is below one maximal bolus.
        HourlyLimitBelowHardLimit,
        /// There is no lockout between boluses.
        ZeroLockout,
    }

    impl DrugEntry {
        /// The entry, if its limits are consistent.
        #[requirement("SRS-7")]
        pub const fn validated(self) -> Result<DrugEntry, LibraryError> {
            if self.concentration.0 == 0 {
                Err(LibraryError::ZeroConcentration)
            } else if self.bolus_soft_limit.0 > self.bolus_hard_limit.0 {
                Err(LibraryError::SoftLimitAboveHardLimit)
            } else if self.hourly_limit.0 < self.bolus_hard_limit.0 {
                Err(LibraryError::HourlyLimitBelowHardLimit)
            } else if self.lockout.is_zero() {
                Err(LibraryError::ZeroLockout)
            } else {
                Ok(self)
            }
        }

        /// The entry, for use in a `const`: an inconsistent entry is a compile error there.
        ///
        /// # Panics
        /// If the entry is inconsistent (see [`DrugEntry::validated`]).
        pub const fn checked(self) -> DrugEntry {
            // `panic!` in a const fn takes only literals, hence one arm per error.
            match self.validated() {
                Ok(entry) => entry,
                Err(LibraryError::ZeroConcentration) => {
                    panic!("drug library entry has a zero concentration")
                }
                Err(LibraryError::SoftLimitAboveHardLimit) => {
                    panic!("drug library entry: soft bolus limit exceeds hard limit")
                }
                Err(LibraryError::HourlyLimitBelowHardLimit) => {
                    panic!("drug library entry: hourly limit is below the hard bolus limit")
                }
                Err(LibraryError::ZeroLockout) => {
                    panic!("drug library entry has no lockout interval")
                }
            }
        }
    }

    /// Morphine 1 mg/mL for patient-controlled analgesia.
    #[requirement("SRS-7")]
    pub const MORPHINE_PCA: DrugEntry = DrugEntry {
        name: "Morphine 1 mg/mL",
        concentration: MicrogramsPerMillilitre(1_000),
        bolus_soft_limit: Micrograms(1_500),
        bolus_hard_limit: Micrograms(2_500),
        hourly_limit: Micrograms(8_000),
        lockout: Duration::from_secs(6 * 60),
        dose_rate_hard_limit: MicrogramsPerHour(3_000),
    }
    .checked();

    /// Fentanyl 10 µg/mL for patient-controlled analgesia.
    #[requirement("SRS-7")]
    pub const FENTANYL_PCA: DrugEntry = DrugEntry {
        name: "Fentanyl 10 mcg/mL",
        concentration: MicrogramsPerMillilitre(10),
        bolus_soft_limit: Micrograms(25),
        bolus_hard_limit: Micrograms(50),
        hourly_limit: Micrograms(200),
        lockout: Duration::from_secs(6 * 60),
        dose_rate_hard_limit: MicrogramsPerHour(100),
    }
    .checked();

    /// Hydromorphone 0.2 mg/mL for patient-controlled analgesia.
    #[requirement("SRS-7")]
    pub const HYDROMORPHONE_PCA: DrugEntry = DrugEntry {
        name: "Hydromorphone 0.2 mg/mL",
        concentration: MicrogramsPerMillilitre(200),
        bolus_soft_limit: Micrograms(200),
        bolus_hard_limit: Micrograms(400),
        hourly_limit: Micrograms(1_600),
        lockout: Duration::from_secs(8 * 60),
        dose_rate_hard_limit: MicrogramsPerHour(600),
    }
    .checked();

    /// The library shipped with the firmware: the entries a drug can be selected from.
    #[requirement("SRS-7", "SRS-29")]
    pub const STANDARD_LIBRARY: [DrugEntry; 3] = [MORPHINE_PCA, FENTANYL_PCA, HYDROMORPHONE_PCA];

    /// The entry of the standard library with exactly this name (drug and concentration);
    /// no near match, so "Morphine 10 mg/mL" never selects the 1 mg/mL syringe's limits.
    #[requirement("SRS-29")]
    pub fn find(name: &str) -> Option<&'static DrugEntry> {
        STANDARD_LIBRARY.iter().find(|entry| entry.name == name)
    }
}

/// How many boluses the history holds. With the shortest lockout in the library (6 min) at
/// most 10 boluses fit in an hour; a full history of recent boluses refuses further ones.
const BOLUS_HISTORY_LEN: usize = 16;

/// The window of the hourly limit.
#[requirement("SRS-6")]
pub const HOURLY_WINDOW: Duration = Duration::from_secs(60 * 60);

/// The bolus volume for `dose` at `concentration`, rounded down so the delivered dose
/// never exceeds the prescribed one; `None` for a zero concentration.
#[requirement("SRS-2")]
pub const fn bolus_volume(
    dose: Micrograms,
    concentration: MicrogramsPerMillilitre,
) -> Option<Microlitres> {
    if concentration.0 == 0 {
        return None;
    }
    let volume = dose.0 as u64 * 1000 / concentration.0 as u64;
    Some(Microlitres(if volume > u32::MAX as u64 {
        u32::MAX
    } else {
        volume as u32
    }))
}

/// Whether the user confirmed a dose above the soft limit on the confirmation screen.
#[requirement("SRS-4")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoftLimitOverride {
    /// The user has not been asked, or declined.
    NotConfirmed,
    /// The user confirmed the dose above the soft limit.
    Confirmed,
}

/// Why a bolus is refused.
#[requirement("SRS-3", "SRS-4", "SRS-5", "SRS-6")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BolusError {
    /// The requested dose is zero.
    ZeroDose,
    /// The dose is above the drug's hard limit; it cannot be given.
    AboveHardLimit {
        /// The hard limit.
        limit: Micrograms,
    },
    /// The dose is above the soft limit; ask the user to confirm it.
    NeedsConfirmation {
        /// The soft limit.
        soft_limit: Micrograms,
    },
    /// The previous bolus was too recent.
    LockedOut {
        /// Time until a bolus is allowed.
        remaining: Duration,
    },
    /// The dose would exceed the hourly limit.
    HourlyLimit {
        /// The largest dose still allowed now.
        allowed: Micrograms,
    },
    /// The history holds only recent boluses, so the hourly total cannot be proven.
    HistoryExhausted,
}

/// One delivered bolus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct BolusRecord {
    started: Instant,
    dose: Micrograms,
}

/// The boluses of the last hour, in a fixed ring (no heap).
#[derive(Debug, Clone)]
pub struct BolusHistory {
    records: [Option<BolusRecord>; BOLUS_HISTORY_LEN],
}

impl Default for BolusHistory {
    fn default() -> Self {
        Self::new()
    }
}

#[requirement("SRS-6")]
impl BolusHistory {
    /// An empty history.
    pub const fn new() -> BolusHistory {
        BolusHistory {
            records: [None; BOLUS_HISTORY_LEN],
        }
    }

    fn is_recent(record: &BolusRecord, now: Instant) -> bool {
        now.saturating_duration_since(record.started) < HOURLY_WINDOW
    }

    /// The total bolus dose started in the hour before `now`.
    pub fn dose_in_last_hour(&self, now: Instant) -> Micrograms {
        self.records
            .iter()
            .flatten()
            .filter(|record| Self::is_recent(record, now))
            .fold(Micrograms::ZERO, |sum, record| {
                sum.saturating_add(record.dose)
            })
    }

    /// When the most recent bolus started.
    pub fn last_started(&self) -> Option<Instant> {
        self.records.iter().flatten().map(|r| r.started).max()
    }

    /// A slot that is free or holds a bolus older than an hour.
    fn free_slot(&self, now: Instant) -> Option<usize> {
        self.records.iter().position(|slot| match slot {
            None => true,
            Some(record) => !Self::is_recent(record, now),
        })
    }

    /// Records a bolus started at `now`.
    pub fn record(&mut self, now: Instant, dose: Micrograms) -> Result<(), BolusError> {
        let slot = self.free_slot(now).ok_or(BolusError::HistoryExhausted)?;
        self.records[slot] = Some(BolusRecord { started: now, dose });
        Ok(())
    }
}

/// Decides on bolus requests for one drug, remembering the boluses given.
#[derive(Debug, Clone)]
pub struct BolusGuard<'a> {
    drug: &'a DrugEntry,
    history: BolusHistory,
}

impl<'a> BolusGuard<'a> {
    /// A guard for the selected `drug` with no bolus given yet.
    #[requirement("SRS-3", "SRS-4", "SRS-5", "SRS-6", "SRS-29")]
    pub const fn new(drug: &'a DrugEntry) -> BolusGuard<'a> {
        BolusGuard {
            drug,
            history: BolusHistory::new(),
        }
    }

    /// The drug this guard applies the limits of, for the bolus screen to show.
    #[requirement("SRS-29")]
    pub const fn drug(&self) -> &'a DrugEntry {
        self.drug
    }

    /// The hard and soft limits; the hard limit wins over any confirmation.
    #[requirement("SRS-3", "SRS-4")]
    pub fn check_dose_limits(
        &self,
        dose: Micrograms,
        confirmation: SoftLimitOverride,
    ) -> Result<(), BolusError> {
        if dose == Micrograms::ZERO {
            return Err(BolusError::ZeroDose);
        }
        if dose > self.drug.bolus_hard_limit {
            return Err(BolusError::AboveHardLimit {
                limit: self.drug.bolus_hard_limit,
            });
        }
        if dose > self.drug.bolus_soft_limit && confirmation != SoftLimitOverride::Confirmed {
            return Err(BolusError::NeedsConfirmation {
                soft_limit: self.drug.bolus_soft_limit,
            });
        }
        Ok(())
    }

    /// The lockout interval since the start of the previous bolus.
    #[requirement("SRS-5")]
    pub fn check_lockout(&self, now: Instant) -> Result<(), BolusError> {
        let Some(last) = self.history.last_started() else {
            return Ok(());
        };
        let since = now.saturating_duration_since(last);
        if since < self.drug.lockout {
            return Err(BolusError::LockedOut {
                remaining: self.drug.lockout.saturating_sub(since),
            });
        }
        Ok(())
    }

    /// The hourly limit, including the requested dose.
    #[requirement("SRS-6")]
    pub fn check_hourly_limit(&self, dose: Micrograms, now: Instant) -> Result<(), BolusError> {
        if self.history.free_slot(now).is_none() {
            return Err(BolusError::HistoryExhausted);
        }
        let given = self.history.dose_in_last_hour(now);
        if given.saturating_add(dose) > self.drug.hourly_limit {
            return Err(BolusError::HourlyLimit {
                allowed: Micrograms(self.drug.hourly_limit.0.saturating_sub(given.0)),
            });
        }
        Ok(())
    }

    /// Checks every limit and, if the bolus is allowed, records it as started at `now` and
    /// returns the volume to deliver.
    #[requirement("SRS-2")]
    pub fn authorise(
        &mut self,
        dose: Micrograms,
        confirmation: SoftLimitOverride,
        now: Instant,
    ) -> Result<Microlitres, BolusError> {
        self.check_dose_limits(dose, confirmation)?;
        self.check_lockout(now)?;
        self.check_hourly_limit(dose, now)?;
        // Library entries are validated, so the concentration is never zero here; refuse
        // rather than deliver an undefined volume should that ever change.
        let volume = bolus_volume(dose, self.drug.concentration).ok_or(BolusError::ZeroDose)?;
        self.history.record(now, dose)?;
        Ok(volume)
    }
}

#[cfg(test)]
mod tests {
    use super::library::{DrugEntry, FENTANYL_PCA, LibraryError, MORPHINE_PCA, STANDARD_LIBRARY};
    use super::*;
    use crate::units::MicrogramsPerHour;
    use iec_runtime::requirement;

    const MINUTE: Duration = Duration::from_secs(60);

    fn at_minutes(minutes: u64) -> Instant {
        Instant::from_millis(minutes * 60_000)
    }

    #[test]
    #[requirement("SRS-2")]
    fn bolus_volume_follows_concentration() {
        // 1 mg of morphine at 1 mg/mL is 1 mL.
        assert_eq!(
            bolus_volume(Micrograms(1_000), MicrogramsPerMillilitre(1_000)),
            Some(Microlitres(1_000))
        );
        // 25 µg of fentanyl at 10 µg/mL is 2.5 mL.
        assert_eq!(
            bolus_volume(Micrograms(25), MicrogramsPerMillilitre(10)),
            Some(Microlitres(2_500))
        );
    }

    #[test]
    #[requirement("SRS-2")]
    fn bolus_volume_rounds_down_and_refuses_zero_concentration() {
        // 1 µg at 3 µg/mL is 333.33 µL: deliver 333, never 334.
        assert_eq!(
            bolus_volume(Micrograms(1), MicrogramsPerMillilitre(3)),
            Some(Microlitres(333))
        );
        assert_eq!(
            bolus_volume(Micrograms(1_000), MicrogramsPerMillilitre(0)),
            None
        );
    }

    #[requirement("SRS-3")]
    #[test]
    fn dose_above_hard_limit_is_refused_even_when_confirmed() {
        let guard = BolusGuard::new(&MORPHINE_PCA);
        assert_eq!(
            guard.check_dose_limits(Micrograms(2_501), SoftLimitOverride::Confirmed),
            Err(BolusError::AboveHardLimit {
                limit: Micrograms(2_500)
            })
        );
        assert_eq!(
            guard.check_dose_limits(Micrograms(2_500), SoftLimitOverride::Confirmed),
            Ok(())
        );
    }

    #[test]
    #[requirement("SRS-4")]
    fn dose_above_soft_limit_needs_confirmation() {
        let guard = BolusGuard::new(&MORPHINE_PCA);
        assert_eq!(
            guard.check_dose_limits(Micrograms(1_501), SoftLimitOverride::NotConfirmed),
            Err(BolusError::NeedsConfirmation {
                soft_limit: Micrograms(1_500)
            })
        );
        assert_eq!(
            guard.check_dose_limits(Micrograms(1_501), SoftLimitOverride::Confirmed),
            Ok(())
        );
        assert_eq!(
            guard.check_dose_limits(Micrograms(1_500), SoftLimitOverride::NotConfirmed),
            Ok(())
        );
    }

    #[test]
    #[requirement("SRS-5")]
    fn bolus_within_lockout_is_refused_with_remaining_time() {
        let mut guard = BolusGuard::new(&MORPHINE_PCA);
        let dose = Micrograms(1_000);
        let none = SoftLimitOverride::NotConfirmed;
        assert_eq!(
            guard.authorise(dose, none, at_minutes(0)),
            Ok(Microlitres(1_000))
        );
        assert_eq!(
            guard.authorise(dose, none, at_minutes(4)),
            Err(BolusError::LockedOut {
                remaining: 2 * MINUTE
            })
        );
        // A refused request does not restart the lockout.
        assert_eq!(
            guard.authorise(dose, none, at_minutes(6)),
            Ok(Microlitres(1_000))
        );
    }

    #[test]
    #[requirement("SRS-6")]
    fn hourly_limit_counts_boluses_of_the_last_sixty_minutes() {
        // Fentanyl: 200 µg per hour, 6 min lockout.
        let mut guard = BolusGuard::new(&FENTANYL_PCA);
        let confirmed = SoftLimitOverride::Confirmed;
        for minute in [0, 10, 20, 30] {
            assert!(
                guard
                    .authorise(Micrograms(50), confirmed, at_minutes(minute))
                    .is_ok()
            );
        }
        assert_eq!(
            guard.authorise(Micrograms(10), confirmed, at_minutes(40)),
            Err(BolusError::HourlyLimit {
                allowed: Micrograms(0)
            })
        );
        // At 60 min the bolus of minute 0 has left the window.
        assert_eq!(
            guard.authorise(Micrograms(50), confirmed, at_minutes(60)),
            Ok(Microlitres(5_000))
        );
    }

    #[test]
    #[requirement("SRS-6")]
    fn full_history_of_recent_boluses_refuses_further_boluses() {
        let drug = DrugEntry {
            name: "test",
            concentration: MicrogramsPerMillilitre(1_000),
            bolus_soft_limit: Micrograms(1),
            bolus_hard_limit: Micrograms(1),
            hourly_limit: Micrograms(1_000),
            lockout: Duration::from_secs(1),
            dose_rate_hard_limit: MicrogramsPerHour(1),
        }
        .checked();
        let mut guard = BolusGuard::new(&drug);
        let none = SoftLimitOverride::NotConfirmed;
        for second in 0..BOLUS_HISTORY_LEN as u64 {
            let now = Instant::from_millis(second * 1_000);
            assert!(guard.authorise(Micrograms(1), none, now).is_ok());
        }
        let now = Instant::from_millis(BOLUS_HISTORY_LEN as u64 * 1_000);
        assert_eq!(
            guard.authorise(Micrograms(1), none, now),
            Err(BolusError::HistoryExhausted)
        );
    }

    #[test]
    #[requirement("SRS-7")]
    fn inconsistent_library_entries_are_refused() {
        let good = MORPHINE_PCA;
        let cases = [
            (
                DrugEntry {
                    concentration: MicrogramsPerMillilitre(0),
                    ..good
                },
                LibraryError::ZeroConcentration,
            ),
            (
                DrugEntry {
                    bolus_soft_limit: Micrograms(3_000),
                    ..good
                },
                LibraryError::SoftLimitAboveHardLimit,
            ),
            (
                DrugEntry {
                    hourly_limit: Micrograms(2_000),
                    ..good
                },
                LibraryError::HourlyLimitBelowHardLimit,
            ),
            (
                DrugEntry {
                    lockout: Duration::ZERO,
                    ..good
                },
                LibraryError::ZeroLockout,
            ),
        ];
        for (entry, error) in cases {
            assert_eq!(entry.validated(), Err(error));
        }
        for entry in STANDARD_LIBRARY {
            assert_eq!(entry.validated(), Ok(entry));
        }
    }

    #[test]
    #[should_panic(expected = "soft bolus limit exceeds hard limit")]
    #[requirement("SRS-7")]
    fn checked_entry_with_soft_limit_above_hard_limit_panics() {
        let _ = DrugEntry {
            bolus_soft_limit: Micrograms(3_000),
            ..MORPHINE_PCA
        }
        .checked();
    }
}
