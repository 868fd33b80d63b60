use actix_web::{get, web};
use domain::accounts::invitations;
use domain::page::Page;

use super::InvitationView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::routes::PageQuery;
use crate::state::AppState;

/// Your invitations, newest first.
///
/// Therapists only: each invitation's address and status (pending, accepted,
/// revoked, expired), never its link. Paged with `limit` and `cursor`. Changes
/// nothing.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_invitations",
    params(PageQuery),
    responses(
        (status = 200, description = "Your invitations", body = Page<InvitationView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/invitations")]
pub async fn get_invitations(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<InvitationView>>, ApiError> {
    let page = query.parse()?;
    let rows = auth
        .db(&state, move |conn, me| {
            Ok(invitations::list(conn, me.id(), page.after, page.fetch())?)
        })
        .await?;
    Ok(web::Json(page.page(rows, |i| i.id.0, InvitationView::from)))
}
