use actix_web::{get, web};
use chrono::NaiveDate;
use domain::booking;
use serde::Deserialize;
use utoipa::IntoParams;

use super::OverrideView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OverrideQuery {
    pub from: NaiveDate,
    /// At most 366 days after `from`.
    pub to: NaiveDate,
}

/// Your date overrides in a range, by date.
///
/// Therapists only. Each replaces the weekly availability of its local date.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_availability_overrides",
    params(OverrideQuery),
    responses(
        (status = 200, description = "Overrides", body = Vec<OverrideView>),
        (status = 400, description = "`from` or `to` missing or not a date", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only therapists offer consultations", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`from` after `to`, or more than 366 days", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/booking-profile/overrides")]
pub async fn get_overrides(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    query: web::Query<OverrideQuery>,
) -> Result<web::Json<Vec<OverrideView>>, ApiError> {
    let (from, to) = (query.from, query.to);
    if from > to || (to - from).num_days() > 366 {
        return Err(ApiError::Validation(vec![domain::FieldError::new(
            "to",
            "out_of_range",
            "must be from `from` to 366 days after it",
        )]));
    }
    let found = auth
        .db(&state, move |conn, me| {
            Ok(booking::overrides(conn, me.id(), from, to)?)
        })
        .await?;
    let mut list: Vec<OverrideView> = found
        .into_iter()
        .map(|(date, ranges)| OverrideView { date, ranges })
        .collect();
    list.sort_by_key(|o| o.date);
    Ok(web::Json(list))
}
