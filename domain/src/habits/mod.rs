//! Habits and daily check-ins: what a client tracks between sessions.
//!
//! - [`score`]: strength score, streaks and completion (pure);
//! - [`store`]: habits, check-ins by local date, and the checkpoints that
//!   keep reads independent of how long the history is;
//! - [`suggestions`]: a therapist suggests, the client accepts or declines;
//! - [`daily`]: mood, energy, sleep and tags once a day, and a weekly summary;
//! - [`sharing`]: a habit, or the daily series, shown to the therapist.
//!
//! Check-ins are keyed by the client's local date, never by an instant: a
//! change of time zone leaves every past date where it was. "Today" is the
//! date in the client's zone now, less their day-start offset.

pub mod daily;
pub mod score;
pub mod sharing;
pub mod store;
pub mod suggestions;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{DomainError, DomainResult, FieldError};
use crate::exercises::fields::{check_line, check_text, Problems};
use crate::time::{TimeOfDay, Timestamp};
use score::{Frequency, Measure, Rule};

crate::text_enum! {
    /// Done or not, or a number.
    pub enum HabitKind {
        YesNo => "yes_no",
        Numeric => "numeric",
    }
}

crate::text_enum! {
    /// Which side of the target counts as on target.
    pub enum TargetKind {
        /// The window's sum should reach the target (8 glasses of water).
        AtLeast => "at_least",
        /// The window's sum should stay at or under it (2 coffees).
        AtMost => "at_most",
    }
}

crate::text_enum! {
    /// How the kind and the side of the target are stored together.
    pub(crate) enum StoredMeasure {
        YesNo => "yes_no",
        AtLeast => "at_least",
        AtMost => "at_most",
    }
}

pub const NAME_MAX_CHARS: usize = 100;
pub const DESCRIPTION_MAX_CHARS: usize = 1_000;
pub const NOTE_MAX_CHARS: usize = 500;
pub const UNIT_MAX_CHARS: usize = 20;
pub const KEY_MAX_CHARS: usize = 40;
/// The largest target or amount.
pub const AMOUNT_MAX: f64 = 1_000_000.0;
/// The longest window of `times_per_period`.
pub const PERIOD_DAYS_MAX: u32 = 92;
/// How far back a check-in may be written.
pub const BACKFILL_DAYS_MAX: i64 = 10 * 366;
/// The longest range one read covers.
pub const RANGE_DAYS_MAX: i64 = 366;
/// The latest a client's day may start.
pub const DAY_START_MAX_MINUTES: i32 = 360;

/// A habit as a client (or a therapist's suggestion) describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Definition {
    #[schema(example = "Drink water", min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 1000)]
    pub description: Option<String>,
    /// A colour key the front end understands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "teal", pattern = "^[a-z0-9_-]{1,40}$")]
    pub color: Option<String>,
    /// An icon key the front end understands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "water", pattern = "^[a-z0-9_-]{1,40}$")]
    pub icon: Option<String>,
    pub kind: HabitKind,
    /// Numeric habits: what is counted (`glasses`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "glasses", max_length = 20)]
    pub unit: Option<String>,
    /// Numeric habits (required): the target per window of `frequency`
    /// (per day for `daily`), above 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = 8, exclusive_minimum = 0, maximum = 1000000)]
    pub target: Option<f64>,
    /// Numeric habits: `at_least` (default) or `at_most`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_kind: Option<TargetKind>,
    pub frequency: Frequency,
    /// A local time to be reminded on due days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_time: Option<TimeOfDay>,
}

impl Definition {
    /// Checks every field; `at` prefixes field names (`""` for a top-level
    /// body). Normalises blank optional text to none.
    pub fn check(mut self, at: &str) -> Result<Self, Vec<FieldError>> {
        let mut problems = Problems::default();
        let name_at = format!("{at}name");
        check_line(&mut problems, &name_at, &self.name, NAME_MAX_CHARS, true);
        self.name = self.name.trim().to_owned();
        self.description = self.description.filter(|d| !d.trim().is_empty());
        if let Some(description) = &self.description {
            check_text(
                &mut problems,
                &format!("{at}description"),
                description,
                DESCRIPTION_MAX_CHARS,
            );
        }
        for (name, key) in [("color", &self.color), ("icon", &self.icon)] {
            if let Some(key) = key {
                if !is_key(key) {
                    problems.add(
                        &format!("{at}{name}"),
                        "invalid",
                        "must be 1 to 40 lower-case letters, digits, - or _",
                    );
                }
            }
        }
        match &self.frequency {
            Frequency::Daily => {}
            Frequency::Weekdays { weekdays } => {
                let mut seen = weekdays.clone();
                seen.sort();
                seen.dedup();
                if weekdays.is_empty() || seen.len() != weekdays.len() {
                    problems.add(
                        &format!("{at}frequency.weekdays"),
                        "invalid",
                        "must name 1 to 7 different days",
                    );
                }
            }
            Frequency::TimesPerPeriod { times, days } => {
                if !(1..=PERIOD_DAYS_MAX).contains(days) {
                    problems.add(
                        &format!("{at}frequency.days"),
                        "out_of_range",
                        format!("must be from 1 to {PERIOD_DAYS_MAX}"),
                    );
                } else if !(1..=*days).contains(times) {
                    problems.add(
                        &format!("{at}frequency.times"),
                        "out_of_range",
                        "must be from 1 to days",
                    );
                }
            }
        }
        match self.kind {
            HabitKind::YesNo => {
                for (name, given) in [
                    ("unit", self.unit.is_some()),
                    ("target", self.target.is_some()),
                    ("target_kind", self.target_kind.is_some()),
                ] {
                    if given {
                        problems.add(
                            &format!("{at}{name}"),
                            "not_allowed",
                            "only numeric habits have a unit and a target",
                        );
                    }
                }
            }
            HabitKind::Numeric => {
                match self.target {
                    None => problems.add(
                        &format!("{at}target"),
                        "required",
                        "numeric habits need a target",
                    ),
                    Some(t) if !(t.is_finite() && t > 0.0 && t <= AMOUNT_MAX) => problems.add(
                        &format!("{at}target"),
                        "out_of_range",
                        "must be above 0 and at most 1,000,000",
                    ),
                    Some(_) => {}
                }
                self.target_kind.get_or_insert(TargetKind::AtLeast);
                self.unit = self.unit.filter(|u| !u.trim().is_empty());
                if let Some(unit) = &self.unit {
                    check_line(
                        &mut problems,
                        &format!("{at}unit"),
                        unit,
                        UNIT_MAX_CHARS,
                        true,
                    );
                }
                match &self.frequency {
                    Frequency::Daily => {}
                    Frequency::TimesPerPeriod { times: 1, .. } => {}
                    Frequency::TimesPerPeriod { .. } => problems.add(
                        &format!("{at}frequency.times"),
                        "invalid",
                        "numeric habits count their target per period: times must be 1",
                    ),
                    Frequency::Weekdays { .. } => problems.add(
                        &format!("{at}frequency"),
                        "invalid",
                        "numeric habits are counted per day (daily) or per period (times_per_period)",
                    ),
                }
            }
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems.0)
        }
    }

    /// What the numbers follow.
    pub fn rule(&self) -> Rule {
        let measure = match (self.kind, self.target, self.target_kind) {
            (HabitKind::Numeric, Some(t), Some(TargetKind::AtMost)) => Measure::AtMost(t),
            (HabitKind::Numeric, Some(t), _) => Measure::AtLeast(t),
            _ => Measure::YesNo,
        };
        Rule {
            frequency: self.frequency.clone(),
            measure,
        }
    }
}

fn is_key(key: &str) -> bool {
    (1..=KEY_MAX_CHARS).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

/// A short optional note: blank is none.
pub fn check_note(field: &str, note: Option<String>) -> Result<Option<String>, FieldError> {
    let Some(note) = note.filter(|n| !n.trim().is_empty()) else {
        return Ok(None);
    };
    let mut problems = Problems::default();
    check_text(&mut problems, field, &note, NOTE_MAX_CHARS);
    match problems.0.into_iter().next() {
        Some(problem) => Err(problem),
        None => Ok(Some(note)),
    }
}

/// The client's "today": the local date in `zone` at `now`, less the
/// offset at which their day starts (at 01:00 with a 03:00 start, it is
/// still yesterday).
pub fn today(now: Timestamp, zone: Tz, day_starts_at: i32) -> NaiveDate {
    let local = now.0.with_timezone(&zone).naive_local();
    (local - Duration::minutes(i64::from(day_starts_at))).date()
}

/// A date a client writes for: not after today, not more than ten years back.
pub fn check_writable(field: &str, date: NaiveDate, today: NaiveDate) -> DomainResult<()> {
    if date > today {
        return Err(DomainError::invalid(
            field,
            "in_future",
            format!("must be today ({today}) or earlier in your time zone"),
        ));
    }
    if date < today - Duration::days(BACKFILL_DAYS_MAX) {
        return Err(DomainError::invalid(
            field,
            "out_of_range",
            "must be at most ten years back",
        ));
    }
    Ok(())
}

/// A `from..=to` range of local dates: `to` defaults to today (and a `to`
/// after today reads as today: nothing is recorded ahead), `from` to 29
/// days before `to`; at most 366 days; no date before 1900.
pub fn range(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    today: NaiveDate,
) -> DomainResult<(NaiveDate, NaiveDate)> {
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN);
    for (field, date) in [("from", from), ("to", to)] {
        if date.is_some_and(|d| d < earliest) {
            return Err(DomainError::invalid(
                field,
                "out_of_range",
                "must be 1900-01-01 or later",
            ));
        }
    }
    let to = to.unwrap_or(today).min(today);
    let from = from.unwrap_or(to - Duration::days(29));
    if from > to {
        return Err(DomainError::invalid(
            "from",
            "out_of_range",
            format!("must not be after to (or after today, {today})"),
        ));
    }
    if (to - from).num_days() >= RANGE_DAYS_MAX {
        return Err(DomainError::invalid(
            "from",
            "out_of_range",
            format!("a range covers at most {RANGE_DAYS_MAX} days"),
        ));
    }
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn today_follows_the_zone_and_the_day_start() {
        let at = |s: &str| Timestamp(s.parse().unwrap());
        let auckland = chrono_tz::Pacific::Auckland;
        // 23:59 and 00:01 in Auckland (UTC+13 in December).
        assert_eq!(
            today(at("2026-12-05T10:59:00Z"), auckland, 0).to_string(),
            "2026-12-05"
        );
        assert_eq!(
            today(at("2026-12-05T11:01:00Z"), auckland, 0).to_string(),
            "2026-12-06"
        );
        // 01:00 with the day starting at 03:00 is still the day before.
        assert_eq!(
            today(at("2026-12-05T12:00:00Z"), auckland, 180).to_string(),
            "2026-12-05"
        );
    }
}
