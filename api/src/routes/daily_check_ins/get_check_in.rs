use actix_web::{get, web};
use chrono::NaiveDate;
use domain::habits::daily;

use super::DailyCheckInView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Your check-in of a local date.
///
/// Clients only: the day as recorded, by your local date.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_daily_check_in",
    params(("date" = NaiveDate, Path, description = "Your local date")),
    responses(
        (status = 200, description = "The check-in", body = DailyCheckInView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients check in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No check-in that day", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/daily-check-ins/{date}")]
pub async fn get_check_in(
    state: web::Data<AppState>,
    auth: ClientAuth,
    date: web::Path<NaiveDate>,
) -> Result<web::Json<DailyCheckInView>, ApiError> {
    let date = date.into_inner();
    let found = auth
        .db(&state, move |conn, me| Ok(daily::get(conn, me.id(), date)?))
        .await?;
    Ok(web::Json(found.into()))
}
