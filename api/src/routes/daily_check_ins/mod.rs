//! The daily check-in: mood, energy, sleep and tags once per local date,
//! a weekly summary, and sharing the series with the therapist.

mod delete_check_in;
mod delete_share;
mod get_check_in;
mod get_check_ins;
mod get_summary;
mod put_check_in;
mod put_share;

use chrono::NaiveDate;
use domain::habits::daily::{DailyCheckIn, MoodDays, WeekSummary};
use domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub const TAG: &str = "daily check-ins";

pub fn configure(cfg: &mut ServiceConfig) {
    // The fixed paths go before `{date}`.
    cfg.service(get_summary::get_summary)
        .service(put_share::put_share)
        .service(delete_share::delete_share)
        .service(get_check_ins::get_check_ins)
        .service(put_check_in::put_check_in)
        .service(get_check_in::get_check_in)
        .service(delete_check_in::delete_check_in);
}

/// One local date's check-in.
#[derive(Debug, Serialize, ToSchema)]
pub struct DailyCheckInView {
    pub date: NaiveDate,
    /// 1 (very low) to 5 (very good), the journal's scale.
    #[schema(minimum = 1, maximum = 5)]
    pub mood: Option<i32>,
    /// 1 (exhausted) to 5 (full of energy).
    #[schema(minimum = 1, maximum = 5)]
    pub energy: Option<i32>,
    #[schema(minimum = 0, maximum = 24, example = 7.5)]
    pub sleep_hours: Option<f64>,
    #[schema(example = json!(["calm", "saw-friends"]))]
    pub tags: Vec<String>,
    pub note: Option<String>,
    pub updated_at: Timestamp,
}

impl From<DailyCheckIn> for DailyCheckInView {
    fn from(d: DailyCheckIn) -> Self {
        Self {
            date: d.on_date,
            mood: d.mood,
            energy: d.energy,
            sleep_hours: d.sleep_hours,
            tags: d.tags,
            note: d.note,
            updated_at: d.updated_at,
        }
    }
}

/// A tag and on how many of the days it came up.
#[derive(Debug, Serialize, ToSchema)]
pub struct TagCountView {
    pub tag: String,
    pub days: u32,
}

/// The days of the week with the highest (or lowest) mood.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoodDaysView {
    #[schema(minimum = 1, maximum = 5)]
    pub mood: i32,
    pub dates: Vec<NaiveDate>,
    /// The tags of those days, most frequent first.
    pub tags: Vec<TagCountView>,
}

impl From<MoodDays> for MoodDaysView {
    fn from(m: MoodDays) -> Self {
        Self {
            mood: m.mood,
            dates: m.dates,
            tags: m
                .tags
                .into_iter()
                .map(|t| TagCountView {
                    tag: t.tag,
                    days: t.days,
                })
                .collect(),
        }
    }
}

/// A week of check-ins in figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct WeekSummaryView {
    /// The ISO week.
    #[schema(example = "2026-W49", pattern = "^[0-9]{4}-W[0-9]{2}$")]
    pub week: String,
    /// Its Monday.
    pub from: NaiveDate,
    /// Its Sunday.
    pub to: NaiveDate,
    pub days_recorded: u32,
    pub mood_average: Option<f64>,
    pub energy_average: Option<f64>,
    pub sleep_hours_average: Option<f64>,
    /// The days with the week's highest mood and their tags.
    pub best: Option<MoodDaysView>,
    /// The days with the week's lowest mood and their tags.
    pub worst: Option<MoodDaysView>,
}

impl From<WeekSummary> for WeekSummaryView {
    fn from(s: WeekSummary) -> Self {
        Self {
            week: s.week,
            from: s.from,
            to: s.to,
            days_recorded: s.days_recorded,
            mood_average: s.mood_average,
            energy_average: s.energy_average,
            sleep_hours_average: s.sleep_hours_average,
            best: s.best.map(MoodDaysView::from),
            worst: s.worst.map(MoodDaysView::from),
        }
    }
}
