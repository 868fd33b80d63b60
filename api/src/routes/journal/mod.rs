//! The client's journal and what they share of it.

mod delete_entry;
mod delete_share;
mod get_entries;
mod get_entry;
mod patch_entry;
mod post_entry;
pub mod put_share;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use domain::ids::{AssignmentId, EntryId, RowId, UserId};
use domain::journal::entries::{Entry, Reply, ShareState};
use domain::journal::EntryKind;
use domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

pub const TAG: &str = "journal";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(post_entry::post_entry)
        .service(get_entries::get_entries)
        .service(get_entry::get_entry)
        .service(patch_entry::patch_entry)
        .service(delete_entry::delete_entry)
        .service(put_share::put_share)
        .service(delete_share::delete_share);
}

/// A journal entry as its author sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EntryView {
    pub id: EntryId,
    pub kind: EntryKind,
    pub title: Option<String>,
    pub body: String,
    /// 1 (very low) to 5 (very good).
    #[schema(minimum = 1, maximum = 5)]
    pub mood: Option<i32>,
    pub tags: Vec<String>,
    /// The exercise assignment this entry answers.
    pub assignment_id: Option<AssignmentId>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Send it back as `If-Match` to change or delete the entry safely.
    pub version: i32,
    /// Present while the entry is shared with your therapist.
    pub share: Option<ShareView>,
    /// Your therapist's replies (on `GET /journal/entries/{id}` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies: Option<Vec<ReplyView>>,
}

/// How an entry is shared with the client's therapist.
#[derive(Debug, Serialize, ToSchema)]
pub struct ShareView {
    pub shared_at: Timestamp,
    /// After this the therapist no longer sees the entry; null: until you take it back.
    pub expires_at: Option<Timestamp>,
    /// When your therapist first opened it.
    pub read_at: Option<Timestamp>,
}

/// A therapist's reply on a shared entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplyView {
    pub id: RowId,
    pub therapist_id: Option<UserId>,
    pub body: String,
    pub created_at: Timestamp,
}

impl From<Reply> for ReplyView {
    fn from(r: Reply) -> Self {
        Self {
            id: r.id,
            therapist_id: r.therapist_id,
            body: r.body,
            created_at: r.created_at,
        }
    }
}

impl From<ShareState> for ShareView {
    fn from(s: ShareState) -> Self {
        Self {
            shared_at: s.shared_at,
            expires_at: s.expires_at,
            read_at: s.read_at,
        }
    }
}

impl EntryView {
    pub fn new(entry: Entry, share: Option<ShareState>, replies: Option<Vec<Reply>>) -> Self {
        Self {
            kind: entry.kind,
            tags: entry.tag_list(),
            id: entry.id,
            title: entry.title,
            body: entry.body,
            mood: entry.mood,
            assignment_id: entry.assignment_id,
            created_at: entry.created_at,
            updated_at: entry.updated_at,
            version: entry.version,
            share: share.map(ShareView::from),
            replies: replies.map(|r| r.into_iter().map(ReplyView::from).collect()),
        }
    }

    /// 200 with the entry and its `ETag`.
    pub fn respond(self) -> HttpResponse {
        HttpResponse::Ok()
            .insert_header((header::ETAG, etag(self.version)))
            .json(self)
    }
}

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// `If-Match` as the document publishes it: `*`, or an entity tag as sent
/// in `ETag` (optionally weak).
pub const IF_MATCH_PATTERN: &str = "^(\\*|(W/)?\"[0-9]+\")$";

/// The version an `If-Match` header names; `None` without the header or with
/// `*`. A value that is not an entity tag is a malformed request (400).
pub fn if_match(req: &HttpRequest) -> Result<Option<i32>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let malformed = || ApiError::BadRequest {
        code: "invalid_if_match",
        detail: "If-Match must be `*` or an ETag as this service sent it, such as \"3\".".into(),
    };
    let value = value.to_str().map_err(|_| malformed())?;
    // An empty header is malformed, not "no condition": a client that
    // meant to send a version and sent nothing must not delete or
    // overwrite unconditionally.
    if value == "*" {
        return Ok(None);
    }
    let tag = value.strip_prefix("W/").unwrap_or(value);
    tag.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|digits| digits.parse::<i32>().ok())
        .map(Some)
        .ok_or_else(malformed)
}
