//! What every handler can reach: the pool and the configuration.

use std::sync::Arc;

use domain::db::Pool;

use crate::config::Config;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub config: Arc<Config>,
}
