use actix_web::{put, web};
use domain::booking::slots::Weekly;
use domain::booking::{self, ProfileInput, Settings};
use serde::Deserialize;
use utoipa::ToSchema;

use super::BookingProfileView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::state::AppState;

/// The whole booking profile; what is left out takes its default.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BookingProfileRequest {
    /// 3 to 40 lower-case letters, digits or `-`; unique.
    #[schema(
        example = "dr-ada-lovelace",
        pattern = "^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$"
    )]
    pub slug: String,
    /// Default: your display name.
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub bio: String,
    /// Whether anyone may book a consultation now (default false).
    #[serde(default)]
    pub offers_consultations: bool,
    #[serde(default)]
    pub settings: Settings,
    /// Local ranges for each day of the week, in your time zone.
    #[serde(default)]
    pub weekly: Weekly,
}

/// Create or replace your booking profile, settings and weekly availability.
///
/// Therapists only. Availability is read in your time zone (your profile's),
/// one local day at a time: 09:00 stays 09:00 on both sides of a DST change.
/// Ranges of a day must not overlap. The slug is the address of your public
/// profile (`/therapists/{slug}`); one another therapist has is a 409.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "put_booking_profile",
    request_body = BookingProfileRequest,
    responses(
        (status = 200, description = "Your booking profile", body = BookingProfileView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only therapists offer consultations", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken (`slug_taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/me/booking-profile")]
pub async fn put_profile(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    body: extract::Json<BookingProfileRequest>,
) -> Result<web::Json<BookingProfileView>, ApiError> {
    let b = body.into_inner();
    let input = booking::check(ProfileInput {
        slug: b.slug,
        display_name: b.display_name,
        bio: b.bio,
        offers_consultations: b.offers_consultations,
        settings: b.settings,
        weekly: b.weekly,
    })
    .map_err(ApiError::Validation)?;
    let now = state.config.clock.now();
    let profile = auth
        .tx(&state, move |conn, me| {
            Ok(booking::put(conn, me, &input, now)?)
        })
        .await?;
    Ok(web::Json(profile.into()))
}
