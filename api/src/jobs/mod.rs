//! Background work: the outbox worker that sends queued email.

mod worker;

pub use worker::{Worker, WorkerOptions};
