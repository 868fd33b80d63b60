use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::accounts::{self, DisplayName, EmailAddress, NewAccount, NewPassword, TimeZoneName};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Bucket;
use crate::error::{ApiError, Problem};
use crate::routes::me::Profile;
use crate::routes::Fields;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Signup {
    #[schema(example = "dr.rivera@example.org")]
    pub email: String,
    /// 10 to 128 characters; common or guessable passwords are refused.
    #[schema(example = "quiet harbour lantern 42")]
    pub password: String,
    #[schema(example = "Dr. Sam Rivera")]
    pub display_name: String,
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
}

/// Sign up as a therapist.
///
/// Creates the account and emails a verification link. An unverified
/// therapist can log in but cannot invite clients. Clients do not sign up:
/// they accept a therapist's invitation.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "signup",
    request_body = Signup,
    responses(
        (status = 201, description = "The account exists; a verification email is on its way", body = Profile),
        (status = 403, description = "Sign-up is turned off here", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The email address has an account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a weak password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/signup")]
pub async fn post_signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Signup>,
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
    let user = state
        .tx(move |conn| Ok(accounts::signup(conn, &account, &hash)?))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", "/api/v1/me"))
        .json(Profile::from(user)))
}
