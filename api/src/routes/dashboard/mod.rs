//! The therapist's dashboard: the caseload in one call, with what needs
//! attention. A client's own picture is `GET /clients/{id}/summary`.

mod get_dashboard;

use chrono::NaiveDate;
use domain::dashboard::{Activity, ActivityKind, Practice, Unread};
use domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::routes::assignments::AdherencePeriod;

pub const TAG: &str = "practice";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_dashboard::get_dashboard);
}

/// Items shared with you that you have not opened yet (only what is
/// shared now; a private response is never counted).
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadView {
    /// Journal entries.
    #[schema(example = 2)]
    pub entries: u32,
    /// Habits.
    #[schema(example = 0)]
    pub habits: u32,
    /// The daily check-in series: 1 while it is unread.
    #[schema(minimum = 0, maximum = 1, example = 1)]
    pub daily_check_ins: u32,
    /// Responses to exercises, not private.
    #[schema(example = 1)]
    pub responses: u32,
    /// The sum of the above.
    #[schema(example = 4)]
    pub total: u32,
}

impl From<Unread> for UnreadView {
    fn from(u: Unread) -> Self {
        Self {
            entries: u.entries,
            habits: u.habits,
            daily_check_ins: u.daily_check_ins,
            responses: u.responses,
            total: u.total(),
        }
    }
}

/// When the client last shared or submitted something you can see, and
/// its kind (never what it was).
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityView {
    pub at: Timestamp,
    pub kind: ActivityKind,
}

impl From<Activity> for ActivityView {
    fn from(a: Activity) -> Self {
        Self {
            at: a.at,
            kind: a.kind,
        }
    }
}

/// A client's exercises in figures, in the client's time zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct PracticeView {
    /// The client's local date the figures are taken on.
    pub as_of: NaiveDate,
    /// Active assignments with something open today and not done yet.
    #[schema(example = 1)]
    pub due_today: u32,
    /// Active assignments with something due in the last 7 days that is
    /// past its time and still not done.
    #[schema(example = 0)]
    pub overdue: u32,
    /// Summed over every assignment of the current care link (a private
    /// response counts as done).
    pub last_7_days: AdherencePeriod,
    pub last_30_days: AdherencePeriod,
}

impl From<Practice> for PracticeView {
    fn from(p: Practice) -> Self {
        Self {
            as_of: p.as_of,
            due_today: p.due_today,
            overdue: p.overdue,
            last_7_days: p.last_7_days.into(),
            last_30_days: p.last_30_days.into(),
        }
    }
}
