//! The system clock: host time, or virtual time for deterministic runs; and the VM/370 ways
//! of writing a time (`21:48:25 GMT MONDAY 08/17/26`).
//!
//! In deterministic mode (session replay) the clock starts at a fixed instant and moves only
//! when CP advances it with the processor time the virtual machines used, so every replay
//! sees the same times.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use time::{OffsetDateTime, UtcOffset, Weekday};

/// Microseconds between 1900-01-01 (the TOD clock's epoch) and 1970-01-01.
pub const TOD_EPOCH_OFFSET_MICROS: i64 = 2_208_988_800_000_000;

/// The instant a deterministic system starts at: Monday 1979-01-01 09:00:00 UTC.
pub const DETERMINISTIC_START_MICROS: i64 = 284_029_200_000_000;

/// A shared system clock.
#[derive(Debug, Clone)]
pub struct Clock {
    virtual_now: Option<Arc<AtomicI64>>,
}

impl Clock {
    /// The host's clock.
    pub fn host() -> Clock {
        Clock { virtual_now: None }
    }

    /// A virtual clock starting at `start_micros` (microseconds since 1970 UTC).
    pub fn virtual_at(start_micros: i64) -> Clock {
        Clock { virtual_now: Some(Arc::new(AtomicI64::new(start_micros))) }
    }

    /// Is this a virtual (deterministic) clock?
    pub fn is_virtual(&self) -> bool {
        self.virtual_now.is_some()
    }

    /// Microseconds since 1970-01-01 UTC.
    pub fn now_micros(&self) -> i64 {
        match &self.virtual_now {
            Some(v) => v.load(Ordering::Acquire),
            None => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_micros() as i64)
                .unwrap_or(0),
        }
    }

    /// Seconds since 1970-01-01 UTC.
    pub fn now_secs(&self) -> i64 {
        self.now_micros().div_euclid(1_000_000)
    }

    /// Advances a virtual clock by `micros` (no effect on the host clock).
    pub fn advance(&self, micros: i64) {
        if let Some(v) = &self.virtual_now {
            v.fetch_add(micros.max(0), Ordering::AcqRel);
        }
    }

    /// The S/370 TOD clock value now (bit 51 = one microsecond).
    pub fn tod(&self) -> u64 {
        ((self.now_micros() + TOD_EPOCH_OFFSET_MICROS) as u64) << 12
    }
}

/// A time zone as the system configuration names it: `EST` at -05:00.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// The name CP prints (`GMT`, `EST`, ...).
    pub name: String,
    /// Offset from UTC in seconds.
    pub offset_secs: i32,
}

impl Default for Zone {
    fn default() -> Zone {
        Zone { name: "GMT".into(), offset_secs: 0 }
    }
}

/// A moment broken into the fields CP prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    /// Year (e.g. 1979).
    pub year: i32,
    /// Month 1-12.
    pub month: u8,
    /// Day 1-31.
    pub day: u8,
    /// Hour 0-23.
    pub hour: u8,
    /// Minute.
    pub minute: u8,
    /// Second.
    pub second: u8,
    /// Day of the week, `MONDAY`...
    pub weekday: &'static str,
}

impl Zone {
    /// Breaks `secs` since 1970 UTC into local fields.
    pub fn civil(&self, secs: i64) -> Civil {
        let off = UtcOffset::from_whole_seconds(self.offset_secs).unwrap_or(UtcOffset::UTC);
        let t = OffsetDateTime::from_unix_timestamp(secs)
            .unwrap_or(OffsetDateTime::UNIX_EPOCH)
            .to_offset(off);
        Civil {
            year: t.year(),
            month: u8::from(t.month()),
            day: t.day(),
            hour: t.hour(),
            minute: t.minute(),
            second: t.second(),
            weekday: match t.weekday() {
                Weekday::Monday => "MONDAY",
                Weekday::Tuesday => "TUESDAY",
                Weekday::Wednesday => "WEDNESDAY",
                Weekday::Thursday => "THURSDAY",
                Weekday::Friday => "FRIDAY",
                Weekday::Saturday => "SATURDAY",
                Weekday::Sunday => "SUNDAY",
            },
        }
    }

    /// `hh:mm:ss`.
    pub fn hms(&self, secs: i64) -> String {
        let c = self.civil(secs);
        format!("{:02}:{:02}:{:02}", c.hour, c.minute, c.second)
    }

    /// `mm/dd/yy`.
    pub fn mdy(&self, secs: i64) -> String {
        let c = self.civil(secs);
        format!("{:02}/{:02}/{:02}", c.month, c.day, c.year.rem_euclid(100))
    }

    /// `hh:mm:ss ZONE WEEKDAY mm/dd/yy`, as in `LOGON AT ...` and `TIME IS ...`.
    pub fn stamp(&self, secs: i64) -> String {
        let c = self.civil(secs);
        format!("{} {} {} {}", self.hms(secs), self.name, c.weekday, self.mdy(secs))
    }
}

/// `hh:mm:ss` of a duration in seconds (CONNECT= in the accounting line).
pub fn duration_hms(secs: u64) -> String {
    format!("{:02}:{:02}:{:02}", secs / 3600, (secs / 60) % 60, secs % 60)
}

/// `mmm:ss.hh` of processor time in microseconds (VIRTCPU= and TOTCPU=).
pub fn cpu_mss(micros: u64) -> String {
    let hundredths = micros / 10_000;
    format!("{:03}:{:02}.{:02}", hundredths / 6000, (hundredths / 100) % 60, hundredths % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps() {
        let z = Zone { name: "EST".into(), offset_secs: -5 * 3600 };
        // 2026-08-17 21:48:25 GMT was a Monday.
        let t = 1_787_003_305;
        assert_eq!(Zone::default().stamp(t), "21:48:25 GMT MONDAY 08/17/26");
        assert_eq!(z.stamp(t), "16:48:25 EST MONDAY 08/17/26");
        assert_eq!(
            Zone::default().stamp(DETERMINISTIC_START_MICROS / 1_000_000),
            "09:00:00 GMT MONDAY 01/01/79"
        );
    }

    #[test]
    fn accounting_fields() {
        assert_eq!(duration_hms(3725), "01:02:05");
        assert_eq!(cpu_mss(100_000), "000:00.10");
        assert_eq!(cpu_mss(61_230_000), "001:01.23");
    }

    #[test]
    fn virtual_clock_moves_only_when_advanced() {
        let c = Clock::virtual_at(DETERMINISTIC_START_MICROS);
        let t0 = c.now_micros();
        std::thread::sleep(std::time::Duration::from_millis(5));
        assert_eq!(c.now_micros(), t0);
        c.advance(1_500_000);
        assert_eq!(c.now_micros(), t0 + 1_500_000);
        assert_eq!(c.tod() >> 12, (t0 + 1_500_000 + TOD_EPOCH_OFFSET_MICROS) as u64);
    }
}
