use actix_web::{get, web};
use chrono::{Datelike, Duration};
use domain::habits::{daily, store};
use serde::Deserialize;
use utoipa::IntoParams;

use super::WeekSummaryView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WeekQuery {
    /// An ISO week such as `2026-W49` (default: this week, in your time zone).
    #[param(pattern = "^[0-9]{4}-W[0-9]{2}$")]
    pub week: Option<String>,
}

/// A week of check-ins: averages, and the tags of the best and worst days.
///
/// Clients only. Averages of mood, energy and sleep over the days recorded;
/// `best` and `worst` are the days with the highest and lowest mood and the
/// tags that came with them.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_daily_check_in_summary",
    params(WeekQuery),
    responses(
        (status = 200, description = "The week", body = WeekSummaryView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients check in", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not an ISO week", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/daily-check-ins/summary")]
pub async fn get_summary(
    state: web::Data<AppState>,
    auth: ClientAuth,
    query: web::Query<WeekQuery>,
) -> Result<web::Json<WeekSummaryView>, ApiError> {
    let monday = match query.week.as_deref() {
        Some(raw) => Some(daily::parse_week(raw).ok_or_else(|| {
            ApiError::Validation(vec![domain::FieldError::new(
                "week",
                "invalid",
                "must be an ISO week such as 2026-W49",
            )])
        })?),
        None => None,
    };
    let now = state.config.clock.now();
    let summary = auth
        .db(&state, move |conn, me| {
            let monday = match monday {
                Some(m) => m,
                None => {
                    let today = store::today_of(conn, me.id(), now)?;
                    today - Duration::days(i64::from(today.weekday().num_days_from_monday()))
                }
            };
            Ok(daily::summary(conn, me.id(), monday)?)
        })
        .await?;
    Ok(web::Json(summary.into()))
}
