use actix_web::{get, web};
use domain::audit::{self, AccessEntry};
use domain::page::Page;

use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::routes::PageQuery;
use crate::state::AppState;

/// Who read your data, what and when, newest first.
///
/// Every read of a client's data by someone other than the client (their
/// therapist opening their profile or a shared entry) is listed here. The
/// log never holds the content itself.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_my_access_log",
    params(PageQuery),
    responses(
        (status = 200, description = "Reads of your data", body = Page<AccessEntry>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/me/access-log")]
pub async fn get_access_log(
    state: web::Data<AppState>,
    auth: AnyAuth,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<AccessEntry>>, ApiError> {
    let page = query.parse()?;
    let rows = auth
        .db(&state, move |conn, me| {
            Ok(audit::for_client(conn, me.id(), page.after, page.fetch())?)
        })
        .await?;
    Ok(web::Json(page.page(rows, |e| e.id.0, |e| e)))
}
