//! A client's habits: definitions, check-ins by local date, the numbers
//! (strength score, streaks, completion) and sharing with the therapist.

mod delete_check_in;
mod delete_habit;
mod delete_share;
mod get_check_ins;
mod get_habit;
mod get_habits;
mod get_stats;
mod patch_habit;
mod post_habit;
mod put_check_in;
mod put_share;

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::access::Client;
use domain::db::DbConnection;
use domain::habits::score::{Completion, DayClass, Frequency, Streak};
use domain::habits::sharing;
use domain::habits::store::{self, CheckIn, CheckInStatus, Habit, Now, Stats, Total};
use domain::habits::{HabitKind, TargetKind};
use domain::ids::HabitId;
use domain::journal::entries::ShareState;
use domain::time::TimeOfDay;
use domain::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::routes::journal::ShareView;

pub const TAG: &str = "habits";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_habits::get_habits)
        .service(post_habit::post_habit)
        .service(get_habit::get_habit)
        .service(patch_habit::patch_habit)
        .service(delete_habit::delete_habit)
        .service(get_check_ins::get_check_ins)
        .service(put_check_in::put_check_in)
        .service(delete_check_in::delete_check_in)
        .service(get_stats::get_stats)
        .service(put_share::put_share)
        .service(delete_share::delete_share);
}

/// A habit with how it stands today.
#[derive(Debug, Serialize, ToSchema)]
pub struct HabitView {
    pub id: HabitId,
    #[schema(example = "Drink water")]
    pub name: String,
    pub description: Option<String>,
    #[schema(example = "teal")]
    pub color: Option<String>,
    #[schema(example = "water")]
    pub icon: Option<String>,
    pub kind: HabitKind,
    /// Numeric habits: what is counted.
    #[schema(example = "glasses")]
    pub unit: Option<String>,
    /// Numeric habits: the target per window of `frequency`.
    #[schema(example = 8)]
    pub target: Option<f64>,
    pub target_kind: Option<TargetKind>,
    pub frequency: Frequency,
    pub reminder_time: Option<TimeOfDay>,
    /// The local date it was created.
    pub created_on: NaiveDate,
    /// The first day its numbers count (the earlier of `created_on` and
    /// the first check-in).
    pub starts_on: NaiveDate,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Archived habits keep their history and leave the default list.
    pub archived_at: Option<Timestamp>,
    /// Present while it is shared with your therapist.
    pub share: Option<ShareView>,
    pub today: TodayView,
}

/// How a habit stands on the client's local today.
#[derive(Debug, Serialize, ToSchema)]
pub struct TodayView {
    /// The client's local date (their time zone, less their day start).
    pub date: NaiveDate,
    pub check_in: Option<CheckInView>,
    /// How today counts so far: `open` until checked in.
    pub counts_as: DayClass,
    /// Whether today still asks for it (a due day not yet on target).
    pub due: bool,
    /// The strength score, 0 to 1 (today counts once checked in).
    #[schema(minimum = 0, maximum = 1)]
    pub score: f64,
    pub current_streak: Option<Streak>,
    pub best_streak: Option<Streak>,
}

impl From<Now> for TodayView {
    fn from(n: Now) -> Self {
        Self {
            date: n.today,
            check_in: n.check_in.map(CheckInView::from),
            counts_as: n.class,
            due: n.due,
            score: n.score,
            current_streak: n.current_streak,
            best_streak: n.best_streak,
        }
    }
}

/// One local date's check-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInView {
    pub date: NaiveDate,
    /// `done` (with `amount` for numeric habits), `not_done` or `skip`.
    pub status: CheckInStatus,
    /// Numeric habits: the amount that day.
    pub amount: Option<f64>,
    pub note: Option<String>,
    pub updated_at: Timestamp,
}

impl From<CheckIn> for CheckInView {
    fn from(c: CheckIn) -> Self {
        Self {
            date: c.on_date,
            status: c.status,
            amount: c.amount,
            note: c.note,
            updated_at: c.updated_at,
        }
    }
}

impl HabitView {
    pub fn new(habit: Habit, now: Now, share: Option<ShareState>) -> Self {
        let d = habit.definition;
        Self {
            id: habit.id,
            name: d.name,
            description: d.description,
            color: d.color,
            icon: d.icon,
            kind: d.kind,
            unit: d.unit,
            target: d.target,
            target_kind: d.target_kind,
            frequency: d.frequency,
            reminder_time: d.reminder_time,
            created_on: habit.created_on,
            starts_on: habit.starts_on,
            created_at: habit.created_at,
            updated_at: habit.updated_at,
            archived_at: habit.archived_at,
            share: share.map(ShareView::from),
            today: now.into(),
        }
    }
}

/// Views of the client's own habits, with today's numbers and shares, in a
/// bounded number of queries.
pub fn own_views(
    conn: &mut DbConnection,
    me: &Client,
    habits: Vec<Habit>,
    now: Timestamp,
) -> Result<Vec<HabitView>, ApiError> {
    let today = store::today_of(conn, me.id(), now)?;
    let ids: Vec<HabitId> = habits.iter().map(|h| h.id).collect();
    let mut numbers = store::now_of_each(conn, &habits, today)?;
    let mut shares = sharing::shares_of_habits(conn, me, &ids, now)?;
    views(habits, &mut numbers, |id| shares.remove(&id))
}

/// Joins habits with their numbers and shares.
pub fn views(
    habits: Vec<Habit>,
    numbers: &mut HashMap<HabitId, Now>,
    mut share: impl FnMut(HabitId) -> Option<ShareState>,
) -> Result<Vec<HabitView>, ApiError> {
    habits
        .into_iter()
        .map(|h| {
            let now = numbers.remove(&h.id).ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!("habit {} has no numbers", h.id))
            })?;
            let s = share(h.id);
            Ok(HabitView::new(h, now, s))
        })
        .collect()
}

/// One client habit's view.
pub fn own_view(
    conn: &mut DbConnection,
    me: &Client,
    habit: Habit,
    now: Timestamp,
) -> Result<HabitView, ApiError> {
    own_views(conn, me, vec![habit], now)?
        .pop()
        .ok_or(ApiError::NotFound)
}

/// `from` and `to` of a read over local dates.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RangeQuery {
    /// The first local date (default: 29 days before `to`).
    pub from: Option<NaiveDate>,
    /// The last local date (default and latest: today). At most 366 days
    /// from `from`.
    pub to: Option<NaiveDate>,
}

/// Completion over the last 7, 30 and 90 days.
#[derive(Debug, Serialize, ToSchema)]
pub struct CompletionView {
    pub last_7_days: Completion,
    pub last_30_days: Completion,
    pub last_90_days: Completion,
}

/// One day of a habit's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayView {
    pub date: NaiveDate,
    /// The strength score at the end of the day, 0 to 1.
    #[schema(minimum = 0, maximum = 1)]
    pub score: f64,
    pub counts_as: DayClass,
    pub check_in: Option<CheckInView>,
}

/// A numeric habit's sum over a week (from Monday) or a month.
#[derive(Debug, Serialize, ToSchema)]
pub struct TotalView {
    /// The Monday of the week, or the first of the month.
    pub start: NaiveDate,
    pub total: f64,
    /// Days in the range with an amount.
    pub days_recorded: u32,
}

impl From<Total> for TotalView {
    fn from(t: Total) -> Self {
        Self {
            start: t.start,
            total: t.total,
            days_recorded: t.days_recorded,
        }
    }
}

/// A habit's numbers: now, and day by day over a range.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatsView {
    pub habit_id: HabitId,
    /// The client's local today, which the current figures are as of.
    pub as_of: NaiveDate,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The strength score now, 0 to 1.
    #[schema(minimum = 0, maximum = 1)]
    pub score: f64,
    pub current_streak: Option<Streak>,
    pub best_streak: Option<Streak>,
    pub completion: CompletionView,
    /// Each day from the later of `from` and the habit's first day to `to`.
    pub days: Vec<DayView>,
    /// Numeric habits: sums per week over the range (empty for yes/no).
    pub weekly_totals: Vec<TotalView>,
    /// Numeric habits: sums per month over the range (empty for yes/no).
    pub monthly_totals: Vec<TotalView>,
}

impl StatsView {
    pub fn new(id: HabitId, stats: Stats) -> Self {
        Self {
            habit_id: id,
            as_of: stats.now.today,
            from: stats.from,
            to: stats.to,
            score: stats.now.score,
            current_streak: stats.now.current_streak,
            best_streak: stats.now.best_streak,
            completion: CompletionView {
                last_7_days: stats.now.last_7_days,
                last_30_days: stats.now.last_30_days,
                last_90_days: stats.now.last_90_days,
            },
            days: stats
                .days
                .into_iter()
                .map(|d| DayView {
                    date: d.date,
                    score: d.score,
                    counts_as: d.class,
                    check_in: d.check_in.map(CheckInView::from),
                })
                .collect(),
            weekly_totals: stats.weeks.into_iter().map(TotalView::from).collect(),
            monthly_totals: stats.months.into_iter().map(TotalView::from).collect(),
        }
    }
}
