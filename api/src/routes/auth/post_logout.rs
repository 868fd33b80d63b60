use actix_web::{post, web, HttpResponse};
use domain::accounts;

use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// End this session.
///
/// Anyone signed in. This session's access and refresh tokens stop working at
/// once; other sessions stay. Sends no email.
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
    auth: AnyAuth,
) -> Result<HttpResponse, ApiError> {
    auth.tx(&state, |conn, me| Ok(accounts::logout(conn, me)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
