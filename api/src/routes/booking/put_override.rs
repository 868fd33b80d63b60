use actix_web::{put, web};
use chrono::NaiveDate;
use domain::booking::{self, slots::Range};
use serde::Deserialize;
use utoipa::ToSchema;

use super::OverrideView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideRequest {
    /// The day's local ranges; empty: not available that day (a holiday).
    #[schema(max_items = 12)]
    pub ranges: Vec<Range>,
}

/// Replace one local date's availability.
///
/// Therapists only. The ranges replace the weekly ones for that date in
/// your time zone; an empty list makes the day unavailable.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "put_availability_override",
    params(("date" = NaiveDate, Path, description = "Your local date")),
    request_body = OverrideRequest,
    responses(
        (status = 200, description = "The override", body = OverrideView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only therapists offer consultations", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ranges that overlap or end before they start", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/me/booking-profile/overrides/{date}")]
pub async fn put_override(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    date: web::Path<NaiveDate>,
    body: extract::Json<OverrideRequest>,
) -> Result<web::Json<OverrideView>, ApiError> {
    let date = date.into_inner();
    let ranges = body.into_inner().ranges;
    let ranges = auth
        .tx(&state, move |conn, me| {
            Ok(booking::put_override(conn, me, date, &ranges)?)
        })
        .await?;
    Ok(web::Json(OverrideView { date, ranges }))
}
