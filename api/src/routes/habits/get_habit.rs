use actix_web::{get, web};
use domain::habits::store;
use domain::ids::HabitId;

use super::HabitView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// One of your habits, with how it stands today.
///
/// Clients only: today's check-in, whether it is still due, its strength score and streaks, in your time zone.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_habit",
    params(("id" = HabitId, Path, description = "The habit")),
    responses(
        (status = 200, description = "The habit", body = HabitView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep habits", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such habit of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/habits/{id}")]
pub async fn get_habit(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<HabitId>,
) -> Result<web::Json<HabitView>, ApiError> {
    let id = id.into_inner();
    let now = state.config.clock.now();
    let view = auth
        .db(&state, move |conn, me| {
            let habit = store::get_own(conn, me, id)?;
            super::own_view(conn, me, habit, now)
        })
        .await?;
    Ok(web::Json(view))
}
