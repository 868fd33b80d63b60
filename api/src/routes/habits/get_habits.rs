use actix_web::{get, web};
use domain::habits::store::{self, ArchiveFilter};
use domain::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::HabitView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HabitQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub cursor: Option<String>,
    /// `active` (default), `archived` or `all`.
    #[param(inline)]
    pub archived: Option<ArchiveFilter>,
}

/// Your habits, with how each stands today.
///
/// Clients only. Oldest first. Each habit carries today's check-in, whether
/// it is still due today, its strength score and its streaks, computed in
/// your time zone.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_habits",
    params(HabitQuery),
    responses(
        (status = 200, description = "Habits", body = Page<HabitView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep habits", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/habits")]
pub async fn get_habits(
    state: web::Data<AppState>,
    auth: ClientAuth,
    query: web::Query<HabitQuery>,
) -> Result<web::Json<Page<HabitView>>, ApiError> {
    let page = crate::routes::page_request(query.limit, query.cursor.as_deref())?;
    let filter = query.archived.unwrap_or(ArchiveFilter::Active);
    let now = state.config.clock.now();
    let views = auth
        .db(&state, move |conn, me| {
            let habits = store::list_own(conn, me, filter, &page)?;
            let views = super::own_views(conn, me, habits, now)?;
            Ok(page.page(views, |v| v.id.0, |v| v))
        })
        .await?;
    Ok(web::Json(views))
}
