use actix_web::{get, web};
use domain::accounts::users;

use super::Profile;
use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Your profile.
///
/// Anyone signed in: who you are, your role, time zone and whether your email
/// is verified. Changes nothing.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_me",
    responses(
        (status = 200, description = "Your profile", body = Profile),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me")]
pub async fn get_me(
    state: web::Data<AppState>,
    auth: AnyAuth,
) -> Result<web::Json<Profile>, ApiError> {
    let user = auth
        .db(&state, |conn, me| Ok(users::find(conn, me.id())?))
        .await?;
    Ok(web::Json(user.into()))
}
