//! Rate-limit counters kept in the database, so that every instance of the
//! service counts the same attempts: one fixed window per bucket and key
//! (the client's address), counted with one upsert.

use chrono::Duration;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use crate::db::schema::rate_limits;
use crate::db::sql::Instant;
use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::time::Timestamp;

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = Instant)]
    window_start: Timestamp,
}

/// Counts one attempt; `None` when it is within `limit` per `window`, else
/// how long until the window ends.
pub fn hit(
    conn: &mut DbConnection,
    bucket: &str,
    key: &str,
    limit: u32,
    window: Duration,
    now: Timestamp,
) -> DomainResult<Option<std::time::Duration>> {
    let counted: Counted = diesel::sql_query(
        "INSERT INTO rate_limits (bucket, key, window_start, hits) VALUES ($1, $2, $3, 1)
         ON CONFLICT (bucket, key) DO UPDATE SET
             hits = CASE WHEN rate_limits.window_start <= $4 THEN 1 ELSE rate_limits.hits + 1 END,
             window_start = CASE WHEN rate_limits.window_start <= $4 THEN $3 ELSE rate_limits.window_start END
         RETURNING hits, window_start",
    )
    .bind::<Text, _>(bucket)
    .bind::<Text, _>(key)
    .bind::<Instant, _>(now)
    .bind::<Instant, _>(now - window)
    .get_result(conn)?;
    if u32::try_from(counted.hits).unwrap_or(u32::MAX) <= limit {
        return Ok(None);
    }
    let ends = counted.window_start + window;
    Ok(Some(
        (ends.0 - now.0)
            .to_std()
            .unwrap_or(std::time::Duration::ZERO),
    ))
}

/// Forgets windows that ended before `before`.
pub fn trim(conn: &mut DbConnection, before: Timestamp) -> DomainResult<usize> {
    Ok(
        diesel::delete(rate_limits::table.filter(rate_limits::window_start.lt(before)))
            .execute(conn)?,
    )
}
