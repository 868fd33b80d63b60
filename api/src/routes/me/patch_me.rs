use actix_web::{patch, web};
use chrono::Timelike;
use domain::accounts::{users, DisplayName, TimeZoneName};
use domain::time::TimeOfDay;
use serde::Deserialize;
use utoipa::ToSchema;

use super::Profile;
use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::{non_null, Fields};
use crate::state::AppState;

/// Fields to change; leave out what stays (none can be cleared).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProfile {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = domain::accounts::DisplayName)]
    pub display_name: Option<String>,
    /// An IANA time zone name.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = domain::accounts::TimeZoneName)]
    pub time_zone: Option<String>,
    /// When your day begins, `00:00` to `06:00`: habit and daily check-ins
    /// before it count for the day before.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(value_type = String, pattern = "^(0[0-5]:[0-5][0-9]|06:00)$", example = "03:00")]
    pub day_starts_at: Option<TimeOfDay>,
}

/// Change your display name, time zone or when your day begins.
///
/// Anyone signed in. Leave out what stays; neither can be cleared. Local times
/// (reminders, availability) follow the time zone. Sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "update_me",
    request_body = UpdateProfile,
    responses(
        (status = 200, description = "The updated profile", body = Profile),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/me")]
pub async fn patch_me(
    state: web::Data<AppState>,
    auth: AnyAuth,
    body: extract::Json<UpdateProfile>,
) -> Result<web::Json<Profile>, ApiError> {
    let mut fields = Fields::default();
    let name = body
        .display_name
        .as_deref()
        .map(|n| fields.take(DisplayName::parse("display_name", n)));
    let zone = body
        .time_zone
        .as_deref()
        .map(|z| fields.take(TimeZoneName::parse("time_zone", z)));
    if matches!(name, Some(None)) || matches!(zone, Some(None)) {
        return Err(fields.error());
    }
    let (name, zone) = (name.flatten(), zone.flatten());
    let day_start = body
        .day_starts_at
        .map(|t| (t.0.hour() * 60 + t.0.minute()) as i32);
    if day_start.is_some_and(|m| m > domain::habits::DAY_START_MAX_MINUTES) {
        return Err(ApiError::Validation(vec![domain::FieldError::new(
            "day_starts_at",
            "out_of_range",
            "must be from 00:00 to 06:00",
        )]));
    }
    let moves_reminders = zone.is_some() || day_start.is_some();
    let now = state.config.clock.now();
    let user = auth
        .tx(&state, move |conn, me| {
            let user = users::update_profile(conn, me.id(), name.as_ref(), zone, day_start)?;
            if moves_reminders {
                // Reminders not yet sent follow the new zone.
                domain::reminders::replan_person(conn, me.id(), now)?;
            }
            Ok(user)
        })
        .await?;
    Ok(web::Json(user.into()))
}
