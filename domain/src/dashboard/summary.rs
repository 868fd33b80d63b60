//! One client's picture before the next session, as their therapist may
//! see it: adherence per assignment with the latest visible responses, the
//! shared mood and energy trend, shared habits, the agenda, what is unread
//! and the week of due work ahead.
//!
//! Read through a [`CareAccess`]: every part shown is written to the
//! client's access log, and only what is shared now under the live link
//! (or submitted as visible on one of its assignments) is read at all.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;

use super::{signals, Signals};
use crate::audit::{Action, Resource};
use crate::care::{CareAccess, LinkedClient};
use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::exercises::assignments::{self, Assignment, AssignmentStatus, Due, DueWindow, Tallies};
use crate::exercises::responses::{self, SeenResponse};
use crate::exercises::schedule::Adherence;
use crate::exercises::Report;
use crate::habits::store::{self, Habit, Now};
use crate::habits::{daily, sharing};
use crate::ids::HabitId;
use crate::journal::entries::{Entry, Share, ShareState};
use crate::page::PageRequest;
use crate::time::{local_date, Timestamp};

/// Visible responses shown per assignment.
pub const LATEST_RESPONSES: i64 = 3;
/// Agenda questions shown (the count in the signals covers them all).
pub const AGENDA_SHOWN: i64 = 50;
/// Weeks of the mood trend, this one included.
pub const MOOD_WEEKS: i64 = 4;

/// An assignment with its figures and latest visible responses.
#[derive(Debug, Clone)]
pub struct AssignmentSummary {
    pub assignment: Assignment,
    pub report: Report,
    /// The first occurrence from today on not done yet (active only).
    pub next_due: Option<Due>,
    /// Newest first; private responses are never here.
    pub latest_responses: Vec<SeenResponse>,
}

/// One occurrence due in the week ahead.
#[derive(Debug, Clone)]
pub struct Upcoming {
    pub assignment: crate::ids::AssignmentId,
    pub title: String,
    pub due: Due,
}

/// One day of the shared series: mood and energy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MoodDay {
    pub date: NaiveDate,
    pub mood: Option<i32>,
    pub energy: Option<i32>,
}

/// The shared daily series over the last weeks.
#[derive(Debug, Clone, PartialEq)]
pub struct MoodTrend {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Days with a mood or an energy, oldest first.
    pub days: Vec<MoodDay>,
    /// Each ISO week of the range in figures, oldest first.
    pub weeks: Vec<daily::WeekSummary>,
}

/// The client's summary.
#[derive(Debug, Clone)]
pub struct Summary {
    pub client: LinkedClient,
    pub zone: Tz,
    /// The client's local date the summary is taken on.
    pub as_of: NaiveDate,
    pub signals: Signals,
    /// Summed over every assignment of the live link.
    pub last_7_days: Adherence,
    pub last_30_days: Adherence,
    pub assignments: Vec<AssignmentSummary>,
    /// Occurrences open from today to six days ahead on active
    /// assignments, by due date.
    pub upcoming: Vec<Upcoming>,
    /// Shared questions not discussed yet, oldest first (at most 50).
    pub agenda: Vec<(Share, Entry)>,
    /// `None` unless the client shares the daily series now.
    pub mood: Option<MoodTrend>,
    pub habits: Vec<(Habit, ShareState)>,
    pub habit_numbers: HashMap<HabitId, Now>,
}

/// The summary of the client of `access` at `now`. A bounded number of
/// queries (about twenty), whatever the client's history.
pub fn summary(
    conn: &mut DbConnection,
    access: &CareAccess,
    now: Timestamp,
) -> DomainResult<Summary> {
    let client = access.profile_as(conn, Action::Summary)?;
    let zone = crate::care::stored_zone(&client.time_zone)?;
    let as_of = local_date(now, zone);
    let signals = signals(conn, access.therapist(), Some(access.client()), now)?
        .remove(&access.client())
        .unwrap_or_default();

    let all = assignments::all_for(conn, access, Action::Summary)?;
    let tallies = Tallies::around(conn, &all, now)?;
    let mut latest: HashMap<_, Vec<SeenResponse>> = HashMap::new();
    for r in responses::latest_for(conn, access, LATEST_RESPONSES)? {
        latest.entry(r.assignment_id).or_default().push(r);
    }
    let mut last_7_days = Adherence::empty(as_of - Duration::days(6), as_of);
    let mut last_30_days = Adherence::empty(as_of - Duration::days(29), as_of);
    let mut upcoming = Vec::new();
    let mut each = Vec::with_capacity(all.len());
    for a in all {
        let report = Report::of(&a, &tallies, now);
        last_7_days.merge(&report.last_7_days);
        last_30_days.merge(&report.last_30_days);
        let active = a.status == AssignmentStatus::Active;
        if active {
            upcoming.extend(
                a.due(&tallies, now, DueWindow::Week)
                    .into_iter()
                    .map(|due| Upcoming {
                        assignment: a.id,
                        title: a.template.title.clone(),
                        due,
                    }),
            );
        }
        each.push(AssignmentSummary {
            next_due: active.then(|| a.next_due(&tallies, now)).flatten(),
            latest_responses: latest.remove(&a.id).unwrap_or_default(),
            report,
            assignment: a,
        });
    }
    upcoming.sort_by(|x, y| {
        (x.due.occurrence.due_at, x.assignment.0).cmp(&(y.due.occurrence.due_at, y.assignment.0))
    });

    let agenda_page = PageRequest {
        limit: AGENDA_SHOWN,
        after: None,
    };
    let mut agenda = crate::journal::sharing::agenda(conn, access, &agenda_page)?;
    agenda.truncate(agenda_page.shown(&agenda).len());

    let shared = sharing::shared_habits(conn, access, now)?;
    let habit_today = store::today_of(conn, access.client(), now)?;
    let habits_only: Vec<Habit> = shared.iter().map(|(h, _)| h.clone()).collect();
    let habit_numbers = store::now_of_each(conn, &habits_only, habit_today)?;

    let mood = if sharing::shares_daily(conn, access, now)? {
        Some(mood_trend(conn, access, habit_today)?)
    } else {
        None
    };

    Ok(Summary {
        client,
        zone,
        as_of,
        signals,
        last_7_days,
        last_30_days,
        assignments: each,
        upcoming,
        agenda,
        mood,
        habits: shared,
        habit_numbers,
    })
}

/// The last [`MOOD_WEEKS`] ISO weeks of the shared series up to `today`
/// (logged as one read of the series).
fn mood_trend(
    conn: &mut DbConnection,
    access: &CareAccess,
    today: NaiveDate,
) -> DomainResult<MoodTrend> {
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let from = monday - Duration::weeks(MOOD_WEEKS - 1);
    let series = daily::range(conn, access.client(), from, today)?;
    access.log(
        conn,
        Resource::DailyCheckIns,
        Action::Summary,
        [access.client().0],
    )?;
    let weeks = (0..MOOD_WEEKS)
        .map(|i| {
            let monday = from + Duration::weeks(i);
            let sunday = monday + Duration::days(6);
            let days: Vec<daily::DailyCheckIn> = series
                .iter()
                .filter(|d| monday <= d.on_date && d.on_date <= sunday)
                .cloned()
                .collect();
            daily::summarise(monday, &days)
        })
        .collect();
    Ok(MoodTrend {
        from,
        to: today,
        days: series
            .iter()
            .filter(|d| d.mood.is_some() || d.energy.is_some())
            .map(|d| MoodDay {
                date: d.on_date,
                mood: d.mood,
                energy: d.energy,
            })
            .collect(),
        weeks,
    })
}
