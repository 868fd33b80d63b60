use actix_web::{get, web};
use domain::booking;

use super::BookingProfileView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Your booking profile, settings and weekly availability.
///
/// Therapists only; 404 until you create it with `PUT`.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_booking_profile",
    responses(
        (status = 200, description = "Your booking profile", body = BookingProfileView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only therapists offer consultations", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No booking profile yet", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/booking-profile")]
pub async fn get_profile(
    state: web::Data<AppState>,
    auth: TherapistAuth,
) -> Result<web::Json<BookingProfileView>, ApiError> {
    let profile = auth
        .db(&state, |conn, me| {
            booking::mine(conn, me)?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(web::Json(profile.into()))
}
