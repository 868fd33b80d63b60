use actix_web::{get, web};
use domain::care;
use domain::ids::UserId;
use domain::journal::sharing;
use domain::page::Page;

use super::shared::SharedEntryView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::routes::PageQuery;
use crate::state::AppState;

/// The agenda for the next session.
///
/// Questions for the next session that the client shares with you and you
/// have not marked discussed, oldest first, paged like every list. Each
/// question listed is written to the client's access log. Changes nothing.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_client_agenda",
    params(("id" = UserId, Path, description = "The client"), PageQuery),
    responses(
        (status = 200, description = "Open questions", body = Page<SharedEntryView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/clients/{id}/agenda")]
pub async fn get_agenda(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<UserId>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<SharedEntryView>>, ApiError> {
    let page = query.parse()?;
    let client = id.into_inner();
    let rows = auth
        .tx(&state, move |conn, me| {
            let access = care::open(conn, me, client)?;
            Ok(sharing::agenda(conn, &access, &page)?)
        })
        .await?;
    Ok(web::Json(page.page(
        rows,
        |(s, _)| s.id.0,
        |(s, e)| SharedEntryView::new(s, e, None),
    )))
}
