use actix_web::{get, web};
use domain::care;
use domain::ids::UserId;
use domain::journal::sharing;

use super::shared::SharedEntryView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
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
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<UserId>,
) -> Result<web::Json<Vec<SharedEntryView>>, ApiError> {
    let client = id.into_inner();
    let rows = auth
        .tx(&state, move |conn, me| {
            let access = care::open(conn, me, client)?;
            Ok(sharing::agenda(conn, &access)?)
        })
        .await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|(s, e)| SharedEntryView::new(s, e, None))
            .collect(),
    ))
}
