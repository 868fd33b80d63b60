//! What a therapist sees of an entry a client shared with them.

use domain::ids::EntryId;
use domain::journal::entries::{Entry, Reply, Share};
use domain::journal::EntryKind;
use domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use crate::routes::journal::ReplyView;

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
            kind: entry.kind,
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
