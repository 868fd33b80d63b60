use actix_web::{delete, web, HttpResponse};
use domain::habits::store;
use domain::ids::HabitId;

use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Delete a habit with all its check-ins.
///
/// Clients only. Gone at once, for your therapist too if it was shared. To
/// keep the history, archive it instead (`PATCH` with `archived: true`).
#[utoipa::path(
    tag = super::TAG,
    operation_id = "delete_habit",
    params(("id" = HabitId, Path, description = "The habit")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep habits", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such habit of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/habits/{id}")]
pub async fn delete_habit(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<HabitId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let now = state.config.clock.now();
    auth.tx(&state, move |conn, me| {
        store::delete(conn, me, id)?;
        // Its waiting reminders go with it.
        Ok(domain::reminders::replan(
            conn,
            domain::reminders::Target::Habit(id),
            now,
        )?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
