use actix_web::{put, web};
use chrono::NaiveDate;
use domain::habits::store::{self, CheckInInput, CheckInStatus};
use domain::ids::HabitId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::CheckInView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::state::AppState;

/// A day's value: `status` for a yes/no habit; `amount` for a numeric one
/// (or `status` `skip` or `not_done` without an amount).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    pub status: Option<CheckInStatus>,
    #[schema(minimum = 0, maximum = 1000000, example = 6)]
    pub amount: Option<f64>,
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// Check in a habit for a local date (writing again replaces it).
///
/// Clients only. The date is your local date; future dates are refused,
/// back-filling up to ten years is allowed and rescores every day after it.
/// A skip (sick, travelling, a rest day) freezes the score and keeps a
/// streak alive.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "put_habit_check_in",
    params(
        ("id" = HabitId, Path, description = "The habit"),
        ("date" = NaiveDate, Path, description = "Your local date"),
    ),
    request_body = CheckInRequest,
    responses(
        (status = 200, description = "The check-in", body = CheckInView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep habits", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such habit of yours", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A date in the future, or a value the habit does not take", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/habits/{id}/check-ins/{date}")]
pub async fn put_check_in(
    state: web::Data<AppState>,
    auth: ClientAuth,
    path: web::Path<(HabitId, NaiveDate)>,
    body: extract::Json<CheckInRequest>,
) -> Result<web::Json<CheckInView>, ApiError> {
    let (id, date) = path.into_inner();
    let b = body.into_inner();
    let input = CheckInInput {
        status: b.status,
        amount: b.amount,
        note: b.note,
    };
    let now = state.config.clock.now();
    let check_in = auth
        .tx(&state, move |conn, me| {
            Ok(store::put_check_in(conn, me, id, date, input, now)?)
        })
        .await?;
    Ok(web::Json(check_in.into()))
}
