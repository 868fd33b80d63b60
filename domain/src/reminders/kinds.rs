//! The reminder kinds: how each plans its next jobs, and what each checks
//! just before sending (the state now, not the state when it was planned).
//!
//! Payloads hold ids and the planned instants only; a kind renders its
//! data at sending time and never carries client-written text, mood,
//! answers, scores or notes, nor an exercise's or a habit's name.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::preferences::{self, person, shift, NotificationKind, Person, QuietHours};
use super::unsubscribe::{Subscriber, Subscription};
use super::Target;
use crate::booking::consultations::{self, ConsultationStatus};
use crate::db::schema::{
    assignments, care_links, daily_check_ins, exercise_responses, habit_check_ins, habits,
    journal_shares, tracking_shares,
};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::exercises::assignments::{self as exercise_assignments, AssignmentStatus, Tallies};
use crate::exercises::schedule::Schedule;
use crate::habits::store as habit_store;
use crate::ids::{AssignmentId, HabitId, RowId, UserId};
use crate::outbox::{self, Email, EmailKind, Outgoing, Ready, TopicState};
use crate::time::{local_date, local_instant, start_of_day, TimeOfDay, Timestamp};

/// A reminder kind: an email whose recipient can turn it off in one click.
pub trait Reminder: Email {
    fn subscription(&self) -> Subscription;

    /// From when it is too late to be worth sending (a worker that was down
    /// for a day does not send yesterday's nudges).
    fn stale_at(&self) -> Timestamp;
}

/// How long a nudge, a digest or a summary stays worth sending after it
/// was due (quiet hours can hold one for up to a night).
const STALE_AFTER_HOURS: i64 = 20;

/// How far back keys already used are looked up when planning (a plan
/// starts at yesterday's occurrence, delayed at most into today).
const USED_LOOKBACK_DAYS: i64 = 3;

/// What the topic holds now: its waiting jobs and recently used keys.
fn topic_state(conn: &mut DbConnection, topic: &str, now: Timestamp) -> DomainResult<TopicState> {
    outbox::topic_state(conn, topic, now - Duration::days(USED_LOOKBACK_DAYS))
}

fn value<T: Serialize>(data: &T) -> DomainResult<serde_json::Value> {
    serde_json::to_value(data).map_err(|e| DomainError::Internal(e.to_string()))
}

/// How a local date reads in an email.
fn long_date(date: NaiveDate) -> String {
    date.format("%A %-d %B %Y").to_string()
}

/// The reader's greeting and the practice-neutral basics every reminder has.
fn greeting(person: &Person) -> serde_json::Value {
    json!({ "first_name": person.first_name })
}

fn quiet(person: &Person) -> Option<&QuietHours> {
    person.prefs.quiet_hours.as_ref()
}

/// Replaces the topic's waiting jobs with `wanted`.
fn settle<E: Email + Clone>(
    conn: &mut DbConnection,
    topic: &str,
    state: &TopicState,
    wanted: &[Outgoing<E>],
) -> DomainResult<()> {
    outbox::replan_topic(conn, topic, state, wanted)?;
    Ok(())
}

// --- Habit nudges --------------------------------------------------------

/// "Time for your habit" at the habit's reminder time on a due day, unless
/// it is already checked in for that day.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HabitReminder {
    pub habit_id: HabitId,
    pub client_id: UserId,
    /// The habit's day the nudge is for.
    pub on: NaiveDate,
    /// When it was due (before quiet hours moved it).
    pub due_at: Timestamp,
}

impl HabitReminder {
    /// When the nudge for habit day `on` is due: the reminder time on that
    /// day, or on the next calendar day when it comes before the client's
    /// day starts (at 01:00 with a 03:00 start it is still `on`).
    fn due(on: NaiveDate, time: TimeOfDay, person: &Person) -> Timestamp {
        let date = if preferences::minutes_of(time) >= person.day_starts_at {
            on
        } else {
            on + Duration::days(1)
        };
        local_instant(date, time.0, person.zone)
    }
}

pub(super) fn plan_habit(conn: &mut DbConnection, id: HabitId, now: Timestamp) -> DomainResult<()> {
    let topic = Target::Habit(id).topic();
    let state = topic_state(conn, &topic, now)?;
    let next = match habit_store::by_ids(conn, &[id])?.pop() {
        Some(habit) => match person(conn, habit.client_id)? {
            Some(person) => next_habit(&habit, &person, now, &topic, &state),
            None => None,
        },
        None => None,
    };
    settle(conn, &topic, &state, next.as_slice())
}

/// Plans habits that have nothing waiting, in bulk: two queries for all of
/// them, then one insert each. A habit whose next key turns out used (sent
/// already) is planned one by one instead.
pub(super) fn plan_new_habits(
    conn: &mut DbConnection,
    ids: &[HabitId],
    now: Timestamp,
) -> DomainResult<()> {
    let habits = habit_store::by_ids(conn, ids)?;
    let clients: Vec<UserId> = habits.iter().map(|h| h.client_id).collect();
    let people = preferences::people(conn, &clients)?;
    let nothing = TopicState::default();
    for habit in &habits {
        let topic = Target::Habit(habit.id).topic();
        let next = people
            .get(&habit.client_id)
            .and_then(|person| next_habit(habit, person, now, &topic, &nothing));
        if let Some(job) = next {
            if !outbox::enqueue(conn, &job.about(topic))? {
                plan_habit(conn, habit.id, now)?;
            }
        }
    }
    Ok(())
}

/// A habit's next nudge after `now` whose key is not used yet.
fn next_habit(
    habit: &habit_store::Habit,
    person: &Person,
    now: Timestamp,
    topic: &str,
    state: &TopicState,
) -> Option<Outgoing<HabitReminder>> {
    let time = habit.definition.reminder_time?;
    if habit.archived_at.is_some() || !person.wants(NotificationKind::HabitReminders) {
        return None;
    }
    let today = local_date(now, person.zone);
    (-1..=14).find_map(|offset| {
        let on = today + Duration::days(offset);
        // Never for a day before the habit existed.
        if on < habit.created_on || !habit.definition.frequency.is_due(on) {
            return None;
        }
        let due_at = HabitReminder::due(on, time, person);
        let run_at = shift(quiet(person), due_at, person.zone, false);
        let key = format!("{topic}/{on}");
        state.offers(&key, run_at, now).then(|| {
            Outgoing::now(
                &person.email,
                key,
                HabitReminder {
                    habit_id: habit.id,
                    client_id: habit.client_id,
                    on,
                    due_at,
                },
            )
            .at(run_at)
        })
    })
}

impl Email for HabitReminder {
    const KIND: EmailKind = EmailKind::HabitReminder;

    fn ready(&self, conn: &mut DbConnection) -> DomainResult<Ready> {
        let Some(person) = person(conn, self.client_id)? else {
            return Ok(Ready::Skip("the account is gone"));
        };
        if !person.wants(NotificationKind::HabitReminders) {
            return Ok(Ready::Skip("habit reminders are turned off"));
        }
        let habit = match habit_store::find(conn, self.client_id, self.habit_id) {
            Err(DomainError::NotFound) => return Ok(Ready::Skip("the habit was deleted")),
            found => found?,
        };
        if habit.archived_at.is_some() {
            return Ok(Ready::Skip("the habit is archived"));
        }
        let Some(time) = habit.definition.reminder_time else {
            return Ok(Ready::Skip("the habit has no reminder time any more"));
        };
        if HabitReminder::due(self.on, time, &person) != self.due_at {
            return Ok(Ready::Skip("the reminder time or the time zone changed"));
        }
        if !habit.definition.frequency.is_due(self.on) {
            return Ok(Ready::Skip("the habit is not due that day"));
        }
        let checked_in: i64 = habit_check_ins::table
            .filter(habit_check_ins::habit_id.eq(self.habit_id))
            .filter(habit_check_ins::on_date.eq(self.on))
            .count()
            .get_result(conn)?;
        if checked_in > 0 {
            return Ok(Ready::Skip("already checked in for that day"));
        }
        let mut data = greeting(&person);
        data["date"] = long_date(self.on).into();
        Ok(Ready::Send(data))
    }
}

impl Reminder for HabitReminder {
    fn stale_at(&self) -> Timestamp {
        self.due_at + Duration::hours(STALE_AFTER_HOURS)
    }

    fn subscription(&self) -> Subscription {
        Subscription {
            subscriber: Subscriber::User(self.client_id),
            kind: NotificationKind::HabitReminders,
        }
    }
}

// --- Exercises due -------------------------------------------------------

/// "An exercise is due today" at the client's chosen time (and, if they
/// asked, the evening before a one-off due date), unless it is done.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExerciseReminder {
    pub assignment_id: AssignmentId,
    pub client_id: UserId,
    /// The local date the occurrence is due.
    pub on: NaiveDate,
    /// The evening before (a one-off), rather than the day itself.
    pub evening: bool,
    pub due_at: Timestamp,
}

/// When the reminder for an occurrence due `on` is due, as `person` set it;
/// `None` when it would come no earlier than the occurrence is due.
fn exercise_due(
    person: &Person,
    on: NaiveDate,
    occurrence_due: Timestamp,
    evening: bool,
) -> Option<Timestamp> {
    let prefs = &person.prefs.exercise_reminders;
    let at = if evening {
        local_instant(on - Duration::days(1), prefs.evening_time.0, person.zone)
    } else {
        local_instant(on, prefs.time.0, person.zone)
    };
    (at < occurrence_due).then_some(at)
}

pub(super) fn plan_exercise(
    conn: &mut DbConnection,
    id: AssignmentId,
    now: Timestamp,
) -> DomainResult<()> {
    let topic = Target::Exercise(id).topic();
    let state = topic_state(conn, &topic, now)?;
    let wanted = next_exercise(conn, id, now, &topic, &state)?;
    settle(conn, &topic, &state, &wanted)
}

fn next_exercise(
    conn: &mut DbConnection,
    id: AssignmentId,
    now: Timestamp,
    topic: &str,
    state: &TopicState,
) -> DomainResult<Vec<Outgoing<ExerciseReminder>>> {
    let assignment = match exercise_assignments::by_id(conn, id) {
        Err(DomainError::NotFound) => return Ok(Vec::new()),
        found => found?,
    };
    if assignment.status != AssignmentStatus::Active {
        return Ok(Vec::new());
    }
    let Some(person) = person(conn, assignment.client_id)? else {
        return Ok(Vec::new());
    };
    if !person.wants(NotificationKind::ExerciseReminders) {
        return Ok(Vec::new());
    }
    let today = assignment.today(now);
    let occurrences = assignment.plan(today - Duration::days(1), today + Duration::days(62));
    let once = matches!(assignment.schedule, Schedule::Once { .. });
    let evenings = once && person.prefs.exercise_reminders.evening_before;
    let mut wanted = Vec::new();
    for evening in [false, true] {
        if evening && !evenings {
            continue;
        }
        let next = occurrences.iter().find_map(|o| {
            let due_at = exercise_due(&person, o.due_on, o.due_at, evening)?;
            let run_at = shift(quiet(&person), due_at, person.zone, false);
            let key = if evening {
                format!("{topic}/evening-{}", o.due_on)
            } else {
                format!("{topic}/{}", o.due_on)
            };
            state.offers(&key, run_at, now).then(|| {
                Outgoing::now(
                    &person.email,
                    key,
                    ExerciseReminder {
                        assignment_id: id,
                        client_id: assignment.client_id,
                        on: o.due_on,
                        evening,
                        due_at,
                    },
                )
                .at(run_at)
            })
        });
        wanted.extend(next);
    }
    Ok(wanted)
}

impl Email for ExerciseReminder {
    const KIND: EmailKind = EmailKind::ExerciseReminder;

    fn ready(&self, conn: &mut DbConnection) -> DomainResult<Ready> {
        let Some(person) = person(conn, self.client_id)? else {
            return Ok(Ready::Skip("the account is gone"));
        };
        if !person.wants(NotificationKind::ExerciseReminders) {
            return Ok(Ready::Skip("exercise reminders are turned off"));
        }
        let assignment = match exercise_assignments::by_id(conn, self.assignment_id) {
            Err(DomainError::NotFound) => return Ok(Ready::Skip("the assignment is gone")),
            found => found?,
        };
        if assignment.client_id != self.client_id {
            return Ok(Ready::Skip("the assignment is someone else's"));
        }
        if assignment.status != AssignmentStatus::Active {
            return Ok(Ready::Skip("the assignment is paused or ended"));
        }
        if self.evening && !person.prefs.exercise_reminders.evening_before {
            return Ok(Ready::Skip("evening reminders are turned off"));
        }
        let Some(occurrence) = assignment
            .plan(self.on - Duration::days(7), self.on)
            .into_iter()
            .find(|o| o.due_on == self.on)
        else {
            return Ok(Ready::Skip("nothing is due that day any more"));
        };
        if exercise_due(&person, self.on, occurrence.due_at, self.evening) != Some(self.due_at) {
            return Ok(Ready::Skip("the reminder time or the time zone changed"));
        }
        let tallies = Tallies::load(
            conn,
            &[self.assignment_id],
            occurrence.opens_on,
            occurrence.due_on,
        )?;
        let tally = tallies.of(self.assignment_id, &occurrence);
        if tally.on_time + tally.late >= occurrence.required {
            return Ok(Ready::Skip("the exercise is done"));
        }
        let mut data = greeting(&person);
        data["date"] = long_date(self.on).into();
        data["evening"] = self.evening.into();
        Ok(Ready::Send(data))
    }
}

impl Reminder for ExerciseReminder {
    fn stale_at(&self) -> Timestamp {
        self.due_at + Duration::hours(STALE_AFTER_HOURS)
    }

    fn subscription(&self) -> Subscription {
        Subscription {
            subscriber: Subscriber::User(self.client_id),
            kind: NotificationKind::ExerciseReminders,
        }
    }
}

// --- Consultations -------------------------------------------------------

/// Before a booked consultation: to the booker 24 hours and 1 hour before
/// (with the manage link), to the therapist as they set it. A cancelled or
/// moved booking's reminders are not sent; a moved one gets new ones.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsultationReminder {
    pub consultation_id: RowId,
    pub therapist_id: UserId,
    pub to_therapist: bool,
    pub minutes_before: i64,
    /// The booking's sequence and start when planned: a move changes both.
    pub sequence: i32,
    pub starts_at: Timestamp,
    pub due_at: Timestamp,
}

/// Minutes before the start the booker is reminded.
pub const BOOKER_REMINDERS: [i64; 2] = [24 * 60, 60];

pub(super) fn plan_consultation(
    conn: &mut DbConnection,
    id: RowId,
    now: Timestamp,
) -> DomainResult<()> {
    let topic = Target::Consultation(id).topic();
    let state = topic_state(conn, &topic, now)?;
    let wanted = consultation_reminders(conn, id, now, &topic, &state)?;
    settle(conn, &topic, &state, &wanted)
}

fn consultation_reminders(
    conn: &mut DbConnection,
    id: RowId,
    now: Timestamp,
    topic: &str,
    state: &TopicState,
) -> DomainResult<Vec<Outgoing<ConsultationReminder>>> {
    let c = match consultations::find(conn, id) {
        Err(DomainError::NotFound) => return Ok(Vec::new()),
        found => found?,
    };
    if c.status != ConsultationStatus::Confirmed || c.starts_at <= now {
        return Ok(Vec::new());
    }
    let mut wanted = Vec::new();
    let mut add = |to: &str, to_therapist: bool, minutes: i64, zone: Tz, q: Option<&QuietHours>| {
        let due_at = c.starts_at - Duration::minutes(minutes);
        let run_at = shift(q, due_at, zone, true);
        let who = if to_therapist { "therapist" } else { "booker" };
        let key = format!("{topic}/{who}-{minutes}@{}", c.starts_at);
        if state.offers(&key, run_at, now) {
            wanted.push(
                Outgoing::now(
                    to,
                    key,
                    ConsultationReminder {
                        consultation_id: id,
                        therapist_id: c.therapist_id,
                        to_therapist,
                        minutes_before: minutes,
                        sequence: c.sequence,
                        starts_at: c.starts_at,
                        due_at,
                    },
                )
                .at(run_at),
            );
        }
    };
    if !preferences::opted_out(conn, &c.email, NotificationKind::ConsultationReminders)? {
        let zone = crate::care::stored_zone(&c.time_zone)?;
        let q = QuietHours::default();
        for minutes in BOOKER_REMINDERS {
            add(&c.email, false, minutes, zone, Some(&q));
        }
    }
    if let Some(therapist) = person(conn, c.therapist_id)? {
        if therapist.wants(NotificationKind::ConsultationReminders) {
            let minutes = i64::from(therapist.prefs.consultation_reminders.minutes_before);
            add(
                &therapist.email,
                true,
                minutes,
                therapist.zone,
                quiet(&therapist),
            );
        }
    }
    Ok(wanted)
}

impl Email for ConsultationReminder {
    const KIND: EmailKind = EmailKind::ConsultationReminder;

    fn ready(&self, conn: &mut DbConnection) -> DomainResult<Ready> {
        let c = match consultations::find(conn, self.consultation_id) {
            Err(DomainError::NotFound) => return Ok(Ready::Skip("the consultation is gone")),
            found => found?,
        };
        if c.status != ConsultationStatus::Confirmed {
            return Ok(Ready::Skip("the consultation is no longer booked"));
        }
        if c.sequence != self.sequence || c.starts_at != self.starts_at {
            return Ok(Ready::Skip("the consultation was moved"));
        }
        if self.to_therapist {
            let Some(therapist) = person(conn, c.therapist_id)? else {
                return Ok(Ready::Skip("the therapist's account is gone"));
            };
            if !therapist.wants(NotificationKind::ConsultationReminders)
                || i64::from(therapist.prefs.consultation_reminders.minutes_before)
                    != self.minutes_before
            {
                return Ok(Ready::Skip("the therapist changed their reminders"));
            }
            let mut data = value(&consultations::shown(conn, &c, therapist.zone.name())?)?;
            data["first_name"] = therapist.first_name.into();
            data["to_therapist"] = true.into();
            return Ok(Ready::Send(data));
        }
        if preferences::opted_out(conn, &c.email, NotificationKind::ConsultationReminders)? {
            return Ok(Ready::Skip("the booker turned consultation reminders off"));
        }
        let mut data = consultations::with_extra_manage_link(conn, &c, Timestamp::now())?;
        data["first_name"] = preferences::first_name(&c.name).into();
        data["to_therapist"] = false.into();
        Ok(Ready::Send(data))
    }
}

impl Reminder for ConsultationReminder {
    /// A reminder after the start is no reminder.
    fn stale_at(&self) -> Timestamp {
        self.starts_at
    }

    fn subscription(&self) -> Subscription {
        Subscription {
            subscriber: if self.to_therapist {
                Subscriber::User(self.therapist_id)
            } else {
                Subscriber::Booker(self.consultation_id)
            },
            kind: NotificationKind::ConsultationReminders,
        }
    }
}

// --- The therapist's daily digest ----------------------------------------

/// Once a day at the therapist's time, only when a client shared or
/// submitted something in the 24 hours before: counts only, never content.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TherapistDigest {
    pub therapist_id: UserId,
    pub on: NaiveDate,
    pub due_at: Timestamp,
}

/// A daily reminder's next occurrence at `time`, on a day `on_day` accepts.
fn next_daily<E: Email>(
    person: &Person,
    time: TimeOfDay,
    now: Timestamp,
    state: &TopicState,
    topic: &str,
    on_day: impl Fn(NaiveDate) -> bool,
    make: impl Fn(NaiveDate, Timestamp) -> E,
) -> Option<Outgoing<E>> {
    let today = local_date(now, person.zone);
    (-1..=14).find_map(|offset| {
        let on = today + Duration::days(offset);
        if !on_day(on) {
            return None;
        }
        let due_at = local_instant(on, time.0, person.zone);
        let run_at = shift(quiet(person), due_at, person.zone, false);
        let key = format!("{topic}/{on}");
        state
            .offers(&key, run_at, now)
            .then(|| Outgoing::now(&person.email, key, make(on, due_at)).at(run_at))
    })
}

pub(super) fn plan_digest(conn: &mut DbConnection, id: UserId, now: Timestamp) -> DomainResult<()> {
    let topic = Target::Digest(id).topic();
    let state = topic_state(conn, &topic, now)?;
    let next = match person(conn, id)? {
        Some(p) if p.wants(NotificationKind::TherapistDigest) => next_daily(
            &p,
            p.prefs.therapist_digest.time,
            now,
            &state,
            &topic,
            |_| true,
            |on, due_at| TherapistDigest {
                therapist_id: id,
                on,
                due_at,
            },
        ),
        _ => None,
    };
    settle(conn, &topic, &state, next.as_slice())
}

/// What clients of `therapist` (on a live link) shared or submitted in
/// `from..until`: how many items, from how many clients.
pub fn new_for(
    conn: &mut DbConnection,
    therapist: UserId,
    from: Timestamp,
    until: Timestamp,
    now: Timestamp,
) -> DomainResult<(usize, usize)> {
    let entries: Vec<UserId> = journal_shares::table
        .inner_join(care_links::table)
        .filter(journal_shares::therapist_id.eq(therapist))
        .filter(care_links::ended_at.is_null())
        .filter(journal_shares::revoked_at.is_null())
        .filter(
            journal_shares::expires_at
                .is_null()
                .or(journal_shares::expires_at.gt(now)),
        )
        .filter(journal_shares::shared_at.ge(from))
        .filter(journal_shares::shared_at.lt(until))
        .select(journal_shares::client_id)
        .load(conn)?;
    let tracking: Vec<UserId> = tracking_shares::table
        .inner_join(care_links::table)
        .filter(tracking_shares::therapist_id.eq(therapist))
        .filter(care_links::ended_at.is_null())
        .filter(tracking_shares::revoked_at.is_null())
        .filter(
            tracking_shares::expires_at
                .is_null()
                .or(tracking_shares::expires_at.gt(now)),
        )
        .filter(tracking_shares::shared_at.ge(from))
        .filter(tracking_shares::shared_at.lt(until))
        .select(tracking_shares::client_id)
        .load(conn)?;
    let responses: Vec<UserId> = exercise_responses::table
        .inner_join(assignments::table.inner_join(care_links::table))
        .filter(assignments::therapist_id.eq(therapist))
        .filter(care_links::ended_at.is_null())
        .filter(exercise_responses::submitted_at.ge(from))
        .filter(exercise_responses::submitted_at.lt(until))
        .select(exercise_responses::client_id)
        .load(conn)?;
    let items = entries.len() + tracking.len() + responses.len();
    let clients: HashSet<UserId> = entries
        .into_iter()
        .chain(tracking)
        .chain(responses)
        .collect();
    Ok((items, clients.len()))
}

impl Email for TherapistDigest {
    const KIND: EmailKind = EmailKind::TherapistDigest;

    fn ready(&self, conn: &mut DbConnection) -> DomainResult<Ready> {
        let Some(person) = person(conn, self.therapist_id)? else {
            return Ok(Ready::Skip("the account is gone"));
        };
        if !person.wants(NotificationKind::TherapistDigest) {
            return Ok(Ready::Skip("the digest is turned off"));
        }
        let time = person.prefs.therapist_digest.time;
        if local_instant(self.on, time.0, person.zone) != self.due_at {
            return Ok(Ready::Skip("the digest time or the time zone changed"));
        }
        let from = self.due_at - Duration::days(1);
        let (items, clients) = new_for(conn, self.therapist_id, from, self.due_at, self.due_at)?;
        if items == 0 {
            return Ok(Ready::Skip("nothing new was shared or submitted"));
        }
        let mut data = greeting(&person);
        data["items"] = items.into();
        data["clients"] = clients.into();
        Ok(Ready::Send(data))
    }
}

impl Reminder for TherapistDigest {
    fn stale_at(&self) -> Timestamp {
        self.due_at + Duration::hours(STALE_AFTER_HOURS)
    }

    fn subscription(&self) -> Subscription {
        Subscription {
            subscriber: Subscriber::User(self.therapist_id),
            kind: NotificationKind::TherapistDigest,
        }
    }
}

// --- The client's weekly summary -----------------------------------------

/// Sunday evening, when turned on: counts of the week's check-ins and
/// exercises, never what they say.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeeklySummary {
    pub client_id: UserId,
    /// The Sunday that ends the week (Monday to Sunday).
    pub on: NaiveDate,
    pub due_at: Timestamp,
}

pub(super) fn plan_weekly(conn: &mut DbConnection, id: UserId, now: Timestamp) -> DomainResult<()> {
    let topic = Target::Weekly(id).topic();
    let state = topic_state(conn, &topic, now)?;
    let next = match person(conn, id)? {
        Some(p) if p.wants(NotificationKind::WeeklySummary) => next_daily(
            &p,
            p.prefs.weekly_summary.time,
            now,
            &state,
            &topic,
            |on| on.weekday() == chrono::Weekday::Sun,
            |on, due_at| WeeklySummary {
                client_id: id,
                on,
                due_at,
            },
        ),
        _ => None,
    };
    settle(conn, &topic, &state, next.as_slice())
}

impl Email for WeeklySummary {
    const KIND: EmailKind = EmailKind::WeeklySummary;

    fn ready(&self, conn: &mut DbConnection) -> DomainResult<Ready> {
        let Some(person) = person(conn, self.client_id)? else {
            return Ok(Ready::Skip("the account is gone"));
        };
        if !person.wants(NotificationKind::WeeklySummary) {
            return Ok(Ready::Skip("the weekly summary is turned off"));
        }
        let time = person.prefs.weekly_summary.time;
        if local_instant(self.on, time.0, person.zone) != self.due_at {
            return Ok(Ready::Skip("the summary time or the time zone changed"));
        }
        let monday = self.on - Duration::days(6);
        let check_in_days: i64 = daily_check_ins::table
            .filter(daily_check_ins::client_id.eq(self.client_id))
            .filter(daily_check_ins::on_date.between(monday, self.on))
            .count()
            .get_result(conn)?;
        let habit_days: Vec<NaiveDate> = habit_check_ins::table
            .inner_join(habits::table)
            .filter(habits::client_id.eq(self.client_id))
            .filter(habit_check_ins::on_date.between(monday, self.on))
            .select(habit_check_ins::on_date)
            .distinct()
            .load(conn)?;
        let from = start_of_day(monday, person.zone);
        let exercises: i64 = exercise_responses::table
            .filter(exercise_responses::client_id.eq(self.client_id))
            .filter(exercise_responses::submitted_at.ge(from))
            .filter(exercise_responses::submitted_at.lt(self.due_at))
            .count()
            .get_result(conn)?;
        let mut data = greeting(&person);
        data["week_from"] = long_date(monday).into();
        data["week_to"] = long_date(self.on).into();
        data["check_in_days"] = check_in_days.into();
        data["habit_days"] = habit_days.len().into();
        data["exercises"] = exercises.into();
        Ok(Ready::Send(data))
    }
}

impl Reminder for WeeklySummary {
    fn stale_at(&self) -> Timestamp {
        self.due_at + Duration::hours(STALE_AFTER_HOURS)
    }

    fn subscription(&self) -> Subscription {
        Subscription {
            subscriber: Subscriber::User(self.client_id),
            kind: NotificationKind::WeeklySummary,
        }
    }
}
