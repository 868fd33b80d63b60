use actix_web::{get, web};
use domain::journal::entries::{self, EntryFilter};
use domain::journal::{normalise_tag, parse_mood, EntryKind};
use domain::page::Page;
use domain::{FieldError, Timestamp};
use serde::Deserialize;
use utoipa::IntoParams;

use super::EntryView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::routes::Fields;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntryQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub cursor: Option<String>,
    /// Only this kind.
    #[param(value_type = Option<EntryKind>)]
    pub kind: Option<String>,
    /// Only entries with this tag (normalised like the tags of an entry).
    #[param(max_length = 40)]
    pub tag: Option<String>,
    /// Created at or after this instant (RFC 3339).
    #[param(value_type = Option<Timestamp>)]
    pub from: Option<String>,
    /// Created before this instant (RFC 3339).
    #[param(value_type = Option<Timestamp>)]
    pub to: Option<String>,
    /// Mood at least this (1 to 5).
    #[param(minimum = 1, maximum = 5)]
    pub mood_min: Option<i32>,
    /// Mood at most this (1 to 5).
    #[param(minimum = 1, maximum = 5)]
    pub mood_max: Option<i32>,
    /// Words that must all appear in the title or body; at most 200 characters.
    #[param(
        max_length = 200,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub q: Option<String>,
}

fn instant(field: &str, raw: &str) -> Result<Timestamp, FieldError> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .map(|at| Timestamp(at.to_utc()))
        .map_err(|_| {
            FieldError::new(
                field,
                "invalid",
                "must be an RFC 3339 instant such as 2026-03-29T01:00:00Z",
            )
        })
}

/// A search: at most 200 characters.
fn parse_search(q: &str) -> Result<String, FieldError> {
    if q.chars().count() > SEARCH_MAX_CHARS {
        return Err(FieldError::new(
            "q",
            "too_long",
            format!("must be at most {SEARCH_MAX_CHARS} characters"),
        ));
    }
    Ok(q.to_owned())
}

pub const SEARCH_MAX_CHARS: usize = 200;

impl EntryQuery {
    fn filter(&self) -> Result<EntryFilter, ApiError> {
        let mut fields = Fields::default();
        let filter = EntryFilter {
            kind: self
                .kind
                .as_deref()
                .and_then(|k| fields.take(EntryKind::parse_field("kind", k))),
            tag: self
                .tag
                .as_deref()
                .and_then(|t| fields.take(normalise_tag("tag", t))),
            from: self
                .from
                .as_deref()
                .and_then(|f| fields.take(instant("from", f))),
            to: self
                .to
                .as_deref()
                .and_then(|t| fields.take(instant("to", t))),
            mood_min: self
                .mood_min
                .and_then(|m| fields.take(parse_mood("mood_min", m))),
            mood_max: self
                .mood_max
                .and_then(|m| fields.take(parse_mood("mood_max", m))),
            q: self
                .q
                .as_deref()
                .filter(|q| !q.trim().is_empty())
                .and_then(|q| {
                    fields
                        .take(domain::text::check_free_text("q", q).and_then(|()| parse_search(q)))
                }),
        };
        if fields.is_empty() {
            Ok(filter)
        } else {
            Err(fields.error())
        }
    }
}

/// Your journal, newest first.
///
/// Clients only. Your entries with how each is shared, filtered by kind, tag,
/// time, mood and words (full text: every word must appear), paged with `limit`
/// and `cursor`. Changes nothing.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_journal_entries",
    params(EntryQuery),
    responses(
        (status = 200, description = "Your entries", body = Page<EntryView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep a journal", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filters, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/journal/entries")]
pub async fn get_entries(
    state: web::Data<AppState>,
    auth: ClientAuth,
    query: web::Query<EntryQuery>,
) -> Result<web::Json<Page<EntryView>>, ApiError> {
    let page = crate::routes::page_request(query.limit, query.cursor.as_deref())?;
    let filter = query.filter()?;
    let rows = auth
        .db(&state, move |conn, me| {
            Ok(entries::list(conn, me, &filter, page.after, page.fetch())?)
        })
        .await?;
    Ok(web::Json(page.page(
        rows,
        |(entry, _)| entry.id.0,
        |(entry, share)| EntryView::new(entry, share, None),
    )))
}
