//! Instants: always UTC in code and RFC 3339 on the wire.

use std::fmt;
use std::ops::{Add, Deref, Sub};

use chrono::{DateTime, Datelike, Duration, SecondsFormat, Timelike, Utc};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use serde::{Deserialize, Serialize, Serializer};

use crate::db::sql::Instant;

/// A UTC instant that maps to [`Instant`] columns (`timestamptz` on
/// PostgreSQL, RFC 3339 text on SQLite).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Deserialize,
    diesel::expression::AsExpression,
    diesel::deserialize::FromSqlRow,
)]
#[diesel(sql_type = Instant)]
#[serde(transparent)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    pub fn now() -> Self {
        Self(Utc::now())
    }

    /// Writes the instant as RFC 3339 in UTC, with as many fraction digits
    /// as it needs (0, 3, 6 or 9, as chrono's `AutoSi`), into `buf`;
    /// `None` for years outside 0 to 9999. Lists send many instants, and
    /// formatting through `Display` costs a call per character.
    fn write_rfc3339(&self, buf: &mut [u8; 30]) -> Option<usize> {
        fn digits(buf: &mut [u8], mut value: u32) {
            for slot in buf.iter_mut().rev() {
                *slot = b'0' + (value % 10) as u8;
                value /= 10;
            }
        }
        let at = &self.0;
        let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
        let nanos = at.nanosecond();
        if nanos >= 1_000_000_000 {
            return None;
        }
        buf[..20].copy_from_slice(b"0000-00-00T00:00:00.");
        digits(&mut buf[0..4], year);
        digits(&mut buf[5..7], at.month());
        digits(&mut buf[8..10], at.day());
        digits(&mut buf[11..13], at.hour());
        digits(&mut buf[14..16], at.minute());
        digits(&mut buf[17..19], at.second());
        let (fraction, width) = match nanos {
            0 => (0, 0),
            n if n % 1_000_000 == 0 => (n / 1_000_000, 3),
            n if n % 1_000 == 0 => (n / 1_000, 6),
            n => (n, 9),
        };
        let mut end = 19;
        if width > 0 {
            digits(&mut buf[20..20 + width], fraction);
            end = 20 + width;
        }
        buf[end] = b'Z';
        Some(end + 1)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 30];
        match self.write_rfc3339(&mut buf) {
            Some(len) => match std::str::from_utf8(&buf[..len]) {
                Ok(text) => serializer.serialize_str(text),
                Err(_) => serializer.collect_str(self),
            },
            None => serializer.collect_str(self),
        }
    }
}

/// Where "now" comes from. The service reads the system clock; tests set
/// the time (a client's "today" at 23:30 local, a week later) without
/// sleeping. Clones share one manual time.
#[derive(Debug, Clone, Default)]
pub struct Clock(Option<std::sync::Arc<std::sync::Mutex<DateTime<Utc>>>>);

impl Clock {
    /// A clock that stands at `at` until moved.
    pub fn manual(at: Timestamp) -> Self {
        Self(Some(std::sync::Arc::new(std::sync::Mutex::new(at.0))))
    }

    pub fn now(&self) -> Timestamp {
        match &self.0 {
            None => Timestamp::now(),
            Some(at) => Timestamp(*at.lock().unwrap_or_else(|e| e.into_inner())),
        }
    }

    /// Moves a manual clock to `at` (a system clock is not moved).
    pub fn set(&self, at: Timestamp) {
        if let Some(now) = &self.0 {
            *now.lock().unwrap_or_else(|e| e.into_inner()) = at.0;
        }
    }
}

/// A local time of day, `HH:MM` on the wire (24-hour). Local rules carry
/// their zone next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(pub chrono::NaiveTime);

impl TimeOfDay {
    pub const PATTERN: &'static str = "^([01][0-9]|2[0-3]):[0-5][0-9]$";

    /// `HH:MM`, 00:00 to 23:59.
    pub fn parse(raw: &str) -> Option<Self> {
        let (h, m) = raw.split_once(':')?;
        if h.len() != 2 || m.len() != 2 || !(h.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        chrono::NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0).map(Self)
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0.hour(), self.0.minute())
    }
}

impl Serialize for TimeOfDay {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeOfDay {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&raw).ok_or_else(|| {
            serde::de::Error::invalid_value(
                serde::de::Unexpected::Str(&raw),
                &"a time of day as HH:MM, such as 07:30",
            )
        })
    }
}

impl utoipa::PartialSchema for TimeOfDay {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(Self::PATTERN))
            .description(Some("A local time of day, HH:MM (24-hour)."))
            .examples([serde_json::json!("18:30")])
            .into()
    }
}

impl utoipa::ToSchema for TimeOfDay {}

/// The local date of `at` in `zone`.
pub fn local_date(at: Timestamp, zone: chrono_tz::Tz) -> chrono::NaiveDate {
    at.0.with_timezone(&zone).date_naive()
}

/// The instant a local date and time names in `zone`. A time that a
/// fall-back change makes happen twice is its first occurrence; a time that
/// a spring-forward change skips is read with the offset before the change
/// (02:30 on such a day in New York is 03:30 EDT, the same moment a clock
/// that did not jump would show 02:30).
pub fn local_instant(
    date: chrono::NaiveDate,
    time: chrono::NaiveTime,
    zone: chrono_tz::Tz,
) -> Timestamp {
    use chrono::{Offset, TimeZone};
    let naive = date.and_time(time);
    match zone.from_local_datetime(&naive) {
        chrono::LocalResult::Single(at) => Timestamp(at.to_utc()),
        chrono::LocalResult::Ambiguous(first, _) => Timestamp(first.to_utc()),
        chrono::LocalResult::None => {
            let before = zone
                .offset_from_utc_datetime(&(naive - Duration::hours(24)))
                .fix();
            Timestamp((naive - Duration::seconds(i64::from(before.local_minus_utc()))).and_utc())
        }
    }
}

/// The first instant of a local date in `zone`.
pub fn start_of_day(date: chrono::NaiveDate, zone: chrono_tz::Tz) -> Timestamp {
    local_instant(date, chrono::NaiveTime::MIN, zone)
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Self(at)
    }
}

impl Deref for Timestamp {
    type Target = DateTime<Utc>;
    fn deref(&self) -> &DateTime<Utc> {
        &self.0
    }
}

impl Add<Duration> for Timestamp {
    type Output = Self;
    fn add(self, rhs: Duration) -> Self {
        Self(self.0 + rhs)
    }
}

impl Sub<Duration> for Timestamp {
    type Output = Self;
    fn sub(self, rhs: Duration) -> Self {
        Self(self.0 - rhs)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

impl<DB: Backend> ToSql<Instant, DB> for Timestamp
where
    DateTime<Utc>: ToSql<Instant, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        <DateTime<Utc> as ToSql<Instant, DB>>::to_sql(&self.0, out)
    }
}

impl<DB: Backend> FromSql<Instant, DB> for Timestamp
where
    DateTime<Utc>: FromSql<Instant, DB>,
{
    fn from_sql(value: DB::RawValue<'_>) -> deserialize::Result<Self> {
        <DateTime<Utc> as FromSql<Instant, DB>>::from_sql(value).map(Self)
    }
}

impl utoipa::PartialSchema for Timestamp {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                utoipa::openapi::schema::KnownFormat::DateTime,
            )))
            .into()
    }
}

impl utoipa::ToSchema for Timestamp {}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> chrono::NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn local_times_that_a_dst_change_skips_or_repeats_name_one_instant() {
        let ny = chrono_tz::America::New_York;
        let half_past_two = chrono::NaiveTime::from_hms_opt(2, 30, 0).unwrap_or_default();
        // Spring forward 2026-03-08: 02:30 does not exist; read as EST.
        assert_eq!(
            local_instant(date("2026-03-08"), half_past_two, ny).to_string(),
            "2026-03-08T07:30:00Z"
        );
        // Fall back 2026-11-01: 01:30 happens twice; the first (EDT).
        let half_past_one = chrono::NaiveTime::from_hms_opt(1, 30, 0).unwrap_or_default();
        assert_eq!(
            local_instant(date("2026-11-01"), half_past_one, ny).to_string(),
            "2026-11-01T05:30:00Z"
        );
        // Days are 23 and 25 hours long.
        let berlin = chrono_tz::Europe::Berlin;
        let spring =
            *start_of_day(date("2026-03-30"), berlin) - *start_of_day(date("2026-03-29"), berlin);
        let autumn =
            *start_of_day(date("2026-10-26"), berlin) - *start_of_day(date("2026-10-25"), berlin);
        assert_eq!((spring.num_hours(), autumn.num_hours()), (23, 25));
        assert_eq!(
            TimeOfDay::parse("07:05").map(|t| t.to_string()).as_deref(),
            Some("07:05")
        );
        for bad in ["7:05", "24:00", "12:60", "12:5a", "+1:00"] {
            assert!(TimeOfDay::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn instants_serialise_exactly_as_chrono_writes_them() {
        let base = DateTime::parse_from_rfc3339("2026-03-29T01:02:03Z")
            .map(|t| t.to_utc())
            .unwrap_or_default();
        for nanos in [
            0,
            1,
            7_000,
            120_000_000,
            123_456_000,
            999_999_999,
            5_000_000,
        ] {
            let at = Timestamp(base + Duration::nanoseconds(nanos));
            let ours = serde_json::to_string(&at).unwrap_or_default();
            let chrono = serde_json::to_string(&at.0).unwrap_or_default();
            assert_eq!(ours, chrono, "{nanos}");
        }
        let far = Timestamp(base + Duration::days(365 * 9000));
        assert_eq!(
            serde_json::to_string(&far).unwrap_or_default(),
            serde_json::to_string(&far.0).unwrap_or_default()
        );
        let round: Timestamp =
            serde_json::from_str("\"2026-03-29T01:02:03.5Z\"").unwrap_or(at_epoch());
        assert_eq!(round.0, base + Duration::milliseconds(500));
    }

    fn at_epoch() -> Timestamp {
        Timestamp(DateTime::<Utc>::default())
    }
}
