use actix_web::{get, web};
use domain::exercises::{assignments, responses};
use domain::ids::AssignmentId;
use domain::page::Page;

use super::{Caller, ResponseView};
use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::routes::PageQuery;
use crate::state::AppState;

/// Responses to an assignment, newest first.
///
/// The client sees all of theirs. The assigning therapist, while the
/// client is theirs, sees each response (a private one without its answers
/// or rating, never the note); every response listed is written to the
/// client's access log.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_assignment_responses",
    params(("id" = AssignmentId, Path, description = "The assignment"), PageQuery),
    responses(
        (status = 200, description = "Responses", body = Page<ResponseView>),
        (status = 403, description = "Only clients and their therapists reach assignments", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assignment of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/assignments/{id}/responses")]
pub async fn get_responses(
    state: web::Data<AppState>,
    auth: AnyAuth,
    id: web::Path<AssignmentId>,
    query: web::Query<PageQuery>,
) -> Result<web::Json<Page<ResponseView>>, ApiError> {
    let page = query.parse()?;
    let id = id.into_inner();
    let rows: Vec<ResponseView> = super::as_caller(&state, &auth, move |conn, caller| {
        Ok(match caller {
            Caller::Client(me) => responses::list_own(conn, &me, id, &page)?
                .into_iter()
                .map(ResponseView::from)
                .collect(),
            Caller::Therapist(me) => {
                let access = assignments::access_to(conn, &me, id)?;
                responses::list_for(conn, &access, id, &page)?
                    .into_iter()
                    .map(ResponseView::from)
                    .collect()
            }
        })
    })
    .await?;
    Ok(web::Json(page.page(rows, |r| r.id.0, |r| r)))
}
