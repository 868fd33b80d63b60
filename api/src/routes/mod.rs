//! One file per endpoint, grouped by area: `routes/<area>/<verb>_<thing>.rs`.

pub mod fallback;
pub mod ops;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented endpoint.
pub fn configure(cfg: &mut ServiceConfig) {
    ops::configure(cfg);
}
