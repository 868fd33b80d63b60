use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::exercises::templates;
use domain::ids::TemplateId;

use super::TemplateView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::idempotency;
use crate::state::AppState;

/// Copy a template into your library.
///
/// Therapists only: a starter template or one of your own, at its newest
/// version, becomes a new template of yours (version 1) that you can
/// change. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "copy_exercise_template",
    params(
        ("id" = TemplateId, Path, description = "The template to copy"),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "1 to 255 visible ASCII characters; a retried create with the same key returns the first result"),
    ),
    responses(
        (status = 201, description = "The copy", body = TemplateView),
        (status = 403, description = "Only therapists keep a library", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such template of yours or of the starter library", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/exercise-templates/{id}/copy")]
pub async fn post_template_copy(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<TemplateId>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key(&req)?;
    let id = id.into_inner();
    idempotency::create_once(
        &state,
        &auth,
        key,
        idempotency::fingerprint(&id),
        Some("/api/v1/exercise-templates"),
        move |conn, me| Ok(TemplateView::from(templates::copy(conn, me, id)?)),
    )
    .await
}
