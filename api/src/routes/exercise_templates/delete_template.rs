use actix_web::{delete, web, HttpResponse};
use domain::exercises::templates;
use domain::ids::TemplateId;

use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Archive one of your templates.
///
/// Therapists only, on their own templates. It leaves your library list
/// and cannot be assigned again; assignments made from it go on, and it
/// stays readable by id.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "archive_exercise_template",
    params(("id" = TemplateId, Path, description = "The template")),
    responses(
        (status = 204, description = "Archived"),
        (status = 403, description = "Not a therapist, or a starter template (`starter_template`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such template of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/exercise-templates/{id}")]
pub async fn delete_template(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<TemplateId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    auth.tx(&state, move |conn, me| {
        Ok(templates::archive(conn, me, id)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
