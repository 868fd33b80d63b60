use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::exercises::fields::FieldSpec;
use domain::exercises::templates::{self, Category, Content, ContentParts};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::TemplateView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::idempotency;
use crate::state::AppState;

/// A new exercise template.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTemplate {
    /// 1 to 200 characters, one line.
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub title: String,
    /// What it is for, in a sentence; at most 500 characters.
    #[serde(default)]
    #[schema(max_length = 500, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub purpose: String,
    /// Plain text or Markdown; at most 20,000 characters.
    #[serde(default)]
    #[schema(
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub instructions: String,
    /// About how long it takes: 1 to 480 minutes.
    #[schema(minimum = 1, maximum = 480)]
    pub duration_minutes: Option<i32>,
    pub category: Category,
    /// 1 to 50 fields, in the order the client sees them.
    #[schema(min_items = 1, max_items = 50)]
    pub fields: Vec<FieldSpec>,
}

/// Add a template to your library.
///
/// Therapists only. The fields are checked as a whole: each problem is
/// named by its place (`fields[2].input.options[1]`). Send an
/// `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "create_exercise_template",
    request_body = NewTemplate,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "1 to 255 visible ASCII characters; a retried create with the same key and body returns the first result")),
    responses(
        (status = 201, description = "The template (version 1)", body = TemplateView),
        (status = 403, description = "Only therapists keep a library", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/exercise-templates")]
pub async fn post_template(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: TherapistAuth,
    body: extract::Json<NewTemplate>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key(&req)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint(&body);
    let content = Content::parse(ContentParts {
        title: Some(body.title),
        purpose: Some(body.purpose),
        instructions: Some(body.instructions),
        duration_minutes: Some(body.duration_minutes),
        category: Some(body.category),
        fields: Some(body.fields),
    })
    .map_err(ApiError::Validation)?;
    idempotency::create_once(
        &state,
        &auth,
        key,
        fingerprint,
        Some("/api/v1/exercise-templates"),
        move |conn, me| Ok(TemplateView::from(templates::create(conn, me, &content)?)),
    )
    .await
}
