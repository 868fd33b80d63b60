use actix_web::{put, web};
use domain::exercises::responses;
use domain::ids::AssignmentId;
use domain::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::state::AppState;

/// Answers in progress.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    /// Answers by field key, checked like a response's except that nothing
    /// is required yet.
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub answers: Map<String, Value>,
}

/// A saved draft: yours alone; your therapist never sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftView {
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub answers: Map<String, Value>,
    pub updated_at: Timestamp,
}

impl From<responses::Draft> for DraftView {
    fn from(d: responses::Draft) -> Self {
        Self {
            answers: d.answers,
            updated_at: d.updated_at,
        }
    }
}

/// Save a draft (autosave).
///
/// Clients only, on their own assignments that have not ended. Replaces the
/// draft; submitting a response removes it. Private: never shown to the
/// therapist.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "save_assignment_draft",
    params(("id" = AssignmentId, Path, description = "The assignment")),
    request_body = DraftRequest,
    responses(
        (status = 200, description = "The saved draft", body = DraftView),
        (status = 403, description = "Only clients keep drafts", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assignment of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The assignment has ended (`assignment_not_active`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/assignments/{id}/draft")]
pub async fn put_draft(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<AssignmentId>,
    body: extract::Json<DraftRequest>,
) -> Result<web::Json<DraftView>, ApiError> {
    let (id, answers) = (id.into_inner(), body.into_inner().answers);
    let draft = auth
        .tx(&state, move |conn, me| {
            Ok(responses::save_draft(conn, me, id, &answers)?)
        })
        .await?;
    Ok(web::Json(draft.into()))
}
