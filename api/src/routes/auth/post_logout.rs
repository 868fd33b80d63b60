use actix_web::{post, web, HttpResponse};
use domain::accounts::sessions;

use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// End this session: its access and refresh tokens stop working at once.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "logout",
    responses(
        (status = 204, description = "The session has ended"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/logout")]
pub async fn post_logout(
    state: web::Data<AppState>,
    auth: Authenticated,
) -> Result<HttpResponse, ApiError> {
    auth.tx(&state, |conn, me| {
        Ok(sessions::revoke(conn, me.session_id, "logout")?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
