use actix_web::{get, web};
use domain::exercises::templates::{self, Category, Source};
use domain::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::TemplateView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TemplateQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub cursor: Option<String>,
    /// Only your own (`mine`) or only the starter library (`starter`).
    pub source: Option<Source>,
    /// Only this category.
    pub category: Option<Category>,
}

/// Your exercise templates and the starter library.
///
/// Therapists only. The newest version of each template, your own first
/// (newest first), then the starter library; archived ones are left out.
/// Changes nothing.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_exercise_templates",
    params(TemplateQuery),
    responses(
        (status = 200, description = "Templates", body = Page<TemplateView>),
        (status = 403, description = "Only therapists keep a library", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/exercise-templates")]
pub async fn get_templates(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    query: web::Query<TemplateQuery>,
) -> Result<web::Json<Page<TemplateView>>, ApiError> {
    let page = crate::routes::page_request(query.limit, query.cursor.as_deref())?;
    let (source, category) = (query.source, query.category);
    let rows = auth
        .db(&state, move |conn, me| {
            Ok(templates::list(conn, me, source, category, &page)?)
        })
        .await?;
    Ok(web::Json(page.page(rows, |t| t.id.0, TemplateView::from)))
}
