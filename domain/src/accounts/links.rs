//! Care links: which client belongs to which therapist, now and before.
//! A therapist sees a client only while their link is active.

use diesel::prelude::*;

use super::users::User;
use crate::db::schema::{care_links, users};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{RowId, UserId};
use crate::time::Timestamp;

pub fn create(conn: &mut DbConnection, therapist: UserId, client: UserId) -> DomainResult<()> {
    diesel::insert_into(care_links::table)
        .values((
            care_links::id.eq(RowId::new()),
            care_links::therapist_id.eq(therapist),
            care_links::client_id.eq(client),
            care_links::started_at.eq(Timestamp::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The client's current therapist, if any.
pub fn therapist_of(conn: &mut DbConnection, client: UserId) -> DomainResult<Option<UserId>> {
    Ok(care_links::table
        .filter(care_links::client_id.eq(client))
        .filter(care_links::ended_at.is_null())
        .select(care_links::therapist_id)
        .first(conn)
        .optional()?)
}

/// A client with the start of their current link.
#[derive(Debug, Clone)]
pub struct LinkedClient {
    pub link_id: RowId,
    pub since: Timestamp,
    pub user: User,
}

/// The client, if they are this therapist's client now. A client of
/// someone else and a client who left are both "not found".
pub fn client_of(
    conn: &mut DbConnection,
    therapist: UserId,
    client: UserId,
) -> DomainResult<LinkedClient> {
    care_links::table
        .inner_join(users::table.on(users::id.eq(care_links::client_id)))
        .filter(care_links::therapist_id.eq(therapist))
        .filter(care_links::client_id.eq(client))
        .filter(care_links::ended_at.is_null())
        .select((care_links::id, care_links::started_at, User::as_select()))
        .first::<(RowId, Timestamp, User)>(conn)
        .optional()?
        .map(|(link_id, since, user)| LinkedClient {
            link_id,
            since,
            user,
        })
        .ok_or(DomainError::NotFound)
}

/// The therapist's current clients, newest link first.
pub fn clients_of(
    conn: &mut DbConnection,
    therapist: UserId,
    after: Option<uuid::Uuid>,
    fetch: i64,
) -> DomainResult<Vec<LinkedClient>> {
    let mut query = care_links::table
        .inner_join(users::table.on(users::id.eq(care_links::client_id)))
        .filter(care_links::therapist_id.eq(therapist))
        .filter(care_links::ended_at.is_null())
        .select((care_links::id, care_links::started_at, User::as_select()))
        .order(care_links::id.desc())
        .limit(fetch)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(care_links::id.lt(RowId(after)));
    }
    Ok(query
        .load::<(RowId, Timestamp, User)>(conn)?
        .into_iter()
        .map(|(link_id, since, user)| LinkedClient {
            link_id,
            since,
            user,
        })
        .collect())
}

/// Ends the active link between the two; `NotFound` when there is none.
pub fn end(
    conn: &mut DbConnection,
    therapist: UserId,
    client: UserId,
    by: UserId,
) -> DomainResult<()> {
    let ended = diesel::update(
        care_links::table
            .filter(care_links::therapist_id.eq(therapist))
            .filter(care_links::client_id.eq(client))
            .filter(care_links::ended_at.is_null()),
    )
    .set((
        care_links::ended_at.eq(Some(Timestamp::now())),
        care_links::ended_by.eq(Some(by)),
    ))
    .execute(conn)?;
    if ended == 0 {
        return Err(DomainError::NotFound);
    }
    // The therapist loses every share of this client's at once.
    crate::journal::sharing::end_all(conn, therapist, client)?;
    Ok(())
}
