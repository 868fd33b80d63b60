use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::accounts::password::Verified;
use domain::accounts::{self, users, NewPassword};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::{AnyAuth, Bucket};
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::{origin, Fields};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    /// 10 to 128 characters; common or guessable passwords are refused.
    #[schema(value_type = domain::accounts::NewPassword)]
    pub new_password: String,
}

/// Change your password.
///
/// Anyone signed in, with their current password. Every other session of yours
/// ends at once; this one stays. Written to the security log; limited per
/// client address. Sends no email.
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
    auth: AnyAuth,
    body: extract::Json<ChangePassword>,
) -> Result<HttpResponse, ApiError> {
    state.limit(Bucket::Login, &req).await?;
    let origin = origin(&req);
    let body = body.into_inner();
    let user = auth
        .db(&state, |conn, me| Ok(users::find(conn, me.id())?))
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
        Ok(accounts::change_password(conn, me, &hash, &origin)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
