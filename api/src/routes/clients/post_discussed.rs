use actix_web::{post, web, HttpResponse};
use domain::care;
use domain::ids::{EntryId, UserId};
use domain::journal::sharing;

use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Mark a shared question as discussed.
///
/// Therapists only, for a question for the next session their current client
/// shares with them now. It leaves the agenda. Written to the client's access
/// log. Sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "mark_agenda_item_discussed",
    params(("id" = UserId, Path, description = "The client"), ("entry_id" = EntryId, Path, description = "The question")),
    responses(
        (status = 204, description = "Discussed"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not shared with you (or not your client)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The entry is not a question for the session", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/clients/{id}/agenda/{entry_id}/discussed")]
pub async fn post_discussed(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    path: web::Path<(UserId, EntryId)>,
) -> Result<HttpResponse, ApiError> {
    let (client, entry) = path.into_inner();
    auth.tx(&state, move |conn, me| {
        let access = care::open(conn, me, client)?;
        Ok(sharing::mark_discussed(conn, &access, entry)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
