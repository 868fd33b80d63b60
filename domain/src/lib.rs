//! Between's business rules and the persistence that enforces them.
//!
//! Nothing in this crate knows about HTTP: handlers in `api` call into it and
//! map [`DomainError`] to responses in one place.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod db;
pub mod error;
pub mod idempotency;
pub mod ids;
pub mod journal;
pub mod outbox;
pub mod page;
pub mod secret;
pub mod time;

pub use error::{DomainError, FieldError};
pub use time::Timestamp;
