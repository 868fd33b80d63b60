//! What a worker asks just before it sends a job: is it still ours, what
//! does its kind's payload say, and does the kind still want it sent.
//!
//! This module sits above the features (it names every email kind); the
//! outbox below them only stores and leases rows.

use diesel::Connection;

use crate::accounts::emails::{
    AccountExistsMessage, InvitationMessage, PasswordResetRequest, VerifyEmailMessage,
};
use crate::booking::consultations::{BookedMessage, ChangedMessage, ConfirmedMessage, HoldMessage};
use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::outbox::{self, CalendarEvent, Email, EmailKind, Job, Ready, TestEmail};
use crate::reminders::unsubscribe::Subscription;
use crate::reminders::{
    self, ConsultationReminder, ExerciseReminder, HabitReminder, Reminder, Target, TherapistDigest,
    WeeklySummary,
};
use crate::time::Timestamp;

/// What to do with a claimed job.
#[derive(Debug)]
pub enum Prepared {
    /// Render the kind's template with `data` and send it.
    Send {
        data: serde_json::Value,
        calendar: Option<Box<CalendarEvent>>,
        /// Whom a one-click unsubscribe link turns this kind off for
        /// (reminders only; account mail has none).
        unsubscribe: Option<Subscription>,
    },
    /// Not wanted any more: end it `skipped`, with the reason.
    Skip(String),
    /// The payload cannot be read as its kind's struct: end it `dead`.
    Broken(String),
}

/// Checks a job `owner` claimed, right before sending it.
pub fn prepare(
    conn: &mut DbConnection,
    job: &Job,
    owner: &str,
    now: Timestamp,
) -> DomainResult<Prepared> {
    if !outbox::still_held(conn, job.id, owner)? {
        return Ok(Prepared::Skip(
            "cancelled or replaced after it was claimed".into(),
        ));
    }
    match job.kind {
        EmailKind::Test => typed::<TestEmail>(conn, job),
        EmailKind::VerifyEmail => typed::<VerifyEmailMessage>(conn, job),
        EmailKind::PasswordReset => typed::<PasswordResetRequest>(conn, job),
        EmailKind::Invitation => typed::<InvitationMessage>(conn, job),
        EmailKind::AccountExists => typed::<AccountExistsMessage>(conn, job),
        EmailKind::ConsultationHold => typed::<HoldMessage>(conn, job),
        EmailKind::ConsultationConfirmed => typed::<ConfirmedMessage>(conn, job),
        EmailKind::ConsultationBooked => typed::<BookedMessage>(conn, job),
        EmailKind::ConsultationChanged => typed::<ChangedMessage>(conn, job),
        EmailKind::ConsultationReminder => reminder::<ConsultationReminder>(conn, job, now),
        EmailKind::ExerciseReminder => reminder::<ExerciseReminder>(conn, job, now),
        EmailKind::HabitReminder => reminder::<HabitReminder>(conn, job, now),
        EmailKind::TherapistDigest => reminder::<TherapistDigest>(conn, job, now),
        EmailKind::WeeklySummary => reminder::<WeeklySummary>(conn, job, now),
    }
}

/// Records how a job ended and, once it is over (sent, skipped or dead), lets
/// a reminder plan its target's next one, in one transaction. Planning runs
/// under a savepoint: if it fails, the outcome stands (the hourly
/// reconciliation plans what is missing) and the error is returned beside
/// it. Returns `false` when `owner` no longer held the job.
pub fn finish(
    conn: &mut DbConnection,
    job: &Job,
    owner: &str,
    outcome: &outbox::Outcome,
    retry: (chrono::Duration, chrono::Duration),
    now: Timestamp,
) -> DomainResult<(bool, Option<crate::DomainError>)> {
    // A transient failure on the last attempt ends the job dead: over too.
    let over =
        !matches!(outcome, outbox::Outcome::Transient(_)) || job.attempts >= job.max_attempts;
    conn.write_transaction(|conn| {
        let held = outbox::finish(conn, job.id, owner, outcome, retry.0, retry.1)?;
        let planned = match Target::of_key(&job.dedupe_key) {
            Some(target) if held && over => conn
                .transaction(|conn| reminders::replan(conn, target, now))
                .err(),
            _ => None,
        };
        Ok((held, planned))
    })
}

fn reminder<E: Reminder>(
    conn: &mut DbConnection,
    job: &Job,
    now: Timestamp,
) -> DomainResult<Prepared> {
    let email: E = match parse(job) {
        Ok(email) => email,
        Err(broken) => return Ok(broken),
    };
    if now >= email.stale_at() {
        return Ok(Prepared::Skip("too late to be worth sending".into()));
    }
    Ok(match prepared(conn, &email)? {
        Prepared::Send { data, calendar, .. } => Prepared::Send {
            data,
            calendar,
            unsubscribe: Some(email.subscription()),
        },
        other => other,
    })
}

fn typed<E: Email>(conn: &mut DbConnection, job: &Job) -> DomainResult<Prepared> {
    match parse::<E>(job) {
        Ok(email) => prepared(conn, &email),
        Err(broken) => Ok(broken),
    }
}

/// The job's payload as its kind's struct, or why it cannot be sent.
fn parse<E: Email>(job: &Job) -> Result<E, Prepared> {
    if job.payload == outbox::CLEARED_PAYLOAD {
        return Err(Prepared::Broken(
            "its content was cleared after the retention period".into(),
        ));
    }
    serde_json::from_str(&job.payload)
        .map_err(|e| Prepared::Broken(format!("the payload is not a {} email: {e}", E::KIND)))
}

/// What the kind says just before sending.
fn prepared<E: Email>(conn: &mut DbConnection, email: &E) -> DomainResult<Prepared> {
    Ok(match email.ready(conn)? {
        Ready::Skip(reason) => Prepared::Skip(reason.into()),
        Ready::Send(data) => Prepared::Send {
            data,
            calendar: email.calendar().map(Box::new),
            unsubscribe: None,
        },
    })
}
