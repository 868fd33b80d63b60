use actix_web::{delete, web, HttpResponse};
use domain::habits::sharing::{self, Tracked};
use domain::ids::HabitId;

use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Stop sharing a habit; your therapist no longer sees it, at once.
///
/// Clients only. Ending the link with your therapist ends every share too.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "unshare_habit",
    params(("id" = HabitId, Path, description = "The habit")),
    responses(
        (status = 204, description = "No longer shared"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep habits", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such habit of yours, or it is not shared", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/habits/{id}/share")]
pub async fn delete_share(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<HabitId>,
) -> Result<HttpResponse, ApiError> {
    let target = Tracked::Habit(id.into_inner());
    let now = state.config.clock.now();
    auth.tx(&state, move |conn, me| {
        Ok(sharing::unshare(conn, me, target, now)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
