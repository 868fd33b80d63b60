//! The tables, written once for both backends with the portable SQL types of
//! [`super::sql`].

diesel::table! {
    use diesel::sql_types::{Integer, Nullable, Text};
    use crate::db::sql::{Id, Instant};

    outbox (id) {
        id -> Id,
        dedupe_key -> Text,
        template -> Text,
        recipient -> Text,
        payload -> Text,
        state -> Text,
        run_at -> Instant,
        attempts -> Integer,
        max_attempts -> Integer,
        last_error -> Nullable<Text>,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Instant>,
        created_at -> Instant,
        updated_at -> Instant,
        sent_at -> Nullable<Instant>,
    }
}
