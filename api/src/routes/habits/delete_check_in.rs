use actix_web::{delete, web, HttpResponse};
use chrono::NaiveDate;
use domain::habits::store;
use domain::ids::HabitId;

use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Remove the check-in of a local date; the day counts as not checked in.
///
/// Clients only. Every day after it is rescored.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "delete_habit_check_in",
    params(
        ("id" = HabitId, Path, description = "The habit"),
        ("date" = NaiveDate, Path, description = "Your local date"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep habits", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such habit of yours, or no check-in that day", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/habits/{id}/check-ins/{date}")]
pub async fn delete_check_in(
    state: web::Data<AppState>,
    auth: ClientAuth,
    path: web::Path<(HabitId, NaiveDate)>,
) -> Result<HttpResponse, ApiError> {
    let (id, date) = path.into_inner();
    let now = state.config.clock.now();
    auth.tx(&state, move |conn, me| {
        Ok(store::delete_check_in(conn, me, id, date, now)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
