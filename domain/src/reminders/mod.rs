//! Reminders: typed outbox jobs with a `run_at`, planned from what they are
//! about and checked again just before sending.
//!
//! Each thing that has reminders is a [`Target`] with a topic
//! (`habit:<id>`). [`replan`] computes the jobs the target wants now (the
//! next one of a recurring reminder, every one still ahead of a
//! consultation) and makes the topic's waiting jobs exactly those: called in
//! the transaction of every change that moves them (a habit's time, a
//! preference, a zone, a booking moved or cancelled), and by the worker
//! after it sent or skipped one (so a recurring reminder schedules its
//! next). Nothing scans every target every minute; [`reconcile`] (at worker
//! start and with the retention pass) plans the targets that have nothing
//! waiting, which repairs a broken chain and plans what existed before this
//! module did.
//!
//! Times are the recipient's local times in their current zone (the
//! preference, else the profile's): 09:00 is 09:00 on both sides of a DST
//! change. A nudge or digest due in quiet hours waits until they end; an
//! appointment reminder due in them comes earlier ([`preferences::QuietHours`]).
//!
//! A job's key is `<topic>/<occurrence>` (`habit:<id>/2027-03-27`): one
//! email per target and due time however many instances plan it, since a
//! key in use (waiting, sent or skipped) cannot be queued again.

mod kinds;
pub mod preferences;
pub mod unsubscribe;

pub use kinds::{
    ConsultationReminder, ExerciseReminder, HabitReminder, Reminder, TherapistDigest, WeeklySummary,
};

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::access::Role;
use crate::db::schema::{assignments, consultations, habits, users};
use crate::db::sql::Instant;
use crate::db::{Backend, DbConnection};
use crate::error::DomainResult;
use crate::ids::{AssignmentId, HabitId, RowId, UserId};
use crate::time::Timestamp;

/// Something that has reminders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A habit's nudge at its reminder time on due days.
    Habit(HabitId),
    /// An assignment's reminder on the day an occurrence is due.
    Exercise(AssignmentId),
    /// A booked consultation's reminders, to the booker and the therapist.
    Consultation(RowId),
    /// A therapist's daily digest.
    Digest(UserId),
    /// A client's weekly summary.
    Weekly(UserId),
}

impl Target {
    pub fn topic(&self) -> String {
        match self {
            Self::Habit(id) => format!("habit:{id}"),
            Self::Exercise(id) => format!("exercise:{id}"),
            Self::Consultation(id) => format!("consultation:{id}"),
            Self::Digest(id) => format!("digest:{id}"),
            Self::Weekly(id) => format!("weekly:{id}"),
        }
    }

    /// The target a job's key (`<topic>/<occurrence>`) belongs to.
    pub fn of_key(key: &str) -> Option<Self> {
        let (topic, _) = key.split_once('/')?;
        let (kind, id) = topic.split_once(':')?;
        let id = uuid::Uuid::parse_str(id).ok()?;
        Some(match kind {
            "habit" => Self::Habit(HabitId(id)),
            "exercise" => Self::Exercise(AssignmentId(id)),
            "consultation" => Self::Consultation(RowId(id)),
            "digest" => Self::Digest(UserId(id)),
            "weekly" => Self::Weekly(UserId(id)),
            _ => return None,
        })
    }
}

/// Makes the target's waiting reminders what its state wants at `now`.
/// Run it in the transaction of the change.
pub fn replan(conn: &mut DbConnection, target: Target, now: Timestamp) -> DomainResult<()> {
    match target {
        Target::Habit(id) => kinds::plan_habit(conn, id, now),
        Target::Exercise(id) => kinds::plan_exercise(conn, id, now),
        Target::Consultation(id) => kinds::plan_consultation(conn, id, now),
        Target::Digest(id) => kinds::plan_digest(conn, id, now),
        Target::Weekly(id) => kinds::plan_weekly(conn, id, now),
    }
}

/// Replans everything of a person's that their zone or preferences move:
/// their habits, assignments, digest or weekly summary, and (a therapist)
/// the consultations ahead.
pub fn replan_person(conn: &mut DbConnection, id: UserId, now: Timestamp) -> DomainResult<()> {
    let role: Option<Role> = users::table
        .find(id)
        .select(users::role)
        .first(conn)
        .optional()?;
    let mut targets = Vec::new();
    match role {
        Some(Role::Client) => {
            let habit_ids: Vec<HabitId> = habits::table
                .filter(habits::client_id.eq(id))
                .select(habits::id)
                .load(conn)?;
            targets.extend(habit_ids.into_iter().map(Target::Habit));
            let assignment_ids: Vec<AssignmentId> = assignments::table
                .filter(assignments::client_id.eq(id))
                .filter(assignments::status.ne("ended"))
                .select(assignments::id)
                .load(conn)?;
            targets.extend(assignment_ids.into_iter().map(Target::Exercise));
            targets.push(Target::Weekly(id));
        }
        Some(Role::Therapist) => {
            let ahead: Vec<RowId> = consultations::table
                .filter(consultations::therapist_id.eq(id))
                .filter(consultations::status.eq("confirmed"))
                .filter(consultations::starts_at.gt(now))
                .select(consultations::id)
                .load(conn)?;
            targets.extend(ahead.into_iter().map(Target::Consultation));
            targets.push(Target::Digest(id));
        }
        Some(Role::Admin) | None => {}
    }
    for target in targets {
        replan(conn, target, now)?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Orphan {
    #[diesel(sql_type = crate::db::sql::Id)]
    id: uuid::Uuid,
}

/// The targets of one sort that might want reminders but have nothing
/// waiting: `from` names the table as `t` and `condition` narrows it.
fn orphans(
    conn: &mut DbConnection,
    prefix: &str,
    from: &str,
    condition: &str,
    now: Timestamp,
) -> DomainResult<Vec<uuid::Uuid>> {
    let id_text = match conn.backend() {
        Backend::Postgres => "t.id::text",
        Backend::Sqlite => "t.id",
    };
    // SQLite numbers `$n` parameters in the order they first appear, so
    // both appear first, in order, whatever `condition` names.
    let sql = format!(
        "SELECT t.id AS id FROM {from}
          WHERE $1 IS NOT NULL AND $2 IS NOT NULL
            AND {condition}
            AND NOT EXISTS (SELECT 1 FROM outbox o
                             WHERE o.topic = $1 || {id_text}
                               AND o.state IN ('queued', 'running'))"
    );
    let rows: Vec<Orphan> = diesel::sql_query(sql)
        .bind::<Text, _>(format!("{prefix}:"))
        .bind::<Instant, _>(now)
        .load(conn)?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Plans every target that may want reminders and has none waiting.
/// Returns how many targets it looked at.
pub fn reconcile(conn: &mut DbConnection, now: Timestamp) -> DomainResult<usize> {
    let habits: Vec<HabitId> = orphans(
        conn,
        "habit",
        "habits t",
        "t.reminder_time IS NOT NULL AND t.archived_at IS NULL",
        now,
    )?
    .into_iter()
    .map(HabitId)
    .collect();
    let mut targets: Vec<Target> = Vec::new();
    targets.extend(
        orphans(
            conn,
            "exercise",
            "assignments t",
            "t.status = 'active'",
            now,
        )?
        .into_iter()
        .map(|id| Target::Exercise(AssignmentId(id))),
    );
    targets.extend(
        orphans(
            conn,
            "consultation",
            "consultations t",
            "t.status = 'confirmed' AND t.starts_at > $2",
            now,
        )?
        .into_iter()
        .map(|id| Target::Consultation(RowId(id))),
    );
    targets.extend(
        orphans(
            conn,
            "digest",
            "users t",
            "t.role = 'therapist' AND t.disabled_at IS NULL",
            now,
        )?
        .into_iter()
        .map(|id| Target::Digest(UserId(id))),
    );
    targets.extend(
        orphans(
            conn,
            "weekly",
            "users t JOIN notification_preferences p ON p.user_id = t.id",
            "t.role = 'client' AND t.disabled_at IS NULL",
            now,
        )?
        .into_iter()
        .map(|id| Target::Weekly(UserId(id))),
    );
    // Habits are the many: planned in bulk, a chunk a transaction.
    for chunk in habits.chunks(1_000) {
        conn.write_transaction(|conn| kinds::plan_new_habits(conn, chunk, now))?;
    }
    for chunk in targets.chunks(500) {
        conn.write_transaction(|conn| {
            for target in chunk {
                replan(conn, *target, now)?;
            }
            Ok::<_, crate::error::DomainError>(())
        })?;
    }
    Ok(habits.len() + targets.len())
}

/// Whether the kind a one-click link names is already off for its person.
pub fn is_off(
    conn: &mut DbConnection,
    subscription: &unsubscribe::Subscription,
) -> DomainResult<bool> {
    use unsubscribe::Subscriber;
    match subscription.subscriber {
        Subscriber::User(id) => {
            let person = preferences::person(conn, id)?.ok_or(crate::DomainError::NotFound)?;
            if !subscription.kind.applies_to(person.role) {
                return Err(crate::DomainError::NotFound);
            }
            Ok(!person.prefs.enabled(subscription.kind))
        }
        Subscriber::Booker(id) => {
            let c = crate::booking::consultations::find(conn, id)?;
            preferences::opted_out(conn, &c.email, subscription.kind)
        }
    }
}

/// Turns the kind a one-click link names off for its person (idempotent)
/// and drops their waiting reminders of it. `NotFound` when the person
/// (or the booking) is gone. Run in a write transaction.
pub fn turn_off(
    conn: &mut DbConnection,
    subscription: &unsubscribe::Subscription,
    now: Timestamp,
) -> DomainResult<()> {
    use unsubscribe::Subscriber;
    match subscription.subscriber {
        Subscriber::User(id) => {
            let mut person = preferences::person(conn, id)?.ok_or(crate::DomainError::NotFound)?;
            if !subscription.kind.applies_to(person.role) {
                return Err(crate::DomainError::NotFound);
            }
            person.prefs.turn_off(subscription.kind);
            preferences::save(conn, id, &person.prefs, now)?;
            replan_person(conn, id, now)
        }
        Subscriber::Booker(id) => {
            let c = crate::booking::consultations::find(conn, id)?;
            preferences::opt_out(conn, &c.email, subscription.kind, now)?;
            replan(conn, Target::Consultation(id), now)
        }
    }
}
