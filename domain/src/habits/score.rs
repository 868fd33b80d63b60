//! A habit's numbers as pure functions of its rule and its check-ins: the
//! strength score, streaks and completion, one local date at a time.
//!
//! The score is Loop Habit Tracker's: with f = N/M,
//! `m = 0.5^(sqrt(f)/13)` and `score_d = score_{d-1}·m + v_d·(1 − m)`, where
//! `v_d` is the share of the target met in the window of the last M days.
//! Two changes make it fairer:
//!
//! - a skipped day freezes the score **and takes no place in the window**:
//!   the window is the last M days that were not skipped, so a sick week
//!   neither lowers a 3-per-week habit nor forgives the days around it;
//! - today, until it is checked in, is open: the score holds at yesterday's
//!   value instead of dipping every morning.
//!
//! Days before the habit's first day are not counted; the score starts at 0
//! (at 1 for an `at_most` habit, as in Loop). Folding is
//! incremental: a [`State`] after any day carries everything the next day
//! needs, so a stored state (a checkpoint) continues exactly as a fold from
//! the first day would.

use std::collections::{BTreeMap, VecDeque};

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::exercises::schedule::Weekday;

/// How often a habit is meant to happen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Frequency {
    /// Every day.
    Daily,
    /// On the chosen days of the week (a missed chosen day breaks a streak;
    /// other days neither break nor extend it).
    Weekdays {
        #[schema(min_items = 1, max_items = 7)]
        weekdays: Vec<Weekday>,
    },
    /// `times` in any `days` days in a row (3 per 7: three times a week).
    /// Numeric habits count their target per `days` and take `times` 1.
    TimesPerPeriod {
        #[schema(minimum = 1, maximum = 92)]
        times: u32,
        #[schema(minimum = 1, maximum = 92)]
        days: u32,
    },
}

impl Frequency {
    /// N: how many times in a window.
    pub fn times(&self) -> u32 {
        match self {
            Self::Daily => 1,
            Self::Weekdays { weekdays } => weekdays.len() as u32,
            Self::TimesPerPeriod { times, .. } => *times,
        }
    }

    /// M: the window, in days.
    pub fn days(&self) -> u32 {
        match self {
            Self::Daily => 1,
            Self::Weekdays { .. } => 7,
            Self::TimesPerPeriod { days, .. } => *days,
        }
    }

    /// Whether a missed `date` counts against a streak. Every day does,
    /// except for weekday habits, whose other days are not due.
    pub fn is_due(&self, date: NaiveDate) -> bool {
        match self {
            Self::Weekdays { weekdays } => weekdays.contains(&Weekday::of(date)),
            _ => true,
        }
    }
}

/// What a habit measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// Done or not.
    YesNo,
    /// A number per window that should reach the target.
    AtLeast(f64),
    /// A number per window that should stay at or under the target.
    AtMost(f64),
}

/// Everything the numbers depend on.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub frequency: Frequency,
    pub measure: Measure,
}

impl Rule {
    /// Loop's multiplier: `0.5^(sqrt(N/M)/13)`.
    pub fn multiplier(&self) -> f64 {
        let f = f64::from(self.frequency.times()) / f64::from(self.frequency.days());
        0.5f64.powf(f.sqrt() / 13.0)
    }

    /// `v_d` of a window's sum, and whether the target is met.
    pub fn progress(&self, sum: f64) -> (f64, bool) {
        match self.measure {
            Measure::YesNo => {
                let n = f64::from(self.frequency.times());
                ((sum / n).min(1.0), sum >= n)
            }
            Measure::AtLeast(target) => ((sum / target).min(1.0), sum >= target),
            Measure::AtMost(target) => (
                (1.0 - (sum - target) / target).clamp(0.0, 1.0),
                sum <= target,
            ),
        }
    }
}

/// One day's check-in, as far as the numbers care.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    Done,
    NotDone,
    Skip,
    Amount(f64),
}

impl Mark {
    /// What the day adds to the window (a day without a check-in adds 0).
    fn value(self) -> f64 {
        match self {
            Self::Done => 1.0,
            Self::NotDone | Self::Skip => 0.0,
            Self::Amount(a) => a.max(0.0),
        }
    }
}

crate::text_enum! {
    /// How a day counted.
    pub enum DayClass {
        /// On target: extends a streak.
        Met => "met",
        /// A due day off target: breaks a streak.
        Missed => "missed",
        /// Skipped (sick, travelling, a rest day): the score holds, a streak
        /// lives on.
        Skipped => "skipped",
        /// Not a chosen weekday: neither breaks nor extends a streak.
        NotDue => "not_due",
        /// Today, not yet checked in.
        Open => "open",
    }
}

/// A run of met days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Streak {
    /// Met days in the run (skips and days not due keep it, uncounted).
    pub length: u32,
    /// The first met day.
    pub start: NaiveDate,
    /// The last met day.
    pub end: NaiveDate,
}

/// The completion of a recent stretch: met days over due days that were
/// not skipped.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Completion {
    /// How many days back, today included.
    pub days: u32,
    pub met: u32,
    pub missed: u32,
    /// `met / (met + missed)`; null when nothing was due.
    pub rate: Option<f64>,
}

/// Completion is reported over at most this many recent days.
pub const RECENT_DAYS: usize = 90;

/// The fold after a day: all the next day needs.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The last day folded in.
    pub through: NaiveDate,
    pub score: f64,
    /// The values of the last (up to M) days not skipped, oldest first.
    window: VecDeque<f64>,
    run: Option<Streak>,
    best: Option<Streak>,
    /// How the last (up to 90) days counted, oldest first.
    recent: VecDeque<DayClass>,
}

/// What one day came to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub class: DayClass,
    /// The score at the end of the day.
    pub score: f64,
}

impl State {
    /// Before the first day counted: a score of 0, except for an `at_most`
    /// habit, which starts at 1 (nothing over the limit yet), as in Loop.
    pub fn before(first_day: NaiveDate, rule: &Rule) -> Self {
        Self {
            through: first_day - Duration::days(1),
            score: match rule.measure {
                Measure::AtMost(_) => 1.0,
                _ => 0.0,
            },
            window: VecDeque::new(),
            run: None,
            best: None,
            recent: VecDeque::new(),
        }
    }

    /// Folds in the day after `through`. `today` is open until checked in.
    pub fn step(&mut self, rule: &Rule, mark: Option<Mark>, today: NaiveDate) -> Outcome {
        let date = self.through + Duration::days(1);
        self.through = date;
        let class = match mark {
            None if date >= today => DayClass::Open,
            Some(Mark::Skip) => DayClass::Skipped,
            _ => {
                let value = mark.map_or(0.0, Mark::value);
                self.window.push_back(value);
                while self.window.len() > rule.frequency.days() as usize {
                    self.window.pop_front();
                }
                let sum: f64 = self.window.iter().sum();
                let (v, met) = rule.progress(sum);
                let m = rule.multiplier();
                self.score = self.score * m + v * (1.0 - m);
                match &rule.frequency {
                    // A weekday habit's streak follows its chosen days alone.
                    Frequency::Weekdays { .. } if !rule.frequency.is_due(date) => DayClass::NotDue,
                    Frequency::Weekdays { .. } => {
                        if mark == Some(Mark::Done) {
                            DayClass::Met
                        } else {
                            DayClass::Missed
                        }
                    }
                    _ if met => DayClass::Met,
                    _ => DayClass::Missed,
                }
            }
        };
        match class {
            DayClass::Met => {
                let run = self.run.get_or_insert(Streak {
                    length: 0,
                    start: date,
                    end: date,
                });
                run.length += 1;
                run.end = date;
            }
            DayClass::Missed => {
                self.best = longest(self.best, self.run.take());
            }
            _ => {}
        }
        self.recent.push_back(class);
        while self.recent.len() > RECENT_DAYS {
            self.recent.pop_front();
        }
        Outcome {
            class,
            score: self.score,
        }
    }

    /// The run still alive after `through`.
    pub fn current_streak(&self) -> Option<Streak> {
        self.run
    }

    /// The longest run so far (the earliest of equals).
    pub fn best_streak(&self) -> Option<Streak> {
        longest(self.best, self.run)
    }

    /// Completion over the last `days` days up to `through`.
    pub fn completion(&self, days: u32) -> Completion {
        let counted = self.recent.iter().rev().take(days as usize);
        let (mut met, mut missed) = (0, 0);
        for class in counted {
            match class {
                DayClass::Met => met += 1,
                DayClass::Missed => missed += 1,
                _ => {}
            }
        }
        Completion {
            days,
            met,
            missed,
            rate: (met + missed > 0).then(|| f64::from(met) / f64::from(met + missed)),
        }
    }

    /// The state as a checkpoint stores it: floats by their bits, so a
    /// stored state continues exactly.
    pub fn encode(&self) -> String {
        let stored = Stored {
            through: self.through,
            score: self.score.to_bits(),
            window: self.window.iter().map(|v| v.to_bits()).collect(),
            run: self.run,
            best: self.best,
            recent: self
                .recent
                .iter()
                .map(|c| match c {
                    DayClass::Met => 'm',
                    DayClass::Missed => 'x',
                    DayClass::Skipped => 's',
                    DayClass::NotDue => 'n',
                    DayClass::Open => 'o',
                })
                .collect(),
        };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// A stored state; `None` when it does not read (it is then rebuilt).
    pub fn decode(raw: &str) -> Option<Self> {
        let stored: Stored = serde_json::from_str(raw).ok()?;
        let recent = stored
            .recent
            .chars()
            .map(|c| match c {
                'm' => Some(DayClass::Met),
                'x' => Some(DayClass::Missed),
                's' => Some(DayClass::Skipped),
                'n' => Some(DayClass::NotDue),
                'o' => Some(DayClass::Open),
                _ => None,
            })
            .collect::<Option<VecDeque<_>>>()?;
        Some(Self {
            through: stored.through,
            score: f64::from_bits(stored.score),
            window: stored.window.into_iter().map(f64::from_bits).collect(),
            run: stored.run,
            best: stored.best,
            recent,
        })
    }
}

#[derive(Serialize, Deserialize)]
struct Stored {
    through: NaiveDate,
    score: u64,
    window: Vec<u64>,
    run: Option<Streak>,
    best: Option<Streak>,
    recent: String,
}

fn longest(a: Option<Streak>, b: Option<Streak>) -> Option<Streak> {
    match (a, b) {
        (Some(a), Some(b)) if b.length > a.length => Some(b),
        (Some(a), _) => Some(a),
        (None, b) => b,
    }
}

/// Folds `state` forward through `until`, calling `each` after every day.
pub fn fold(
    rule: &Rule,
    state: &mut State,
    marks: &BTreeMap<NaiveDate, Mark>,
    until: NaiveDate,
    today: NaiveDate,
    mut each: impl FnMut(NaiveDate, Outcome, &State),
) {
    while state.through < until {
        let date = state.through + Duration::days(1);
        let outcome = state.step(rule, marks.get(&date).copied(), today);
        each(date, outcome, state);
    }
}

/// Whether a date is the last of its month (where checkpoints are kept).
pub fn is_month_end(date: NaiveDate) -> bool {
    (date + Duration::days(1)).day() == 1
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn daily() -> Rule {
        Rule {
            frequency: Frequency::Daily,
            measure: Measure::YesNo,
        }
    }

    #[test]
    fn a_daily_habit_done_every_day_climbs_as_loop_computes() {
        let rule = daily();
        let mut state = State::before(d("2026-01-01"), &rule);
        let marks: BTreeMap<_, _> = (0..10)
            .map(|i| (d("2026-01-01") + Duration::days(i), Mark::Done))
            .collect();
        fold(
            &rule,
            &mut state,
            &marks,
            d("2026-01-10"),
            d("2026-02-01"),
            |_, _, _| {},
        );
        let m = 0.5f64.powf(1.0 / 13.0);
        // score_n = 1 - m^n when every day is done from a score of 0.
        assert!((state.score - (1.0 - m.powi(10))).abs() < 1e-12);
        assert_eq!(state.current_streak().map(|s| s.length), Some(10));
    }

    #[test]
    fn a_skip_freezes_the_score_keeps_the_streak_and_takes_no_place_in_the_window() {
        let rule = Rule {
            frequency: Frequency::TimesPerPeriod { times: 2, days: 3 },
            measure: Measure::YesNo,
        };
        let mut state = State::before(d("2026-03-01"), &rule);
        let marks = BTreeMap::from([
            (d("2026-03-01"), Mark::Done),
            (d("2026-03-02"), Mark::Done),
            (d("2026-03-03"), Mark::Skip),
            (d("2026-03-04"), Mark::Skip),
        ]);
        let mut scores = Vec::new();
        fold(
            &rule,
            &mut state,
            &marks,
            d("2026-03-05"),
            d("2026-04-01"),
            |_, o, _| scores.push((o.class, o.score)),
        );
        assert_eq!(scores[2].1, scores[1].1);
        assert_eq!(scores[3].1, scores[1].1);
        assert_eq!(scores[2].0, DayClass::Skipped);
        // The 1st alone is one of two: missed. On the 5th the window is the
        // 1st, 2nd and 5th: two done, still met.
        assert_eq!(scores[0].0, DayClass::Missed);
        assert_eq!(scores[4].0, DayClass::Met);
        assert_eq!(state.current_streak().map(|s| s.length), Some(2));
    }

    #[test]
    fn weekday_habits_count_only_their_days_in_streaks() {
        let rule = Rule {
            frequency: Frequency::Weekdays {
                weekdays: vec![Weekday::Mon, Weekday::Wed],
            },
            measure: Measure::YesNo,
        };
        // 2026-03-02 is a Monday.
        let marks = BTreeMap::from([
            (d("2026-03-02"), Mark::Done),
            (d("2026-03-04"), Mark::Done),
            (d("2026-03-09"), Mark::Done),
        ]);
        let mut state = State::before(d("2026-03-02"), &rule);
        fold(
            &rule,
            &mut state,
            &marks,
            d("2026-03-10"),
            d("2026-04-01"),
            |_, _, _| {},
        );
        assert_eq!(state.current_streak().map(|s| s.length), Some(3));
        let mut state = State::before(d("2026-03-02"), &rule);
        let mut missed = marks.clone();
        missed.remove(&d("2026-03-04"));
        fold(
            &rule,
            &mut state,
            &missed,
            d("2026-03-10"),
            d("2026-04-01"),
            |_, _, _| {},
        );
        assert_eq!(state.current_streak().map(|s| s.length), Some(1));
        assert_eq!(state.best_streak().map(|s| s.length), Some(1));
    }

    #[test]
    fn numeric_targets_score_at_least_and_at_most() {
        let at_least = Rule {
            frequency: Frequency::Daily,
            measure: Measure::AtLeast(8.0),
        };
        assert_eq!(at_least.progress(4.0), (0.5, false));
        assert_eq!(at_least.progress(10.0), (1.0, true));
        let at_most = Rule {
            frequency: Frequency::Daily,
            measure: Measure::AtMost(2.0),
        };
        assert_eq!(at_most.progress(1.0), (1.0, true));
        assert_eq!(at_most.progress(3.0), (0.5, false));
        assert_eq!(at_most.progress(5.0), (0.0, false));
    }

    #[test]
    fn today_is_open_until_checked_in_and_a_stored_state_continues_exactly() {
        let rule = Rule {
            frequency: Frequency::TimesPerPeriod { times: 3, days: 7 },
            measure: Measure::YesNo,
        };
        // Up to the day before today (2026-03-01).
        let marks: BTreeMap<_, _> = (0..59)
            .filter(|i| i % 3 != 0)
            .map(|i| {
                let mark = if i % 7 == 0 { Mark::Skip } else { Mark::Done };
                (d("2026-01-01") + Duration::days(i), mark)
            })
            .collect();
        let today = d("2026-03-01");
        let mut whole = State::before(d("2026-01-01"), &rule);
        fold(&rule, &mut whole, &marks, today, today, |_, _, _| {});
        let mut first = State::before(d("2026-01-01"), &rule);
        fold(
            &rule,
            &mut first,
            &marks,
            d("2026-01-31"),
            today,
            |_, _, _| {},
        );
        let mut resumed = State::decode(&first.encode()).unwrap();
        assert_eq!(resumed, first);
        fold(&rule, &mut resumed, &marks, today, today, |_, _, _| {});
        assert_eq!(resumed, whole);
        let before_today = {
            let mut s = State::before(d("2026-01-01"), &rule);
            fold(
                &rule,
                &mut s,
                &marks,
                today - Duration::days(1),
                today,
                |_, _, _| {},
            );
            s.score
        };
        assert_eq!(whole.score, before_today, "an open today holds the score");
    }
}
