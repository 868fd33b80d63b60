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
