use actix_web::{get, web, HttpResponse};
use domain::ids::EntryId;
use domain::journal::entries;
use domain::journal::entries::Share;

use super::EntryView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// One of your entries.
///
/// Clients only, for their own entries: the entry, how it is shared, and your
/// therapist's replies. The `ETag` header carries its version for `If-Match`.
/// Changes nothing.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_journal_entry",
    params(("id" = EntryId, Path, description = "The entry")),
    responses(
        (status = 200, description = "The entry; `ETag` carries its version", body = EntryView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep a journal", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/journal/entries/{id}")]
pub async fn get_entry(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<EntryId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let (entry, share, replies) = auth
        .db(&state, move |conn, me| Ok(entries::find_own(conn, me, id)?))
        .await?;
    Ok(EntryView::new(entry, share.as_ref().map(Share::state), Some(replies)).respond())
}
