use actix_web::{post, web};
use domain::habits::suggestions;
use domain::ids::SuggestionId;

use super::SuggestionView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Decline a suggestion; nothing is created.
///
/// Clients only, for a pending suggestion from their current therapist, who sees that it was declined.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "decline_habit_suggestion",
    params(("id" = SuggestionId, Path, description = "The suggestion")),
    responses(
        (status = 200, description = "Declined", body = SuggestionView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients decide on suggestions", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such suggestion from your current therapist", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided already (`already_decided`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/habit-suggestions/{id}/decline")]
pub async fn post_decline(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<SuggestionId>,
) -> Result<web::Json<SuggestionView>, ApiError> {
    let id = id.into_inner();
    let now = state.config.clock.now();
    let declined = auth
        .tx(&state, move |conn, me| {
            Ok(suggestions::decline(conn, me, id, now)?)
        })
        .await?;
    Ok(web::Json(declined.into()))
}
