use actix_web::{delete, web, HttpResponse};
use chrono::NaiveDate;
use domain::booking;

use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Remove one date's override; the weekly availability applies again.
///
/// Therapists only.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "delete_availability_override",
    params(("date" = NaiveDate, Path, description = "Your local date")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only therapists offer consultations", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No override that day", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/booking-profile/overrides/{date}")]
pub async fn delete_override(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    date: web::Path<NaiveDate>,
) -> Result<HttpResponse, ApiError> {
    let date = date.into_inner();
    auth.tx(&state, move |conn, me| {
        Ok(booking::delete_override(conn, me, date)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
