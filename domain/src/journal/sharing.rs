//! Sharing: a client shows their current therapist an entry, item by item,
//! and can take it back.
//!
//! The rule, in one place ([`visible_to!`]): a therapist sees an entry while
//! a share of it, made under their live care link with the client, is
//! neither revoked nor expired. The link is joined in every query, so ending
//! it hides every share at once. Therapist-facing functions take a
//! [`CareAccess`] and write one access-log row per entry they return.

use diesel::prelude::*;

use super::entries::{live_share, lock_entry, replies, Entry, Reply, Share};
use super::EntryKind;
use crate::access::Client;
use crate::audit::{Action, Resource};
use crate::care::{self, CareAccess};
use crate::db::schema::{care_links, journal_entries, journal_replies, journal_shares};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{EntryId, RowId};
use crate::page::PageRequest;
use crate::time::Timestamp;

/// The shares the holder of `access` may see at `now`. Use on a query that
/// joins `journal_shares` with `care_links`.
macro_rules! visible_to {
    ($access:expr, $now:expr) => {
        crate::visible_under!(journal_shares, $access, $now)
    };
}

/// Shares the client's entry with their current therapist, or changes the
/// expiry of its live share.
pub fn share(
    conn: &mut DbConnection,
    me: &Client,
    entry: EntryId,
    expires_at: Option<Timestamp>,
) -> DomainResult<Share> {
    let now = Timestamp::now();
    lock_entry(conn, me.id(), entry)?;
    let (link, therapist) = care::link_to_share_under(conn, me, expires_at, now)?;
    match live_share(conn, entry)? {
        Some(share) if share.link_id == link => {
            diesel::update(journal_shares::table.find(share.id))
                .set(journal_shares::expires_at.eq(expires_at))
                .execute(conn)?;
        }
        _ => {
            // An expired share, or one made under an ended link, is closed
            // and a fresh one starts, unread.
            diesel::update(
                journal_shares::table
                    .filter(journal_shares::entry_id.eq(entry))
                    .filter(journal_shares::revoked_at.is_null()),
            )
            .set(journal_shares::revoked_at.eq(Some(now)))
            .execute(conn)?;
            diesel::insert_into(journal_shares::table)
                .values((
                    journal_shares::id.eq(RowId::new()),
                    journal_shares::entry_id.eq(entry),
                    journal_shares::client_id.eq(me.id()),
                    journal_shares::therapist_id.eq(therapist),
                    journal_shares::link_id.eq(link),
                    journal_shares::shared_at.eq(now),
                    journal_shares::expires_at.eq(expires_at),
                ))
                .execute(conn)?;
        }
    }
    live_share(conn, entry)?.ok_or(DomainError::NotFound)
}

/// Takes a share back at once; `NotFound` when the entry is not shared.
pub fn unshare(conn: &mut DbConnection, me: &Client, entry: EntryId) -> DomainResult<()> {
    lock_entry(conn, me.id(), entry)?;
    if live_share(conn, entry)?.is_none() {
        return Err(DomainError::NotFound);
    }
    diesel::update(
        journal_shares::table
            .filter(journal_shares::entry_id.eq(entry))
            .filter(journal_shares::client_id.eq(me.id()))
            .filter(journal_shares::revoked_at.is_null()),
    )
    .set(journal_shares::revoked_at.eq(Some(Timestamp::now())))
    .execute(conn)?;
    Ok(())
}

/// Entries the client shares with the therapist now, newest share first.
/// Each entry shown is written to the access log.
pub fn shared_with(
    conn: &mut DbConnection,
    access: &CareAccess,
    unread_only: bool,
    page: &PageRequest,
) -> DomainResult<Vec<(Share, Entry)>> {
    let mut query = journal_shares::table
        .inner_join(journal_entries::table)
        .inner_join(care_links::table)
        .filter(visible_to!(access, Timestamp::now()))
        .select((Share::as_select(), Entry::as_select()))
        .order(journal_shares::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if unread_only {
        query = query.filter(journal_shares::read_at.is_null());
    }
    if let Some(after) = page.after {
        query = query.filter(journal_shares::id.lt(RowId(after)));
    }
    let rows: Vec<(Share, Entry)> = query.load(conn)?;
    let shown = page.shown(&rows).iter().map(|(_, e)| e.id.0);
    access.log(conn, Resource::JournalEntry, Action::List, shown)?;
    Ok(rows)
}

/// One shared entry, as its therapist may see it.
fn find_shared(
    conn: &mut DbConnection,
    access: &CareAccess,
    entry: EntryId,
) -> DomainResult<(Share, Entry)> {
    journal_shares::table
        .inner_join(journal_entries::table)
        .inner_join(care_links::table)
        .filter(visible_to!(access, Timestamp::now()))
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
    access: &CareAccess,
    entry: EntryId,
) -> DomainResult<(Share, Entry, Vec<Reply>)> {
    let (mut share, entry) = find_shared(conn, access, entry)?;
    if share.read_at.is_none() {
        let now = Timestamp::now();
        diesel::update(journal_shares::table.find(share.id))
            .set(journal_shares::read_at.eq(Some(now)))
            .execute(conn)?;
        share.read_at = Some(now);
    }
    let replies = replies(conn, entry.id)?;
    access.log(conn, Resource::JournalEntry, Action::Read, [entry.id.0])?;
    Ok((share, entry, replies))
}

/// A short reply from the therapist on an entry shared with them.
pub fn reply(
    conn: &mut DbConnection,
    access: &CareAccess,
    entry: EntryId,
    body: &str,
) -> DomainResult<Reply> {
    find_shared(conn, access, entry)?;
    let id = RowId::new();
    diesel::insert_into(journal_replies::table)
        .values((
            journal_replies::id.eq(id),
            journal_replies::entry_id.eq(entry),
            journal_replies::therapist_id.eq(Some(access.therapist())),
            journal_replies::body.eq(body),
            journal_replies::created_at.eq(Timestamp::now()),
        ))
        .execute(conn)?;
    access.log(conn, Resource::JournalEntry, Action::Reply, [entry.0])?;
    Ok(journal_replies::table
        .find(id)
        .select(Reply::as_select())
        .first(conn)?)
}

/// Shared questions for the next session not yet discussed, oldest first.
/// Each question shown is written to the access log.
pub fn agenda(
    conn: &mut DbConnection,
    access: &CareAccess,
    page: &PageRequest,
) -> DomainResult<Vec<(Share, Entry)>> {
    let mut query = journal_shares::table
        .inner_join(journal_entries::table)
        .inner_join(care_links::table)
        .filter(visible_to!(access, Timestamp::now()))
        .filter(journal_entries::kind.eq(EntryKind::QuestionForSession))
        .filter(journal_shares::discussed_at.is_null())
        .select((Share::as_select(), Entry::as_select()))
        .order(journal_shares::id.asc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(journal_shares::id.gt(RowId(after)));
    }
    let rows: Vec<(Share, Entry)> = query.load(conn)?;
    let shown = page.shown(&rows).iter().map(|(_, e)| e.id.0);
    access.log(conn, Resource::JournalEntry, Action::Agenda, shown)?;
    Ok(rows)
}

/// Marks a shared question as discussed; it leaves the agenda.
pub fn mark_discussed(
    conn: &mut DbConnection,
    access: &CareAccess,
    entry: EntryId,
) -> DomainResult<()> {
    let (share, entry) = find_shared(conn, access, entry)?;
    if entry.kind != EntryKind::QuestionForSession {
        return Err(DomainError::Conflict {
            code: "not_a_question",
            detail: "Only questions for the next session go on the agenda.".into(),
        });
    }
    diesel::update(journal_shares::table.find(share.id))
        .set(journal_shares::discussed_at.eq(Some(Timestamp::now())))
        .execute(conn)?;
    access.log(
        conn,
        Resource::JournalEntry,
        Action::Discussed,
        [entry.id.0],
    )?;
    Ok(())
}
