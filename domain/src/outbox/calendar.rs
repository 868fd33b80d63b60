//! A calendar invite carried by an email: one event, as the mailer writes
//! it into a `text/calendar` part (RFC 5545 / iMIP, RFC 6047).

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

/// `METHOD` of the invite: a new or changed event, or its cancellation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum CalendarMethod {
    Request,
    Cancel,
}

impl CalendarMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Request => "REQUEST",
            Self::Cancel => "CANCEL",
        }
    }
}

/// Someone on the invite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    pub email: String,
}

/// One event. `uid` stays the same across changes; `sequence` grows with
/// each change so calendars replace the old version instead of adding one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarEvent {
    pub method: CalendarMethod,
    pub uid: String,
    pub sequence: u32,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub summary: String,
    pub description: String,
    /// Where to manage or join, if anywhere.
    pub url: Option<String>,
    pub organizer: Party,
    pub attendee: Party,
}
