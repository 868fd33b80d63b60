use actix_web::{get, web};
use domain::care;
use domain::ids::UserId;
use domain::journal::sharing;
use domain::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::shared::SharedEntryView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SharedQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub cursor: Option<String>,
    /// Only entries you have not opened yet.
    #[serde(default)]
    pub unread: bool,
}

/// What this client shares with you now, newest share first.
///
/// Only entries the client shared with you, not revoked and not expired,
/// while they are your client. Every entry listed is written to the
/// client's access log.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_shared_entries",
    params(("id" = UserId, Path, description = "The client"), SharedQuery),
    responses(
        (status = 200, description = "Shared entries", body = Page<SharedEntryView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/clients/{id}/shared")]
pub async fn get_shared(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<UserId>,
    query: web::Query<SharedQuery>,
) -> Result<web::Json<Page<SharedEntryView>>, ApiError> {
    let page = crate::routes::page_request(query.limit, query.cursor.as_deref())?;
    let (client, unread) = (id.into_inner(), query.unread);
    let rows = auth
        .tx(&state, move |conn, me| {
            let access = care::open(conn, me, client)?;
            Ok(sharing::shared_with(conn, &access, unread, &page)?)
        })
        .await?;
    Ok(web::Json(page.page(
        rows,
        |(s, _)| s.id.0,
        |(s, e)| SharedEntryView::new(s, e, None),
    )))
}
