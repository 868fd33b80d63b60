//! A client's habits and check-ins, and the numbers read from them.
//!
//! Only the client reaches their habits here (through the [`Client`]
//! proof; a therapist reads a shared habit through [`super::sharing`]).
//!
//! The numbers are always a fold of the check-ins (see [`super::score`]).
//! To keep a read independent of the length of the history, the state at
//! each month end is kept as a checkpoint; a read starts at the latest one
//! before the days it needs. Checkpoints are derived, never the truth: a
//! check-in written on (or a change of the habit's rule affecting) a date
//! drops every checkpoint on or after it, and they are rebuilt from the
//! check-ins in the same transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate};
use diesel::prelude::*;

use super::score::{self, Completion, DayClass, Frequency, Mark, Outcome, State, Streak};
use super::{Definition, HabitKind, StoredMeasure, TargetKind};
use crate::access::Client;
use crate::db::schema::{habit_check_ins, habit_checkpoints, habits, users};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{HabitId, UserId};
use crate::page::PageRequest;
use crate::time::{TimeOfDay, Timestamp};

crate::text_enum! {
    /// A check-in's value for a yes/no habit (numeric ones send an amount).
    pub enum CheckInStatus {
        Done => "done",
        NotDone => "not_done",
        /// Sick, travelling, a rest day: the score holds, a streak lives on.
        Skip => "skip",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = habits)]
struct Row {
    id: HabitId,
    client_id: UserId,
    name: String,
    description: Option<String>,
    color: Option<String>,
    icon: Option<String>,
    measure: StoredMeasure,
    unit: Option<String>,
    target: Option<f64>,
    frequency: String,
    reminder_time: Option<String>,
    created_on: NaiveDate,
    starts_on: NaiveDate,
    created_at: Timestamp,
    updated_at: Timestamp,
    archived_at: Option<Timestamp>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = habits, treat_none_as_null = true)]
struct Columns<'a> {
    name: &'a str,
    description: Option<&'a str>,
    color: Option<&'a str>,
    icon: Option<&'a str>,
    measure: StoredMeasure,
    unit: Option<&'a str>,
    target: Option<f64>,
    frequency: String,
    reminder_time: Option<String>,
}

impl<'a> Columns<'a> {
    fn of(d: &'a Definition) -> DomainResult<Self> {
        let measure = match (d.kind, d.target_kind) {
            (HabitKind::YesNo, _) => StoredMeasure::YesNo,
            (HabitKind::Numeric, Some(TargetKind::AtMost)) => StoredMeasure::AtMost,
            (HabitKind::Numeric, _) => StoredMeasure::AtLeast,
        };
        Ok(Self {
            name: &d.name,
            description: d.description.as_deref(),
            color: d.color.as_deref(),
            icon: d.icon.as_deref(),
            measure,
            unit: d.unit.as_deref(),
            target: d.target,
            frequency: serde_json::to_string(&d.frequency)
                .map_err(|e| DomainError::Internal(e.to_string()))?,
            reminder_time: d.reminder_time.map(|t| t.to_string()),
        })
    }
}

/// A habit as stored.
#[derive(Debug, Clone)]
pub struct Habit {
    pub id: HabitId,
    pub client_id: UserId,
    pub definition: Definition,
    /// The client's local date when it was created.
    pub created_on: NaiveDate,
    /// The first day counted: the earlier of `created_on` and the first
    /// check-in.
    pub starts_on: NaiveDate,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub archived_at: Option<Timestamp>,
}

impl TryFrom<Row> for Habit {
    type Error = DomainError;

    fn try_from(r: Row) -> DomainResult<Self> {
        let corrupt = |what: &str| DomainError::Internal(format!("habit {}: {what}", r.id));
        let frequency: Frequency =
            serde_json::from_str(&r.frequency).map_err(|_| corrupt("frequency"))?;
        let reminder_time = match &r.reminder_time {
            Some(t) => Some(TimeOfDay::parse(t).ok_or_else(|| corrupt("reminder time"))?),
            None => None,
        };
        let (kind, target_kind) = match r.measure {
            StoredMeasure::YesNo => (HabitKind::YesNo, None),
            StoredMeasure::AtLeast => (HabitKind::Numeric, Some(TargetKind::AtLeast)),
            StoredMeasure::AtMost => (HabitKind::Numeric, Some(TargetKind::AtMost)),
        };
        Ok(Self {
            id: r.id,
            client_id: r.client_id,
            definition: Definition {
                name: r.name,
                description: r.description,
                color: r.color,
                icon: r.icon,
                kind,
                unit: r.unit,
                target: r.target,
                target_kind,
                frequency,
                reminder_time,
            },
            created_on: r.created_on,
            starts_on: r.starts_on,
            created_at: r.created_at,
            updated_at: r.updated_at,
            archived_at: r.archived_at,
        })
    }
}

fn habits_of(rows: Vec<Row>) -> DomainResult<Vec<Habit>> {
    rows.into_iter().map(Habit::try_from).collect()
}

/// One day's check-in.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = habit_check_ins)]
pub struct CheckIn {
    pub habit_id: HabitId,
    pub on_date: NaiveDate,
    pub status: CheckInStatus,
    /// Numeric habits: the amount (none when skipped or not done).
    pub amount: Option<f64>,
    pub note: Option<String>,
    pub updated_at: Timestamp,
}

impl CheckIn {
    pub fn mark(&self) -> Mark {
        match (self.status, self.amount) {
            (CheckInStatus::Skip, _) => Mark::Skip,
            (CheckInStatus::NotDone, _) => Mark::NotDone,
            (CheckInStatus::Done, Some(amount)) => Mark::Amount(amount),
            (CheckInStatus::Done, None) => Mark::Done,
        }
    }
}

/// What a client sends for a day.
#[derive(Debug, Clone, Default)]
pub struct CheckInInput {
    pub status: Option<CheckInStatus>,
    pub amount: Option<f64>,
    pub note: Option<String>,
}

/// The client's zone and day start, and so their "today".
pub fn today_of(
    conn: &mut DbConnection,
    client: UserId,
    now: Timestamp,
) -> DomainResult<NaiveDate> {
    let (zone, day_starts_at): (String, i32) = users::table
        .find(client)
        .select((users::time_zone, users::day_starts_at))
        .first(conn)?;
    Ok(super::today(
        now,
        crate::care::stored_zone(&zone)?,
        day_starts_at,
    ))
}

/// Creates a habit (checked first with [`Definition::check`]).
pub fn create(
    conn: &mut DbConnection,
    me: &Client,
    definition: &Definition,
    now: Timestamp,
) -> DomainResult<Habit> {
    let today = today_of(conn, me.id(), now)?;
    let id = HabitId::new();
    diesel::insert_into(habits::table)
        .values((
            Columns::of(definition)?,
            habits::id.eq(id),
            habits::client_id.eq(me.id()),
            habits::created_on.eq(today),
            habits::starts_on.eq(today),
            habits::created_at.eq(now),
            habits::updated_at.eq(now),
        ))
        .execute(conn)?;
    get_own(conn, me, id)
}

/// The client's habit; `NotFound` for anyone else's.
pub fn get_own(conn: &mut DbConnection, me: &Client, id: HabitId) -> DomainResult<Habit> {
    find(conn, me.id(), id)
}

pub(crate) fn find(conn: &mut DbConnection, client: UserId, id: HabitId) -> DomainResult<Habit> {
    habits::table
        .filter(habits::id.eq(id))
        .filter(habits::client_id.eq(client))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)?
        .try_into()
}

/// Habits by id alone, whoever's: for the reminders that speak for them
/// (never shown to anyone through this).
pub(crate) fn by_ids(conn: &mut DbConnection, ids: &[HabitId]) -> DomainResult<Vec<Habit>> {
    habits_of(
        habits::table
            .filter(habits::id.eq_any(ids))
            .select(Row::as_select())
            .load(conn)?,
    )
}

/// The client's habits among `ids`, oldest first.
pub(crate) fn find_many(
    conn: &mut DbConnection,
    client: UserId,
    ids: &[HabitId],
) -> DomainResult<Vec<Habit>> {
    habits_of(
        habits::table
            .filter(habits::id.eq_any(ids))
            .filter(habits::client_id.eq(client))
            .order(habits::id.asc())
            .select(Row::as_select())
            .load(conn)?,
    )
}

/// Check-ins and changes of one habit take turns (SQLite's write
/// transaction holds the database lock already).
fn lock_own(conn: &mut DbConnection, me: &Client, id: HabitId) -> DomainResult<Habit> {
    if let DbConnection::Postgresql(c) = conn {
        habits::table
            .filter(habits::id.eq(id))
            .filter(habits::client_id.eq(me.id()))
            .select(habits::id)
            .for_update()
            .first::<HabitId>(c)
            .optional()?;
    }
    get_own(conn, me, id)
}

/// Which habits a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArchiveFilter {
    /// Not archived (the default).
    Active,
    Archived,
    All,
}

/// The client's habits, oldest first.
pub fn list_own(
    conn: &mut DbConnection,
    me: &Client,
    filter: ArchiveFilter,
    page: &PageRequest,
) -> DomainResult<Vec<Habit>> {
    let mut query = habits::table
        .filter(habits::client_id.eq(me.id()))
        .select(Row::as_select())
        .order(habits::id.asc())
        .limit(page.fetch())
        .into_boxed();
    query = match filter {
        ArchiveFilter::Active => query.filter(habits::archived_at.is_null()),
        ArchiveFilter::Archived => query.filter(habits::archived_at.is_not_null()),
        ArchiveFilter::All => query,
    };
    if let Some(after) = page.after {
        query = query.filter(habits::id.gt(HabitId(after)));
    }
    habits_of(query.load(conn)?)
}

/// What a client changes of a habit; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct Changes {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub color: Option<Option<String>>,
    pub icon: Option<Option<String>>,
    pub unit: Option<Option<String>>,
    pub target: Option<f64>,
    pub target_kind: Option<TargetKind>,
    pub frequency: Option<Frequency>,
    pub reminder_time: Option<Option<TimeOfDay>>,
    pub archived: Option<bool>,
}

/// Changes a habit. A new frequency or target rescores the whole history
/// (the checkpoints are rebuilt).
pub fn update(
    conn: &mut DbConnection,
    me: &Client,
    id: HabitId,
    changes: Changes,
    now: Timestamp,
) -> DomainResult<Habit> {
    let habit = lock_own(conn, me, id)?;
    let before = habit.definition.clone();
    let mut d = habit.definition.clone();
    if let Some(name) = changes.name {
        d.name = name;
    }
    if let Some(v) = changes.description {
        d.description = v;
    }
    if let Some(v) = changes.color {
        d.color = v;
    }
    if let Some(v) = changes.icon {
        d.icon = v;
    }
    if let Some(v) = changes.unit {
        d.unit = v;
    }
    if let Some(v) = changes.target {
        d.target = Some(v);
    }
    if let Some(v) = changes.target_kind {
        d.target_kind = Some(v);
    }
    if let Some(v) = changes.frequency {
        d.frequency = v;
    }
    if let Some(v) = changes.reminder_time {
        d.reminder_time = v;
    }
    let d = d.check("").map_err(DomainError::Validation)?;
    diesel::update(habits::table.find(id))
        .set((Columns::of(&d)?, habits::updated_at.eq(now)))
        .execute(conn)?;
    if let Some(archived) = changes.archived {
        if archived != habit.archived_at.is_some() {
            diesel::update(habits::table.find(id))
                .set(habits::archived_at.eq(archived.then_some(now)))
                .execute(conn)?;
        }
    }
    if d.rule() != before.rule() {
        diesel::delete(habit_checkpoints::table.filter(habit_checkpoints::habit_id.eq(id)))
            .execute(conn)?;
        let habit = get_own(conn, me, id)?;
        let today = today_of(conn, me.id(), now)?;
        rebuild(conn, &habit, today)?;
    }
    get_own(conn, me, id)
}

/// Deletes a habit with its check-ins, shares and checkpoints.
pub fn delete(conn: &mut DbConnection, me: &Client, id: HabitId) -> DomainResult<()> {
    let gone = diesel::delete(
        habits::table
            .filter(habits::id.eq(id))
            .filter(habits::client_id.eq(me.id())),
    )
    .execute(conn)?;
    if gone == 0 {
        return Err(DomainError::NotFound);
    }
    Ok(())
}

/// Writes (or replaces) the check-in of a local date.
pub fn put_check_in(
    conn: &mut DbConnection,
    me: &Client,
    id: HabitId,
    date: NaiveDate,
    input: CheckInInput,
    now: Timestamp,
) -> DomainResult<CheckIn> {
    let habit = lock_own(conn, me, id)?;
    let today = today_of(conn, me.id(), now)?;
    super::check_writable("date", date, today)?;
    let note =
        super::check_note("note", input.note).map_err(|e| DomainError::Validation(vec![e]))?;
    let (status, amount) = check_value(habit.definition.kind, input.status, input.amount)?;
    let updated = diesel::update(
        habit_check_ins::table
            .filter(habit_check_ins::habit_id.eq(id))
            .filter(habit_check_ins::on_date.eq(date)),
    )
    .set((
        habit_check_ins::status.eq(status),
        habit_check_ins::amount.eq(amount),
        habit_check_ins::note.eq(note.as_deref()),
        habit_check_ins::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(habit_check_ins::table)
            .values((
                habit_check_ins::habit_id.eq(id),
                habit_check_ins::on_date.eq(date),
                habit_check_ins::status.eq(status),
                habit_check_ins::amount.eq(amount),
                habit_check_ins::note.eq(note.as_deref()),
                habit_check_ins::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    changed_on(conn, &habit, date, today)?;
    Ok(habit_check_ins::table
        .find((id, date))
        .select(CheckIn::as_select())
        .first(conn)?)
}

/// Removes the check-in of a local date; `NotFound` when there is none.
pub fn delete_check_in(
    conn: &mut DbConnection,
    me: &Client,
    id: HabitId,
    date: NaiveDate,
    now: Timestamp,
) -> DomainResult<()> {
    let habit = lock_own(conn, me, id)?;
    let gone = diesel::delete(habit_check_ins::table.find((id, date))).execute(conn)?;
    if gone == 0 {
        return Err(DomainError::NotFound);
    }
    let today = today_of(conn, me.id(), now)?;
    changed_on(conn, &habit, date, today)
}

/// A yes/no habit takes a status; a numeric one an amount, or `skip`, or
/// `not_done` (none that day).
fn check_value(
    kind: HabitKind,
    status: Option<CheckInStatus>,
    amount: Option<f64>,
) -> DomainResult<(CheckInStatus, Option<f64>)> {
    match (kind, status, amount) {
        (HabitKind::YesNo, Some(status), None) => Ok((status, None)),
        (HabitKind::YesNo, None, _) => Err(DomainError::invalid(
            "status",
            "required",
            "a yes/no habit takes done, not_done or skip",
        )),
        (HabitKind::YesNo, Some(_), Some(_)) => Err(DomainError::invalid(
            "amount",
            "not_allowed",
            "only numeric habits take an amount",
        )),
        (HabitKind::Numeric, Some(CheckInStatus::Skip | CheckInStatus::NotDone), Some(_)) => {
            Err(DomainError::invalid(
                "amount",
                "not_allowed",
                "a skipped or not-done day has no amount",
            ))
        }
        (
            HabitKind::Numeric,
            Some(status @ (CheckInStatus::Skip | CheckInStatus::NotDone)),
            None,
        ) => Ok((status, None)),
        (HabitKind::Numeric, _, None) => Err(DomainError::invalid(
            "amount",
            "required",
            "a numeric habit takes an amount (or status skip or not_done)",
        )),
        (HabitKind::Numeric, _, Some(a))
            if !(a.is_finite() && (0.0..=super::AMOUNT_MAX).contains(&a)) =>
        {
            Err(DomainError::invalid(
                "amount",
                "out_of_range",
                "must be from 0 to 1,000,000",
            ))
        }
        (HabitKind::Numeric, _, Some(a)) => Ok((CheckInStatus::Done, Some(a))),
    }
}

/// After a check-in on `date` changed: the first day moves back if needed,
/// checkpoints from `date` on are dropped and rebuilt.
fn changed_on(
    conn: &mut DbConnection,
    habit: &Habit,
    date: NaiveDate,
    today: NaiveDate,
) -> DomainResult<()> {
    let first_check_in: Option<NaiveDate> = habit_check_ins::table
        .filter(habit_check_ins::habit_id.eq(habit.id))
        .select(diesel::dsl::min(habit_check_ins::on_date))
        .first(conn)?;
    let starts_on = first_check_in.map_or(habit.created_on, |d| d.min(habit.created_on));
    let from = date.min(starts_on).min(habit.starts_on);
    if starts_on != habit.starts_on {
        diesel::update(habits::table.find(habit.id))
            .set(habits::starts_on.eq(starts_on))
            .execute(conn)?;
    }
    diesel::delete(
        habit_checkpoints::table
            .filter(habit_checkpoints::habit_id.eq(habit.id))
            .filter(habit_checkpoints::through.ge(from)),
    )
    .execute(conn)?;
    let habit = Habit {
        starts_on,
        ..habit.clone()
    };
    rebuild(conn, &habit, today)
}

/// Stores the state at every month end before today's month that has no
/// checkpoint yet, folding from the latest one kept.
fn rebuild(conn: &mut DbConnection, habit: &Habit, today: NaiveDate) -> DomainResult<()> {
    let last_end = today.with_day(1).unwrap_or(today) - Duration::days(1);
    let mut state = states_before(
        conn,
        std::slice::from_ref(habit),
        last_end + Duration::days(1),
    )?
    .remove(&habit.id)
    .unwrap_or_else(|| State::before(habit.starts_on, &habit.definition.rule()));
    if state.through >= last_end {
        return Ok(());
    }
    // Checkpoints after the one folded from are refolded (one that did not
    // read was skipped; its later ones are rewritten with it).
    diesel::delete(
        habit_checkpoints::table
            .filter(habit_checkpoints::habit_id.eq(habit.id))
            .filter(habit_checkpoints::through.gt(state.through)),
    )
    .execute(conn)?;
    let marks = marks_between(conn, habit.id, state.through, last_end)?;
    let rule = habit.definition.rule();
    let mut saves = Vec::new();
    score::fold(&rule, &mut state, &marks, last_end, today, |date, _, s| {
        if score::is_month_end(date) {
            saves.push((
                habit_checkpoints::habit_id.eq(habit.id),
                habit_checkpoints::through.eq(date),
                habit_checkpoints::state.eq(s.encode()),
            ));
        }
    });
    // One row a month: written one by one (the backends share no batch
    // insert).
    for save in saves {
        diesel::insert_into(habit_checkpoints::table)
            .values(save)
            .execute(conn)?;
    }
    Ok(())
}

/// For each habit, the latest checkpoint strictly before `before` (or none).
///
/// Checkpoints are kept at month ends, so the one wanted is usually the
/// last month end before `before`: one query by equality finds those, and
/// only habits without it (new, or not written to since) look further back.
fn states_before(
    conn: &mut DbConnection,
    habits: &[Habit],
    before: NaiveDate,
) -> DomainResult<HashMap<HabitId, State>> {
    if habits.is_empty() {
        return Ok(HashMap::new());
    }
    let expected = before.with_day(1).unwrap_or(before) - Duration::days(1);
    let ids: Vec<HabitId> = habits.iter().map(|h| h.id).collect();
    let mut states: HashMap<HabitId, State> = load_states(conn, &ids, &[expected])?;
    let missing: Vec<HabitId> = ids
        .into_iter()
        .filter(|id| !states.contains_key(id))
        .collect();
    if missing.is_empty() {
        return Ok(states);
    }
    let latest: Vec<(HabitId, Option<NaiveDate>)> = habit_checkpoints::table
        .filter(habit_checkpoints::habit_id.eq_any(&missing))
        .filter(habit_checkpoints::through.lt(before))
        .group_by(habit_checkpoints::habit_id)
        .select((
            habit_checkpoints::habit_id,
            diesel::dsl::max(habit_checkpoints::through),
        ))
        .load(conn)?;
    let wanted: HashMap<HabitId, NaiveDate> = latest
        .into_iter()
        .filter_map(|(id, through)| through.map(|t| (id, t)))
        .collect();
    if wanted.is_empty() {
        return Ok(states);
    }
    let dates: Vec<NaiveDate> = wanted.values().copied().collect();
    let ids: Vec<HabitId> = wanted.keys().copied().collect();
    for (id, state) in load_states(conn, &ids, &dates)? {
        if wanted.get(&id) == Some(&state.through) {
            states.insert(id, state);
        }
    }
    Ok(states)
}

/// The checkpoints of `ids` at any of `dates` (the latest per habit), read.
fn load_states(
    conn: &mut DbConnection,
    ids: &[HabitId],
    dates: &[NaiveDate],
) -> DomainResult<HashMap<HabitId, State>> {
    let rows: Vec<(HabitId, String)> = habit_checkpoints::table
        .filter(habit_checkpoints::habit_id.eq_any(ids))
        .filter(habit_checkpoints::through.eq_any(dates))
        .order(habit_checkpoints::through.asc())
        .select((habit_checkpoints::habit_id, habit_checkpoints::state))
        .load(conn)?;
    // A state that does not read is refolded from the check-ins.
    Ok(rows
        .into_iter()
        .filter_map(|(id, raw)| State::decode(&raw).map(|s| (id, s)))
        .collect())
}

/// Check-ins of each habit after its own date, up to `until`, in one query
/// (from the earliest of the dates; the rest are dropped here).
fn check_ins_after(
    conn: &mut DbConnection,
    after: &[(HabitId, NaiveDate)],
    until: NaiveDate,
) -> DomainResult<HashMap<HabitId, BTreeMap<NaiveDate, CheckIn>>> {
    let mut by_habit: HashMap<HabitId, BTreeMap<NaiveDate, CheckIn>> = HashMap::new();
    let Some(earliest) = after.iter().map(|(_, date)| *date).min() else {
        return Ok(by_habit);
    };
    let from: HashMap<HabitId, NaiveDate> = after.iter().copied().collect();
    let ids: Vec<HabitId> = from.keys().copied().collect();
    let rows: Vec<CheckIn> = habit_check_ins::table
        .filter(habit_check_ins::habit_id.eq_any(&ids))
        .filter(habit_check_ins::on_date.gt(earliest))
        .filter(habit_check_ins::on_date.le(until))
        .select(CheckIn::as_select())
        .load(conn)?;
    for check_in in rows {
        if from
            .get(&check_in.habit_id)
            .is_some_and(|after| check_in.on_date > *after)
        {
            by_habit
                .entry(check_in.habit_id)
                .or_default()
                .insert(check_in.on_date, check_in);
        }
    }
    Ok(by_habit)
}

fn marks_between(
    conn: &mut DbConnection,
    id: HabitId,
    after: NaiveDate,
    until: NaiveDate,
) -> DomainResult<BTreeMap<NaiveDate, Mark>> {
    Ok(check_ins_after(conn, &[(id, after)], until)?
        .remove(&id)
        .unwrap_or_default()
        .into_iter()
        .map(|(date, c)| (date, c.mark()))
        .collect())
}

/// A habit's numbers as of today.
#[derive(Debug, Clone)]
pub struct Now {
    pub today: NaiveDate,
    pub check_in: Option<CheckIn>,
    /// How today counts so far.
    pub class: DayClass,
    /// Whether today still asks for it: a due day not yet on target.
    pub due: bool,
    pub score: f64,
    pub current_streak: Option<Streak>,
    pub best_streak: Option<Streak>,
    pub last_7_days: Completion,
    pub last_30_days: Completion,
    pub last_90_days: Completion,
}

fn now_of(
    habit: &Habit,
    state: &State,
    today: NaiveDate,
    class: DayClass,
    check_in: Option<CheckIn>,
) -> Now {
    let due = match class {
        DayClass::Met | DayClass::Skipped | DayClass::NotDue => false,
        DayClass::Missed | DayClass::Open => habit.definition.frequency.is_due(today),
    };
    Now {
        today,
        check_in,
        class,
        due,
        score: state.score,
        current_streak: state.current_streak(),
        best_streak: state.best_streak(),
        last_7_days: state.completion(7),
        last_30_days: state.completion(30),
        last_90_days: state.completion(90),
    }
}

/// The numbers of each habit as of `today`, in a bounded number of
/// queries (three, whatever the number of habits or the length of their
/// history).
pub fn now_of_each(
    conn: &mut DbConnection,
    habits: &[Habit],
    today: NaiveDate,
) -> DomainResult<HashMap<HabitId, Now>> {
    let mut states = states_before(conn, habits, today)?;
    let starts: Vec<(HabitId, State)> = habits
        .iter()
        .map(|h| {
            let state = states
                .remove(&h.id)
                .unwrap_or_else(|| State::before(h.starts_on, &h.definition.rule()));
            (h.id, state)
        })
        .collect();
    let after: Vec<(HabitId, NaiveDate)> = starts.iter().map(|(id, s)| (*id, s.through)).collect();
    let mut check_ins = check_ins_after(conn, &after, today)?;
    let mut out = HashMap::new();
    for (habit, (_, mut state)) in habits.iter().zip(starts) {
        let days = check_ins.remove(&habit.id).unwrap_or_default();
        let marks: BTreeMap<NaiveDate, Mark> = days.iter().map(|(d, c)| (*d, c.mark())).collect();
        let mut class = DayClass::Open;
        score::fold(
            &habit.definition.rule(),
            &mut state,
            &marks,
            today,
            today,
            |date, o, _| {
                if date == today {
                    class = o.class;
                }
            },
        );
        let today_check_in = days.get(&today).cloned();
        out.insert(
            habit.id,
            now_of(habit, &state, today, class, today_check_in),
        );
    }
    Ok(out)
}

/// One day of a habit's history.
#[derive(Debug, Clone)]
pub struct Day {
    pub date: NaiveDate,
    pub score: f64,
    pub class: DayClass,
    pub check_in: Option<CheckIn>,
}

/// A numeric habit's sum over a week or a month.
#[derive(Debug, Clone, PartialEq)]
pub struct Total {
    /// The Monday of the week, or the first of the month.
    pub start: NaiveDate,
    pub total: f64,
    pub days_recorded: u32,
}

/// A habit's history over a range, and its numbers now.
#[derive(Debug, Clone)]
pub struct Stats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// From the later of `from` and the habit's first day.
    pub days: Vec<Day>,
    pub now: Now,
    /// Numeric habits: sums per week (Monday first) and per month, over
    /// the range.
    pub weeks: Vec<Total>,
    pub months: Vec<Total>,
}

/// A habit's stats over `from..=to` (checked with [`super::range`]).
pub fn stats(
    conn: &mut DbConnection,
    habit: &Habit,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> DomainResult<Stats> {
    let rule = habit.definition.rule();
    let slice = std::slice::from_ref(habit);
    let mut state = states_before(conn, slice, from)?
        .remove(&habit.id)
        .unwrap_or_else(|| State::before(habit.starts_on, &habit.definition.rule()));
    let mut check_ins = check_ins_after(conn, &[(habit.id, state.through)], to)?
        .remove(&habit.id)
        .unwrap_or_default();
    let marks: BTreeMap<NaiveDate, Mark> = check_ins.iter().map(|(d, c)| (*d, c.mark())).collect();
    let mut days = Vec::new();
    score::fold(
        &rule,
        &mut state,
        &marks,
        to,
        today,
        |date, o: Outcome, _| {
            if date >= from {
                days.push(Day {
                    date,
                    score: o.score,
                    class: o.class,
                    check_in: check_ins.remove(&date),
                });
            }
        },
    );
    // The numbers now: go on from here, or from the latest checkpoint when
    // that is closer.
    if (today - to).num_days() > 62 {
        if let Some(later) = states_before(conn, slice, today)?.remove(&habit.id) {
            if later.through > state.through {
                state = later;
            }
        }
    }
    let mut rest = check_ins_after(conn, &[(habit.id, state.through)], today)?
        .remove(&habit.id)
        .unwrap_or_default();
    let marks: BTreeMap<NaiveDate, Mark> = rest.iter().map(|(d, c)| (*d, c.mark())).collect();
    let mut class = days.last().filter(|d| d.date == today).map(|d| d.class);
    score::fold(&rule, &mut state, &marks, today, today, |date, o, _| {
        if date == today {
            class = Some(o.class);
        }
    });
    let today_check_in = match days.last() {
        Some(day) if day.date == today => day.check_in.clone(),
        _ => rest.remove(&today),
    };
    let now = now_of(
        habit,
        &state,
        today,
        class.unwrap_or(DayClass::Open),
        today_check_in,
    );
    let (weeks, months) = match habit.definition.kind {
        HabitKind::Numeric => totals(&days),
        HabitKind::YesNo => (Vec::new(), Vec::new()),
    };
    Ok(Stats {
        from,
        to,
        days,
        now,
        weeks,
        months,
    })
}

/// Sums of amounts per week and per month over the days given.
fn totals(days: &[Day]) -> (Vec<Total>, Vec<Total>) {
    let mut weeks: BTreeMap<NaiveDate, Total> = BTreeMap::new();
    let mut months: BTreeMap<NaiveDate, Total> = BTreeMap::new();
    for day in days {
        let week = day.date - Duration::days(i64::from(day.date.weekday().num_days_from_monday()));
        let month = day.date.with_day(1).unwrap_or(day.date);
        for (map, start) in [(&mut weeks, week), (&mut months, month)] {
            let total = map.entry(start).or_insert(Total {
                start,
                total: 0.0,
                days_recorded: 0,
            });
            if let Some(amount) = day.check_in.as_ref().and_then(|c| c.amount) {
                total.total += amount;
                total.days_recorded += 1;
            }
        }
    }
    (
        weeks.into_values().collect(),
        months.into_values().collect(),
    )
}

/// The check-ins of a habit in `from..=to`, oldest first.
pub fn check_ins(
    conn: &mut DbConnection,
    habit: HabitId,
    from: NaiveDate,
    to: NaiveDate,
) -> DomainResult<Vec<CheckIn>> {
    Ok(habit_check_ins::table
        .filter(habit_check_ins::habit_id.eq(habit))
        .filter(habit_check_ins::on_date.ge(from))
        .filter(habit_check_ins::on_date.le(to))
        .order(habit_check_ins::on_date.asc())
        .select(CheckIn::as_select())
        .load(conn)?)
}
