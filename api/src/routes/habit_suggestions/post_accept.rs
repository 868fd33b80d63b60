use actix_web::{post, web};
use domain::habits::suggestions;
use domain::ids::SuggestionId;
use serde::Serialize;
use utoipa::ToSchema;

use super::SuggestionView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::routes::habits::HabitView;
use crate::state::AppState;

/// The decision, and the habit it created.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedView {
    pub suggestion: SuggestionView,
    pub habit: HabitView,
}

/// Accept a suggestion: the habit becomes yours, exactly as suggested.
///
/// Clients only. It starts private: share it separately if you want your
/// therapist to see it.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "accept_habit_suggestion",
    params(("id" = SuggestionId, Path, description = "The suggestion")),
    responses(
        (status = 200, description = "Accepted", body = AcceptedView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients decide on suggestions", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such suggestion from your current therapist", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Decided already (`already_decided`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/habit-suggestions/{id}/accept")]
pub async fn post_accept(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<SuggestionId>,
) -> Result<web::Json<AcceptedView>, ApiError> {
    let id = id.into_inner();
    let now = state.config.clock.now();
    let view = auth
        .tx(&state, move |conn, me| {
            let (suggestion, habit) = suggestions::accept(conn, me, id, now)?;
            domain::reminders::replan(conn, domain::reminders::Target::Habit(habit.id), now)?;
            let habit = crate::routes::habits::own_view(conn, me, habit, now)?;
            Ok(AcceptedView {
                suggestion: suggestion.into(),
                habit,
            })
        })
        .await?;
    Ok(web::Json(view))
}
