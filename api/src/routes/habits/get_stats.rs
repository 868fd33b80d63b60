use actix_web::{get, web};
use domain::habits::{self, store};
use domain::ids::HabitId;

use super::{RangeQuery, StatsView};
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A habit's numbers: strength score, streaks, completion, day by day.
///
/// Clients only. The score is Loop Habit Tracker's (f = N/M,
/// m = 0.5^(sqrt(f)/13), score = previous·m + v·(1 − m), v the share of the
/// target met in the window of the last M days), except that a skipped day
/// freezes the score and takes no place in the window, and today holds
/// yesterday's score until it is checked in. Streaks count met days;
/// skips and days not due keep them alive. Completion is met days over due
/// days not skipped.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_habit_stats",
    params(("id" = HabitId, Path, description = "The habit"), RangeQuery),
    responses(
        (status = 200, description = "The numbers", body = StatsView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep habits", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such habit of yours", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`from` after `to`, or more than 366 days", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/habits/{id}/stats")]
pub async fn get_stats(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<HabitId>,
    query: web::Query<RangeQuery>,
) -> Result<web::Json<StatsView>, ApiError> {
    let id = id.into_inner();
    let (from, to) = (query.from, query.to);
    let now = state.config.clock.now();
    let stats = auth
        .db(&state, move |conn, me| {
            let habit = store::get_own(conn, me, id)?;
            let today = store::today_of(conn, me.id(), now)?;
            let (from, to) = habits::range(from, to, today)?;
            Ok(store::stats(conn, &habit, from, to, today)?)
        })
        .await?;
    Ok(web::Json(StatsView::new(id, stats)))
}
