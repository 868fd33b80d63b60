use actix_web::{put, web};
use domain::habits::sharing::{self, Tracked};

use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::extract::OptionalJson;
use crate::routes::journal::put_share::ShareRequest;
use crate::routes::journal::ShareView;
use crate::state::AppState;

/// Share your daily check-ins with your therapist, or change when the share ends.
///
/// Clients only. One item: the whole series (past and future days) while the
/// share lasts. Your current therapist can then read it (each read is
/// written to your access log) until it expires, you take it back, or the
/// link ends. Send no body to share until you take it back.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "share_daily_check_ins",
    request_body(content = ShareRequest, description = "Optional: send no body to share until you take it back", content_type = "application/json"),
    responses(
        (status = 200, description = "The series is shared", body = ShareView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients check in", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You have no therapist", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`expires_at` is not in the future", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/daily-check-ins/share")]
pub async fn put_share(
    state: web::Data<AppState>,
    auth: ClientAuth,
    body: OptionalJson<ShareRequest>,
) -> Result<web::Json<ShareView>, ApiError> {
    let expires_at = body.0.expires_at;
    let now = state.config.clock.now();
    let share = auth
        .tx(&state, move |conn, me| {
            Ok(sharing::share(
                conn,
                me,
                Tracked::DailyCheckIns,
                expires_at,
                now,
            )?)
        })
        .await?;
    Ok(web::Json(ShareView::from(share)))
}
