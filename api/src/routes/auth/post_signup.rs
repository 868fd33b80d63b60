use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::accounts::{self, DisplayName, EmailAddress, NewAccount, NewPassword, TimeZoneName};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Bucket;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::Fields;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Signup {
    #[schema(value_type = domain::accounts::EmailAddress)]
    pub email: String,
    /// 10 to 128 characters; common or guessable passwords are refused.
    #[schema(value_type = domain::accounts::NewPassword)]
    pub password: String,
    #[schema(value_type = domain::accounts::DisplayName)]
    pub display_name: String,
    #[schema(value_type = domain::accounts::TimeZoneName)]
    pub time_zone: String,
}

/// Sign up as a therapist.
///
/// Anyone may call this (unless sign-up is turned off). It answers 202 the
/// same way whether or not the address has an account, so the answer tells
/// nobody which addresses exist: a new address gets an unverified therapist
/// account and a verification email (`verify_email`); an address that has
/// an account gets an email telling its owner (`account_exists`) and
/// nothing else changes. An unverified therapist can log in but cannot
/// invite clients. Clients do not sign up: they accept a therapist's
/// invitation.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "signup",
    request_body = Signup,
    responses(
        (status = 202, description = "Accepted: check your email"),
        (status = 403, description = "Sign-up is turned off here", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a weak password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/signup")]
pub async fn post_signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: extract::Json<Signup>,
) -> Result<HttpResponse, ApiError> {
    if !state.auth.allow_signup {
        return Err(ApiError::Forbidden {
            code: "signup_disabled",
            detail: "Sign-up is turned off; ask an administrator for an account.".into(),
        });
    }
    state.limit(Bucket::Signup, &req).await?;
    let body = body.into_inner();
    let mut fields = Fields::default();
    let parsed = (
        fields.take(EmailAddress::parse("email", &body.email)),
        fields.take(DisplayName::parse("display_name", &body.display_name)),
        fields.take(TimeZoneName::parse("time_zone", &body.time_zone)),
        fields.take(NewPassword::parse(
            "password",
            &body.password,
            &[&body.email, &body.display_name],
        )),
    );
    let (Some(email), Some(name), Some(zone), Some(password)) = parsed else {
        return Err(fields.error());
    };
    let hash = state
        .auth
        .passwords
        .hash(password.expose().to_owned())
        .await?;
    let account = NewAccount {
        email,
        display_name: name,
        time_zone: zone,
    };
    let signed_up = state
        .tx(move |conn| Ok(accounts::signup(conn, &account, &hash)?))
        .await;
    match signed_up {
        // Two sign-ups for one new address at once: the second is answered
        // like any address that has an account.
        Ok(_)
        | Err(ApiError::Conflict {
            code: "email_taken",
            ..
        }) => Ok(HttpResponse::Accepted().finish()),
        Err(other) => Err(other),
    }
}
