use actix_web::{get, web};
use domain::reminders::preferences;

use super::NotificationPreferences;
use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Your reminder settings.
///
/// Which reminders you get, at what local times, your quiet hours and the
/// zone those times are read in. Only your role's kinds are listed:
/// therapists have consultation reminders and the daily digest; clients
/// have exercise and habit reminders and the weekly summary.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_notification_preferences",
    responses(
        (status = 200, description = "Your settings (defaults until you change them)", body = NotificationPreferences),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/notification-preferences")]
pub async fn get_preferences(
    state: web::Data<AppState>,
    auth: AnyAuth,
) -> Result<web::Json<NotificationPreferences>, ApiError> {
    let person = auth
        .db(&state, |conn, me| {
            preferences::person(conn, me.id())?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(web::Json(NotificationPreferences::of(&person)))
}
