use actix_web::{delete, web, HttpResponse};
use domain::habits::sharing::{self, Tracked};

use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Stop sharing your daily check-ins; your therapist no longer sees them, at once.
///
/// Clients only. Ending the link with your therapist ends it too.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "unshare_daily_check_ins",
    responses(
        (status = 204, description = "No longer shared"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients check in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "They are not shared", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/daily-check-ins/share")]
pub async fn delete_share(
    state: web::Data<AppState>,
    auth: ClientAuth,
) -> Result<HttpResponse, ApiError> {
    let now = state.config.clock.now();
    auth.tx(&state, move |conn, me| {
        Ok(sharing::unshare(conn, me, Tracked::DailyCheckIns, now)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
