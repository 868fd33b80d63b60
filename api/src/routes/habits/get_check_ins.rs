use actix_web::{get, web};
use domain::habits::{self, store};
use domain::ids::HabitId;

use super::{CheckInView, RangeQuery};
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// A habit's check-ins over a range of local dates, oldest first.
///
/// Clients only. By default the last 30 days up to today (your local date); at most 366 days per call.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_habit_check_ins",
    params(("id" = HabitId, Path, description = "The habit"), RangeQuery),
    responses(
        (status = 200, description = "Check-ins", body = Vec<CheckInView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep habits", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such habit of yours", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`from` after `to`, or more than 366 days", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/habits/{id}/check-ins")]
pub async fn get_check_ins(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<HabitId>,
    query: web::Query<RangeQuery>,
) -> Result<web::Json<Vec<CheckInView>>, ApiError> {
    let id = id.into_inner();
    let (from, to) = (query.from, query.to);
    let now = state.config.clock.now();
    let rows = auth
        .db(&state, move |conn, me| {
            store::get_own(conn, me, id)?;
            let today = store::today_of(conn, me.id(), now)?;
            let (from, to) = habits::range(from, to, today)?;
            Ok(store::check_ins(conn, id, from, to)?)
        })
        .await?;
    Ok(web::Json(rows.into_iter().map(CheckInView::from).collect()))
}
