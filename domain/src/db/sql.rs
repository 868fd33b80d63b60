//! SQL types that keep native columns on both backends.
//!
//! diesel's `MultiBackend` only maps the types both databases share. Ids and
//! instants get their own SQL types here so PostgreSQL keeps `uuid` and
//! `timestamptz` columns while SQLite stores text: a UUID in its hyphenated
//! form and an instant as fixed-width RFC 3339 in UTC, which sorts and compares
//! correctly as text.

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::deserialize::{self, FromSql};
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::HasSqlType;
use diesel::sqlite::Sqlite;

use super::MultiBackend;

/// A UUID: `uuid` on PostgreSQL, text on SQLite.
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 2950, array_oid = 2951))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Id;

/// An instant: `timestamptz` on PostgreSQL, RFC 3339 UTC text on SQLite.
#[derive(
    Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId,
)]
#[diesel(postgres_type(oid = 1184, array_oid = 1185))]
#[diesel(sqlite_type(name = "Text"))]
pub struct Instant;

/// Formats an instant as SQLite stores it: microseconds, always `Z`.
pub fn sqlite_instant(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn sqlite_text(
    value: <Sqlite as diesel::backend::Backend>::RawValue<'_>,
) -> deserialize::Result<String> {
    <String as FromSql<diesel::sql_types::Text, Sqlite>>::from_sql(value)
}

// --- Id -------------------------------------------------------------------

impl HasSqlType<Id> for MultiBackend {
    fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
        MultiBackend::lookup_sql_type::<Id>(lookup)
    }
}

impl ToSql<Id, Pg> for uuid::Uuid {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <uuid::Uuid as ToSql<diesel::sql_types::Uuid, Pg>>::to_sql(self, out)
    }
}

impl FromSql<Id, Pg> for uuid::Uuid {
    fn from_sql(
        value: <Pg as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        <uuid::Uuid as FromSql<diesel::sql_types::Uuid, Pg>>::from_sql(value)
    }
}

impl ToSql<Id, Sqlite> for uuid::Uuid {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.hyphenated().to_string());
        Ok(IsNull::No)
    }
}

impl FromSql<Id, Sqlite> for uuid::Uuid {
    fn from_sql(
        value: <Sqlite as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        Ok(uuid::Uuid::parse_str(&sqlite_text(value)?)?)
    }
}

impl ToSql<Id, MultiBackend> for uuid::Uuid {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Id, self));
        Ok(IsNull::No)
    }
}

impl FromSql<Id, MultiBackend> for uuid::Uuid {
    fn from_sql(
        value: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        value.from_sql::<Self, Id>()
    }
}

// --- Instant --------------------------------------------------------------

impl HasSqlType<Instant> for MultiBackend {
    fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
        MultiBackend::lookup_sql_type::<Instant>(lookup)
    }
}

impl ToSql<Instant, Pg> for DateTime<Utc> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        <DateTime<Utc> as ToSql<diesel::sql_types::Timestamptz, Pg>>::to_sql(self, out)
    }
}

impl FromSql<Instant, Pg> for DateTime<Utc> {
    fn from_sql(
        value: <Pg as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        <DateTime<Utc> as FromSql<diesel::sql_types::Timestamptz, Pg>>::from_sql(value)
    }
}

impl ToSql<Instant, Sqlite> for DateTime<Utc> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(sqlite_instant(self));
        Ok(IsNull::No)
    }
}

impl FromSql<Instant, Sqlite> for DateTime<Utc> {
    fn from_sql(
        value: <Sqlite as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        Ok(DateTime::parse_from_rfc3339(&sqlite_text(value)?)?.with_timezone(&Utc))
    }
}

impl ToSql<Instant, MultiBackend> for DateTime<Utc> {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Instant, self));
        Ok(IsNull::No)
    }
}

impl FromSql<Instant, MultiBackend> for DateTime<Utc> {
    fn from_sql(
        value: <MultiBackend as diesel::backend::Backend>::RawValue<'_>,
    ) -> deserialize::Result<Self> {
        value.from_sql::<Self, Instant>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn sqlite_instants_sort_as_text_in_time_order() {
        let earlier = Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 59).single();
        let later = Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).single();
        let (Some(earlier), Some(later)) = (earlier, later) else {
            panic!("valid instants");
        };
        let later = later + chrono::Duration::microseconds(1);
        assert!(sqlite_instant(&earlier) < sqlite_instant(&later));
        assert_eq!(sqlite_instant(&earlier), "2026-03-29T00:59:59.000000Z");
    }
}
