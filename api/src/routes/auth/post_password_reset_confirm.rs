use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::accounts::{self, NewPassword};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Bucket;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::{origin, Fields};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmPasswordReset {
    /// The `token` query parameter of the link in the reset email.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub token: String,
    /// 10 to 128 characters; common or guessable passwords are refused.
    #[schema(value_type = domain::accounts::NewPassword)]
    pub new_password: String,
}

/// Set a new password with the link from the reset email.
///
/// No token needed: the `token` from the link is the proof. The link works
/// once, for an hour; it also confirms your email address, and every session of
/// the account ends. Limited per client address. Sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "confirm_password_reset",
    request_body = ConfirmPasswordReset,
    responses(
        (status = 204, description = "The password is set; log in with it"),
        (status = 400, description = "The token is unknown, used or expired", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A weak password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/password-reset/confirm")]
pub async fn post_password_reset_confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: extract::Json<ConfirmPasswordReset>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    reset(&state, &req, body.token, body.new_password).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Sets a new password with the token of a reset link (the API and the
/// page behind the link): the same checks and messages for both.
pub async fn reset(
    state: &AppState,
    req: &HttpRequest,
    token: String,
    new_password: String,
) -> Result<(), ApiError> {
    state.limit(Bucket::PasswordReset, req).await?;
    let origin = origin(req);
    let lookup = token.clone();
    let user = state
        .db(move |conn| Ok(accounts::reset_target(conn, &lookup)?))
        .await?;
    let mut fields = Fields::default();
    let Some(new) = fields.take(NewPassword::parse(
        "new_password",
        &new_password,
        &[&user.email, &user.display_name],
    )) else {
        return Err(fields.error());
    };
    let hash = state.auth.passwords.hash(new.expose().to_owned()).await?;
    state
        .tx(move |conn| Ok(accounts::reset_password(conn, &token, &hash, &origin)?))
        .await?;
    Ok(())
}
