use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::care;
use domain::habits::{suggestions, Definition};
use domain::ids::UserId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::SuggestionView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::idempotency;
use crate::state::AppState;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSuggestion {
    pub client_id: UserId,
    pub habit: Definition,
    /// Why, in your words; the client sees it.
    #[schema(max_length = 500)]
    pub note: Option<String>,
}

/// Suggest a habit to a current client.
///
/// Therapists only. Nothing reaches the client's habits until they accept
/// it; they may decline. Written to the client's access log. Sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "suggest_habit",
    request_body = NewSuggestion,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "1 to 255 visible ASCII characters; a retried create with the same key and body returns the first result")),
    responses(
        (status = 201, description = "The suggestion", body = SuggestionView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only therapists suggest habits", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/habit-suggestions")]
pub async fn post_suggestion(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: TherapistAuth,
    body: extract::Json<NewSuggestion>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key(&req)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint(&body);
    let definition = body.habit.check("habit.").map_err(ApiError::Validation)?;
    let (client, note) = (body.client_id, body.note);
    let now = state.config.clock.now();
    idempotency::create_once(
        &state,
        &auth,
        key,
        fingerprint,
        Some("/api/v1/habit-suggestions"),
        move |conn, me| {
            let access = care::open(conn, me, client)?;
            let made = suggestions::suggest(conn, &access, &definition, note, now)?;
            Ok(SuggestionView::from(made))
        },
    )
    .await
}
