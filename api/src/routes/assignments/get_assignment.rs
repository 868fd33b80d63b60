use actix_web::{get, web};
use domain::exercises::assignments::{self, DueWindow, Tallies};
use domain::ids::AssignmentId;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{AssignmentView, Caller};
use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OneQuery {
    /// What `due` lists: today's occurrences (default) or this week's.
    #[param(inline)]
    pub due: Option<DueWindow>,
}

/// One assignment, with what is due and what is next.
///
/// The client it was given to, or the therapist who gave it while the
/// client is theirs (written to the client's access log).
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_assignment",
    params(("id" = AssignmentId, Path, description = "The assignment"), OneQuery),
    responses(
        (status = 200, description = "The assignment", body = AssignmentView),
        (status = 403, description = "Only clients and their therapists reach assignments", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assignment of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/assignments/{id}")]
pub async fn get_assignment(
    state: web::Data<AppState>,
    auth: AnyAuth,
    id: web::Path<AssignmentId>,
    query: web::Query<OneQuery>,
) -> Result<web::Json<AssignmentView>, ApiError> {
    let id = id.into_inner();
    let window = query.due.unwrap_or(DueWindow::Today);
    let now = state.config.clock.now();
    let view = super::as_caller(&state, &auth, move |conn, caller| {
        let assignment = match caller {
            Caller::Client(me) => assignments::get_own(conn, &me, id)?,
            Caller::Therapist(me) => {
                let access = assignments::access_to(conn, &me, id)?;
                assignments::get_for(conn, &access, id)?
            }
        };
        let tallies = Tallies::around(conn, std::slice::from_ref(&assignment), now)?;
        Ok(AssignmentView::new(assignment, &tallies, now, window))
    })
    .await?;
    Ok(web::Json(view))
}
