use actix_web::{patch, web};
use domain::exercises::responses;
use domain::ids::{AssignmentId, ResponseId};
use serde::Deserialize;
use utoipa::ToSchema;

use super::ResponseView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::state::AppState;

/// Who sees a response's answers.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponsePatch {
    /// `true`: your therapist sees only that it was done, and when.
    pub private: bool,
}

/// Make a response private, or visible to your therapist again.
///
/// Clients only, on their own responses. Answers never change once
/// submitted.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "update_assignment_response",
    params(
        ("id" = AssignmentId, Path, description = "The assignment"),
        ("response_id" = ResponseId, Path, description = "The response"),
    ),
    request_body = ResponsePatch,
    responses(
        (status = 200, description = "The response", body = ResponseView),
        (status = 403, description = "Only clients change their responses", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such response of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/assignments/{id}/responses/{response_id}")]
pub async fn patch_response(
    state: web::Data<AppState>,
    auth: ClientAuth,
    path: web::Path<(AssignmentId, ResponseId)>,
    body: extract::Json<ResponsePatch>,
) -> Result<web::Json<ResponseView>, ApiError> {
    let (id, response) = path.into_inner();
    let private = body.private;
    let view = auth
        .tx(&state, move |conn, me| {
            Ok(responses::set_private(conn, me, id, response, private)?.into())
        })
        .await?;
    Ok(web::Json(view))
}
