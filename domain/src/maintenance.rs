//! The periodic retention pass: sent email keeps no link secrets past its
//! retention period, and the audit logs are trimmed after theirs. Every
//! worker runs it now and then; running it twice at once is harmless.

use chrono::Duration;

use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::time::Timestamp;
use crate::{audit, idempotency, outbox, rate_limits};

/// How long things are kept.
#[derive(Debug, Clone, Copy)]
pub struct Retention {
    /// Finished email jobs keep their payload this long.
    pub jobs: Duration,
    /// Access-log rows and security events are kept this long.
    pub audit: Duration,
    /// Stored `Idempotency-Key` responses are kept this long.
    pub idempotency: Duration,
}

impl Default for Retention {
    fn default() -> Self {
        Self {
            jobs: Duration::days(7),
            // Six years, as US health-records practice expects.
            audit: Duration::days(2190),
            idempotency: Duration::hours(24),
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    pub payloads_cleared: usize,
    pub audit_rows_deleted: usize,
    pub idempotency_keys_deleted: usize,
    pub rate_limit_windows_deleted: usize,
}

/// Runs the retention pass as of `now`.
pub fn run(conn: &mut DbConnection, retention: &Retention, now: Timestamp) -> DomainResult<Report> {
    Ok(Report {
        payloads_cleared: outbox::clear_payloads(conn, now - retention.jobs)?,
        audit_rows_deleted: audit::trim(conn, now - retention.audit)?,
        idempotency_keys_deleted: idempotency::trim(conn, now - retention.idempotency)?,
        rate_limit_windows_deleted: rate_limits::trim(conn, now - Duration::hours(1))?,
    })
}
