use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use domain::exercises::responses::{self, Submission};
use domain::ids::AssignmentId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::ResponseView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::idempotency;
use crate::state::AppState;

/// A response to an assignment.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResponse {
    /// A date of the occurrence you answer (from its `opens_on` to its
    /// `due_on`, today or earlier). Default: the first not done of what is
    /// open today, a `once` still ahead, the latest one missed; else today's.
    pub occurrence_on: Option<NaiveDate>,
    /// Answers by field key, checked against the assignment's template
    /// version: every required field answered, each in its type's range.
    #[schema(value_type = std::collections::HashMap<String, serde_json::Value>)]
    pub answers: Map<String, Value>,
    /// How helpful it felt, 1 to 5.
    #[schema(minimum = 1, maximum = 5)]
    pub helpfulness: Option<i32>,
    /// A note for yourself (your therapist never sees it); at most 2,000 characters.
    #[schema(
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub note: Option<String>,
    /// Keep the answers to yourself: your therapist sees only that it was
    /// done, and when.
    #[serde(default)]
    pub private: bool,
}

/// Submit a response.
///
/// Clients only, on their own active assignments. The answers are checked
/// against the template version of the assignment (422 names each field
/// that is missing or out of range) and kept whole or not at all; the draft
/// is removed. It counts for the occurrence it answers, on time if
/// submitted by its due time. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "create_assignment_response",
    params(("id" = AssignmentId, Path, description = "The assignment"), ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "1 to 255 visible ASCII characters; a retried create with the same key and body returns the first result")),
    request_body = NewResponse,
    responses(
        (status = 201, description = "The response", body = ResponseView),
        (status = 403, description = "Only clients respond", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assignment of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The assignment is paused or ended (`assignment_not_active`), or the Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/assignments/{id}/responses")]
pub async fn post_response(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<AssignmentId>,
    body: extract::Json<NewResponse>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key(&req)?;
    let (id, body) = (id.into_inner(), body.into_inner());
    let fingerprint = idempotency::fingerprint(&(id, &body));
    responses::check_extras(body.helpfulness, body.note.as_deref())
        .map_err(ApiError::Validation)?;
    let now = state.config.clock.now();
    let submission = Submission {
        occurrence_on: body.occurrence_on,
        answers: body.answers,
        helpfulness: body.helpfulness,
        note: body.note.filter(|n| !n.trim().is_empty()),
        private: body.private,
    };
    idempotency::create_once(
        &state,
        &auth,
        key,
        fingerprint,
        Some(&format!("/api/v1/assignments/{id}/responses")),
        move |conn, me| {
            let (response, _) = responses::submit(conn, me, id, submission, now)?;
            Ok(ResponseView::from(response))
        },
    )
    .await
}
