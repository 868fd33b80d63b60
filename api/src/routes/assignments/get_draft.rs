use actix_web::{get, web};
use domain::exercises::responses;
use domain::ids::AssignmentId;

use super::put_draft::DraftView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Your saved draft.
///
/// Clients only. 404 when there is none.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_assignment_draft",
    params(("id" = AssignmentId, Path, description = "The assignment")),
    responses(
        (status = 200, description = "The draft", body = DraftView),
        (status = 403, description = "Only clients keep drafts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No draft, or no such assignment of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/assignments/{id}/draft")]
pub async fn get_draft(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<AssignmentId>,
) -> Result<web::Json<DraftView>, ApiError> {
    let id = id.into_inner();
    let draft = auth
        .db(&state, move |conn, me| Ok(responses::draft(conn, me, id)?))
        .await?;
    Ok(web::Json(draft.into()))
}
