use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::accounts::{self, EmailAddress};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Bucket;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::origin;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    #[schema(value_type = domain::accounts::EmailAddress)]
    pub email: String,
}

/// Ask for a password-reset email.
///
/// Always answers 202, whether or not the address has an account, so the
/// answer tells nobody which addresses exist. The link works once, for an hour.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "request_password_reset",
    request_body = PasswordReset,
    responses(
        (status = 202, description = "If the address has an account, an email is on its way"),
        (status = 422, description = "Not an email address", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/password-reset")]
pub async fn post_password_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: extract::Json<PasswordReset>,
) -> Result<HttpResponse, ApiError> {
    state.limit(Bucket::PasswordReset, &req).await?;
    let origin = origin(&req);
    // A malformed address is refused like any bad input; that tells nothing
    // about which well-formed addresses have accounts.
    let email =
        EmailAddress::parse("email", &body.email).map_err(|e| ApiError::Validation(vec![e]))?;
    state
        .tx(move |conn| Ok(accounts::request_password_reset(conn, &email, &origin)?))
        .await?;
    Ok(HttpResponse::Accepted().finish())
}
