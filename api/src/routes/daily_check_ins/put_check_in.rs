use actix_web::{put, web};
use chrono::NaiveDate;
use domain::habits::daily::{self, DailyInput};
use serde::Deserialize;
use utoipa::ToSchema;

use super::DailyCheckInView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::state::AppState;

/// How the day went; at least one field. Writing again replaces the day.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DailyCheckInRequest {
    #[schema(minimum = 1, maximum = 5)]
    pub mood: Option<i32>,
    #[schema(minimum = 1, maximum = 5)]
    pub energy: Option<i32>,
    #[schema(minimum = 0, maximum = 24)]
    pub sleep_hours: Option<f64>,
    /// Free tags, normalised like journal tags (at most 20).
    #[serde(default)]
    #[schema(max_items = 20, example = json!(["anxious", "worked"]))]
    pub tags: Vec<String>,
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// Record how a local date went: mood, energy, sleep, tags.
///
/// Clients only; one per local date (writing again replaces it). Future
/// dates are refused; back-filling is allowed.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "put_daily_check_in",
    params(("date" = NaiveDate, Path, description = "Your local date")),
    request_body = DailyCheckInRequest,
    responses(
        (status = 200, description = "The check-in", body = DailyCheckInView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients check in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, nothing given, or a future date", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/daily-check-ins/{date}")]
pub async fn put_check_in(
    state: web::Data<AppState>,
    auth: ClientAuth,
    date: web::Path<NaiveDate>,
    body: extract::Json<DailyCheckInRequest>,
) -> Result<web::Json<DailyCheckInView>, ApiError> {
    let date = date.into_inner();
    let b = body.into_inner();
    let input = DailyInput {
        mood: b.mood,
        energy: b.energy,
        sleep_hours: b.sleep_hours,
        tags: b.tags,
        note: b.note,
    };
    let now = state.config.clock.now();
    let saved = auth
        .tx(&state, move |conn, me| {
            Ok(daily::put(conn, me, date, input, now)?)
        })
        .await?;
    Ok(web::Json(saved.into()))
}
