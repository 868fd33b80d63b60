//! Assignments: a template version given to one client, with personal
//! instructions and a schedule in the client's time zone.
//!
//! Clients reach their own assignments through their [`Client`] proof;
//! therapists only through a [`CareAccess`], and only the assignments made
//! under that live link, so ending the link ends (and hides) them all with
//! no cascade: an assignment whose link has ended reads as `ended`, at the
//! time the link ended. Every therapist read writes one access-log row per
//! assignment shown.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use diesel::prelude::*;

use super::schedule::{
    plan, Adherence, Occurrence, OccurrenceState, Schedule, Segment, Tally, HORIZON_DAYS,
};
use super::templates::{self, Content, VersionRow};
use crate::access::Client;
use crate::audit::{Action, Resource};
use crate::care::CareAccess;
use crate::db::schema::{
    assignment_schedules, assignments, care_links, exercise_responses, exercise_template_versions,
    users,
};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{AssignmentId, RowId, TemplateId, UserId};
use crate::page::PageRequest;
use crate::time::{local_date, Timestamp};

crate::text_enum! {
    /// Where an assignment is.
    pub enum AssignmentStatus {
        Active => "active",
        /// Nothing is due until it is resumed.
        Paused => "paused",
        /// Over: ended by the therapist, or with the care link.
        Ended => "ended",
    }
}

pub const INSTRUCTIONS_MAX_CHARS: usize = 4_000;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assignments)]
struct Row {
    id: AssignmentId,
    therapist_id: UserId,
    client_id: UserId,
    template_id: TemplateId,
    template_version: i32,
    instructions: String,
    status: AssignmentStatus,
    created_at: Timestamp,
    updated_at: Timestamp,
    ended_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assignment_schedules)]
struct SegmentRow {
    assignment_id: AssignmentId,
    effective_from: NaiveDate,
    schedule: String,
    paused: bool,
}

/// An assignment with everything needed to say what is due.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub id: AssignmentId,
    pub therapist_id: UserId,
    pub client_id: UserId,
    pub template_id: TemplateId,
    pub template_version: i32,
    pub template: Content,
    pub instructions: String,
    /// As it stands: `ended` once its care link has ended.
    pub status: AssignmentStatus,
    /// The schedule in effect now (or last, when ended).
    pub schedule: Schedule,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    /// The client's time zone now: occurrences follow it.
    pub zone: Tz,
    segments: Vec<Segment>,
}

/// An occurrence and how far it has come.
#[derive(Debug, Clone, Copy)]
pub struct Due {
    pub occurrence: Occurrence,
    pub completed: u32,
    pub state: OccurrenceState,
}

/// Which occurrences a list of due work shows (the `due` query parameter).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DueWindow {
    /// Open today (a day's, or this week's for `times_per_week`).
    Today,
    /// Open at some point from today to six days ahead.
    Week,
}

impl Assignment {
    /// The local date from which nothing is due (the day it ended).
    fn ends_on(&self) -> Option<NaiveDate> {
        self.ended_at.map(|at| local_date(at, self.zone))
    }

    /// Occurrences due on a local date in `from..=to`.
    pub fn plan(&self, from: NaiveDate, to: NaiveDate) -> Vec<Occurrence> {
        plan(&self.segments, self.ends_on(), self.zone, from, to)
    }

    /// The client's local date at `now`.
    pub fn today(&self, now: Timestamp) -> NaiveDate {
        local_date(now, self.zone)
    }

    /// Occurrences in `window`, with their state.
    pub fn due(&self, tallies: &Tallies, now: Timestamp, window: DueWindow) -> Vec<Due> {
        let today = self.today(now);
        let last = match window {
            DueWindow::Today => today,
            DueWindow::Week => today + Duration::days(6),
        };
        self.plan(today, last + Duration::days(6))
            .into_iter()
            .filter(|o| o.opens_on <= last)
            .map(|o| self.with_state(o, tallies, now, today))
            .collect()
    }

    /// The first occurrence from today on that is not done yet.
    pub fn next_due(&self, tallies: &Tallies, now: Timestamp) -> Option<Due> {
        let today = self.today(now);
        self.plan(today, today + Duration::days(62))
            .into_iter()
            .map(|o| self.with_state(o, tallies, now, today))
            .find(|d| d.state != OccurrenceState::Done)
    }

    fn with_state(
        &self,
        o: Occurrence,
        tallies: &Tallies,
        now: Timestamp,
        today: NaiveDate,
    ) -> Due {
        let tally = tallies.of(self.id, &o);
        Due {
            occurrence: o,
            completed: (tally.on_time + tally.late).min(o.required),
            state: o.state(tally, now, today),
        }
    }

    /// Adherence over the last `days` local days (today included): every
    /// occurrence that overlaps them, so the week under way counts too.
    pub fn adherence(&self, tallies: &Tallies, now: Timestamp, days: i64) -> Adherence {
        let today = self.today(now);
        let from = today - Duration::days(days - 1);
        let mut adherence = Adherence::empty(from, today);
        for o in self.plan(from, today + Duration::days(6)) {
            if o.opens_on <= today {
                adherence.add(&o, tallies.of(self.id, &o), now);
            }
        }
        adherence
    }

    /// The occurrence a response answers, and the date the response names
    /// (a day of it): the one holding the named date, or else the first of
    /// these not done yet: the one open today, a `once` still ahead, the
    /// latest one missed; or else the one open today again.
    pub(crate) fn occurrence_for(
        &self,
        named: Option<NaiveDate>,
        tallies: &Tallies,
        now: Timestamp,
    ) -> DomainResult<(Occurrence, NaiveDate)> {
        let today = self.today(now);
        let not_due =
            |detail: &str| DomainError::invalid("occurrence_on", "invalid", detail.to_owned());
        let once = matches!(self.schedule, Schedule::Once { .. });
        if let Some(date) = named {
            return self
                .plan(date, date + Duration::days(6))
                .into_iter()
                .find(|o| o.opens_on <= date && date <= o.due_on)
                .filter(|o| o.opens_on <= today || once)
                .map(|o| (o, date))
                .ok_or_else(|| {
                    not_due("is not a date this assignment is due on (today or before)")
                });
        }
        // A week ahead covers the week open today; a `once` may lie further.
        let ahead = if once { HORIZON_DAYS } else { 6 };
        let around = self.plan(today - Duration::days(31), today + Duration::days(ahead));
        let done = |o: &Occurrence| {
            let t = tallies.of(self.id, o);
            t.on_time + t.late >= o.required
        };
        let open = around
            .iter()
            .find(|o| o.opens_on <= today && today <= o.due_on);
        if let Some(o) = open.filter(|o| !done(o)) {
            return Ok((*o, today));
        }
        if let Some(o) = around.iter().find(|o| o.due_on > today && once && !done(o)) {
            return Ok((*o, o.due_on));
        }
        if let Some(o) = around.iter().rev().find(|o| o.due_on < today && !done(o)) {
            return Ok((*o, o.due_on));
        }
        open.map(|o| (*o, today))
            .ok_or_else(|| not_due("nothing is due now; name the date you answer"))
    }
}

/// Responses per assignment and occurrence date.
#[derive(Debug, Default)]
pub struct Tallies(HashMap<(AssignmentId, NaiveDate), Tally>);

impl Tallies {
    /// The responses to one occurrence: those naming any of its dates (a
    /// week's responses name the day they were made).
    pub fn of(&self, assignment: AssignmentId, occurrence: &Occurrence) -> Tally {
        let mut tally = Tally::default();
        let mut day = occurrence.opens_on;
        while day <= occurrence.due_on {
            if let Some(t) = self.0.get(&(assignment, day)) {
                tally.on_time += t.on_time;
                tally.late += t.late;
            }
            day += Duration::days(1);
        }
        tally
    }

    /// The responses of `assignments` to occurrences in `from..=to`.
    pub fn load(
        conn: &mut DbConnection,
        assignments: &[AssignmentId],
        from: NaiveDate,
        to: NaiveDate,
    ) -> DomainResult<Self> {
        if assignments.is_empty() {
            return Ok(Self::default());
        }
        let rows: Vec<(AssignmentId, NaiveDate, bool)> = crate::on_backend!(conn, c => exercise_responses::table
            .filter(exercise_responses::assignment_id.eq_any(assignments))
            .filter(exercise_responses::occurrence_on.between(from, to))
            .select((
                exercise_responses::assignment_id,
                exercise_responses::occurrence_on,
                exercise_responses::on_time,
            ))
            .load(c))?;
        let mut tallies = HashMap::new();
        for (assignment, date, on_time) in rows {
            let tally: &mut Tally = tallies.entry((assignment, date)).or_default();
            if on_time {
                tally.on_time += 1;
            } else {
                tally.late += 1;
            }
        }
        Ok(Self(tallies))
    }

    /// Everything due, adherence and "next" need for these assignments at `now`.
    pub fn around(
        conn: &mut DbConnection,
        assignments: &[Assignment],
        now: Timestamp,
    ) -> DomainResult<Self> {
        // Each client's today is their own; one window covers them all.
        let todays = assignments.iter().map(|a| a.today(now));
        let (Some(first), Some(last)) = (todays.clone().min(), todays.max()) else {
            return Ok(Self::default());
        };
        let ids: Vec<AssignmentId> = assignments.iter().map(|a| a.id).collect();
        Self::load(
            conn,
            &ids,
            first - Duration::days(40),
            last + Duration::days(HORIZON_DAYS + 1),
        )
    }
}

/// Assignments joined with their link, the client's zone and their version.
macro_rules! with_context {
    () => {
        assignments::table
            .inner_join(care_links::table)
            .inner_join(users::table.on(users::id.eq(assignments::client_id)))
            .inner_join(
                exercise_template_versions::table.on(exercise_template_versions::template_id
                    .eq(assignments::template_id)
                    .and(exercise_template_versions::version.eq(assignments::template_version))),
            )
    };
}

/// What [`with_context!`] selects: the row, when its link ended, the
/// client's zone and the template version.
macro_rules! selected {
    () => {
        (
            Row::as_select(),
            care_links::ended_at,
            users::time_zone,
            VersionRow::as_select(),
        )
    };
}

/// A page of assignments matching `$condition`, newest first. Due work is
/// computed, not stored, so with a `due` or `status` filter the (few)
/// assignments of the condition are loaded and filtered here.
macro_rules! page_where {
    ($conn:expr, $filter:expr, $page:expr, $now:expr, $condition:expr) => {{
        let mut query = with_context!()
            .filter($condition)
            .select(selected!())
            .order(assignments::id.desc())
            .into_boxed();
        if let Some(after) = $page.after {
            query = query.filter(assignments::id.lt(AssignmentId(after)));
        }
        let rows: Vec<Loaded> = if $filter.due.is_some() || $filter.status.is_some() {
            query.load($conn)?
        } else {
            query.limit($page.fetch()).load($conn)?
        };
        listed($conn, rows, $filter, $page, $now)
    }};
}

type Loaded = (Row, Option<Timestamp>, String, VersionRow);

fn listed(
    conn: &mut DbConnection,
    rows: Vec<Loaded>,
    filter: &AssignmentFilter,
    page: &PageRequest,
    now: Timestamp,
) -> DomainResult<(Vec<Assignment>, Tallies)> {
    let all = load_all(conn, rows)?;
    let tallies = Tallies::around(conn, &all, now)?;
    let mut kept: Vec<Assignment> = all
        .into_iter()
        .filter(|a| keep(a, filter, &tallies, now))
        .collect();
    kept.truncate(usize::try_from(page.fetch()).unwrap_or(usize::MAX));
    Ok((kept, tallies))
}

fn load_all(conn: &mut DbConnection, rows: Vec<Loaded>) -> DomainResult<Vec<Assignment>> {
    let ids: Vec<AssignmentId> = rows.iter().map(|(row, ..)| row.id).collect();
    let mut segments: HashMap<AssignmentId, Vec<Segment>> = HashMap::new();
    if !ids.is_empty() {
        let stored: Vec<SegmentRow> = assignment_schedules::table
            .filter(assignment_schedules::assignment_id.eq_any(&ids))
            .order((
                assignment_schedules::assignment_id,
                assignment_schedules::effective_from,
                assignment_schedules::id,
            ))
            .select(SegmentRow::as_select())
            .load(conn)?;
        for s in stored {
            let schedule: Schedule = serde_json::from_str(&s.schedule)
                .map_err(|e| DomainError::Internal(format!("stored schedule: {e}")))?;
            segments.entry(s.assignment_id).or_default().push(Segment {
                effective_from: s.effective_from,
                schedule,
                paused: s.paused,
            });
        }
    }
    rows.into_iter()
        .map(|(row, link_ended, zone, version)| {
            let zone = crate::care::stored_zone(&zone)?;
            let segments = segments.remove(&row.id).unwrap_or_default();
            let schedule = segments.last().map(|s| s.schedule.clone()).ok_or_else(|| {
                DomainError::Internal(format!("assignment {} has no schedule", row.id))
            })?;
            let (status, ended_at) = match (row.status, link_ended) {
                (AssignmentStatus::Ended, _) => (AssignmentStatus::Ended, row.ended_at),
                (_, Some(at)) => (AssignmentStatus::Ended, Some(at)),
                (status, None) => (status, None),
            };
            Ok(Assignment {
                id: row.id,
                therapist_id: row.therapist_id,
                client_id: row.client_id,
                template_id: row.template_id,
                template_version: row.template_version,
                template: version.content()?,
                instructions: row.instructions,
                status,
                schedule,
                created_at: row.created_at,
                updated_at: row.updated_at,
                ended_at,
                zone,
                segments,
            })
        })
        .collect()
}

fn one(conn: &mut DbConnection, rows: Vec<Loaded>) -> DomainResult<Assignment> {
    load_all(conn, rows)?
        .into_iter()
        .next()
        .ok_or(DomainError::NotFound)
}

/// Filters of a list of assignments.
#[derive(Debug, Clone, Copy, Default)]
pub struct AssignmentFilter {
    pub status: Option<AssignmentStatus>,
    /// Only assignments with something due in this window (and only while
    /// active).
    pub due: Option<DueWindow>,
}

fn keep(a: &Assignment, filter: &AssignmentFilter, tallies: &Tallies, now: Timestamp) -> bool {
    filter.status.is_none_or(|s| s == a.status)
        && filter.due.is_none_or(|w| {
            a.status == AssignmentStatus::Active && !a.due(tallies, now, w).is_empty()
        })
}

/// The client's own assignments, newest first.
pub fn list_own(
    conn: &mut DbConnection,
    me: &Client,
    filter: &AssignmentFilter,
    page: &PageRequest,
    now: Timestamp,
) -> DomainResult<(Vec<Assignment>, Tallies)> {
    page_where!(conn, filter, page, now, assignments::client_id.eq(me.id()))
}

/// One of the client's own assignments.
pub fn get_own(conn: &mut DbConnection, me: &Client, id: AssignmentId) -> DomainResult<Assignment> {
    let rows = with_context!()
        .filter(assignments::id.eq(id))
        .filter(assignments::client_id.eq(me.id()))
        .select(selected!())
        .load(conn)?;
    one(conn, rows)
}

/// An assignment by id alone, for the reminders that speak for it (never
/// shown to anyone through this).
pub(crate) fn by_id(conn: &mut DbConnection, id: AssignmentId) -> DomainResult<Assignment> {
    let rows = with_context!()
        .filter(assignments::id.eq(id))
        .select(selected!())
        .load(conn)?;
    one(conn, rows)
}

/// Opens the care access an assignment of the therapist's is read through;
/// `NotFound` for anyone else's assignment or a client no longer theirs.
pub fn access_to(
    conn: &mut DbConnection,
    me: &crate::access::Therapist,
    id: AssignmentId,
) -> DomainResult<CareAccess> {
    let client: UserId = assignments::table
        .filter(assignments::id.eq(id))
        .filter(assignments::therapist_id.eq(me.id()))
        .select(assignments::client_id)
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)?;
    crate::care::open(conn, me, client)
}

/// An assignment as its therapist may see it (made under the live link).
pub(crate) fn find_for(
    conn: &mut DbConnection,
    access: &CareAccess,
    id: AssignmentId,
) -> DomainResult<Assignment> {
    let rows = with_context!()
        .filter(assignments::id.eq(id))
        .filter(assignments::link_id.eq(access.link()))
        .filter(care_links::ended_at.is_null())
        .select(selected!())
        .load(conn)?;
    one(conn, rows)
}

/// One assignment, read by its therapist (logged).
pub fn get_for(
    conn: &mut DbConnection,
    access: &CareAccess,
    id: AssignmentId,
) -> DomainResult<Assignment> {
    let assignment = find_for(conn, access, id)?;
    access.log(conn, Resource::Assignment, Action::Read, [id.0])?;
    Ok(assignment)
}

/// The client's assignments under this care link, newest first (each one
/// shown is logged).
pub fn list_for(
    conn: &mut DbConnection,
    access: &CareAccess,
    filter: &AssignmentFilter,
    page: &PageRequest,
    now: Timestamp,
) -> DomainResult<(Vec<Assignment>, Tallies)> {
    let (kept, tallies) = page_where!(
        conn,
        filter,
        page,
        now,
        assignments::link_id
            .eq(access.link())
            .and(care_links::ended_at.is_null())
    )?;
    let shown = page.shown(&kept).iter().map(|a| a.id.0);
    access.log(conn, Resource::Assignment, Action::List, shown)?;
    Ok((kept, tallies))
}

/// The therapist's assignments to all their current clients, newest first
/// (each one shown is logged to its client's access log).
pub fn list_mine(
    conn: &mut DbConnection,
    me: &crate::access::Therapist,
    filter: &AssignmentFilter,
    page: &PageRequest,
    now: Timestamp,
) -> DomainResult<(Vec<Assignment>, Tallies)> {
    let (kept, tallies) = page_where!(
        conn,
        filter,
        page,
        now,
        assignments::therapist_id
            .eq(me.id())
            .and(care_links::therapist_id.eq(me.id()))
            .and(care_links::ended_at.is_null())
            .and(users::disabled_at.is_null())
    )?;
    let shown = page.shown(&kept).iter().map(|a| (a.client_id, a.id.0));
    crate::care::log_across(conn, me, Resource::Assignment, Action::List, shown)?;
    Ok((kept, tallies))
}

/// Every assignment of the client under this care link (for adherence).
pub fn all_for(
    conn: &mut DbConnection,
    access: &CareAccess,
    action: Action,
) -> DomainResult<Vec<Assignment>> {
    let rows = with_context!()
        .filter(assignments::link_id.eq(access.link()))
        .filter(care_links::ended_at.is_null())
        .select(selected!())
        .order(assignments::id.desc())
        .load(conn)?;
    let all = load_all(conn, rows)?;
    access.log(
        conn,
        Resource::Assignment,
        action,
        all.iter().map(|a| a.id.0),
    )?;
    Ok(all)
}

/// Every assignment of the therapist's under their live links to enabled
/// clients, for figures across the caseload (the caller logs what it
/// shows). Two queries, whatever the caseload.
pub(crate) fn all_of_caseload(
    conn: &mut DbConnection,
    me: &crate::access::Therapist,
) -> DomainResult<Vec<Assignment>> {
    let rows = with_context!()
        .filter(assignments::therapist_id.eq(me.id()))
        .filter(care_links::therapist_id.eq(me.id()))
        .filter(care_links::ended_at.is_null())
        .filter(users::disabled_at.is_null())
        .select(selected!())
        .order(assignments::id.desc())
        .load(conn)?;
    load_all(conn, rows)
}

/// Instructions as the therapist writes them: at most 4,000 characters.
pub fn parse_instructions(raw: &str) -> Result<String, crate::FieldError> {
    let mut problems = super::fields::Problems::default();
    super::fields::check_text(&mut problems, "instructions", raw, INSTRUCTIONS_MAX_CHARS);
    match problems.0.pop() {
        Some(e) => Err(e),
        None => Ok(raw.trim().to_owned()),
    }
}

/// Starts a segment on `from`, or on the day the last one started if that
/// is later (a client who moved west can be a day behind it).
fn insert_segment(
    conn: &mut DbConnection,
    id: AssignmentId,
    from: NaiveDate,
    schedule: &Schedule,
    paused: bool,
) -> DomainResult<()> {
    let latest: Option<NaiveDate> = assignment_schedules::table
        .filter(assignment_schedules::assignment_id.eq(id))
        .select(diesel::dsl::max(assignment_schedules::effective_from))
        .first(conn)?;
    let from = latest.map_or(from, |l| from.max(l));
    diesel::insert_into(assignment_schedules::table)
        .values((
            assignment_schedules::id.eq(RowId::new()),
            assignment_schedules::assignment_id.eq(id),
            assignment_schedules::effective_from.eq(from),
            assignment_schedules::schedule.eq(serde_json::to_string(schedule)
                .map_err(|e| DomainError::Internal(e.to_string()))?),
            assignment_schedules::paused.eq(paused),
            assignment_schedules::created_at.eq(Timestamp::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Changes of one assignment, and responses to it, take turns with each
/// other (SQLite's write transaction holds the database lock already).
pub(crate) fn lock(conn: &mut DbConnection, id: AssignmentId) -> DomainResult<()> {
    if let DbConnection::Postgresql(c) = conn {
        assignments::table
            .filter(assignments::id.eq(id))
            .select(assignments::id)
            .for_update()
            .first::<AssignmentId>(c)
            .optional()?;
    }
    Ok(())
}

/// What a therapist assigns.
pub struct NewAssignment {
    pub template_id: TemplateId,
    /// Default: the template's newest version.
    pub template_version: Option<i32>,
    pub instructions: String,
    pub schedule: Schedule,
}

/// Assigns a template version to the client of `access`.
pub fn create(
    conn: &mut DbConnection,
    access: &CareAccess,
    new: NewAssignment,
    now: Timestamp,
) -> DomainResult<Assignment> {
    let template =
        templates::assignable(conn, access.reader(), new.template_id, new.template_version)
            .map_err(|e| match e {
                DomainError::NotFound => DomainError::invalid(
                    "template_id",
                    "invalid",
                    "is not a template (or version) in your library or the starter library",
                ),
                other => other,
            })?;
    let zone = crate::care::zone_of(conn, access.client())?;
    let today = local_date(now, zone);
    new.schedule
        .check("schedule", today)
        .map_err(DomainError::Validation)?;
    let id = AssignmentId::new();
    let created = Timestamp::now();
    diesel::insert_into(assignments::table)
        .values((
            assignments::id.eq(id),
            assignments::therapist_id.eq(access.therapist()),
            assignments::client_id.eq(access.client()),
            assignments::link_id.eq(access.link()),
            assignments::template_id.eq(template.id),
            assignments::template_version.eq(template.version),
            assignments::instructions.eq(&new.instructions),
            assignments::status.eq(AssignmentStatus::Active),
            assignments::created_at.eq(created),
            assignments::updated_at.eq(created),
        ))
        .execute(conn)?;
    insert_segment(conn, id, today, &new.schedule, false)?;
    access.log(conn, Resource::Assignment, Action::Assign, [id.0])?;
    find_for(conn, access, id)
}

/// A therapist's change to an assignment; `None` leaves a part as it is.
#[derive(Debug, Default)]
pub struct AssignmentChanges {
    pub instructions: Option<String>,
    pub schedule: Option<Schedule>,
    pub status: Option<AssignmentStatus>,
}

/// Changes instructions, schedule or status. A new schedule, a pause or a
/// resume applies from the client's local today on; what was due before
/// stays as it was. An ended assignment cannot change.
pub fn update(
    conn: &mut DbConnection,
    access: &CareAccess,
    id: AssignmentId,
    changes: AssignmentChanges,
    now: Timestamp,
) -> DomainResult<Assignment> {
    lock(conn, id)?;
    let current = find_for(conn, access, id)?;
    if current.status == AssignmentStatus::Ended {
        return Err(DomainError::Conflict {
            code: "assignment_ended",
            detail: "This assignment has ended; assign the exercise again instead.".into(),
        });
    }
    let today = current.today(now);
    if changes.status == Some(AssignmentStatus::Ended) && changes.schedule.is_some() {
        return Err(DomainError::invalid(
            "schedule",
            "invalid",
            "cannot change with the assignment ending",
        ));
    }
    if let Some(schedule) = &changes.schedule {
        schedule
            .check("schedule", today)
            .map_err(DomainError::Validation)?;
    }
    let status = changes.status.unwrap_or(current.status);
    let schedule = changes
        .schedule
        .clone()
        .unwrap_or_else(|| current.schedule.clone());
    let paused = status == AssignmentStatus::Paused;
    if status != AssignmentStatus::Ended && (changes.schedule.is_some() || status != current.status)
    {
        insert_segment(conn, id, today, &schedule, paused)?;
    }
    let stamp = Timestamp::now();
    diesel::update(assignments::table.find(id))
        .set((
            assignments::instructions.eq(changes.instructions.unwrap_or(current.instructions)),
            assignments::status.eq(status),
            assignments::updated_at.eq(stamp),
            assignments::ended_at.eq((status == AssignmentStatus::Ended).then_some(now)),
        ))
        .execute(conn)?;
    access.log(conn, Resource::Assignment, Action::Assign, [id.0])?;
    find_for(conn, access, id)
}

/// Whether `id` is one of the client's own assignments (a journal entry
/// may answer only those).
pub fn is_own(conn: &mut DbConnection, client: UserId, id: AssignmentId) -> DomainResult<bool> {
    Ok(assignments::table
        .filter(assignments::id.eq(id))
        .filter(assignments::client_id.eq(client))
        .select(assignments::id)
        .first::<AssignmentId>(conn)
        .optional()?
        .is_some())
}
