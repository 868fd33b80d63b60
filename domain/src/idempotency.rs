//! `Idempotency-Key`: a retried create gets the first answer and makes
//! nothing new. Keys are per user; the first response is kept.

use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use crate::db::schema::idempotency_keys;
use crate::db::sql::{Id, Instant};
use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::ids::UserId;
use crate::time::Timestamp;

#[derive(Debug, Clone, Queryable)]
pub struct Stored {
    pub request_hash: String,
    pub status: i32,
    pub body: String,
}

pub fn find(conn: &mut DbConnection, user: UserId, key: &str) -> DomainResult<Option<Stored>> {
    Ok(idempotency_keys::table
        .filter(idempotency_keys::user_id.eq(user))
        .filter(idempotency_keys::key.eq(key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::status,
            idempotency_keys::body,
        ))
        .first(conn)
        .optional()?)
}

/// Keeps the response for `key`, and the id of what it created (so
/// deleting that removes this copy too). `false` when another request
/// stored one first (its transaction committed meanwhile): the caller must
/// roll back.
pub fn store(
    conn: &mut DbConnection,
    user: UserId,
    key: &str,
    request_hash: &str,
    status: i32,
    body: &str,
    resource: Option<uuid::Uuid>,
) -> DomainResult<bool> {
    let inserted = diesel::sql_query(
        "INSERT INTO idempotency_keys (user_id, key, request_hash, status, body, created_at, resource_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, key) DO NOTHING",
    )
    .bind::<Id, _>(user)
    .bind::<Text, _>(key)
    .bind::<Text, _>(request_hash)
    .bind::<Integer, _>(status)
    .bind::<Text, _>(body)
    .bind::<Instant, _>(Timestamp::now())
    .bind::<diesel::sql_types::Nullable<Id>, _>(resource)
    .execute(conn)?;
    Ok(inserted == 1)
}

/// Forgets every stored response about `resource` (it was deleted).
pub fn forget_resource(
    conn: &mut DbConnection,
    user: UserId,
    resource: uuid::Uuid,
) -> DomainResult<usize> {
    Ok(diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::user_id.eq(user))
            .filter(idempotency_keys::resource_id.eq(crate::ids::RowId(resource))),
    )
    .execute(conn)?)
}

/// Forgets stored responses older than `before`: a retry comes within
/// minutes, and a stored response is a copy of what it created.
pub fn trim(conn: &mut DbConnection, before: Timestamp) -> DomainResult<usize> {
    Ok(
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(before)))
            .execute(conn)?,
    )
}
