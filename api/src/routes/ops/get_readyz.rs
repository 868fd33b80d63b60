use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ready")]
    pub status: &'static str,
    /// `postgresql` or `sqlite`.
    #[schema(example = "postgresql")]
    pub database: &'static str,
}

/// Readiness: the database answers and has every migration this build knows.
///
/// For load balancers and orchestrators; no token needed. 200 once the database
/// answers and is fully migrated, else 503. Changes nothing.
#[utoipa::path(
    tag = super::TAG,
    responses(
        (status = 200, description = "Ready to serve", body = Readiness),
        (status = 503, description = "The database is unreachable or not migrated",
         body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/readyz")]
pub async fn get_readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let unavailable = || ApiError::Unavailable {
        code: "not_ready",
        detail: "The database is unreachable or not fully migrated.".into(),
    };
    let database = state
        .db(|conn| {
            if !domain::db::is_ready(conn) {
                return Err(unavailable());
            }
            Ok(conn.backend().name())
        })
        .await
        .map_err(|_| unavailable())?;
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ready",
        database,
    }))
}
