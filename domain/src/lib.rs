//! Between's business rules and the persistence that enforces them.
//!
//! Nothing in this crate knows about HTTP: handlers in `api` call into it and
//! map [`DomainError`] to responses in one place.
//!
//! Layers, lowest first (a module imports only from layers below it; a test
//! checks there is no cycle):
//! - `error`, `ids`, `time`, `page`, `secret`, `text`, `db`: the plumbing;
//! - `access` (roles and the proofs a live session hands out), `audit`
//!   (access and security logs), `outbox` (the email queue), `idempotency`,
//!   `rate_limits`;
//! - `care`: the therapist-client link and the one door to a client's data;
//! - features: `accounts`, `exercises`, then `journal` (an entry may answer
//!   an assignment);
//! - `reminders` (typed jobs planned from every feature's state) and,
//!   above it, `delivery` (what the worker asks before sending) and
//!   `maintenance` (retention), which know every feature.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod booking;
pub mod care;
pub mod dashboard;
pub mod db;
pub mod delivery;
pub mod error;
pub mod exercises;
pub mod habits;
pub mod idempotency;
pub mod ids;
pub mod journal;
pub mod maintenance;
pub mod outbox;
pub mod page;
pub mod rate_limits;
pub mod reminders;
pub mod secret;
pub mod text;
pub mod time;

pub use error::{DomainError, FieldError};
pub use time::Timestamp;

#[cfg(test)]
mod layering;
