use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::habits::{store, Definition};

use super::HabitView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::idempotency;
use crate::state::AppState;

/// Start tracking a habit.
///
/// Clients only. Yes/no habits are checked in as done, not done or skipped;
/// numeric ones with an amount against a target (`at_least` or `at_most`)
/// per window of the frequency. The habit's first day is today in your time
/// zone (or the first day you check in, if earlier). Private until you share
/// it. Sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "create_habit",
    request_body = Definition,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "1 to 255 visible ASCII characters; a retried create with the same key and body returns the first result")),
    responses(
        (status = 201, description = "The habit", body = HabitView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep habits", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/habits")]
pub async fn post_habit(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: ClientAuth,
    body: extract::Json<Definition>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key(&req)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint(&body);
    let definition = body.check("").map_err(ApiError::Validation)?;
    let now = state.config.clock.now();
    idempotency::create_once(
        &state,
        &auth,
        key,
        fingerprint,
        Some("/api/v1/habits"),
        move |conn, me| {
            let habit = store::create(conn, me, &definition, now)?;
            domain::reminders::replan(conn, domain::reminders::Target::Habit(habit.id), now)?;
            super::own_view(conn, me, habit, now)
        },
    )
    .await
}
