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
    pub settings: SettingsRequest,
    /// Local ranges for each day of the week, in your time zone.
    #[serde(default)]
    pub weekly: Weekly,
}

/// How consultations are offered; what is left out takes its default.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsRequest {
    /// Length of a consultation, 10 to 60 minutes (default 15).
    #[schema(minimum = 10, maximum = 60)]
    pub duration_minutes: Option<i32>,
    /// Minutes between slot starts, 5 to 60 (default 15).
    #[schema(minimum = 5, maximum = 60)]
    pub interval_minutes: Option<i32>,
    /// Kept free before each consultation, 0 to 120 minutes (default 0).
    #[schema(minimum = 0, maximum = 120)]
    pub buffer_before_minutes: Option<i32>,
    /// Kept free after each consultation, 0 to 120 minutes (default 5).
    #[schema(minimum = 0, maximum = 120)]
    pub buffer_after_minutes: Option<i32>,
    /// How long before its start a slot can still be booked, 0 to 10,080
    /// minutes (default 720).
    #[schema(minimum = 0, maximum = 10080)]
    pub notice_minutes: Option<i32>,
    /// How far ahead slots are offered, 1 to 365 days (default 30).
    #[schema(minimum = 1, maximum = 365)]
    pub horizon_days: Option<i32>,
    /// Consultations per local day, 1 to 50 (default 4).
    #[schema(minimum = 1, maximum = 50)]
    pub daily_cap: Option<i32>,
    /// Until how long before the start the booker may cancel or move,
    /// 0 to 10,080 minutes (default 120).
    #[schema(minimum = 0, maximum = 10080)]
    pub cutoff_minutes: Option<i32>,
}

impl SettingsRequest {
    fn settings(self) -> Settings {
        let d = Settings::default();
        Settings {
            duration_minutes: self.duration_minutes.unwrap_or(d.duration_minutes),
            interval_minutes: self.interval_minutes.unwrap_or(d.interval_minutes),
            buffer_before_minutes: self
                .buffer_before_minutes
                .unwrap_or(d.buffer_before_minutes),
            buffer_after_minutes: self.buffer_after_minutes.unwrap_or(d.buffer_after_minutes),
            notice_minutes: self.notice_minutes.unwrap_or(d.notice_minutes),
            horizon_days: self.horizon_days.unwrap_or(d.horizon_days),
            daily_cap: self.daily_cap.unwrap_or(d.daily_cap),
            cutoff_minutes: self.cutoff_minutes.unwrap_or(d.cutoff_minutes),
        }
    }
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
        settings: b.settings.settings(),
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
