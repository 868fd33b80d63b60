use actix_web::{patch, web, HttpRequest, HttpResponse};
use domain::ids::{AssignmentId, EntryId};
use domain::journal::entries::Share;
use domain::journal::entries::{self, EntryChanges};
use domain::journal::{parse_body, parse_mood, parse_tags, parse_title, EntryKind, BODY_MAX_CHARS};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{if_match, EntryView};
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::{non_null, present, Fields};
use crate::state::AppState;

/// Fields to change; leave out what stays. `title`, `mood` and
/// `assignment_id` can be cleared with `null`; `kind`, `body` and `tags`
/// cannot (send `[]` to remove every tag).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryPatch {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub kind: Option<EntryKind>,
    /// At most 200 characters; blank or `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 200, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$")]
    pub title: Option<Option<String>>,
    /// 1 to 20,000 characters.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(
        nullable = false,
        min_length = 1,
        max_length = 20000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub body: Option<String>,
    /// 1 (very low) to 5 (very good); `null` clears it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 5)]
    pub mood: Option<Option<i32>>,
    /// Up to 20; each at most 40 characters.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, max_items = 20, inline)]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<AssignmentId>)]
    pub assignment_id: Option<Option<AssignmentId>>,
}

/// Change an entry.
///
/// Send the `ETag` you read as `If-Match`: if the entry changed since (on
/// another device), the answer is 412 and nothing changes.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "update_journal_entry",
    params(
        ("id" = EntryId, Path, description = "The entry"),
        ("If-Match" = Option<String>, Header, pattern = "^(\\*|(W/)?\"[0-9]+\")$", description = "The entry's ETag as you read it; `*` for any version"),
    ),
    request_body = EntryPatch,
    responses(
        (status = 200, description = "The changed entry; `ETag` carries its new version", body = EntryView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep a journal", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such entry of yours", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The entry changed since you read it", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/journal/entries/{id}")]
pub async fn patch_entry(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<EntryId>,
    body: extract::Json<EntryPatch>,
) -> Result<HttpResponse, ApiError> {
    let expected = if_match(&req)?;
    let body = body.into_inner();
    let mut fields = Fields::default();
    let changes = EntryChanges {
        kind: body.kind,
        title: body
            .title
            .map(|t| fields.take(parse_title(t.as_deref())).flatten()),
        body: body
            .body
            .and_then(|b| fields.take(parse_body("body", &b, BODY_MAX_CHARS))),
        mood: body
            .mood
            .map(|m| m.and_then(|m| fields.take(parse_mood("mood", m)))),
        tags: body.tags.and_then(|t| fields.take(parse_tags(&t))),
        assignment_id: body.assignment_id,
    };
    if !fields.is_empty() {
        return Err(fields.error());
    }
    let id = id.into_inner();
    let (entry, share) = auth
        .tx(&state, move |conn, me| {
            Ok(entries::update(conn, me, id, expected, &changes)?)
        })
        .await?;
    Ok(EntryView::new(entry, share.as_ref().map(Share::state), None).respond())
}
