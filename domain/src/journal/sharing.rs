//! Sharing: a client shows their current therapist an entry, item by item,
//! and can take it back.
//!
//! The rule, in one place ([`live_for!`]): a therapist sees an entry while
//! a share of it to them is neither revoked nor expired. Ending the care link
//! revokes every share of that pair ([`end_all`]), and every therapist route
//! first checks the link is active (`links::client_of`).

use diesel::prelude::*;

use super::entries::{find_entry, Entry, Reply, Share};
use super::EntryKind;
use crate::accounts::links;
use crate::db::schema::{journal_entries, journal_replies, journal_shares};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{EntryId, RowId, UserId};
use crate::time::Timestamp;

/// The shares `therapist` may see of `client`'s entries at `now`.
macro_rules! live_for {
    ($therapist:expr, $client:expr, $now:expr) => {
        journal_shares::therapist_id
            .eq($therapist)
            .and(journal_shares::client_id.eq($client))
            .and(journal_shares::revoked_at.is_null())
            .and(
                journal_shares::expires_at
                    .is_null()
                    .or(journal_shares::expires_at.gt($now)),
            )
    };
}

/// Shares the client's entry with their current therapist, or changes the
/// expiry of its live share.
pub fn share(
    conn: &mut DbConnection,
    client: UserId,
    entry: EntryId,
    expires_at: Option<Timestamp>,
) -> DomainResult<Share> {
    let now = Timestamp::now();
    find_entry(conn, client, entry)?;
    if expires_at.is_some_and(|at| at <= now) {
        return Err(DomainError::invalid(
            "expires_at",
            "in_past",
            "must be in the future",
        ));
    }
    let therapist = links::therapist_of(conn, client)?.ok_or_else(|| DomainError::Conflict {
        code: "no_therapist",
        detail: "You have no therapist to share with.".into(),
    })?;
    let live: Option<Share> = journal_shares::table
        .filter(journal_shares::entry_id.eq(entry))
        .filter(journal_shares::revoked_at.is_null())
        .select(Share::as_select())
        .first(conn)
        .optional()?;
    match live {
        Some(share) if share.is_live(now) && share.therapist_id == therapist => {
            diesel::update(journal_shares::table.find(share.id))
                .set(journal_shares::expires_at.eq(expires_at))
                .execute(conn)?;
        }
        stale => {
            // An expired share (or one to a former therapist) is closed and
            // a fresh one starts, unread.
            if let Some(old) = stale {
                diesel::update(journal_shares::table.find(old.id))
                    .set(journal_shares::revoked_at.eq(Some(now)))
                    .execute(conn)?;
            }
            diesel::insert_into(journal_shares::table)
                .values((
                    journal_shares::id.eq(RowId::new()),
                    journal_shares::entry_id.eq(entry),
                    journal_shares::client_id.eq(client),
                    journal_shares::therapist_id.eq(therapist),
                    journal_shares::shared_at.eq(now),
                    journal_shares::expires_at.eq(expires_at),
                ))
                .execute(conn)?;
        }
    }
    Ok(journal_shares::table
        .filter(journal_shares::entry_id.eq(entry))
        .filter(journal_shares::revoked_at.is_null())
        .select(Share::as_select())
        .first(conn)?)
}

/// Takes a share back at once; `NotFound` when the entry is not shared.
pub fn unshare(conn: &mut DbConnection, client: UserId, entry: EntryId) -> DomainResult<()> {
    find_entry(conn, client, entry)?;
    let revoked = diesel::update(
        journal_shares::table
            .filter(journal_shares::entry_id.eq(entry))
            .filter(journal_shares::client_id.eq(client))
            .filter(journal_shares::revoked_at.is_null()),
    )
    .set(journal_shares::revoked_at.eq(Some(Timestamp::now())))
    .execute(conn)?;
    if revoked == 0 {
        return Err(DomainError::NotFound);
    }
    Ok(())
}

/// Revokes every share between the pair (the care link ended).
pub fn end_all(conn: &mut DbConnection, therapist: UserId, client: UserId) -> DomainResult<usize> {
    Ok(diesel::update(
        journal_shares::table
            .filter(journal_shares::therapist_id.eq(therapist))
            .filter(journal_shares::client_id.eq(client))
            .filter(journal_shares::revoked_at.is_null()),
    )
    .set(journal_shares::revoked_at.eq(Some(Timestamp::now())))
    .execute(conn)?)
}

/// Entries `client` shares with `therapist` now, newest share first.
pub fn shared_with(
    conn: &mut DbConnection,
    therapist: UserId,
    client: UserId,
    unread_only: bool,
    after: Option<uuid::Uuid>,
    fetch: i64,
) -> DomainResult<Vec<(Share, Entry)>> {
    links::client_of(conn, therapist, client)?;
    let mut query = journal_shares::table
        .inner_join(journal_entries::table)
        .filter(live_for!(therapist, client, Timestamp::now()))
        .select((Share::as_select(), Entry::as_select()))
        .order(journal_shares::id.desc())
        .limit(fetch)
        .into_boxed();
    if unread_only {
        query = query.filter(journal_shares::read_at.is_null());
    }
    if let Some(after) = after {
        query = query.filter(journal_shares::id.lt(RowId(after)));
    }
    Ok(query.load(conn)?)
}

/// One shared entry, as its therapist opens it.
fn find_shared(
    conn: &mut DbConnection,
    therapist: UserId,
    client: UserId,
    entry: EntryId,
) -> DomainResult<(Share, Entry)> {
    links::client_of(conn, therapist, client)?;
    journal_shares::table
        .inner_join(journal_entries::table)
        .filter(live_for!(therapist, client, Timestamp::now()))
        .filter(journal_shares::entry_id.eq(entry))
        .select((Share::as_select(), Entry::as_select()))
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)
}

/// Opens a shared entry: marks it read (the first time) and returns it with
/// its replies.
pub fn open(
    conn: &mut DbConnection,
    therapist: UserId,
    client: UserId,
    entry: EntryId,
) -> DomainResult<(Share, Entry, Vec<Reply>)> {
    let (mut share, entry) = find_shared(conn, therapist, client, entry)?;
    if share.read_at.is_none() {
        let now = Timestamp::now();
        diesel::update(journal_shares::table.find(share.id))
            .set(journal_shares::read_at.eq(Some(now)))
            .execute(conn)?;
        share.read_at = Some(now);
    }
    let replies = super::entries::replies(conn, entry.id)?;
    Ok((share, entry, replies))
}

/// A short reply from the therapist on an entry shared with them.
pub fn reply(
    conn: &mut DbConnection,
    therapist: UserId,
    client: UserId,
    entry: EntryId,
    body: &str,
) -> DomainResult<Reply> {
    find_shared(conn, therapist, client, entry)?;
    let id = RowId::new();
    diesel::insert_into(journal_replies::table)
        .values((
            journal_replies::id.eq(id),
            journal_replies::entry_id.eq(entry),
            journal_replies::therapist_id.eq(Some(therapist)),
            journal_replies::body.eq(body),
            journal_replies::created_at.eq(Timestamp::now()),
        ))
        .execute(conn)?;
    Ok(journal_replies::table
        .find(id)
        .select(Reply::as_select())
        .first(conn)?)
}

/// Shared questions for the next session not yet discussed, oldest first.
pub fn agenda(
    conn: &mut DbConnection,
    therapist: UserId,
    client: UserId,
) -> DomainResult<Vec<(Share, Entry)>> {
    links::client_of(conn, therapist, client)?;
    Ok(journal_shares::table
        .inner_join(journal_entries::table)
        .filter(live_for!(therapist, client, Timestamp::now()))
        .filter(journal_entries::kind.eq(EntryKind::QuestionForSession.as_str()))
        .filter(journal_shares::discussed_at.is_null())
        .select((Share::as_select(), Entry::as_select()))
        .order(journal_shares::id.asc())
        .load(conn)?)
}

/// Marks a shared question as discussed; it leaves the agenda.
pub fn mark_discussed(
    conn: &mut DbConnection,
    therapist: UserId,
    client: UserId,
    entry: EntryId,
) -> DomainResult<()> {
    let (share, entry) = find_shared(conn, therapist, client, entry)?;
    if entry.kind != EntryKind::QuestionForSession.as_str() {
        return Err(DomainError::Conflict {
            code: "not_a_question",
            detail: "Only questions for the next session go on the agenda.".into(),
        });
    }
    diesel::update(journal_shares::table.find(share.id))
        .set(journal_shares::discussed_at.eq(Some(Timestamp::now())))
        .execute(conn)?;
    Ok(())
}
