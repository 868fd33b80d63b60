use actix_web::{get, web, HttpResponse};

use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::state::AppState;

/// Prometheus metrics in the text exposition format.
#[utoipa::path(
    tag = super::TAG,
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")),
    security(())
)]
#[get("/metrics")]
pub async fn get_metrics(
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    let text = metrics
        .render(&state.pool.state(), state.pool.max_size())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot render metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
