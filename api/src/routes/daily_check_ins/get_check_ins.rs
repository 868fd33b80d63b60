use actix_web::{get, web};
use domain::habits::{self, daily, store};

use super::DailyCheckInView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::routes::habits::RangeQuery;
use crate::state::AppState;

/// Your check-ins over a range of local dates, oldest first.
///
/// Clients only. By default the last 30 days up to today (your local date); at most 366 days per call.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_daily_check_ins",
    params(RangeQuery),
    responses(
        (status = 200, description = "The series", body = Vec<DailyCheckInView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients check in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`from` after `to`, or more than 366 days", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/daily-check-ins")]
pub async fn get_check_ins(
    state: web::Data<AppState>,
    auth: ClientAuth,
    query: web::Query<RangeQuery>,
) -> Result<web::Json<Vec<DailyCheckInView>>, ApiError> {
    let (from, to) = (query.from, query.to);
    let now = state.config.clock.now();
    let rows = auth
        .db(&state, move |conn, me| {
            let today = store::today_of(conn, me.id(), now)?;
            let (from, to) = habits::range(from, to, today)?;
            Ok(daily::range(conn, me.id(), from, to)?)
        })
        .await?;
    Ok(web::Json(
        rows.into_iter().map(DailyCheckInView::from).collect(),
    ))
}
