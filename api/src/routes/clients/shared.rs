//! What a therapist sees of an entry a client shared with them.

use domain::access::Actor;
use domain::audit::{self, Access};
use domain::db::DbConnection;
use domain::ids::{EntryId, UserId};
use domain::journal::entries::{Entry, Reply, Share};
use domain::journal::EntryKind;
use domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::routes::journal::{kind_of, ReplyView};

/// A shared entry in the therapist's inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct SharedEntryView {
    pub entry_id: EntryId,
    pub kind: EntryKind,
    pub title: Option<String>,
    pub body: String,
    #[schema(minimum = 1, maximum = 5)]
    pub mood: Option<i32>,
    pub tags: Vec<String>,
    /// When the client wrote it.
    pub created_at: Timestamp,
    pub shared_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    /// When you first opened it; null: unread.
    pub read_at: Option<Timestamp>,
    /// Questions for the next session: when you marked it discussed.
    pub discussed_at: Option<Timestamp>,
    /// Your replies (when you open one entry).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replies: Option<Vec<ReplyView>>,
}

impl SharedEntryView {
    pub fn new(share: Share, entry: Entry, replies: Option<Vec<Reply>>) -> Self {
        Self {
            kind: kind_of(&entry),
            tags: entry.tag_list(),
            entry_id: entry.id,
            title: entry.title,
            body: entry.body,
            mood: entry.mood,
            created_at: entry.created_at,
            shared_at: share.shared_at,
            expires_at: share.expires_at,
            read_at: share.read_at,
            discussed_at: share.discussed_at,
            replies: replies.map(|r| r.into_iter().map(ReplyView::from).collect()),
        }
    }
}

/// Writes one access-log row per entry the therapist was shown.
pub fn log_reads(
    conn: &mut DbConnection,
    actor: &Actor,
    client: UserId,
    entries: &[&Entry],
    action: &str,
    request_id: Option<&str>,
) -> Result<(), ApiError> {
    for entry in entries {
        audit::record(
            conn,
            actor,
            &Access {
                client,
                resource: "journal_entry",
                resource_id: Some(entry.id.0),
                action,
                request_id,
            },
        )?;
    }
    Ok(())
}
