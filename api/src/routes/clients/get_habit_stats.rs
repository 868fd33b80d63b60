use actix_web::{get, web};
use domain::care;
use domain::habits::{self, sharing, store};
use domain::ids::{HabitId, UserId};

use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::routes::habits::{RangeQuery, StatsView};
use crate::state::AppState;

/// A shared habit's numbers and check-ins, day by day.
///
/// Therapists only, for a habit a current client shares with you now. The
/// same figures the client sees (in the client's time zone). Marks the share
/// read; written to the client's access log.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_client_habit_stats",
    params(
        ("id" = UserId, Path, description = "The client"),
        ("habit_id" = HabitId, Path, description = "The habit"),
        RangeQuery,
    ),
    responses(
        (status = 200, description = "The numbers", body = StatsView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours, or not a habit shared with you", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`from` after `to`, or more than 366 days", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/clients/{id}/habits/{habit_id}/stats")]
pub async fn get_habit_stats(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    path: web::Path<(UserId, HabitId)>,
    query: web::Query<RangeQuery>,
) -> Result<web::Json<StatsView>, ApiError> {
    let (client, id) = path.into_inner();
    let (from, to) = (query.from, query.to);
    let now = state.config.clock.now();
    let stats = auth
        .tx(&state, move |conn, me| {
            let access = care::open(conn, me, client)?;
            // The share first: without one, nothing about the client (not
            // even their local today) shows through a range error.
            let habit = sharing::open_habit(conn, &access, id, now)?;
            let today = store::today_of(conn, client, now)?;
            let (from, to) = habits::range(from, to, today)?;
            Ok(store::stats(conn, &habit, from, to, today)?)
        })
        .await?;
    Ok(web::Json(StatsView::new(id, stats)))
}
