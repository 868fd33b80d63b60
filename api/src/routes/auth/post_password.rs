use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::accounts::password::Verified;
use domain::accounts::{sessions, users, NewPassword};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{Authenticated, Bucket};
use crate::error::{ApiError, Problem};
use crate::routes::{Fields, RequestMeta};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    /// 10 to 128 characters; common or guessable passwords are refused.
    pub new_password: String,
}

/// Change your password. Every other session of yours ends at once.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "change_password",
    request_body = ChangePassword,
    responses(
        (status = 204, description = "Changed; other sessions have ended"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong current password, or a weak new one", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/auth/password")]
pub async fn post_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    body: web::Json<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    state.auth.limits.check(Bucket::Login, &req)?;
    let meta = RequestMeta::of(&req);
    let body = body.into_inner();
    let user = auth
        .db(&state, |conn, me| Ok(users::find(conn, me.user_id)?))
        .await?;
    let current = body
        .current_password
        .chars()
        .take(domain::accounts::PASSWORD_MAX_CHARS + 1)
        .collect();
    if state
        .auth
        .passwords
        .verify(current, user.password_hash.clone())
        .await?
        == Verified::No
    {
        return Err(ApiError::Validation(vec![domain::FieldError::new(
            "current_password",
            "wrong",
            "is not your current password",
        )]));
    }
    let mut fields = Fields::default();
    let Some(new) = fields.take(NewPassword::parse(
        "new_password",
        &body.new_password,
        &[&user.email, &user.display_name],
    )) else {
        return Err(fields.error());
    };
    let hash = state.auth.passwords.hash(new.expose().to_owned()).await?;
    auth.tx(&state, move |conn, me| {
        users::set_password_hash(conn, me.user_id, &hash)?;
        sessions::revoke_all(conn, me.user_id, Some(me.session_id), "password_changed")?;
        meta.record(conn, "password_changed", Some(me.user_id), None)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
