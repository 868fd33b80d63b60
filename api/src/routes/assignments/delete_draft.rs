use actix_web::{delete, web, HttpResponse};
use domain::exercises::responses;
use domain::ids::AssignmentId;

use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Throw your draft away.
///
/// Clients only. 404 when there is none.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "delete_assignment_draft",
    params(("id" = AssignmentId, Path, description = "The assignment")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only clients keep drafts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No draft, or no such assignment of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/assignments/{id}/draft")]
pub async fn delete_draft(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<AssignmentId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    auth.tx(&state, move |conn, me| {
        Ok(responses::delete_draft(conn, me, id)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
