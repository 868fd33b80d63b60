use actix_web::{get, web, HttpRequest};
use domain::ids::{EntryId, UserId};
use domain::journal::sharing;

use super::shared::{log_reads, SharedEntryView};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::routes::request_id;
use crate::state::AppState;

/// Open an entry the client shares with you; marks it read. The read is
/// written to the client's access log.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_shared_entry",
    params(("id" = UserId, Path, description = "The client"), ("entry_id" = EntryId, Path, description = "The entry")),
    responses(
        (status = 200, description = "The entry with your replies", body = SharedEntryView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not shared with you (or not your client)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/clients/{id}/shared/{entry_id}")]
pub async fn get_shared_entry(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    path: web::Path<(UserId, EntryId)>,
) -> Result<web::Json<SharedEntryView>, ApiError> {
    auth.is_therapist()?;
    let ((client, entry), request_id) = (path.into_inner(), request_id(&req));
    let (share, entry, replies) = auth
        .tx(&state, move |conn, actor| {
            let opened = sharing::open(conn, actor.user_id, client, entry)?;
            log_reads(
                conn,
                actor,
                client,
                &[&opened.1],
                "read",
                request_id.as_deref(),
            )?;
            Ok(opened)
        })
        .await?;
    Ok(web::Json(SharedEntryView::new(share, entry, Some(replies))))
}
