use actix_web::{get, web};
use domain::care;
use domain::ids::{EntryId, UserId};
use domain::journal::sharing;

use super::shared::SharedEntryView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Open an entry a client shares with you.
///
/// Therapists only, for an entry their current client shares with them now.
/// Marks it read (the client sees when) and shows your replies. Written to the
/// client's access log.
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
    state: web::Data<AppState>,
    auth: TherapistAuth,
    path: web::Path<(UserId, EntryId)>,
) -> Result<web::Json<SharedEntryView>, ApiError> {
    let (client, entry) = path.into_inner();
    let (share, entry, replies) = auth
        .tx(&state, move |conn, me| {
            let access = care::open(conn, me, client)?;
            Ok(sharing::open(conn, &access, entry)?)
        })
        .await?;
    Ok(web::Json(SharedEntryView::new(share, entry, Some(replies))))
}
