use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::ids::AssignmentId;
use domain::journal::entries::{self, NewEntry};
use domain::journal::{parse_body, parse_mood, parse_tags, parse_title, EntryKind, BODY_MAX_CHARS};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::EntryView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::idempotency;
use crate::routes::Fields;
use crate::state::AppState;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEntryRequest {
    pub kind: EntryKind,
    /// Optional; blank means none. At most 200 characters.
    #[schema(
        example = "After Tuesday's session",
        max_length = 200,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub title: Option<String>,
    /// 1 to 20,000 characters; line breaks and tabs, no other control characters.
    #[schema(
        example = "I noticed I hold my breath before meetings.",
        min_length = 1,
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub body: String,
    /// 1 (very low) to 5 (very good).
    #[schema(minimum = 1, maximum = 5, example = 3)]
    pub mood: Option<i32>,
    /// Up to 20, each at most 40 characters of letters, digits, `-` and
    /// `_` (spaces become `-`); stored lower-case.
    #[serde(default)]
    #[schema(example = json!(["work", "breathing"]), max_items = 20)]
    pub tags: Vec<String>,
    pub assignment_id: Option<AssignmentId>,
}

/// Write a journal entry. Private until you share it.
///
/// Send an `Idempotency-Key` header to make retries safe: a repeat with the
/// same key and body returns the first response (with
/// `Idempotent-Replayed: true`) and creates nothing.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "create_journal_entry",
    request_body = NewEntryRequest,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "1 to 255 visible ASCII characters; a retried create with the same key and body returns the first result")),
    responses(
        (status = 201, description = "The entry", body = EntryView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep a journal", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/journal/entries")]
pub async fn post_entry(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: ClientAuth,
    body: extract::Json<NewEntryRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = idempotency::key(&req)?;
    let body = body.into_inner();
    let fingerprint = idempotency::fingerprint(&body);
    let mut fields = Fields::default();
    let parsed = (
        fields.take(parse_title(body.title.as_deref())),
        fields.take(parse_body("body", &body.body, BODY_MAX_CHARS)),
        fields.take(body.mood.map(|m| parse_mood("mood", m)).transpose()),
        fields.take(parse_tags(&body.tags)),
    );
    let (Some(title), Some(text), Some(mood), Some(tags)) = parsed else {
        return Err(fields.error());
    };
    let new = NewEntry {
        kind: body.kind,
        title,
        body: text,
        mood,
        tags,
        assignment_id: body.assignment_id,
    };
    idempotency::create_once(
        &state,
        &auth,
        key,
        fingerprint,
        Some("/api/v1/journal/entries"),
        move |conn, me| {
            let entry = entries::create(conn, me, &new)?;
            Ok(EntryView::new(entry, None, None))
        },
    )
    .await
}
