use actix_web::{post, web, HttpResponse};
use domain::accounts::{self, EmailAddress};
use serde::Deserialize;
use utoipa::ToSchema;

use super::InvitationView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::Fields;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewInvitation {
    /// Where the invitation goes.
    #[schema(value_type = domain::accounts::EmailAddress)]
    pub email: String,
}

/// Invite a client by email.
///
/// The invited person gets an email with a link that works once, for 7 days.
/// Your email address must be verified first.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "create_invitation",
    request_body = NewInvitation,
    responses(
        (status = 201, description = "The invitation is on its way", body = InvitationView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist, or email not verified yet", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid email", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/invitations")]
pub async fn post_invitation(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    body: extract::Json<NewInvitation>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::default();
    let Some(email) = fields.take(EmailAddress::parse("email", &body.email)) else {
        return Err(fields.error());
    };
    let invitation = auth
        .tx(&state, move |conn, me| {
            Ok(accounts::invite(conn, me, &email)?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/invitations/{}", invitation.id)))
        .json(InvitationView::from(invitation)))
}
