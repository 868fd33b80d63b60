//! A therapist suggests a habit; nothing reaches the client's habits until
//! they accept it. Suggestions live under the care link they were made in:
//! when it ends, the client no longer sees them and they can no longer be
//! accepted.

use diesel::prelude::*;

use super::store::{self, Habit};
use super::Definition;
use crate::access::{Client, Therapist};
use crate::audit::{Action, Resource};
use crate::care::CareAccess;
use crate::db::schema::{care_links, habit_suggestions};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{HabitId, SuggestionId, UserId};
use crate::page::PageRequest;
use crate::time::Timestamp;

crate::text_enum! {
    /// Where a suggestion is.
    pub enum SuggestionStatus {
        Pending => "pending",
        Accepted => "accepted",
        Declined => "declined",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = habit_suggestions)]
struct Row {
    id: SuggestionId,
    therapist_id: UserId,
    client_id: UserId,
    definition: String,
    note: Option<String>,
    status: SuggestionStatus,
    habit_id: Option<HabitId>,
    created_at: Timestamp,
    decided_at: Option<Timestamp>,
}

/// A suggestion as both sides see it.
#[derive(Debug, Clone)]
pub struct Suggestion {
    pub id: SuggestionId,
    pub therapist_id: UserId,
    pub client_id: UserId,
    pub definition: Definition,
    pub note: Option<String>,
    pub status: SuggestionStatus,
    /// The habit it became, once accepted.
    pub habit_id: Option<HabitId>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}

impl TryFrom<Row> for Suggestion {
    type Error = DomainError;

    fn try_from(r: Row) -> DomainResult<Self> {
        let definition = serde_json::from_str(&r.definition)
            .map_err(|e| DomainError::Internal(format!("suggestion {}: {e}", r.id)))?;
        Ok(Self {
            id: r.id,
            therapist_id: r.therapist_id,
            client_id: r.client_id,
            definition,
            note: r.note,
            status: r.status,
            habit_id: r.habit_id,
            created_at: r.created_at,
            decided_at: r.decided_at,
        })
    }
}

fn of(rows: Vec<Row>) -> DomainResult<Vec<Suggestion>> {
    rows.into_iter().map(Suggestion::try_from).collect()
}

/// Suggests a habit (checked with [`Definition::check`]) to a current
/// client.
pub fn suggest(
    conn: &mut DbConnection,
    access: &CareAccess,
    definition: &Definition,
    note: Option<String>,
    now: Timestamp,
) -> DomainResult<Suggestion> {
    let note = super::check_note("note", note).map_err(|e| DomainError::Validation(vec![e]))?;
    let id = SuggestionId::new();
    diesel::insert_into(habit_suggestions::table)
        .values((
            habit_suggestions::id.eq(id),
            habit_suggestions::therapist_id.eq(access.therapist()),
            habit_suggestions::client_id.eq(access.client()),
            habit_suggestions::link_id.eq(access.link()),
            habit_suggestions::definition.eq(serde_json::to_string(definition)
                .map_err(|e| DomainError::Internal(e.to_string()))?),
            habit_suggestions::note.eq(note),
            habit_suggestions::status.eq(SuggestionStatus::Pending),
            habit_suggestions::created_at.eq(now),
        ))
        .execute(conn)?;
    access.log(conn, Resource::Habit, Action::Suggest, [id.0])?;
    find(conn, id)
}

fn find(conn: &mut DbConnection, id: SuggestionId) -> DomainResult<Suggestion> {
    habit_suggestions::table
        .find(id)
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

/// The client's suggestions from their current therapist, newest first.
pub fn for_client(
    conn: &mut DbConnection,
    me: &Client,
    status: Option<SuggestionStatus>,
    page: &PageRequest,
) -> DomainResult<Vec<Suggestion>> {
    let mut query = habit_suggestions::table
        .inner_join(care_links::table)
        .filter(habit_suggestions::client_id.eq(me.id()))
        .filter(care_links::ended_at.is_null())
        .select(Row::as_select())
        .order(habit_suggestions::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(status) = status {
        query = query.filter(habit_suggestions::status.eq(status));
    }
    if let Some(after) = page.after {
        query = query.filter(habit_suggestions::id.lt(SuggestionId(after)));
    }
    of(query.load(conn)?)
}

/// The therapist's suggestions to their current clients (or one of them),
/// newest first.
pub fn for_therapist(
    conn: &mut DbConnection,
    me: &Therapist,
    client: Option<UserId>,
    status: Option<SuggestionStatus>,
    page: &PageRequest,
) -> DomainResult<Vec<Suggestion>> {
    let mut query = habit_suggestions::table
        .inner_join(care_links::table)
        .filter(habit_suggestions::therapist_id.eq(me.id()))
        .filter(care_links::ended_at.is_null())
        .select(Row::as_select())
        .order(habit_suggestions::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(client) = client {
        query = query.filter(habit_suggestions::client_id.eq(client));
    }
    if let Some(status) = status {
        query = query.filter(habit_suggestions::status.eq(status));
    }
    if let Some(after) = page.after {
        query = query.filter(habit_suggestions::id.lt(SuggestionId(after)));
    }
    of(query.load(conn)?)
}

/// A pending suggestion the client may decide on now.
fn pending(conn: &mut DbConnection, me: &Client, id: SuggestionId) -> DomainResult<Suggestion> {
    let row: Row = habit_suggestions::table
        .inner_join(care_links::table)
        .filter(habit_suggestions::id.eq(id))
        .filter(habit_suggestions::client_id.eq(me.id()))
        .filter(care_links::ended_at.is_null())
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)?;
    let suggestion = Suggestion::try_from(row)?;
    if suggestion.status != SuggestionStatus::Pending {
        return Err(DomainError::Conflict {
            code: "already_decided",
            detail: format!("This suggestion was {} already.", suggestion.status),
        });
    }
    Ok(suggestion)
}

/// Accepts: the habit is created as suggested and becomes the client's.
pub fn accept(
    conn: &mut DbConnection,
    me: &Client,
    id: SuggestionId,
    now: Timestamp,
) -> DomainResult<(Suggestion, Habit)> {
    let suggestion = pending(conn, me, id)?;
    let habit = store::create(conn, me, &suggestion.definition, now)?;
    decide(conn, id, SuggestionStatus::Accepted, Some(habit.id), now)?;
    Ok((find(conn, id)?, habit))
}

/// Declines: nothing is created.
pub fn decline(
    conn: &mut DbConnection,
    me: &Client,
    id: SuggestionId,
    now: Timestamp,
) -> DomainResult<Suggestion> {
    pending(conn, me, id)?;
    decide(conn, id, SuggestionStatus::Declined, None, now)?;
    find(conn, id)
}

fn decide(
    conn: &mut DbConnection,
    id: SuggestionId,
    status: SuggestionStatus,
    habit: Option<HabitId>,
    now: Timestamp,
) -> DomainResult<()> {
    // Only a pending one changes: two decisions racing, the second finds
    // nothing to change and fails.
    let changed = diesel::update(
        habit_suggestions::table
            .filter(habit_suggestions::id.eq(id))
            .filter(habit_suggestions::status.eq(SuggestionStatus::Pending)),
    )
    .set((
        habit_suggestions::status.eq(status),
        habit_suggestions::habit_id.eq(habit),
        habit_suggestions::decided_at.eq(Some(now)),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(DomainError::Conflict {
            code: "already_decided",
            detail: "This suggestion was decided already.".into(),
        });
    }
    Ok(())
}
