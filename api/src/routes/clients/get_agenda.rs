use actix_web::{get, web, HttpRequest};
use domain::ids::UserId;
use domain::journal::sharing;

use super::shared::{log_reads, SharedEntryView};
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::routes::request_id;
use crate::state::AppState;

/// The agenda for the next session: questions the client shares with you
/// that are not yet discussed, oldest first. Written to the access log.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_client_agenda",
    params(("id" = UserId, Path, description = "The client")),
    responses(
        (status = 200, description = "Open questions", body = Vec<SharedEntryView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/clients/{id}/agenda")]
pub async fn get_agenda(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<UserId>,
) -> Result<web::Json<Vec<SharedEntryView>>, ApiError> {
    auth.is_therapist()?;
    let (client, request_id) = (id.into_inner(), request_id(&req));
    let rows = auth
        .tx(&state, move |conn, actor| {
            let rows = sharing::agenda(conn, actor.user_id, client)?;
            let shown: Vec<_> = rows.iter().map(|(_, e)| e).collect();
            log_reads(conn, actor, client, &shown, "agenda", request_id.as_deref())?;
            Ok(rows)
        })
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|(s, e)| SharedEntryView::new(s, e, None))
            .collect(),
    ))
}
