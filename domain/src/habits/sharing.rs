//! What a client shows their therapist of their tracking: a habit (its
//! definition, check-ins and numbers) or the daily check-in series, each as
//! one item, exactly as journal entries are shared: under the live care
//! link, revocable, optionally expiring ([`crate::visible_under!`]).
//!
//! Therapist reads take a [`CareAccess`] and write one access-log row per
//! item shown. What is not shared is not counted or hinted at: a therapist's
//! list holds shared habits only, and an unshared habit or series is a 404.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::store::{self, Habit};
use crate::access::Client;
use crate::audit::{Action, Resource};
use crate::care::{self, CareAccess};
use crate::db::schema::{care_links, tracking_shares};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{HabitId, RowId};
use crate::journal::entries::ShareState;
use crate::time::Timestamp;

/// What is shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tracked {
    Habit(HabitId),
    /// The daily check-ins (mood, energy, sleep, tags), all of them.
    DailyCheckIns,
}

#[derive(Debug, Clone, Copy, Queryable, Selectable)]
#[diesel(table_name = tracking_shares)]
struct Share {
    id: RowId,
    habit_id: Option<HabitId>,
    link_id: RowId,
    shared_at: Timestamp,
    expires_at: Option<Timestamp>,
    read_at: Option<Timestamp>,
}

impl Share {
    fn state(&self) -> ShareState {
        ShareState {
            shared_at: self.shared_at,
            expires_at: self.expires_at,
            read_at: self.read_at,
        }
    }
}

type ShareQuery<'a> = diesel::dsl::IntoBoxed<
    'a,
    diesel::dsl::Select<
        diesel::dsl::InnerJoin<tracking_shares::table, care_links::table>,
        diesel::dsl::AsSelect<Share, crate::db::MultiBackend>,
    >,
    crate::db::MultiBackend,
>;

/// The client's live shares (under a live link, not revoked, not expired).
fn live_of<'a>(client: crate::ids::UserId, now: Timestamp) -> ShareQuery<'a> {
    tracking_shares::table
        .inner_join(care_links::table)
        .select(Share::as_select())
        .into_boxed()
        .filter(tracking_shares::client_id.eq(client))
        .filter(tracking_shares::revoked_at.is_null())
        .filter(care_links::ended_at.is_null())
        .filter(
            tracking_shares::expires_at
                .is_null()
                .or(tracking_shares::expires_at.gt(now)),
        )
}

/// The client's live share of `target`.
fn live(
    conn: &mut DbConnection,
    client: crate::ids::UserId,
    target: Tracked,
    now: Timestamp,
) -> DomainResult<Option<Share>> {
    let query = match target {
        Tracked::Habit(id) => live_of(client, now).filter(tracking_shares::habit_id.eq(id)),
        Tracked::DailyCheckIns => live_of(client, now).filter(tracking_shares::habit_id.is_null()),
    };
    Ok(query.first(conn).optional()?)
}

/// The live shares of the client's habits, by habit.
pub fn shares_of_habits(
    conn: &mut DbConnection,
    me: &Client,
    ids: &[HabitId],
    now: Timestamp,
) -> DomainResult<HashMap<HabitId, ShareState>> {
    let rows: Vec<Share> = live_of(me.id(), now)
        .filter(tracking_shares::habit_id.eq_any(ids.to_vec()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|s| s.habit_id.map(|h| (h, s.state())))
        .collect())
}

/// Shares a habit or the series with the client's current therapist, or
/// changes when its live share ends.
pub fn share(
    conn: &mut DbConnection,
    me: &Client,
    target: Tracked,
    expires_at: Option<Timestamp>,
    now: Timestamp,
) -> DomainResult<ShareState> {
    // Two shares at once must not leave two live rows.
    crate::accounts::users::lock(conn, me.id())?;
    if let Tracked::Habit(id) = target {
        store::get_own(conn, me, id)?;
    }
    let (link, therapist) = care::link_to_share_under(conn, me, expires_at, now)?;
    match live(conn, me.id(), target, now)? {
        Some(share) if share.link_id == link => {
            diesel::update(tracking_shares::table.find(share.id))
                .set(tracking_shares::expires_at.eq(expires_at))
                .execute(conn)?;
        }
        _ => {
            // An expired share, or one made under an ended link, is closed
            // and a fresh one starts, unread.
            revoke_all(conn, me, target, now)?;
            diesel::insert_into(tracking_shares::table)
                .values((
                    tracking_shares::id.eq(RowId::new()),
                    tracking_shares::client_id.eq(me.id()),
                    tracking_shares::habit_id.eq(match target {
                        Tracked::Habit(id) => Some(id),
                        Tracked::DailyCheckIns => None,
                    }),
                    tracking_shares::therapist_id.eq(therapist),
                    tracking_shares::link_id.eq(link),
                    tracking_shares::shared_at.eq(now),
                    tracking_shares::expires_at.eq(expires_at),
                ))
                .execute(conn)?;
        }
    }
    live(conn, me.id(), target, now)?
        .map(|s| s.state())
        .ok_or(DomainError::NotFound)
}

/// Takes a share back at once; `NotFound` when it is not shared.
pub fn unshare(
    conn: &mut DbConnection,
    me: &Client,
    target: Tracked,
    now: Timestamp,
) -> DomainResult<()> {
    crate::accounts::users::lock(conn, me.id())?;
    if let Tracked::Habit(id) = target {
        store::get_own(conn, me, id)?;
    }
    if live(conn, me.id(), target, now)?.is_none() {
        return Err(DomainError::NotFound);
    }
    revoke_all(conn, me, target, now)
}

fn revoke_all(
    conn: &mut DbConnection,
    me: &Client,
    target: Tracked,
    now: Timestamp,
) -> DomainResult<()> {
    let mut open = tracking_shares::table
        .filter(tracking_shares::client_id.eq(me.id()))
        .filter(tracking_shares::revoked_at.is_null())
        .select(tracking_shares::id)
        .into_boxed();
    open = match target {
        Tracked::Habit(id) => open.filter(tracking_shares::habit_id.eq(id)),
        Tracked::DailyCheckIns => open.filter(tracking_shares::habit_id.is_null()),
    };
    let ids: Vec<RowId> = open.load(conn)?;
    diesel::update(tracking_shares::table.filter(tracking_shares::id.eq_any(ids)))
        .set(tracking_shares::revoked_at.eq(Some(now)))
        .execute(conn)?;
    Ok(())
}

/// The habits the client shares with this therapist now, oldest first;
/// each one shown is written to the access log.
pub fn shared_habits(
    conn: &mut DbConnection,
    access: &CareAccess,
    now: Timestamp,
) -> DomainResult<Vec<(Habit, ShareState)>> {
    let shares: Vec<Share> = tracking_shares::table
        .inner_join(care_links::table)
        .filter(crate::visible_under!(tracking_shares, access, now))
        .filter(tracking_shares::habit_id.is_not_null())
        .select(Share::as_select())
        .load(conn)?;
    let by_habit: HashMap<HabitId, ShareState> = shares
        .iter()
        .filter_map(|s| s.habit_id.map(|h| (h, s.state())))
        .collect();
    let ids: Vec<HabitId> = by_habit.keys().copied().collect();
    let out: Vec<(Habit, ShareState)> = store::find_many(conn, access.client(), &ids)?
        .into_iter()
        .filter_map(|h| by_habit.get(&h.id).map(|s| (h, *s)))
        .collect();
    access.log(
        conn,
        Resource::Habit,
        Action::List,
        out.iter().map(|(h, _)| h.id.0),
    )?;
    Ok(out)
}

/// Whether the client shares the daily series with this therapist now
/// (nothing is marked read or logged).
pub(crate) fn shares_daily(
    conn: &mut DbConnection,
    access: &CareAccess,
    now: Timestamp,
) -> DomainResult<bool> {
    let found: Option<RowId> = tracking_shares::table
        .inner_join(care_links::table)
        .filter(crate::visible_under!(tracking_shares, access, now))
        .filter(tracking_shares::habit_id.is_null())
        .select(tracking_shares::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

fn visible_share(
    conn: &mut DbConnection,
    access: &CareAccess,
    target: Tracked,
    now: Timestamp,
) -> DomainResult<Share> {
    let mut query = tracking_shares::table
        .inner_join(care_links::table)
        .filter(crate::visible_under!(tracking_shares, access, now))
        .select(Share::as_select())
        .into_boxed();
    query = match target {
        Tracked::Habit(id) => query.filter(tracking_shares::habit_id.eq(id)),
        Tracked::DailyCheckIns => query.filter(tracking_shares::habit_id.is_null()),
    };
    let share = query.first(conn).optional()?.ok_or(DomainError::NotFound)?;
    if share.read_at.is_none() {
        diesel::update(tracking_shares::table.find(share.id))
            .set(tracking_shares::read_at.eq(Some(now)))
            .execute(conn)?;
    }
    Ok(share)
}

/// Opens a shared habit for its numbers: marks the share read and writes
/// the access log. `NotFound` unless it is shared with this therapist now.
pub fn open_habit(
    conn: &mut DbConnection,
    access: &CareAccess,
    id: HabitId,
    now: Timestamp,
) -> DomainResult<Habit> {
    visible_share(conn, access, Tracked::Habit(id), now)?;
    let habit = store::find(conn, access.client(), id)?;
    access.log(conn, Resource::Habit, Action::Stats, [id.0])?;
    Ok(habit)
}

/// Opens the shared daily series over a range (checked with
/// [`super::range`] in the client's today, once the share is found);
/// `NotFound` unless the client shares it with this therapist now.
pub fn open_daily(
    conn: &mut DbConnection,
    access: &CareAccess,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: Timestamp,
) -> DomainResult<Vec<super::daily::DailyCheckIn>> {
    visible_share(conn, access, Tracked::DailyCheckIns, now)?;
    let today = store::today_of(conn, access.client(), now)?;
    let (from, to) = super::range(from, to, today)?;
    let series = super::daily::range(conn, access.client(), from, to)?;
    // The series is one item: it is named by its client.
    access.log(
        conn,
        Resource::DailyCheckIns,
        Action::Read,
        [access.client().0],
    )?;
    Ok(series)
}
