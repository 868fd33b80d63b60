//! What every handler can reach: the database, the configuration and the
//! auth kit.
//!
//! Each HTTP worker thread keeps one database connection of its own and runs
//! a request's database work on it, in place: no hop to a blocking pool and
//! back, and no pool checkout. That is the fast path every read takes; it
//! costs one connection per HTTP worker (`HTTP_WORKERS`), and a slow query
//! holds only the connections of its own worker. The pool is for background
//! work (the outbox worker) and start-up.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use domain::db::{ConnectionManager, DbConnection, Pool};
use r2d2::ManageConnection;

use crate::auth::{AuthKit, Bucket, RateLimitStore};
use crate::config::Config;
use crate::error::ApiError;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub auth: Arc<AuthKit>,
    connections: Arc<WorkerConnections>,
}

/// How HTTP worker threads open their connection; `id` tells apart several
/// services in one process (tests), whose threads are never shared.
struct WorkerConnections {
    id: u64,
    manager: ConnectionManager,
}

thread_local! {
    /// This thread's connection, and the service it belongs to.
    static CONNECTION: RefCell<Option<(u64, DbConnection)>> = const { RefCell::new(None) };
}

fn unavailable(error: impl std::fmt::Display) -> ApiError {
    tracing::warn!(error = %error, "no database connection available");
    ApiError::Unavailable {
        code: "database_unavailable",
        detail: "The database is unavailable; try again shortly.".into(),
    }
}

impl AppState {
    pub fn new(pool: Pool, config: Config, auth: AuthKit) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let manager = ConnectionManager::new(config.database_url.clone());
        Self {
            pool,
            config: Arc::new(config),
            auth: Arc::new(auth),
            connections: Arc::new(WorkerConnections {
                id: NEXT.fetch_add(1, Ordering::Relaxed),
                manager,
            }),
        }
    }

    /// Runs `f` on this worker's connection (opened on first use, and again
    /// after it broke). For routes without a signed-in person; the others go
    /// through [`crate::auth::Auth::db`], which checks the session first.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError>,
    {
        self.run(f)
    }

    /// Like [`Self::db`], inside one transaction: all of `f`'s writes
    /// (and the emails it queues) land together or not at all.
    pub async fn tx<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError>,
    {
        self.run(move |conn| conn.write_transaction(f))
    }

    /// Counts an attempt at a limited endpoint from this client's address;
    /// 429 with `Retry-After` once the limit is reached.
    pub async fn limit(
        &self,
        bucket: Bucket,
        req: &actix_web::HttpRequest,
    ) -> Result<(), ApiError> {
        let limits = &self.auth.limits;
        let Some(ip) = limits.client_ip(req) else {
            return Ok(());
        };
        match limits.store() {
            RateLimitStore::Memory => limits.check_memory(bucket, ip),
            RateLimitStore::Database => {
                let per_minute = limits.per_minute();
                let wait = self.run(|conn| {
                    Ok(domain::rate_limits::hit(
                        conn,
                        bucket.as_str(),
                        &ip.to_string(),
                        per_minute,
                        chrono::Duration::minutes(1),
                        domain::Timestamp::now(),
                    )?)
                })?;
                match wait {
                    None => Ok(()),
                    Some(wait) => Err(ApiError::TooManyRequests {
                        retry_after_secs: crate::auth::retry_after(wait),
                    }),
                }
            }
        }
    }

    fn run<T>(
        &self,
        f: impl FnOnce(&mut DbConnection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let connections = &self.connections;
        CONNECTION.with(|cell| {
            let mut slot = cell.try_borrow_mut().map_err(|_| {
                ApiError::Internal(anyhow::anyhow!("a database call inside another one"))
            })?;
            let usable = match slot.as_mut() {
                Some((id, conn)) => *id == connections.id && !connections.manager.has_broken(conn),
                None => false,
            };
            if !usable {
                *slot = None;
                let conn = connections.manager.connect().map_err(unavailable)?;
                *slot = Some((connections.id, conn));
            }
            match slot.as_mut() {
                Some((_, conn)) => {
                    let before = domain::db::queries_on_this_thread();
                    let outcome = f(conn);
                    crate::metrics::count_queries(
                        domain::db::queries_on_this_thread().wrapping_sub(before),
                    );
                    outcome
                }
                None => Err(ApiError::Internal(anyhow::anyhow!("no worker connection"))),
            }
        })
    }
}
