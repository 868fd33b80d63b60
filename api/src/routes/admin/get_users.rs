use actix_web::{get, web};
use domain::accounts::users;
use domain::page::Page;

use super::AccountView;
use crate::auth::AdminAuth;
use crate::error::{ApiError, Problem};
use crate::routes::PageQuery;
use crate::state::AppState;

/// Every account, oldest first.
///
/// Administrators only. Lists therapists, clients and administrators with their
/// role, verification and whether the account is disabled; never any client
/// content. Paged with `limit` and `cursor`. Changes nothing.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_users",
    params(PageQuery),
    responses(
        (status = 200, description = "Accounts", body = Page<AccountView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/admin/users")]
pub async fn get_users(
    state: web::Data<AppState>,
    auth: AdminAuth,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<AccountView>>, ApiError> {
    let page = query.parse()?;
    let rows = auth
        .db(&state, move |conn, _admin| {
            Ok(users::list(conn, page.after, page.fetch())?)
        })
        .await?;
    Ok(web::Json(page.page(rows, |u| u.id.0, AccountView::from)))
}
