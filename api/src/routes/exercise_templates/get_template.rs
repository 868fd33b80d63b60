use actix_web::{get, web};
use domain::exercises::templates;
use domain::ids::TemplateId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::TemplateView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VersionQuery {
    /// A past version (default: the newest).
    #[param(minimum = 1)]
    pub version: Option<i32>,
}

/// One template, at its newest or a past version.
///
/// Therapists only: your own templates and the starter library. Old
/// versions stay readable, so answers always render against the fields
/// they answered. Changes nothing.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_exercise_template",
    params(("id" = TemplateId, Path, description = "The template"), VersionQuery),
    responses(
        (status = 200, description = "The template", body = TemplateView),
        (status = 403, description = "Only therapists keep a library", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such template (or version) of yours or of the starter library", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/exercise-templates/{id}")]
pub async fn get_template(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<TemplateId>,
    query: web::Query<VersionQuery>,
) -> Result<web::Json<TemplateView>, ApiError> {
    let (id, version) = (id.into_inner(), query.version);
    let template = auth
        .db(&state, move |conn, me| {
            Ok(templates::get(conn, me, id, version)?)
        })
        .await?;
    Ok(web::Json(template.into()))
}
