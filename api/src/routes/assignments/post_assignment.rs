use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::care;
use domain::exercises::assignments::{self, DueWindow, NewAssignment, Tallies};
use domain::exercises::schedule::Schedule;
use domain::ids::{TemplateId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AssignmentView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::idempotency;
use crate::state::AppState;

/// An exercise to assign.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAssignmentRequest {
    /// One of your current clients.
    pub client_id: UserId,
    /// A template of yours or of the starter library (not archived).
    pub template_id: TemplateId,
    /// Default: the template's newest version.
    #[schema(minimum = 1)]
    pub template_version: Option<i32>,
    /// Personal instructions for this client; at most 4,000 characters.
    #[serde(default)]
    #[schema(
        max_length = 4000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub instructions: String,
    /// In the client's time zone; nothing may start before the client's today.
    pub schedule: Schedule,
}

/// Assign an exercise to one of your clients.
///
/// Therapists only. The template version is fixed for this assignment
/// (later edits of the template do not change it). The schedule is read in
/// the client's time zone and follows it if it changes. Written to the
/// client's access log. Send an `Idempotency-Key` to make retries safe.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "create_assignment",
    request_body = NewAssignmentRequest,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "1 to 255 visible ASCII characters; a retried create with the same key and body returns the first result")),
    responses(
        (status = 201, description = "The assignment", body = AssignmentView),
        (status = 403, description = "Only therapists assign exercises", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The template is archived (`template_archived`), or the Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/assignments")]
pub async fn post_assignment(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: TherapistAuth,
    body: extract::Json<NewAssignmentRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key(&req)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint(&body);
    let instructions = assignments::parse_instructions(&body.instructions)
        .map_err(|e| ApiError::Validation(vec![e]))?;
    let now = state.config.clock.now();
    let client = body.client_id;
    let new = NewAssignment {
        template_id: body.template_id,
        template_version: body.template_version,
        instructions,
        schedule: body.schedule,
    };
    idempotency::create_once(
        &state,
        &auth,
        key,
        fingerprint,
        Some("/api/v1/assignments"),
        move |conn, me| {
            let access = care::open(conn, me, client)?;
            let created = assignments::create(conn, &access, new, now)?;
            domain::reminders::replan(conn, domain::reminders::Target::Exercise(created.id), now)?;
            let tallies = Tallies::around(conn, std::slice::from_ref(&created), now)?;
            Ok(AssignmentView::new(
                created,
                &tallies,
                now,
                DueWindow::Today,
            ))
        },
    )
    .await
}
