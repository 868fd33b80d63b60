use actix_web::{get, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process is up and serving HTTP.
///
/// For load balancers and orchestrators; no token needed, and no database work.
/// Changes nothing.
#[utoipa::path(
    tag = super::TAG,
    responses((status = 200, description = "The process is alive", body = Health)),
    security(())
)]
#[get("/healthz")]
pub async fn get_healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}
