//! Operations endpoints, outside the API base path.

mod get_healthz;
mod get_metrics;
mod get_readyz;

use utoipa_actix_web::service_config::ServiceConfig;

pub const TAG: &str = "operations";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_healthz::get_healthz)
        .service(get_readyz::get_readyz)
        .service(get_metrics::get_metrics);
}
