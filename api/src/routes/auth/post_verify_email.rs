use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::accounts;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Bucket;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmail {
    /// The `token` query parameter of the link in the verification email.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub token: String,
}

/// Confirm an email address.
///
/// No token needed: the `token` from the verification email is the proof; it
/// works once, for two days. A verified therapist can invite clients. Limited
/// per client address. Sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "verify_email",
    request_body = VerifyEmail,
    responses(
        (status = 204, description = "The address is verified"),
        (status = 400, description = "The token is unknown, used or expired", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/verify-email")]
pub async fn post_verify_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: extract::Json<VerifyEmail>,
) -> Result<HttpResponse, ApiError> {
    verify(&state, &req, body.into_inner().token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Verifies an address with the token of its link (the API and the page
/// behind the link).
pub async fn verify(state: &AppState, req: &HttpRequest, token: String) -> Result<(), ApiError> {
    state.limit(Bucket::VerifyEmail, req).await?;
    state
        .tx(move |conn| Ok(accounts::verify_email(conn, &token)?))
        .await?;
    Ok(())
}
