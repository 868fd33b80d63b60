use actix_web::{put, web};
use domain::ids::EntryId;
use domain::journal::sharing;
use domain::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;

use super::ShareView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::extract::OptionalJson;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// When the share ends by itself; leave out to share until you take it back.
    pub expires_at: Option<Timestamp>,
}

/// Share an entry with your therapist, or change when the share ends.
///
/// Clients only, for their own entries. Your current therapist can then read
/// the entry (each read is written to your access log) and reply, until the
/// share expires (`expires_at`), you take it back, or the link with your
/// therapist ends. Send no body to share until you take it back; a body must be
/// valid. Sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "share_journal_entry",
    params(("id" = EntryId, Path, description = "The entry")),
    request_body(content = ShareRequest, description = "Optional: send no body to share until you take it back", content_type = "application/json"),
    responses(
        (status = 200, description = "The entry is shared", body = ShareView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep a journal", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You have no therapist", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`expires_at` is not in the future", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/journal/entries/{id}/share")]
pub async fn put_share(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<EntryId>,
    body: OptionalJson<ShareRequest>,
) -> Result<web::Json<ShareView>, ApiError> {
    let expires_at = body.0.expires_at;
    let id = id.into_inner();
    let share = auth
        .tx(&state, move |conn, me| {
            Ok(sharing::share(conn, me, id, expires_at)?)
        })
        .await?;
    Ok(web::Json(ShareView::from(share.state())))
}
