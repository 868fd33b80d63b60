use actix_web::{delete, web, HttpResponse};
use domain::ids::EntryId;
use domain::journal::sharing;

use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Take a share back.
///
/// Clients only, for their own entries. Your therapist stops seeing the entry
/// at once; their replies stay on it for you. 404 when the entry is not shared.
/// Sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "unshare_journal_entry",
    params(("id" = EntryId, Path, description = "The entry")),
    responses(
        (status = 204, description = "No longer shared"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep a journal", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry of yours, or it is not shared", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/journal/entries/{id}/share")]
pub async fn delete_share(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<EntryId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    auth.tx(&state, move |conn, me| Ok(sharing::unshare(conn, me, id)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
