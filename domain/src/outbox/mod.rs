//! The outbox: every outgoing email is a row, written in the same
//! transaction as the change that caused it, and sent later by a worker.
//!
//! A row moves `queued` → `running` (claimed under a lease) → `sent`, or back
//! to `queued` with a later `run_at` after a transient failure, or to `dead`
//! after a permanent failure or its last attempt. A worker that dies leaves
//! its rows `running`; once the lease runs out any worker claims them again.

mod repo;

pub use repo::*;

use crate::time::Timestamp;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::outbox;
use crate::ids::JobId;

/// How many times a message is tried before it goes `dead`.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JobState {
    Queued,
    Running,
    Sent,
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Sent => "sent",
            Self::Dead => "dead",
        }
    }
}

/// One row of the outbox.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable, Serialize)]
#[diesel(table_name = outbox)]
pub struct Job {
    pub id: JobId,
    pub dedupe_key: String,
    pub template: String,
    pub recipient: String,
    pub payload: String,
    pub state: String,
    pub run_at: Timestamp,
    pub attempts: i32,
    pub max_attempts: i32,
    pub last_error: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_until: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

/// An email to queue. `dedupe_key` makes queuing idempotent: a second email
/// with the same key is dropped, so retried requests and several instances
/// scheduling the same reminder still send one message.
#[derive(Debug, Clone)]
pub struct NewEmail {
    pub dedupe_key: String,
    pub template: &'static str,
    pub recipient: String,
    pub payload: serde_json::Value,
    pub run_at: Timestamp,
}

impl NewEmail {
    /// An email to send as soon as a worker is free.
    pub fn now(
        template: &'static str,
        recipient: impl Into<String>,
        dedupe_key: impl Into<String>,
        payload: serde_json::Value,
    ) -> Self {
        Self {
            dedupe_key: dedupe_key.into(),
            template,
            recipient: recipient.into(),
            payload,
            run_at: Timestamp::now(),
        }
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
}
