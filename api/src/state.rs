//! What every handler can reach: the pool and the configuration.

use std::sync::Arc;

use domain::db::{DbConnection, Pool};

use crate::auth::AuthKit;
use crate::config::Config;
use crate::error::{blocking, ApiError};

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
    pub auth: Arc<AuthKit>,
}

impl AppState {
    /// Runs `f` with a pooled connection on the blocking pool. For routes
    /// without a signed-in person; the others go through
    /// [`crate::auth::Authenticated::db`], which checks the session first.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let state = self.clone();
        blocking(move || {
            let mut conn = state.conn()?;
            f(&mut conn)
        })
        .await
    }

    /// Like [`Self::db`], inside one transaction: all of `f`'s writes
    /// (and the emails it queues) land together or not at all.
    pub async fn tx<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
    {
        self.db(move |conn| conn.write_transaction(f)).await
    }

    /// A pooled connection; an exhausted pool is a 503, not a 500.
    pub fn conn(&self) -> Result<domain::db::PooledConnection, ApiError> {
        Ok(self.pool.get().map_err(domain::DomainError::from)?)
    }
}
