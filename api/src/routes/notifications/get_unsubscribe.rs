use actix_web::{get, web};

use super::UnsubscribeView;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// What a one-click unsubscribe link would turn off.
///
/// No account needed: the token from the email's link names the person and
/// the kind of reminder. Changes nothing. A token the service did not issue
/// is a 404.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_unsubscribe",
    params(("token" = String, Path, description = "The token of the unsubscribe link", pattern = "^[0-9a-f]{70}$")),
    responses(
        (status = 200, description = "What the link turns off, and whether it is off already", body = UnsubscribeView),
        (status = 404, description = "No such link", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/notifications/unsubscribe/{token}")]
pub async fn get_unsubscribe(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<web::Json<UnsubscribeView>, ApiError> {
    Ok(web::Json(
        super::unsubscribe_by(&state, &token, false).await?,
    ))
}
