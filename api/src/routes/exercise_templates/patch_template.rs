use actix_web::{patch, web};
use domain::exercises::fields::FieldSpec;
use domain::exercises::templates::{self, Category, ContentParts};
use domain::ids::TemplateId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::TemplateView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::{non_null, present};
use crate::state::AppState;

/// A change to a template: send only what changes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplatePatch {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(
        nullable = false,
        max_length = 500,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub purpose: Option<String>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(
        nullable = false,
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub instructions: Option<String>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(minimum = 1, maximum = 480, value_type = Option<i32>)]
    pub duration_minutes: Option<Option<i32>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub category: Option<Category>,
    /// The whole new list of fields.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, min_items = 1, max_items = 50)]
    pub fields: Option<Vec<FieldSpec>>,
}

/// Change one of your templates: a new version.
///
/// Therapists only, on their own templates (the starter library is
/// read-only: copy a template first). Every change writes the next
/// version, which new assignments get; existing assignments keep the
/// version they were given, and their responses keep rendering against it.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "update_exercise_template",
    params(("id" = TemplateId, Path, description = "The template")),
    request_body = TemplatePatch,
    responses(
        (status = 200, description = "The template at its new version", body = TemplateView),
        (status = 403, description = "Not a therapist, or a starter template (`starter_template`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such template of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/exercise-templates/{id}")]
pub async fn patch_template(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<TemplateId>,
    body: extract::Json<TemplatePatch>,
) -> Result<web::Json<TemplateView>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let changes = ContentParts {
        title: body.title,
        purpose: body.purpose,
        instructions: body.instructions,
        duration_minutes: body.duration_minutes,
        category: body.category,
        fields: body.fields,
    };
    let template = auth
        .tx(&state, move |conn, me| {
            Ok(templates::update(conn, me, id, changes)?)
        })
        .await?;
    Ok(web::Json(template.into()))
}
