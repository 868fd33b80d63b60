use actix_web::{patch, web};
use domain::accounts::{users, DisplayName, TimeZoneName};
use serde::Deserialize;
use utoipa::ToSchema;

use super::Profile;
use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::{non_null, Fields};
use crate::state::AppState;

/// Fields to change; leave out what stays (neither can be cleared).
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
}

/// Change your display name or time zone.
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
    let user = auth
        .tx(&state, move |conn, me| {
            Ok(users::update_profile(conn, me.id(), name.as_ref(), zone)?)
        })
        .await?;
    Ok(web::Json(user.into()))
}
