use actix_web::{delete, web, HttpResponse};
use domain::care;
use domain::ids::UserId;

use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// End the link with a client.
///
/// Therapists only, for their current clients. From this moment you see nothing
/// of theirs, including what they had shared; their data stays theirs. Sends no
/// email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "end_client_link",
    params(("id" = UserId, Path, description = "The client")),
    responses(
        (status = 204, description = "The link has ended"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/clients/{id}")]
pub async fn delete_client(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<UserId>,
) -> Result<HttpResponse, ApiError> {
    let client = id.into_inner();
    auth.tx(&state, move |conn, me| {
        Ok(care::discharge(conn, me, client)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
