use actix_web::{get, web};
use domain::care;
use domain::page::Page;

use super::ClientView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::routes::PageQuery;
use crate::state::AppState;

/// Your current clients, most recently linked first.
///
/// Therapists only. Account details, never content; a client an administrator
/// disabled is not listed. Each client listed is written to that client's
/// access log. Paged with `limit` and `cursor`.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_clients",
    params(PageQuery),
    responses(
        (status = 200, description = "Your clients", body = Page<ClientView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/clients")]
pub async fn get_clients(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<ClientView>>, ApiError> {
    let page = query.parse()?;
    let rows = auth
        .tx(&state, move |conn, me| Ok(care::clients(conn, me, &page)?))
        .await?;
    Ok(web::Json(page.page(
        rows,
        |c| c.link_id.0,
        ClientView::from,
    )))
}
