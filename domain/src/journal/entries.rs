//! Journal entries: the client's own, private unless shared. Every function
//! takes the [`Client`] proof and filters on it, so another person's entry is
//! simply not found.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use super::EntryKind;
use crate::access::Client;
use crate::db::schema::{
    care_links, journal_entries, journal_entry_tags, journal_replies, journal_shares,
};
use crate::db::{Backend, DbConnection};
use crate::error::{DomainError, DomainResult};
use crate::ids::{AssignmentId, EntryId, RowId, UserId};
use crate::time::Timestamp;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = journal_entries)]
pub struct Entry {
    pub id: EntryId,
    pub client_id: UserId,
    pub kind: EntryKind,
    pub title: Option<String>,
    pub body: String,
    pub mood: Option<i32>,
    pub tags: String,
    pub assignment_id: Option<AssignmentId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i32,
}

impl Entry {
    pub fn tag_list(&self) -> Vec<String> {
        serde_json::from_str(&self.tags).unwrap_or_default()
    }
}

/// A share of an entry with the client's therapist.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = journal_shares)]
pub struct Share {
    pub id: RowId,
    pub entry_id: EntryId,
    pub client_id: UserId,
    pub therapist_id: UserId,
    pub shared_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub read_at: Option<Timestamp>,
    pub discussed_at: Option<Timestamp>,
    /// The care link it was made under; it is visible only while that lasts.
    pub link_id: RowId,
}

/// What the client's own views show of a share.
#[derive(Debug, Clone, Copy, Queryable, Selectable)]
#[diesel(table_name = journal_shares)]
pub struct ShareState {
    pub shared_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub read_at: Option<Timestamp>,
}

impl ShareState {
    fn is_live(&self, now: Timestamp) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }
}

impl Share {
    pub fn state(&self) -> ShareState {
        ShareState {
            shared_at: self.shared_at,
            expires_at: self.expires_at,
            read_at: self.read_at,
        }
    }

    /// Not revoked and not expired (its link is checked in the query).
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| at > now)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = journal_replies)]
pub struct Reply {
    pub id: RowId,
    pub entry_id: EntryId,
    pub therapist_id: Option<UserId>,
    pub body: String,
    pub created_at: Timestamp,
}

pub struct NewEntry {
    pub kind: EntryKind,
    pub title: Option<String>,
    pub body: String,
    pub mood: Option<i32>,
    pub tags: Vec<String>,
    pub assignment_id: Option<AssignmentId>,
}

/// A change: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Default)]
pub struct EntryChanges {
    pub kind: Option<EntryKind>,
    pub title: Option<Option<String>>,
    pub body: Option<String>,
    pub mood: Option<Option<i32>>,
    pub tags: Option<Vec<String>>,
    pub assignment_id: Option<Option<AssignmentId>>,
}

fn tags_json(tags: &[String]) -> DomainResult<String> {
    serde_json::to_string(tags).map_err(|e| DomainError::Internal(e.to_string()))
}

fn write_tags(conn: &mut DbConnection, entry: EntryId, tags: &[String]) -> DomainResult<()> {
    diesel::delete(journal_entry_tags::table.filter(journal_entry_tags::entry_id.eq(entry)))
        .execute(conn)?;
    // One row at a time: diesel's multi-backend connection has no batch
    // insert, and an entry has at most 20 tags.
    for tag in tags {
        diesel::insert_into(journal_entry_tags::table)
            .values((
                journal_entry_tags::entry_id.eq(entry),
                journal_entry_tags::tag.eq(tag.as_str()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// An entry may answer only one of its author's own assignments.
fn check_assignment(
    conn: &mut DbConnection,
    client: UserId,
    assignment: Option<AssignmentId>,
) -> DomainResult<()> {
    match assignment {
        Some(id) if !crate::exercises::assignments::is_own(conn, client, id)? => Err(
            DomainError::invalid("assignment_id", "invalid", "is not one of your assignments"),
        ),
        _ => Ok(()),
    }
}

pub fn create(conn: &mut DbConnection, me: &Client, new: &NewEntry) -> DomainResult<Entry> {
    let client = me.id();
    check_assignment(conn, client, new.assignment_id)?;
    let now = Timestamp::now();
    let id = EntryId::new();
    diesel::insert_into(journal_entries::table)
        .values((
            journal_entries::id.eq(id),
            journal_entries::client_id.eq(client),
            journal_entries::kind.eq(new.kind),
            journal_entries::title.eq(new.title.as_deref()),
            journal_entries::body.eq(&new.body),
            journal_entries::mood.eq(new.mood),
            journal_entries::tags.eq(tags_json(&new.tags)?),
            journal_entries::assignment_id.eq(new.assignment_id),
            journal_entries::created_at.eq(now),
            journal_entries::updated_at.eq(now),
            journal_entries::version.eq(1),
        ))
        .execute(conn)?;
    write_tags(conn, id, &new.tags)?;
    find_entry(conn, client, id)
}

/// The client's entry, locked for this transaction, so concurrent changes
/// to one entry (edits, shares) take turns instead of tripping over each
/// other. On SQLite the write transaction holds the database lock already.
pub(crate) fn lock_entry(
    conn: &mut DbConnection,
    client: UserId,
    id: EntryId,
) -> DomainResult<Entry> {
    let query = journal_entries::table
        .filter(journal_entries::id.eq(id))
        .filter(journal_entries::client_id.eq(client));
    match conn {
        DbConnection::Postgresql(c) => query
            .select(Entry::as_select())
            .for_update()
            .first(c)
            .optional()?,
        DbConnection::Sqlite(c) => query.select(Entry::as_select()).first(c).optional()?,
    }
    .ok_or(DomainError::NotFound)
}

/// The client's entry; `NotFound` for anyone else's.
pub(crate) fn find_entry(
    conn: &mut DbConnection,
    client: UserId,
    id: EntryId,
) -> DomainResult<Entry> {
    crate::on_backend!(conn, c => journal_entries::table
        .filter(journal_entries::id.eq(id))
        .filter(journal_entries::client_id.eq(client))
        .select(Entry::as_select())
        .first(c)
        .optional())?
    .ok_or(DomainError::NotFound)
}

/// The client's entry with its live share and the therapist's replies.
pub fn find_own(
    conn: &mut DbConnection,
    me: &Client,
    id: EntryId,
) -> DomainResult<(Entry, Option<Share>, Vec<Reply>)> {
    let entry = find_entry(conn, me.id(), id)?;
    let share = live_share(conn, id)?;
    let replies = replies(conn, id)?;
    Ok((entry, share, replies))
}

/// The entry's share, if it is live: not revoked, not expired, and made
/// under the client's live care link.
pub(crate) fn live_share(conn: &mut DbConnection, entry: EntryId) -> DomainResult<Option<Share>> {
    let now = Timestamp::now();
    let share: Option<Share> = crate::on_backend!(conn, c => journal_shares::table
        .inner_join(care_links::table)
        .filter(journal_shares::entry_id.eq(entry))
        .filter(journal_shares::revoked_at.is_null())
        .filter(care_links::ended_at.is_null())
        .select(Share::as_select())
        .first(c)
        .optional())?;
    Ok(share.filter(|s| s.is_live(now)))
}

/// Replies on an entry, oldest first.
pub(crate) fn replies(conn: &mut DbConnection, entry: EntryId) -> DomainResult<Vec<Reply>> {
    Ok(crate::on_backend!(conn, c => journal_replies::table
        .filter(journal_replies::entry_id.eq(entry))
        .select(Reply::as_select())
        .order(journal_replies::id.asc())
        .load(c))?)
}

/// Filters of the entry list; all optional, combined with AND.
#[derive(Debug, Default, Clone)]
pub struct EntryFilter {
    pub kind: Option<EntryKind>,
    pub tag: Option<String>,
    /// Created at or after.
    pub from: Option<Timestamp>,
    /// Created before.
    pub to: Option<Timestamp>,
    pub mood_min: Option<i32>,
    pub mood_max: Option<i32>,
    /// Words that must all appear in the title or body.
    pub q: Option<String>,
}

/// Words of a search as an FTS5 query: each a quoted phrase, all required.
fn fts5_query(q: &str) -> String {
    q.split_whitespace()
        .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

impl EntryFilter {
    fn is_empty(&self) -> bool {
        let q_blank = self.q.as_deref().is_none_or(|q| q.trim().is_empty());
        self.kind.is_none()
            && self.tag.is_none()
            && self.from.is_none()
            && self.to.is_none()
            && self.mood_min.is_none()
            && self.mood_max.is_none()
            && q_blank
    }
}

/// The client's entries, newest first, with their live shares (the list
/// selects only what the client's view of a share shows).
///
/// Without filters (the journal as it opens, and every next page) the query
/// has one shape, so its prepared statement is found by type; with filters
/// it is built for the filters given.
pub fn list(
    conn: &mut DbConnection,
    me: &Client,
    filter: &EntryFilter,
    after: Option<uuid::Uuid>,
    fetch: i64,
) -> DomainResult<Vec<(Entry, Option<ShareState>)>> {
    let backend = conn.backend();
    let now = Timestamp::now();
    // The list as every variant starts it; a macro, so that each backend
    // gets its own (its `as_select` names the backend).
    macro_rules! base {
        () => {
            journal_entries::table
                .left_join(
                    journal_shares::table.on(journal_shares::entry_id
                        .eq(journal_entries::id)
                        .and(journal_shares::revoked_at.is_null())),
                )
                .left_join(
                    care_links::table.on(care_links::id
                        .eq(journal_shares::link_id)
                        .and(care_links::ended_at.is_null())),
                )
                .filter(journal_entries::client_id.eq(me.id()))
                .select((
                    Entry::as_select(),
                    Option::<ShareState>::as_select(),
                    care_links::id.nullable(),
                ))
                .order(journal_entries::id.desc())
                .limit(fetch)
        };
    }
    let rows: Vec<(Entry, Option<ShareState>, Option<RowId>)> = if filter.is_empty() {
        // Every id sorts below the largest UUID, so the first page and the
        // next ones share this one statement.
        let before = EntryId(after.unwrap_or(uuid::Uuid::max()));
        crate::on_backend!(conn, c => base!().filter(journal_entries::id.lt(before)).load(c))?
    } else {
        crate::on_backend!(conn, c => {
            let mut query = base!().into_boxed();
            if let Some(after) = after {
                query = query.filter(journal_entries::id.lt(EntryId(after)));
            }
            if let Some(kind) = filter.kind {
                query = query.filter(journal_entries::kind.eq(kind));
            }
            if let Some(tag) = &filter.tag {
                query = query.filter(
                    journal_entries::id.eq_any(
                        journal_entry_tags::table
                            .filter(journal_entry_tags::tag.eq(tag.clone()))
                            .select(journal_entry_tags::entry_id),
                    ),
                );
            }
            if let Some(from) = filter.from {
                query = query.filter(journal_entries::created_at.ge(from));
            }
            if let Some(to) = filter.to {
                query = query.filter(journal_entries::created_at.lt(to));
            }
            if let Some(min) = filter.mood_min {
                query = query.filter(journal_entries::mood.ge(min));
            }
            if let Some(max) = filter.mood_max {
                query = query.filter(journal_entries::mood.le(max));
            }
            if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                // The one dialect-specific filter: PostgreSQL full-text search
                // (the expression matches the GIN index), SQLite FTS5.
                query = match backend {
                    Backend::Postgres => query.filter(
                        sql::<Bool>("to_tsvector('simple', coalesce(journal_entries.title, '') || ' ' || journal_entries.body) @@ plainto_tsquery('simple', ")
                            .bind::<Text, _>(q.to_owned())
                            .sql(")"),
                    ),
                    Backend::Sqlite => query.filter(
                        sql::<Bool>("journal_entries.id IN (SELECT entry_id FROM journal_entries_fts WHERE journal_entries_fts MATCH ")
                            .bind::<Text, _>(fts5_query(q))
                            .sql(")"),
                    ),
                };
            }
            query.load(c)
        })?
    };
    Ok(rows
        .into_iter()
        .map(|(entry, share, live_link)| {
            let share = share.filter(|s| live_link.is_some() && s.is_live(now));
            (entry, share)
        })
        .collect())
}

/// Applies `changes` if the entry is at `expected_version` (when given);
/// returns the changed entry with its live share.
pub fn update(
    conn: &mut DbConnection,
    me: &Client,
    id: EntryId,
    expected_version: Option<i32>,
    changes: &EntryChanges,
) -> DomainResult<(Entry, Option<Share>)> {
    let client = me.id();
    let current = lock_entry(conn, client, id)?;
    if expected_version.is_some_and(|v| v != current.version) {
        return Err(DomainError::PreconditionFailed);
    }
    if let Some(assignment) = changes.assignment_id {
        check_assignment(conn, client, assignment)?;
    }
    let tags = match &changes.tags {
        Some(tags) => tags_json(tags)?,
        None => current.tags.clone(),
    };
    let updated = diesel::update(
        journal_entries::table
            .filter(journal_entries::id.eq(id))
            .filter(journal_entries::client_id.eq(client))
            // Guards a concurrent writer between the read above and here.
            .filter(journal_entries::version.eq(current.version)),
    )
    .set((
        journal_entries::kind.eq(changes.kind.unwrap_or(current.kind)),
        journal_entries::title.eq(changes.title.clone().unwrap_or(current.title.clone())),
        journal_entries::body.eq(changes.body.clone().unwrap_or(current.body.clone())),
        journal_entries::mood.eq(changes.mood.unwrap_or(current.mood)),
        journal_entries::tags.eq(tags),
        journal_entries::assignment_id.eq(changes.assignment_id.unwrap_or(current.assignment_id)),
        journal_entries::updated_at.eq(Timestamp::now()),
        journal_entries::version.eq(current.version + 1),
    ))
    .execute(conn)?;
    if updated != 1 {
        return Err(DomainError::PreconditionFailed);
    }
    if let Some(tags) = &changes.tags {
        write_tags(conn, id, tags)?;
    }
    let entry = find_entry(conn, client, id)?;
    let share = live_share(conn, id)?;
    Ok((entry, share))
}

pub fn delete(
    conn: &mut DbConnection,
    me: &Client,
    id: EntryId,
    expected_version: Option<i32>,
) -> DomainResult<()> {
    let client = me.id();
    let mut query = diesel::delete(
        journal_entries::table
            .filter(journal_entries::id.eq(id))
            .filter(journal_entries::client_id.eq(client)),
    )
    .into_boxed();
    if let Some(version) = expected_version {
        query = query.filter(journal_entries::version.eq(version));
    }
    if query.execute(conn)? == 1 {
        // A stored answer to a retried create would still hold the text.
        crate::idempotency::forget_resource(conn, client, id.0)?;
        return Ok(());
    }
    // Tell a stale version from a missing entry.
    find_entry(conn, client, id)?;
    Err(DomainError::PreconditionFailed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_words_become_quoted_fts5_phrases() {
        assert_eq!(
            fts5_query("  calm   \"walk\" OR x "),
            "\"calm\" \"\"\"walk\"\"\" \"OR\" \"x\""
        );
    }
}
