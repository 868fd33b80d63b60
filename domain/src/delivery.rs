//! What a worker asks just before it sends a job: is it still ours, what
//! does its kind's payload say, and does the kind still want it sent.
//!
//! This module sits above the features (it names every email kind); the
//! outbox below them only stores and leases rows.

use crate::accounts::emails::{
    AccountExistsMessage, InvitationMessage, PasswordResetRequest, VerifyEmailMessage,
};
use crate::booking::consultations::{BookedMessage, ChangedMessage, ConfirmedMessage, HoldMessage};
use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::outbox::{self, CalendarEvent, Email, EmailKind, Job, Ready, TestEmail};

/// What to do with a claimed job.
#[derive(Debug)]
pub enum Prepared {
    /// Render the kind's template with `data` and send it.
    Send {
        data: serde_json::Value,
        calendar: Option<Box<CalendarEvent>>,
    },
    /// Not wanted any more: end it `skipped`, with the reason.
    Skip(String),
    /// The payload cannot be read as its kind's struct: end it `dead`.
    Broken(String),
}

/// Checks a job `owner` claimed, right before sending it.
pub fn prepare(conn: &mut DbConnection, job: &Job, owner: &str) -> DomainResult<Prepared> {
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
    }
}

fn typed<E: Email>(conn: &mut DbConnection, job: &Job) -> DomainResult<Prepared> {
    if job.payload == outbox::CLEARED_PAYLOAD {
        return Ok(Prepared::Broken(
            "its content was cleared after the retention period".into(),
        ));
    }
    let email: E = match serde_json::from_str(&job.payload) {
        Ok(email) => email,
        Err(e) => {
            return Ok(Prepared::Broken(format!(
                "the payload is not a {} email: {e}",
                E::KIND
            )))
        }
    };
    match email.ready(conn)? {
        Ready::Skip(reason) => Ok(Prepared::Skip(reason.into())),
        Ready::Send(data) => Ok(Prepared::Send {
            data,
            calendar: email.calendar().map(Box::new),
        }),
    }
}
