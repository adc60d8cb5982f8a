//! The one clock that every domain decision reads.
//!
//! Production runs on the system clock. Tests and demos set it (`TERBUKA_CLOCK`): the demo story
//! lives in 2018 while the machine says 2026, and a test needs "2018-08-01 09:00 WIB" exactly.
//! Leases, timeouts and job timing use real time instead; only what a person would call "the
//! date" comes from here.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, SubsecRound, Utc};

/// Real time, for what is about processes and the wire rather than the domain's date: leases,
/// heartbeats, retry pauses, signed links' lifetimes, rate limits, delivery attempts. Every
/// other "now" is [`Clock::now`]; a caller says in a comment why real time is the point.
///
/// Every "now" is whole microseconds, what PostgreSQL's `timestamptz` keeps: SQLite would keep
/// the nanoseconds, and a record moved from one to the other (`terbuka import-data`) would
/// read back differently.
pub fn real_now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// A shareable handle on "now".
#[derive(Clone, Debug)]
pub struct Clock(Arc<RwLock<Mode>>);

#[derive(Clone, Copy, Debug)]
enum Mode {
    System,
    /// Stands still at this instant until it is set or advanced.
    Fixed(DateTime<Utc>),
    /// Runs at the speed of the system clock, shifted by this much.
    Shifted(Duration),
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(Arc::new(RwLock::new(Mode::System)))
    }

    /// A clock that stands still at `at`.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self(Arc::new(RwLock::new(Mode::Fixed(at))))
    }

    /// A clock that reads `at` now and then runs forward in real time.
    pub fn starting_at(at: DateTime<Utc>) -> Self {
        Self(Arc::new(RwLock::new(Mode::Shifted(at - Utc::now()))))
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match *self.read() {
            Mode::System => real_now(),
            Mode::Fixed(at) => at.trunc_subsecs(6),
            Mode::Shifted(by) => (Utc::now() + by).trunc_subsecs(6),
        }
    }

    /// Whether this is the unmodified system clock (production requires it).
    pub fn is_system(&self) -> bool {
        matches!(*self.read(), Mode::System)
    }

    /// Moves the clock to `at`; a running clock keeps running from there.
    pub fn set(&self, at: DateTime<Utc>) {
        let mut mode = self.0.write().unwrap_or_else(|e| e.into_inner());
        *mode = match *mode {
            Mode::Fixed(_) => Mode::Fixed(at),
            Mode::System | Mode::Shifted(_) => Mode::Shifted(at - Utc::now()),
        };
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let now = self.now();
        self.set(now + by);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Mode> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

/// The instant a local day begins in `tz` (the earliest, should the day begin twice).
pub fn day_start(day: chrono::NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    tz.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| midnight.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn fixed_clock_stands_still_and_moves_when_told() {
        let at = Utc.with_ymd_and_hms(2018, 8, 1, 2, 0, 0).unwrap();
        let clock = Clock::fixed(at);
        assert_eq!(clock.now(), at);
        clock.advance(Duration::days(1));
        assert_eq!(clock.now(), at + Duration::days(1));
        assert!(!clock.is_system());
    }

    #[test]
    fn running_clock_starts_where_it_was_set() {
        let at = Utc.with_ymd_and_hms(2018, 6, 28, 5, 0, 0).unwrap();
        let clock = Clock::starting_at(at);
        let drift = clock.now() - at;
        assert!(drift >= Duration::zero() && drift < Duration::seconds(5));
    }

    #[test]
    fn every_now_is_whole_microseconds_as_postgresql_keeps_them() {
        use chrono::Timelike;
        let at =
            Utc.with_ymd_and_hms(2018, 8, 1, 2, 0, 0).unwrap() + Duration::nanoseconds(123_456_789);
        for clock in [Clock::fixed(at), Clock::starting_at(at), Clock::system()] {
            assert_eq!(clock.now().nanosecond() % 1_000, 0);
        }
        assert_eq!(Clock::fixed(at).now().nanosecond(), 123_456_000);
        assert_eq!(real_now().nanosecond() % 1_000, 0);
    }
}
