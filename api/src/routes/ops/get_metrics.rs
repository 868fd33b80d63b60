use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};

use crate::config::Environment;
use crate::error::{ApiError, Problem};
use crate::metrics::Metrics;
use crate::state::AppState;

/// Prometheus metrics in the text exposition format.
///
/// With `METRICS_TOKEN` set, only `Authorization: Bearer <METRICS_TOKEN>`
/// is answered; without it the endpoint is open in development and absent
/// (404) in production.
#[utoipa::path(
    tag = super::TAG,
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
        (status = 401, description = "`METRICS_TOKEN` is set and was not sent", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Production without `METRICS_TOKEN`", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/metrics")]
pub async fn get_metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    match &state.config.metrics_token {
        Some(token) => {
            let sent = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or_default();
            if !domain::secret::same(sent, token.expose()) {
                return Err(ApiError::Unauthorized {
                    code: "metrics_token_required",
                    detail: "Send Authorization: Bearer <METRICS_TOKEN>.".into(),
                });
            }
        }
        None if state.config.environment == Environment::Production => {
            return Err(ApiError::NotFound);
        }
        None => {}
    }
    let text = metrics
        .render(&state.pool.state(), state.pool.max_size())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("cannot render metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(text))
}
