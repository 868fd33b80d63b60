//! Password hashing on the blocking pool, a few at a time: argon2id is
//! deliberately costly, and a burst of logins must not starve other requests.

use std::sync::Arc;

use domain::accounts::password::{self, PasswordHash, Verified};
use tokio::sync::Semaphore;

use crate::error::ApiError;

pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("password hasher closed: {e}")))?;
        tokio::task::spawn_blocking(f)
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("password hashing failed: {e}")))
    }

    pub async fn hash(&self, plain: String) -> Result<PasswordHash, ApiError> {
        Ok(self.run(move || password::hash(&plain)).await??)
    }

    pub async fn verify(&self, plain: String, stored: String) -> Result<Verified, ApiError> {
        self.run(move || password::verify(&plain, &stored)).await
    }

    /// Costs what a real check costs, for accounts that do not exist.
    pub async fn verify_dummy(&self, plain: String) -> Result<(), ApiError> {
        self.run(move || password::verify_dummy(&plain)).await
    }
}
