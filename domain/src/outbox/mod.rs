//! The outbox: every outgoing email is a row, written in the same
//! transaction as the change that caused it, and sent later by a worker.
//!
//! Each email kind is a payload struct implementing [`Email`]: its fields are
//! what the template needs, so a missing field fails to compile. A job may be
//! due now or at any later `run_at`; it can be cancelled or replaced by its
//! dedupe key inside the caller's transaction. Just before sending, the
//! worker asks the kind whether the email is still wanted
//! ([`Email::still_wanted`]); one that is not ends `skipped`.
//!
//! A row moves `queued` → `running` (claimed under a lease) → `sent`, or
//! back to `queued` with a later `run_at` after a transient failure, or to
//! `dead` after a permanent failure or its last attempt; `cancelled` and
//! `skipped` end it unsent. A worker that dies leaves its rows `running`;
//! once the lease runs out any worker claims them again.

mod calendar;
mod repo;

pub use calendar::{CalendarEvent, CalendarMethod, Party};
pub use repo::*;

use diesel::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::db::schema::outbox;
use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::ids::JobId;
use crate::time::Timestamp;

/// How many times a message is tried before it goes `dead`.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

crate::text_enum! {
    /// Where a job is in its life.
    pub enum JobState {
        Queued => "queued",
        Running => "running",
        Sent => "sent",
        Dead => "dead",
        /// Its kind said it was no longer wanted just before sending.
        Skipped => "skipped",
        /// Cancelled (or replaced) by its dedupe key before it was sent.
        Cancelled => "cancelled",
    }
}

crate::text_enum! {
    /// Every email the service sends; each has a template of the same name.
    pub enum EmailKind {
        Test => "test",
        VerifyEmail => "verify_email",
        PasswordReset => "password_reset",
        Invitation => "invitation",
        AccountExists => "account_exists",
        ConsultationHold => "consultation_hold",
        ConsultationConfirmed => "consultation_confirmed",
        ConsultationBooked => "consultation_booked",
        ConsultationChanged => "consultation_changed",
        ConsultationReminder => "consultation_reminder",
        ExerciseReminder => "exercise_reminder",
        HabitReminder => "habit_reminder",
        TherapistDigest => "therapist_digest",
        WeeklySummary => "weekly_summary",
    }
}

/// One row of the outbox.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Serialize)]
#[diesel(table_name = outbox)]
pub struct Job {
    pub id: JobId,
    pub dedupe_key: String,
    pub kind: EmailKind,
    pub recipient: String,
    /// The kind's payload as JSON; empty once the retention pass cleared it.
    pub payload: String,
    pub state: JobState,
    pub run_at: Timestamp,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    /// When a cancel or replace released this job's dedupe key.
    pub superseded_at: Option<Timestamp>,
}

/// Whether an email is still worth sending, asked just before it goes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    Yes,
    /// Not any more, and why (kept as the job's note).
    No(&'static str),
}

/// What a worker does with a job, decided just before sending.
#[derive(Debug, Clone, PartialEq)]
pub enum Ready {
    /// Render the kind's template with this data.
    Send(serde_json::Value),
    /// Not wanted any more, and why (kept as the job's note).
    Skip(&'static str),
}

/// An email kind: its payload is the struct, its template the kind's name.
pub trait Email: Serialize + DeserializeOwned {
    const KIND: EmailKind;

    /// Asked by the worker just before sending; the default is always.
    fn still_wanted(&self, _conn: &mut DbConnection) -> DomainResult<Wanted> {
        Ok(Wanted::Yes)
    }

    /// What the template renders, made just before sending: by default the
    /// payload itself, if [`Self::still_wanted`]. A kind may instead make
    /// its data then (a reset link is issued when its email goes out, so no
    /// queued payload ever holds one).
    fn ready(&self, conn: &mut DbConnection) -> DomainResult<Ready> {
        Ok(match self.still_wanted(conn)? {
            Wanted::No(reason) => Ready::Skip(reason),
            Wanted::Yes => Ready::Send(
                serde_json::to_value(self)
                    .map_err(|e| crate::error::DomainError::Internal(e.to_string()))?,
            ),
        })
    }

    /// A calendar invite to attach, if the email carries one.
    fn calendar(&self) -> Option<CalendarEvent> {
        None
    }
}

/// An email to queue. `dedupe_key` makes queuing idempotent: a second email
/// with a key that is still in use is dropped, so retried requests and
/// several instances scheduling the same reminder still send one message.
#[derive(Debug, Clone)]
pub struct Outgoing<E: Email> {
    pub email: E,
    pub recipient: String,
    pub dedupe_key: String,
    pub run_at: Timestamp,
    /// What the job is about (`habit:<id>`), when a later change to that
    /// thing should find and replace it ([`replan_topic`]).
    pub topic: Option<String>,
}

impl<E: Email> Outgoing<E> {
    /// An email to send as soon as a worker is free.
    pub fn now(recipient: impl Into<String>, dedupe_key: impl Into<String>, email: E) -> Self {
        Self {
            email,
            recipient: recipient.into(),
            dedupe_key: dedupe_key.into(),
            run_at: Timestamp::now(),
            topic: None,
        }
    }

    /// The same email, sent no earlier than `run_at`.
    pub fn at(self, run_at: Timestamp) -> Self {
        Self { run_at, ..self }
    }

    /// The same email, about `topic`.
    pub fn about(self, topic: impl Into<String>) -> Self {
        Self {
            topic: Some(topic.into()),
            ..self
        }
    }
}

/// The operator's test message (`between mail test`); it may carry a sample
/// calendar invite so the invite can be checked in a real mail client.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestEmail {
    #[serde(default)]
    pub invite: Option<CalendarEvent>,
}

impl Email for TestEmail {
    const KIND: EmailKind = EmailKind::Test;

    fn calendar(&self) -> Option<CalendarEvent> {
        self.invite.clone()
    }
}

/// How a send attempt ended, as the worker reports it.
#[derive(Debug, Clone)]
pub enum Outcome {
    Sent,
    /// Worth trying again later (connection refused, timeouts, 4xx).
    Transient(String),
    /// Will fail again (5xx, an address the server refuses).
    Permanent(String),
    /// Its kind no longer wants it sent.
    Skipped(String),
}
