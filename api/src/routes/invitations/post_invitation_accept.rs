use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::accounts::invitations::{self, Acceptance};
use domain::accounts::{self, DisplayName, NewPassword, TimeZoneName};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Bucket;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::me::Profile;
use crate::routes::{origin, Fields};
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitation {
    /// 10 to 128 characters; common or guessable passwords are refused.
    #[schema(value_type = domain::accounts::NewPassword)]
    pub password: String,
    #[schema(value_type = domain::accounts::DisplayName)]
    pub display_name: String,
    #[schema(value_type = domain::accounts::TimeZoneName)]
    pub time_zone: String,
}

/// Accept an invitation.
///
/// No token needed: the `token` from the invitation email is the proof; it
/// works once, for 7 days. Creates your client account (its email address is
/// the invited one, verified by the link) linked to the therapist who invited
/// you; log in afterwards. Written to the security log; limited per client
/// address. Sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "accept_invitation",
    params(("token" = String, Path, pattern = "^[0-9a-f]{64}$", description = "The `token` query parameter of the link in the invitation email")),
    request_body = AcceptInvitation,
    responses(
        (status = 201, description = "Your account exists", body = Profile),
        (status = 404, description = "The invitation is unknown, used, revoked or expired", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The invited address has an account already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a weak password", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/invitations/{token}/accept")]
pub async fn post_invitation_accept(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: extract::Json<AcceptInvitation>,
) -> Result<HttpResponse, ApiError> {
    let client = accept(&state, &req, token.into_inner(), body.into_inner()).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", "/api/v1/me"))
        .json(Profile::from(client)))
}

/// Accepts an invitation with the token of its link (the API and the page
/// behind the link): the same checks and messages for both.
pub async fn accept(
    state: &AppState,
    req: &HttpRequest,
    token: String,
    body: AcceptInvitation,
) -> Result<domain::accounts::users::User, ApiError> {
    state.limit(Bucket::InvitationAccept, req).await?;
    let origin = origin(req);
    let lookup = token.clone();
    let email = state
        .db(move |conn| invitations::pending_email(conn, &lookup)?.ok_or(ApiError::NotFound))
        .await?;
    let mut fields = Fields::default();
    let parsed = (
        fields.take(DisplayName::parse("display_name", &body.display_name)),
        fields.take(TimeZoneName::parse("time_zone", &body.time_zone)),
        fields.take(NewPassword::parse(
            "password",
            &body.password,
            &[&email, &body.display_name],
        )),
    );
    let (Some(name), Some(zone), Some(password)) = parsed else {
        return Err(fields.error());
    };
    let hash = state
        .auth
        .passwords
        .hash(password.expose().to_owned())
        .await?;
    state
        .tx(move |conn| {
            let acceptance = Acceptance {
                password_hash: &hash,
                display_name: &name,
                time_zone: zone,
            };
            Ok(accounts::accept_invitation(
                conn,
                &token,
                &acceptance,
                &origin,
            )?)
        })
        .await
}
