use actix_web::{delete, web, HttpRequest, HttpResponse};
use domain::ids::EntryId;
use domain::journal::entries;

use super::if_match;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Delete an entry.
///
/// Clients only, for their own entries. Deletes the entry with its shares,
/// replies and every stored copy of its text (search index, the answer kept for
/// a retried create). Send the `ETag` you read as `If-Match` to be sure nothing
/// changed meanwhile (412 otherwise). Sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "delete_journal_entry",
    params(
        ("id" = EntryId, Path, description = "The entry"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|(W/)?\"[0-9]+\")$", description = "The entry's ETag as you read it; `*` for any version"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep a journal", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry of yours", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The entry changed since you read it", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/journal/entries/{id}")]
pub async fn delete_entry(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<EntryId>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let id = id.into_inner();
    auth.tx(&state, move |conn, me| {
        Ok(entries::delete(conn, me, id, expected)?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
