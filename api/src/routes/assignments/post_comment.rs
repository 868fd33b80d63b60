use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::exercises::{assignments, responses};
use domain::ids::{AssignmentId, ResponseId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::CommentView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::idempotency;
use crate::state::AppState;

/// A comment for the client on their response.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComment {
    /// 1 to 2,000 characters.
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub body: String,
}

/// Comment on a response.
///
/// Therapists only, on responses to their assignments while the client is
/// theirs (a private response can be commented on too). The client sees it
/// on the response. Written to the client's access log. Send an
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "create_response_comment",
    params(
        ("id" = AssignmentId, Path, description = "The assignment"),
        ("response_id" = ResponseId, Path, description = "The response"),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "1 to 255 visible ASCII characters; a retried create with the same key and body returns the first result"),
    ),
    request_body = NewComment,
    responses(
        (status = 201, description = "The comment", body = CommentView),
        (status = 403, description = "Only therapists comment", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such response to an assignment of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/assignments/{id}/responses/{response_id}/comments")]
pub async fn post_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: TherapistAuth,
    path: web::Path<(AssignmentId, ResponseId)>,
    body: extract::Json<NewComment>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key(&req)?;
    let (id, response) = path.into_inner();
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint(&(id, response, &body));
    let text = domain::journal::parse_body("body", &body.body, responses::COMMENT_MAX_CHARS)
        .map_err(|e| ApiError::Validation(vec![e]))?;
    idempotency::create_once(&state, &auth, key, fingerprint, None, move |conn, me| {
        let access = assignments::access_to(conn, me, id)?;
        Ok(CommentView::from(responses::comment(
            conn, &access, id, response, &text,
        )?))
    })
    .await
}
