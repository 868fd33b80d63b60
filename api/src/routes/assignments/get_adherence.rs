use actix_web::{get, web};
use domain::exercises::{self, assignments};
use domain::ids::AssignmentId;

use super::{AdherenceView, Caller};
use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// How often an assignment was done: the last 7 and 30 local days.
///
/// Occurrences due, completed on time, completed late, missed and still
/// pending, computed from the schedule and the responses in the client's
/// time zone (a private response counts as done). The client, or the
/// assigning therapist while the client is theirs (written to the client's
/// access log).
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_assignment_adherence",
    params(("id" = AssignmentId, Path, description = "The assignment")),
    responses(
        (status = 200, description = "Adherence", body = AdherenceView),
        (status = 403, description = "Only clients and their therapists reach assignments", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assignment of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/assignments/{id}/adherence")]
pub async fn get_adherence(
    state: web::Data<AppState>,
    auth: AnyAuth,
    id: web::Path<AssignmentId>,
) -> Result<web::Json<AdherenceView>, ApiError> {
    let id = id.into_inner();
    let now = state.config.clock.now();
    let (assignment, report) = super::as_caller(&state, &auth, move |conn, caller| {
        Ok(match caller {
            Caller::Client(me) => exercises::own_adherence(conn, &me, id, now)?,
            Caller::Therapist(me) => {
                let access = assignments::access_to(conn, &me, id)?;
                exercises::adherence_for(conn, &access, id, now)?
            }
        })
    })
    .await?;
    Ok(web::Json(AdherenceView::new(
        assignment.id,
        assignment.template.title,
        assignment.status,
        report,
    )))
}
