use actix_web::{patch, web};
use domain::exercises::assignments::{
    self, AssignmentChanges, AssignmentStatus, DueWindow, Tallies,
};
use domain::exercises::schedule::Schedule;
use domain::ids::AssignmentId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::AssignmentView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::non_null;
use crate::state::AppState;

/// A change to an assignment: send only what changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentPatch {
    /// At most 4,000 characters.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(
        nullable = false,
        max_length = 4000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub instructions: Option<String>,
    /// From the client's today on; what was due before stays as it was.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub schedule: Option<Schedule>,
    /// `paused` (nothing is due until resumed), `active` (resume) or
    /// `ended` (for good).
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub status: Option<AssignmentStatus>,
}

/// Change, pause, resume or end an assignment.
///
/// Therapists only, on their assignments of current clients. A new
/// schedule, a pause or a resume applies from the client's local today:
/// past occurrences and their responses stay as they were. Ending is for
/// good. Written to the client's access log.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "update_assignment",
    params(("id" = AssignmentId, Path, description = "The assignment")),
    request_body = AssignmentPatch,
    responses(
        (status = 200, description = "The assignment", body = AssignmentView),
        (status = 403, description = "Only therapists change assignments", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such assignment of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The assignment has ended (`assignment_ended`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/assignments/{id}")]
pub async fn patch_assignment(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<AssignmentId>,
    body: extract::Json<AssignmentPatch>,
) -> Result<web::Json<AssignmentView>, ApiError> {
    let (id, body) = (id.into_inner(), body.into_inner());
    let instructions = body
        .instructions
        .as_deref()
        .map(assignments::parse_instructions)
        .transpose()
        .map_err(|e| ApiError::Validation(vec![e]))?;
    let changes = AssignmentChanges {
        instructions,
        schedule: body.schedule,
        status: body.status,
    };
    let now = state.config.clock.now();
    let view = auth
        .tx(&state, move |conn, me| {
            let access = assignments::access_to(conn, me, id)?;
            let changed = assignments::update(conn, &access, id, changes, now)?;
            domain::reminders::replan(conn, domain::reminders::Target::Exercise(id), now)?;
            let tallies = Tallies::around(conn, std::slice::from_ref(&changed), now)?;
            Ok(AssignmentView::new(
                changed,
                &tallies,
                now,
                DueWindow::Today,
            ))
        })
        .await?;
    Ok(web::Json(view))
}
