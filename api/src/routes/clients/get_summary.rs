use std::collections::HashMap;

use actix_web::{get, web};
use chrono::NaiveDate;
use domain::care;
use domain::dashboard::summary::{self, AssignmentSummary, MoodTrend, Summary, Upcoming};
use domain::exercises::assignments::AssignmentStatus;
use domain::ids::{AssignmentId, UserId};
use serde::Serialize;
use utoipa::ToSchema;

use super::shared::SharedEntryView;
use super::ClientView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::routes::assignments::{AdherencePeriod, OccurrenceView, ResponseView};
use crate::routes::daily_check_ins::WeekSummaryView;
use crate::routes::dashboard::{ActivityView, UnreadView};
use crate::routes::habits::{views, HabitView};
use crate::state::AppState;

/// An assignment in the summary: its figures and latest visible responses.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentSummaryView {
    pub assignment_id: AssignmentId,
    pub title: String,
    pub status: AssignmentStatus,
    pub last_7_days: AdherencePeriod,
    pub last_30_days: AdherencePeriod,
    /// The first occurrence from today on not done yet (active
    /// assignments only).
    pub next_due: Option<OccurrenceView>,
    /// Up to 3, newest first. A response the client marked private is
    /// never listed here (it counts as done in the figures).
    pub latest_responses: Vec<ResponseView>,
}

impl From<AssignmentSummary> for AssignmentSummaryView {
    fn from(s: AssignmentSummary) -> Self {
        Self {
            assignment_id: s.assignment.id,
            title: s.assignment.template.title,
            status: s.assignment.status,
            last_7_days: s.report.last_7_days.into(),
            last_30_days: s.report.last_30_days.into(),
            next_due: s.next_due.map(OccurrenceView::from),
            latest_responses: s
                .latest_responses
                .into_iter()
                .map(ResponseView::from)
                .collect(),
        }
    }
}

/// Exercises of the current care link in figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryExercisesView {
    /// Summed over every assignment below.
    pub last_7_days: AdherencePeriod,
    pub last_30_days: AdherencePeriod,
    /// Newest first.
    pub assignments: Vec<AssignmentSummaryView>,
}

/// One occurrence due in the client's week ahead.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpcomingOccurrenceView {
    pub assignment_id: AssignmentId,
    pub title: String,
    pub occurrence: OccurrenceView,
}

impl From<Upcoming> for UpcomingOccurrenceView {
    fn from(u: Upcoming) -> Self {
        Self {
            assignment_id: u.assignment,
            title: u.title,
            occurrence: u.due.into(),
        }
    }
}

/// One day of the shared check-in series.
#[derive(Debug, Serialize, ToSchema)]
pub struct MoodPointView {
    pub date: NaiveDate,
    /// 1 (very low) to 5 (very good).
    #[schema(minimum = 1, maximum = 5)]
    pub mood: Option<i32>,
    /// 1 (drained) to 5 (energised).
    #[schema(minimum = 1, maximum = 5)]
    pub energy: Option<i32>,
}

/// Mood and energy over the last four ISO weeks, from the daily check-ins
/// the client shares with you (the weeks also with sleep, and the tags of
/// their best and worst days).
#[derive(Debug, Serialize, ToSchema)]
pub struct MoodTrendView {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Days with a mood or an energy, oldest first.
    pub days: Vec<MoodPointView>,
    /// Each ISO week of the range in figures (as
    /// `/daily-check-ins/summary` gives them), oldest first.
    pub weeks: Vec<WeekSummaryView>,
}

impl From<MoodTrend> for MoodTrendView {
    fn from(t: MoodTrend) -> Self {
        Self {
            from: t.from,
            to: t.to,
            days: t
                .days
                .into_iter()
                .map(|d| MoodPointView {
                    date: d.date,
                    mood: d.mood,
                    energy: d.energy,
                })
                .collect(),
            weeks: t.weeks.into_iter().map(WeekSummaryView::from).collect(),
        }
    }
}

/// A client's picture before the next session.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientSummaryView {
    pub client: ClientView,
    /// The client's local date the summary is taken on.
    pub as_of: NaiveDate,
    #[schema(example = "America/New_York")]
    pub time_zone: String,
    pub unread: UnreadView,
    /// Null when nothing is shared or submitted that you can see.
    pub last_activity: Option<ActivityView>,
    pub exercises: SummaryExercisesView,
    /// Occurrences of active assignments open from today to six days
    /// ahead, by due time.
    pub upcoming: Vec<UpcomingOccurrenceView>,
    /// Shared questions for the next session not discussed yet, oldest
    /// first (at most 50; `agenda_questions` counts them all).
    pub agenda: Vec<SharedEntryView>,
    #[schema(example = 1)]
    pub agenda_questions: u32,
    /// Null unless the client shares their daily check-ins with you.
    pub mood: Option<MoodTrendView>,
    /// The habits the client shares with you, with their score and streaks.
    pub habits: Vec<HabitView>,
}

fn view(s: Summary) -> Result<ClientSummaryView, ApiError> {
    let mut numbers = s.habit_numbers;
    let (habits, shares): (Vec<_>, Vec<_>) = s.habits.into_iter().unzip();
    let mut shares: HashMap<_, _> = habits.iter().map(|h| h.id).zip(shares).collect();
    let habits = views(habits, &mut numbers, |id| shares.remove(&id))?;
    Ok(ClientSummaryView {
        client: s.client.into(),
        as_of: s.as_of,
        time_zone: s.zone.name().to_owned(),
        unread: s.signals.unread.into(),
        last_activity: s.signals.last_activity.map(ActivityView::from),
        exercises: SummaryExercisesView {
            last_7_days: s.last_7_days.into(),
            last_30_days: s.last_30_days.into(),
            assignments: s.assignments.into_iter().map(Into::into).collect(),
        },
        upcoming: s.upcoming.into_iter().map(Into::into).collect(),
        agenda: s
            .agenda
            .into_iter()
            .map(|(share, entry)| SharedEntryView::new(share, entry, None))
            .collect(),
        agenda_questions: s.signals.agenda,
        mood: s.mood.map(MoodTrendView::from),
        habits,
    })
}

/// One client's picture before the next session.
///
/// Therapists only, for a current client. Adherence per assignment with
/// the latest responses that are not private, the mood and energy trend
/// (daily values and weekly averages over four weeks) when the client
/// shares their daily check-ins, the habits they share with their score
/// and streaks, the agenda, what is unread, and the week of due exercises
/// ahead. Only what the client shares with you now, or submitted on your
/// assignments, is read: a private response counts as done without its
/// content, and an unshared habit or check-in is not counted, averaged or
/// hinted at. Everything shown is written to the client's access log.
/// Reading the summary marks nothing read.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_client_summary",
    params(("id" = UserId, Path, description = "The client")),
    responses(
        (status = 200, description = "The summary", body = ClientSummaryView, example = json!({
            "client": {"id": "0193a5b2-7c1e-7d2f-9a40-5b6c7d8e9f01", "display_name": "Ada", "email": "ada@example.org", "time_zone": "America/New_York", "linked_since": "2026-09-01T10:00:00Z"},
            "as_of": "2026-12-07",
            "time_zone": "America/New_York",
            "unread": {"entries": 1, "habits": 0, "daily_check_ins": 0, "responses": 1, "total": 2},
            "last_activity": {"at": "2026-12-06T19:12:00Z", "kind": "exercise_response"},
            "exercises": {
                "last_7_days": {"from": "2026-12-01", "to": "2026-12-07", "due": 7, "completed_on_time": 5, "completed_late": 0, "missed": 1, "pending": 1, "completion_rate": 0.8333},
                "last_30_days": {"from": "2026-11-08", "to": "2026-12-07", "due": 30, "completed_on_time": 24, "completed_late": 1, "missed": 4, "pending": 1, "completion_rate": 0.8621},
                "assignments": []
            },
            "upcoming": [],
            "agenda": [],
            "agenda_questions": 0,
            "mood": {
                "from": "2026-11-16",
                "to": "2026-12-07",
                "days": [{"date": "2026-12-06", "mood": 4, "energy": 3}, {"date": "2026-12-07", "mood": 3, "energy": null}],
                "weeks": [
                    {"week": "2026-W47", "from": "2026-11-16", "to": "2026-11-22", "days_recorded": 0, "mood_average": null, "energy_average": null, "sleep_hours_average": null, "best": null, "worst": null},
                    {"week": "2026-W48", "from": "2026-11-23", "to": "2026-11-29", "days_recorded": 0, "mood_average": null, "energy_average": null, "sleep_hours_average": null, "best": null, "worst": null},
                    {"week": "2026-W49", "from": "2026-11-30", "to": "2026-12-06", "days_recorded": 1, "mood_average": 4.0, "energy_average": 3.0, "sleep_hours_average": 7.5,
                        "best": {"mood": 4, "dates": ["2026-12-06"], "tags": [{"tag": "walked", "days": 1}]},
                        "worst": {"mood": 4, "dates": ["2026-12-06"], "tags": [{"tag": "walked", "days": 1}]}},
                    {"week": "2026-W50", "from": "2026-12-07", "to": "2026-12-13", "days_recorded": 1, "mood_average": 3.0, "energy_average": null, "sleep_hours_average": null,
                        "best": {"mood": 3, "dates": ["2026-12-07"], "tags": []},
                        "worst": {"mood": 3, "dates": ["2026-12-07"], "tags": []}}
                ]
            },
            "habits": []
        })),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/clients/{id}/summary")]
pub async fn get_summary(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<UserId>,
) -> Result<web::Json<ClientSummaryView>, ApiError> {
    let client = id.into_inner();
    let now = state.config.clock.now();
    let summary = auth
        .tx(&state, move |conn, me| {
            let access = care::open(conn, me, client)?;
            Ok(summary::summary(conn, &access, now)?)
        })
        .await?;
    Ok(web::Json(view(summary)?))
}
