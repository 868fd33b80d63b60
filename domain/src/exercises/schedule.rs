//! When an assignment is due, in the client's own time zone, and how well
//! it was kept: pure functions of the schedule, the client's zone, the
//! responses and "now", so every figure can be recomputed from scratch.
//!
//! An occurrence is due on a local date. For `once`, `daily` and `weekdays`
//! it is one day (due by its end, or by `due_time` for `once`); for
//! `times_per_week` it is a Monday-to-Sunday week needing `times`
//! responses. A schedule's history is kept as segments: a change (a new
//! schedule, a pause, a resume) starts a new segment on the client's local
//! date, so past occurrences stay as they were.

use chrono::{Datelike, Duration, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::fields::Problems;
use crate::error::FieldError;
use crate::time::{local_instant, start_of_day, TimeOfDay, Timestamp};

crate::text_enum! {
    /// A day of the week.
    pub enum Weekday {
        Mon => "mon",
        Tue => "tue",
        Wed => "wed",
        Thu => "thu",
        Fri => "fri",
        Sat => "sat",
        Sun => "sun",
    }
}

impl Weekday {
    pub fn of(date: NaiveDate) -> Self {
        Self::ALL[date.weekday().num_days_from_monday() as usize]
    }
}

/// The most occurrences a schedule may be limited to.
pub const COUNT_MAX: u32 = 1_000;
/// How far ahead a schedule may start or end (in days from today).
pub const HORIZON_DAYS: i64 = 3 * 366;

/// When an exercise is due, in the client's local dates and times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Schedule {
    /// Once, on a local date (by `due_time` that day, else by its end).
    Once {
        due_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        due_time: Option<TimeOfDay>,
    },
    /// Every day from `start_on`, until `end_on` or `count` occurrences.
    Daily {
        start_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end_on: Option<NaiveDate>,
        /// At most this many occurrences (1 to 1,000).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = 1, maximum = 1000)]
        count: Option<u32>,
    },
    /// On the chosen days of the week.
    Weekdays {
        #[schema(min_items = 1, max_items = 7)]
        weekdays: Vec<Weekday>,
        start_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end_on: Option<NaiveDate>,
        /// At most this many occurrences (1 to 1,000).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = 1, maximum = 1000)]
        count: Option<u32>,
    },
    /// `times` a week (Monday to Sunday), on any days.
    TimesPerWeek {
        #[schema(minimum = 1, maximum = 7)]
        times: u32,
        start_on: NaiveDate,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        end_on: Option<NaiveDate>,
        /// At most this many weeks (1 to 1,000).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schema(minimum = 1, maximum = 1000)]
        count: Option<u32>,
    },
}

impl Schedule {
    /// Checks a schedule given the client's local date today: nothing may
    /// start before today or more than three years ahead.
    pub fn check(&self, at: &str, today: NaiveDate) -> Result<(), Vec<FieldError>> {
        let mut problems = Problems::default();
        let latest = today + Duration::days(HORIZON_DAYS);
        let date = |problems: &mut Problems, name: &str, d: NaiveDate| {
            if d < today {
                problems.add(
                    &format!("{at}.{name}"),
                    "in_past",
                    format!("must be today ({today}) or later in the client's time zone"),
                );
            } else if d > latest {
                problems.add(
                    &format!("{at}.{name}"),
                    "out_of_range",
                    "must be at most three years ahead",
                );
            }
        };
        match self {
            Self::Once { due_on, .. } => date(&mut problems, "due_on", *due_on),
            Self::Daily {
                start_on,
                end_on,
                count,
            }
            | Self::Weekdays {
                start_on,
                end_on,
                count,
                ..
            }
            | Self::TimesPerWeek {
                start_on,
                end_on,
                count,
                ..
            } => {
                date(&mut problems, "start_on", *start_on);
                if let Some(end) = end_on {
                    if end < start_on {
                        problems.add(
                            &format!("{at}.end_on"),
                            "out_of_range",
                            "must not be before start_on",
                        );
                    } else if *end > latest {
                        problems.add(
                            &format!("{at}.end_on"),
                            "out_of_range",
                            "must be at most three years ahead",
                        );
                    }
                }
                if count.is_some_and(|c| !(1..=COUNT_MAX).contains(&c)) {
                    problems.add(
                        &format!("{at}.count"),
                        "out_of_range",
                        format!("must be from 1 to {COUNT_MAX}"),
                    );
                }
            }
        }
        match self {
            Self::Weekdays { weekdays, .. } => {
                if weekdays.is_empty() || weekdays.len() > 7 {
                    problems.add(
                        &format!("{at}.weekdays"),
                        "invalid",
                        "must name 1 to 7 days",
                    );
                } else {
                    let mut seen = std::collections::HashSet::new();
                    if !weekdays.iter().all(|d| seen.insert(*d)) {
                        problems.add(
                            &format!("{at}.weekdays"),
                            "invalid",
                            "must not repeat a day",
                        );
                    }
                }
            }
            Self::TimesPerWeek { times, .. } if !(1..=7).contains(times) => {
                problems.add(
                    &format!("{at}.times"),
                    "out_of_range",
                    "must be from 1 to 7",
                );
            }
            _ => {}
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.0)
        }
    }

    /// Occurrences due on a local date in `from..=to`, in date order.
    pub fn occurrences(&self, zone: Tz, from: NaiveDate, to: NaiveDate) -> Vec<Occurrence> {
        self.occurrences_within(zone, from, to, (NaiveDate::MIN, NaiveDate::MAX))
    }

    /// The same, for a schedule in effect only on the local dates of
    /// `within`: a week cut by its start or end opens or closes there and
    /// needs no more responses than it has days.
    pub fn occurrences_within(
        &self,
        zone: Tz,
        from: NaiveDate,
        to: NaiveDate,
        within: (NaiveDate, NaiveDate),
    ) -> Vec<Occurrence> {
        let (from, to) = (from.max(within.0), to.min(within.1));
        let end_of = |date: NaiveDate| start_of_day(date + Duration::days(1), zone);
        let mut out = Vec::new();
        if from > to {
            return out;
        }
        match self {
            Self::Once { due_on, due_time } => {
                if (from..=to).contains(due_on) {
                    let due_at = match due_time {
                        Some(time) => local_instant(*due_on, time.0, zone),
                        None => end_of(*due_on),
                    };
                    out.push(Occurrence::day(*due_on, due_at));
                }
            }
            Self::Daily {
                start_on,
                end_on,
                count,
            } => {
                let last = last_day(*start_on, *end_on, *count, |n| {
                    *start_on + Duration::days(i64::from(n) - 1)
                });
                let mut day = from.max(*start_on);
                while day <= to.min(last) {
                    out.push(Occurrence::day(day, end_of(day)));
                    day += Duration::days(1);
                }
            }
            Self::Weekdays {
                weekdays,
                start_on,
                end_on,
                count,
            } => {
                let last = last_day(*start_on, *end_on, *count, |n| {
                    nth_matching_day(*start_on, weekdays, n)
                });
                let mut day = from.max(*start_on);
                while day <= to.min(last) {
                    if weekdays.contains(&Weekday::of(day)) {
                        out.push(Occurrence::day(day, end_of(day)));
                    }
                    day += Duration::days(1);
                }
            }
            Self::TimesPerWeek {
                times,
                start_on,
                end_on,
                count,
            } => {
                let first_monday = monday_of(*start_on);
                let last = last_day(*start_on, *end_on, *count, |n| {
                    first_monday + Duration::days(7 * i64::from(n) - 1)
                });
                // Weeks whose due date (their last day) falls in from..=to.
                let last = last.min(within.1);
                let mut monday = monday_of(from.max(*start_on)).max(first_monday);
                while monday <= to.min(last) {
                    let opens_on = monday.max(*start_on).max(within.0);
                    let due_on = (monday + Duration::days(6)).min(last);
                    if due_on >= from && due_on <= to {
                        let days = u32::try_from((due_on - opens_on).num_days() + 1).unwrap_or(1);
                        out.push(Occurrence {
                            opens_on,
                            due_on,
                            due_at: end_of(due_on),
                            required: (*times).min(days),
                        });
                    }
                    monday += Duration::days(7);
                }
            }
        }
        out
    }
}

/// The last local date a recurring schedule can be due: its end date, or
/// the date of its `count`-th occurrence, whichever is earlier.
fn last_day(
    start_on: NaiveDate,
    end_on: Option<NaiveDate>,
    count: Option<u32>,
    nth: impl Fn(u32) -> NaiveDate,
) -> NaiveDate {
    let by_count = count.map(|c| nth(c.max(1)));
    match (end_on, by_count) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => start_on + Duration::days(HORIZON_DAYS * 10),
    }
}

fn monday_of(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

/// The date of the `n`-th day (from 1) on or after `start` whose weekday is
/// in `days`.
fn nth_matching_day(start: NaiveDate, days: &[Weekday], n: u32) -> NaiveDate {
    if days.is_empty() {
        return start;
    }
    let per_week = days.len() as u32;
    let whole_weeks = (n - 1) / per_week;
    let mut left = n - whole_weeks * per_week;
    let mut day = start + Duration::days(7 * i64::from(whole_weeks));
    loop {
        if days.contains(&Weekday::of(day)) {
            left -= 1;
            if left == 0 {
                return day;
            }
        }
        day += Duration::days(1);
    }
}

/// One time an assignment is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    /// The first local date it can be done on (its day, or the week's first).
    pub opens_on: NaiveDate,
    /// The local date it is due; responses name it as `occurrence_on`.
    pub due_on: NaiveDate,
    /// The instant it is due by (the end of `due_on`, or `due_time` that day).
    pub due_at: Timestamp,
    /// Responses it needs (1, or `times` for a week).
    pub required: u32,
}

impl Occurrence {
    fn day(date: NaiveDate, due_at: Timestamp) -> Self {
        Self {
            opens_on: date,
            due_on: date,
            due_at,
            required: 1,
        }
    }
}

/// A stretch of an assignment's history: from `effective_from` (a local
/// date) until the next segment, this schedule applied, or nothing was due
/// (`paused`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub effective_from: NaiveDate,
    pub schedule: Schedule,
    pub paused: bool,
}

/// Occurrences due on a local date in `from..=to` under a history of
/// segments (ordered by `effective_from`, later ones winning a tie), up to
/// the day before `ends_on` (an ended assignment).
pub fn plan(
    segments: &[Segment],
    ends_on: Option<NaiveDate>,
    zone: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<Occurrence> {
    let mut out = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let next = segments[i + 1..]
            .iter()
            .map(|s| s.effective_from)
            .find(|d| *d > segment.effective_from);
        // A later segment from the same day replaces this one entirely.
        if segments[i + 1..]
            .iter()
            .any(|s| s.effective_from == segment.effective_from)
            || segment.paused
        {
            continue;
        }
        let until = next.map_or(NaiveDate::MAX, |n| n - Duration::days(1));
        let until = ends_on.map_or(until, |end| until.min(end - Duration::days(1)));
        out.extend(segment.schedule.occurrences_within(
            zone,
            from,
            to,
            (segment.effective_from, until),
        ));
    }
    out
}

/// How far an occurrence has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OccurrenceState {
    /// Not open yet (a week that starts later).
    Upcoming,
    /// Open now, not done yet.
    Open,
    /// Done (every response it needs was submitted).
    Done,
    /// Its time passed before it was done; it can still be done late.
    Missed,
}

/// Responses to one occurrence, by whether they came in time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub on_time: u32,
    pub late: u32,
}

impl Occurrence {
    pub fn state(&self, tally: Tally, now: Timestamp, today: NaiveDate) -> OccurrenceState {
        if tally.on_time + tally.late >= self.required {
            OccurrenceState::Done
        } else if now >= self.due_at {
            OccurrenceState::Missed
        } else if today < self.opens_on {
            OccurrenceState::Upcoming
        } else {
            OccurrenceState::Open
        }
    }
}

/// Adherence over local dates `from..=to`: what was due in it (every
/// occurrence that overlaps it, so this week's counts while it runs), and
/// how it went.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Adherence {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Responses due in the period (a week of `times_per_week` counts `times`).
    pub due: u32,
    pub completed_on_time: u32,
    pub completed_late: u32,
    /// Past their time and not done.
    pub missed: u32,
    /// Still open (due later today, or later this week).
    pub pending: u32,
}

impl Adherence {
    pub fn empty(from: NaiveDate, to: NaiveDate) -> Self {
        Self {
            from,
            to,
            ..Self::default()
        }
    }

    /// Adds one occurrence and its responses.
    pub fn add(&mut self, occurrence: &Occurrence, tally: Tally, now: Timestamp) {
        let required = occurrence.required;
        let on_time = tally.on_time.min(required);
        let late = tally.late.min(required - on_time);
        self.due += required;
        self.completed_on_time += on_time;
        self.completed_late += late;
        let open = required - on_time - late;
        if now >= occurrence.due_at {
            self.missed += open;
        } else {
            self.pending += open;
        }
    }

    /// Sums another period's figures into this one (same dates).
    pub fn merge(&mut self, other: &Adherence) {
        self.due += other.due;
        self.completed_on_time += other.completed_on_time;
        self.completed_late += other.completed_late;
        self.missed += other.missed;
        self.pending += other.pending;
    }

    /// Done (on time or late) out of what was due and is no longer open;
    /// `None` when nothing was.
    pub fn completion_rate(&self) -> Option<f64> {
        let settled = self.due - self.pending;
        (settled > 0)
            .then(|| f64::from(self.completed_on_time + self.completed_late) / f64::from(settled))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> Timestamp {
        Timestamp(chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc())
    }

    fn dues(occurrences: &[Occurrence]) -> Vec<String> {
        occurrences.iter().map(|o| o.due_on.to_string()).collect()
    }

    #[test]
    fn a_daily_schedule_is_due_once_every_local_day_across_dst() {
        let ny = chrono_tz::America::New_York;
        let daily = Schedule::Daily {
            start_on: d("2026-03-07"),
            end_on: None,
            count: Some(3),
        };
        let o = daily.occurrences(ny, d("2026-03-01"), d("2026-03-31"));
        assert_eq!(dues(&o), ["2026-03-07", "2026-03-08", "2026-03-09"]);
        // Each is due at the next local midnight: EST, then EDT.
        assert_eq!(o[0].due_at, at("2026-03-08T05:00:00Z"));
        assert_eq!(o[1].due_at, at("2026-03-09T04:00:00Z"));
        assert_eq!(o[2].due_at, at("2026-03-10T04:00:00Z"));
    }

    #[test]
    fn weekday_and_weekly_schedules_count_and_end_where_they_should() {
        let sydney = chrono_tz::Australia::Sydney;
        let mwf = Schedule::Weekdays {
            weekdays: vec![Weekday::Mon, Weekday::Wed, Weekday::Fri],
            start_on: d("2026-04-01"),
            end_on: None,
            count: Some(4),
        };
        // Sydney's clocks go back on Sunday 2026-04-05.
        let o = mwf.occurrences(sydney, d("2026-03-01"), d("2026-05-01"));
        assert_eq!(
            dues(&o),
            ["2026-04-01", "2026-04-03", "2026-04-06", "2026-04-08"]
        );
        assert_eq!(o[1].due_at, at("2026-04-03T13:00:00Z"), "AEDT midnight");
        assert_eq!(o[2].due_at, at("2026-04-06T14:00:00Z"), "AEST midnight");

        let thrice = Schedule::TimesPerWeek {
            times: 3,
            start_on: d("2026-04-02"),
            end_on: Some(d("2026-04-14")),
            count: None,
        };
        let o = thrice.occurrences(sydney, d("2026-04-01"), d("2026-04-30"));
        // Thursday to Sunday (4 days), a full week, then Monday and Tuesday.
        assert_eq!(dues(&o), ["2026-04-05", "2026-04-12", "2026-04-14"]);
        assert_eq!(
            o.iter()
                .map(|o| (o.opens_on.to_string(), o.required))
                .collect::<Vec<_>>(),
            [
                ("2026-04-02".into(), 3),
                ("2026-04-06".into(), 3),
                ("2026-04-13".into(), 2)
            ]
        );
        let two_weeks = Schedule::TimesPerWeek {
            times: 2,
            start_on: d("2026-04-06"),
            end_on: None,
            count: Some(2),
        };
        assert_eq!(
            dues(&two_weeks.occurrences(sydney, d("2026-04-01"), d("2026-06-01"))),
            ["2026-04-12", "2026-04-19"]
        );
    }

    #[test]
    fn a_once_schedule_in_kolkata_is_due_at_its_local_time() {
        let kolkata = chrono_tz::Asia::Kolkata;
        let once = Schedule::Once {
            due_on: d("2026-03-29"),
            due_time: TimeOfDay::parse("18:00"),
        };
        let o = once.occurrences(kolkata, d("2026-03-29"), d("2026-03-29"));
        assert_eq!(o[0].due_at, at("2026-03-29T12:30:00Z"));
        assert!(once
            .occurrences(kolkata, d("2026-03-30"), d("2026-04-30"))
            .is_empty());
    }

    #[test]
    fn segments_keep_the_past_and_pauses_are_not_due() {
        let utc = chrono_tz::UTC;
        let daily = Schedule::Daily {
            start_on: d("2026-01-01"),
            end_on: None,
            count: None,
        };
        let weekly = Schedule::Weekdays {
            weekdays: vec![Weekday::Mon],
            start_on: d("2026-01-10"),
            end_on: None,
            count: None,
        };
        let segments = [
            Segment {
                effective_from: d("2026-01-01"),
                schedule: daily.clone(),
                paused: false,
            },
            Segment {
                effective_from: d("2026-01-04"),
                schedule: daily.clone(),
                paused: true,
            },
            Segment {
                effective_from: d("2026-01-06"),
                schedule: daily.clone(),
                paused: false,
            },
            Segment {
                effective_from: d("2026-01-08"),
                schedule: daily,
                paused: true,
            },
            // A change and then another the same day: the last one counts.
            Segment {
                effective_from: d("2026-01-08"),
                schedule: weekly,
                paused: false,
            },
        ];
        let o = plan(
            &segments,
            Some(d("2026-01-20")),
            utc,
            d("2026-01-01"),
            d("2026-01-31"),
        );
        assert_eq!(
            dues(&o),
            [
                "2026-01-01",
                "2026-01-02",
                "2026-01-03",
                "2026-01-06",
                "2026-01-07",
                "2026-01-12",
                "2026-01-19"
            ]
        );
    }

    #[test]
    fn a_week_cut_by_a_pause_closes_early_and_a_resumed_one_opens_late() {
        let weekly = Schedule::TimesPerWeek {
            times: 3,
            start_on: d("2026-01-05"),
            end_on: None,
            count: None,
        };
        let segments = [
            Segment {
                effective_from: d("2026-01-05"),
                schedule: weekly.clone(),
                paused: false,
            },
            Segment {
                effective_from: d("2026-01-08"),
                schedule: weekly.clone(),
                paused: true,
            },
            Segment {
                effective_from: d("2026-01-16"),
                schedule: weekly,
                paused: false,
            },
        ];
        let o = plan(
            &segments,
            None,
            chrono_tz::UTC,
            d("2026-01-01"),
            d("2026-01-31"),
        );
        let weeks: Vec<(String, String, u32)> = o
            .iter()
            .map(|o| (o.opens_on.to_string(), o.due_on.to_string(), o.required))
            .collect();
        assert_eq!(
            weeks,
            [
                ("2026-01-05".into(), "2026-01-07".into(), 3),
                ("2026-01-16".into(), "2026-01-18".into(), 3),
                ("2026-01-19".into(), "2026-01-25".into(), 3),
            ]
        );
        // Ending on the 21st closes that week on the 20th, with 2 days.
        let ended = plan(
            &segments,
            Some(d("2026-01-21")),
            chrono_tz::UTC,
            d("2026-01-19"),
            d("2026-01-31"),
        );
        assert_eq!(
            (ended[0].due_on.to_string(), ended[0].required),
            ("2026-01-20".into(), 2)
        );
    }

    #[test]
    fn adherence_adds_up_on_a_hand_computed_week() {
        // Daily from Monday 2026-03-02 in UTC; it is Sunday 2026-03-08 at noon.
        let utc = chrono_tz::UTC;
        let now = at("2026-03-08T12:00:00Z");
        let daily = Schedule::Daily {
            start_on: d("2026-03-02"),
            end_on: None,
            count: None,
        };
        let tallies = [
            Tally {
                on_time: 1,
                late: 0,
            }, // Mon
            Tally {
                on_time: 0,
                late: 1,
            }, // Tue, done on Wednesday
            Tally::default(), // Wed: missed
            Tally {
                on_time: 2,
                late: 0,
            }, // Thu: twice, counts once
            Tally::default(), // Fri: missed
            Tally {
                on_time: 1,
                late: 0,
            }, // Sat
            Tally::default(), // Sun: still open
        ];
        let mut week = Adherence::empty(d("2026-03-02"), d("2026-03-08"));
        for (o, t) in daily
            .occurrences(utc, d("2026-03-02"), d("2026-03-08"))
            .iter()
            .zip(tallies)
        {
            week.add(o, t, now);
        }
        assert_eq!(
            (
                week.due,
                week.completed_on_time,
                week.completed_late,
                week.missed,
                week.pending
            ),
            (7, 3, 1, 2, 1)
        );
        assert_eq!(week.completion_rate(), Some(4.0 / 6.0));
    }
}
