use actix_web::{delete, web, HttpResponse};
use domain::accounts::invitations;
use domain::ids::InvitationId;

use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Revoke a pending invitation.
///
/// Therapists only, for their own invitations. Its link stops working, and its
/// email is not sent if it has not gone out yet. 409 when it was accepted,
/// revoked or expired already.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "revoke_invitation",
    params(("id" = InvitationId, Path, description = "The invitation")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such invitation of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Accepted, revoked or expired already", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/invitations/{id}")]
pub async fn delete_invitation(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<InvitationId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    auth.tx(&state, move |conn, me| {
        Ok(invitations::revoke(conn, me.id(), id)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
