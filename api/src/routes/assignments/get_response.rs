use actix_web::{get, web};
use domain::exercises::{assignments, responses};
use domain::ids::{AssignmentId, ResponseId};

use super::{Caller, ResponseView};
use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// One response, with the therapist's comments.
///
/// The client, or the assigning therapist while the client is theirs (a
/// private response without its answers or rating; written to the
/// client's access log). The therapist's first read marks it read.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_assignment_response",
    params(
        ("id" = AssignmentId, Path, description = "The assignment"),
        ("response_id" = ResponseId, Path, description = "The response"),
    ),
    responses(
        (status = 200, description = "The response", body = ResponseView),
        (status = 403, description = "Only clients and their therapists reach assignments", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such response of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/assignments/{id}/responses/{response_id}")]
pub async fn get_response(
    state: web::Data<AppState>,
    auth: AnyAuth,
    path: web::Path<(AssignmentId, ResponseId)>,
) -> Result<web::Json<ResponseView>, ApiError> {
    let (id, response) = path.into_inner();
    let now = state.config.clock.now();
    let view = super::as_caller(&state, &auth, move |conn, caller| {
        Ok(match caller {
            Caller::Client(me) => responses::get_own(conn, &me, id, response)?.into(),
            Caller::Therapist(me) => {
                let access = assignments::access_to(conn, &me, id)?;
                responses::get_for(conn, &access, id, response, now)?.into()
            }
        })
    })
    .await?;
    Ok(web::Json(view))
}
