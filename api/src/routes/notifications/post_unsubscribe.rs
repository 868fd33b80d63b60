use actix_web::{post, web};

use super::UnsubscribeView;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Turn off the kind of reminder a one-click link names.
///
/// No account needed and no body: the token from the email's link names
/// the person and the kind. Idempotent; reminders of that kind not yet sent
/// are dropped. Account mail (verification, password reset, invitations,
/// booking confirmations) has no such link. A token the service did not
/// issue is a 404.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "unsubscribe",
    params(("token" = String, Path, description = "The token of the unsubscribe link", pattern = "^[0-9a-f]{70}$")),
    responses(
        (status = 200, description = "Turned off", body = UnsubscribeView),
        (status = 404, description = "No such link", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/notifications/unsubscribe/{token}")]
pub async fn post_unsubscribe(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<web::Json<UnsubscribeView>, ApiError> {
    Ok(web::Json(
        super::unsubscribe_by(&state, &token, true).await?,
    ))
}
