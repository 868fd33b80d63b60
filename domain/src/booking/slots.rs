//! Open consultation slots: a pure function of the therapist's settings,
//! weekly availability and date overrides (in the therapist's zone), the
//! live bookings and "now".
//!
//! Availability is expanded one therapist-local day at a time: each slot is
//! a local start time on that day, turned into an instant with the offset
//! in force at that instant, never today's. A local time that does not
//! exist (spring forward) is skipped; one that happens twice (fall back) is
//! offered once, at its first occurrence. A slot is open when it lies in the
//! future beyond the minimum notice and within the horizon, its day has not
//! reached the daily cap, and its span with the buffers around it overlaps
//! no live booking's.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::exercises::schedule::Weekday;
use crate::time::{local_date, TimeOfDay, Timestamp};

/// A local time range on a day: `start` to `end` (`end` after `start`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub start: TimeOfDay,
    pub end: TimeOfDay,
}

/// Local time ranges for each day of the week (a day left out is not
/// available).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Weekly {
    #[serde(default)]
    pub mon: Vec<Range>,
    #[serde(default)]
    pub tue: Vec<Range>,
    #[serde(default)]
    pub wed: Vec<Range>,
    #[serde(default)]
    pub thu: Vec<Range>,
    #[serde(default)]
    pub fri: Vec<Range>,
    #[serde(default)]
    pub sat: Vec<Range>,
    #[serde(default)]
    pub sun: Vec<Range>,
}

impl Weekly {
    pub fn day(&self, day: Weekday) -> &[Range] {
        match day {
            Weekday::Mon => &self.mon,
            Weekday::Tue => &self.tue,
            Weekday::Wed => &self.wed,
            Weekday::Thu => &self.thu,
            Weekday::Fri => &self.fri,
            Weekday::Sat => &self.sat,
            Weekday::Sun => &self.sun,
        }
    }

    /// Each day's ranges with its name, Monday first.
    pub fn days(&self) -> [(&'static str, &[Range]); 7] {
        [
            ("mon", &self.mon),
            ("tue", &self.tue),
            ("wed", &self.wed),
            ("thu", &self.thu),
            ("fri", &self.fri),
            ("sat", &self.sat),
            ("sun", &self.sun),
        ]
    }
}

/// The most ranges one day may have.
pub const RANGES_MAX: usize = 12;

/// Ranges end after they start and do not overlap; at most 12.
pub fn check_ranges(field: &str, ranges: &[Range]) -> Result<Vec<Range>, crate::FieldError> {
    if ranges.len() > RANGES_MAX {
        return Err(crate::FieldError::new(
            field,
            "too_many",
            format!("at most {RANGES_MAX} ranges a day"),
        ));
    }
    let mut sorted = ranges.to_vec();
    sorted.sort();
    for (i, range) in sorted.iter().enumerate() {
        if range.end <= range.start {
            return Err(crate::FieldError::new(
                format!("{field}[{i}]"),
                "invalid",
                "end must be after start",
            ));
        }
        if i > 0 && sorted[i - 1].end > range.start {
            return Err(crate::FieldError::new(
                format!("{field}[{i}]"),
                "invalid",
                "ranges must not overlap",
            ));
        }
    }
    Ok(sorted)
}

/// The rules slots follow (minutes and days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rules {
    pub duration: i64,
    pub interval: i64,
    pub buffer_before: i64,
    pub buffer_after: i64,
    pub notice: i64,
    pub horizon_days: i64,
    pub daily_cap: i64,
}

/// A live (held or confirmed) booking, as slots see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    /// The span it blocks, buffers included.
    pub from: Timestamp,
    pub until: Timestamp,
    /// The therapist-local date it counts against the daily cap.
    pub day: NaiveDate,
}

/// An open slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// Everything the slots of a therapist depend on.
pub struct Calendar<'a> {
    pub zone: Tz,
    pub rules: Rules,
    pub weekly: &'a Weekly,
    pub overrides: &'a HashMap<NaiveDate, Vec<Range>>,
    pub busy: &'a [Busy],
}

impl Calendar<'_> {
    /// The slots a therapist-local day's availability offers, before any
    /// other rule: each local start time once, at its first occurrence.
    pub fn offered(&self, day: NaiveDate) -> Vec<Slot> {
        let ranges: &[Range] = match self.overrides.get(&day) {
            Some(ranges) => ranges,
            None => self.weekly.day(Weekday::of(day)),
        };
        let step = Duration::minutes(self.rules.interval.max(1));
        let length = Duration::minutes(self.rules.duration);
        let mut slots = Vec::new();
        for range in ranges {
            let (mut at, end) = (day.and_time(range.start.0), day.and_time(range.end.0));
            // The instant the range ends: a slot must end by it, in real
            // time (on a spring-forward day 01:30 + 60 min is 03:30).
            let closes = crate::time::local_instant(day, range.end.0, self.zone);
            while at + length <= end {
                // Earliest of an ambiguous time; none for a skipped one.
                if let Some(start) = self.zone.from_local_datetime(&at).earliest() {
                    let start = Timestamp(start.to_utc());
                    if start + length <= closes {
                        slots.push(Slot {
                            start,
                            end: start + length,
                        });
                    }
                }
                at += step;
            }
        }
        slots
    }

    /// Whether `slot` may be booked at `now`: notice, horizon, cap, buffers.
    /// The same check runs when a booking is made.
    pub fn open(&self, slot: Slot, now: Timestamp) -> Result<(), Refusal> {
        self.open_in(slot, now, &Taken::of(self.busy))
    }

    fn open_in(&self, slot: Slot, now: Timestamp, taken: &Taken) -> Result<(), Refusal> {
        let r = &self.rules;
        if slot.start < now + Duration::minutes(r.notice) {
            return Err(Refusal::Notice);
        }
        if slot.start > now + Duration::days(r.horizon_days) {
            return Err(Refusal::Horizon);
        }
        let day = local_date(slot.start, self.zone);
        if taken.per_day.get(&day).copied().unwrap_or(0) >= r.daily_cap {
            return Err(Refusal::DailyCap);
        }
        let (from, until) = self.span(slot);
        // Spans sorted by start: only those starting before `until` can
        // overlap; of them, any ending after `from` does.
        let before = taken.spans.partition_point(|(start, _)| *start < until);
        if taken.spans[..before].iter().any(|(_, end)| *end > from) {
            return Err(Refusal::Taken);
        }
        Ok(())
    }

    /// The span a booking of `slot` blocks: the slot and its buffers.
    pub fn span(&self, slot: Slot) -> (Timestamp, Timestamp) {
        (
            slot.start - Duration::minutes(self.rules.buffer_before),
            slot.end + Duration::minutes(self.rules.buffer_after),
        )
    }

    /// Whether `start` is a slot availability offers (the day it falls on
    /// in the therapist's zone, or the day before for a range that ends
    /// after midnight is not possible: ranges end by 23:59).
    pub fn offers(&self, start: Timestamp) -> Option<Slot> {
        let day = local_date(start, self.zone);
        self.offered(day).into_iter().find(|s| s.start == start)
    }

    /// Open slots whose start falls on `from..=to` in `viewer`'s zone,
    /// grouped by that local date.
    pub fn open_slots(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        viewer: Tz,
        now: Timestamp,
    ) -> BTreeMap<NaiveDate, Vec<Slot>> {
        let mut out: BTreeMap<NaiveDate, Vec<Slot>> = BTreeMap::new();
        let taken = Taken::of(self.busy);
        // The therapist-local days that can hold a start in the viewer's
        // range: offsets differ by up to 26 hours, so two days either side.
        let mut day = from - Duration::days(2);
        while day <= to + Duration::days(2) {
            for slot in self.offered(day) {
                let local = local_date(slot.start, viewer);
                if local < from || local > to || self.open_in(slot, now, &taken).is_err() {
                    continue;
                }
                out.entry(local).or_default().push(slot);
            }
            day += Duration::days(1);
        }
        for slots in out.values_mut() {
            slots.sort_by_key(|s| s.start);
            slots.dedup();
        }
        out
    }
}

/// The live bookings, ready for many checks: blocked spans sorted by start,
/// bookings per therapist-local day.
struct Taken {
    spans: Vec<(Timestamp, Timestamp)>,
    per_day: HashMap<NaiveDate, i64>,
}

impl Taken {
    fn of(busy: &[Busy]) -> Self {
        let mut spans: Vec<(Timestamp, Timestamp)> =
            busy.iter().map(|b| (b.from, b.until)).collect();
        spans.sort();
        let mut per_day = HashMap::new();
        for b in busy {
            *per_day.entry(b.day).or_insert(0) += 1;
        }
        Self { spans, per_day }
    }
}

/// Why a start cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a start availability offers.
    Unavailable,
    /// Sooner than the minimum notice.
    Notice,
    /// Beyond the booking horizon.
    Horizon,
    /// The day is full.
    DailyCap,
    /// It overlaps a held or confirmed booking, buffers included.
    Taken,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn t(s: &str) -> TimeOfDay {
        TimeOfDay::parse(s).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn rules() -> Rules {
        Rules {
            duration: 15,
            interval: 15,
            buffer_before: 0,
            buffer_after: 5,
            notice: 12 * 60,
            horizon_days: 400,
            daily_cap: 100,
        }
    }

    fn every_day(start: &str, end: &str) -> Weekly {
        let r = vec![Range {
            start: t(start),
            end: t(end),
        }];
        Weekly {
            mon: r.clone(),
            tue: r.clone(),
            wed: r.clone(),
            thu: r.clone(),
            fri: r.clone(),
            sat: r.clone(),
            sun: r,
        }
    }

    fn now() -> Timestamp {
        Timestamp("2026-03-01T00:00:00Z".parse().unwrap())
    }

    #[test]
    fn berlin_nine_to_five_keeps_its_local_hours_across_both_changes() {
        let weekly = every_day("09:00", "17:00");
        let overrides = HashMap::new();
        let cal = Calendar {
            zone: chrono_tz::Europe::Berlin,
            rules: rules(),
            weekly: &weekly,
            overrides: &overrides,
            busy: &[],
        };
        for (day, utc_first, utc_last) in [
            // Before the change (CET, +01:00) and on it (CEST, +02:00).
            ("2026-03-28", "2026-03-28T08:00:00Z", "2026-03-28T15:45:00Z"),
            ("2026-03-29", "2026-03-29T07:00:00Z", "2026-03-29T14:45:00Z"),
            ("2026-10-25", "2026-10-25T08:00:00Z", "2026-10-25T15:45:00Z"),
        ] {
            let slots = cal.offered(d(day));
            assert_eq!(slots.len(), 32, "{day}");
            assert_eq!(
                slots[0].start.0.to_rfc3339(),
                utc_first.replace('Z', "+00:00")
            );
            assert_eq!(
                slots[31].start.0.to_rfc3339(),
                utc_last.replace('Z', "+00:00")
            );
        }
    }

    #[test]
    fn new_york_one_to_four_skips_the_missing_hour_and_offers_the_doubled_one_once() {
        let weekly = every_day("01:00", "04:00");
        let overrides = HashMap::new();
        let cal = Calendar {
            zone: chrono_tz::America::New_York,
            rules: rules(),
            weekly: &weekly,
            overrides: &overrides,
            busy: &[],
        };
        // Spring forward: 02:00-02:59 does not exist.
        let spring = cal.offered(d("2026-03-08"));
        assert_eq!(spring.len(), 8);
        assert_eq!(spring[3].start.0.to_rfc3339(), "2026-03-08T06:45:00+00:00");
        assert_eq!(spring[4].start.0.to_rfc3339(), "2026-03-08T07:00:00+00:00");
        // Fall back: 01:00-01:59 happens twice, offered once (EDT).
        let fall = cal.offered(d("2026-11-01"));
        assert_eq!(fall.len(), 12);
        assert_eq!(fall[0].start.0.to_rfc3339(), "2026-11-01T05:00:00+00:00");
        assert_eq!(fall[4].start.0.to_rfc3339(), "2026-11-01T07:00:00+00:00");
        let starts: Vec<_> = fall.iter().map(|s| s.start).collect();
        let mut unique = starts.clone();
        unique.dedup();
        assert_eq!(starts, unique);
    }

    #[test]
    fn a_slot_ends_by_its_range_in_real_time_on_a_spring_forward_day() {
        let weekly = every_day("01:00", "03:00");
        let overrides = HashMap::new();
        let cal = Calendar {
            zone: chrono_tz::Europe::Berlin,
            rules: Rules {
                duration: 60,
                interval: 30,
                ..rules()
            },
            weekly: &weekly,
            overrides: &overrides,
            busy: &[],
        };
        // 01:00 CET ends at 03:00 CEST; 01:30 would end at 03:30.
        let slots = cal.offered(d("2026-03-29"));
        assert_eq!(slots.len(), 1);
        assert_eq!(slots[0].start.0.to_rfc3339(), "2026-03-29T00:00:00+00:00");
        assert_eq!(cal.offered(d("2026-03-28")).len(), 3);
    }

    #[test]
    fn notice_horizon_cap_and_buffers_close_slots() {
        let weekly = every_day("09:00", "11:00");
        let overrides = HashMap::from([(d("2026-03-11"), vec![])]);
        let booked = |start: &str, minutes: i64| {
            let s = Timestamp(start.parse().unwrap());
            Busy {
                from: s,
                until: s + Duration::minutes(minutes + 5),
                day: local_date(s, chrono_tz::UTC),
            }
        };
        let busy = [booked("2026-03-10T09:30:00Z", 15)];
        let cal = Calendar {
            zone: chrono_tz::UTC,
            rules: Rules {
                daily_cap: 2,
                horizon_days: 12,
                ..rules()
            },
            weekly: &weekly,
            overrides: &overrides,
            busy: &busy,
        };
        let open = cal.open_slots(d("2026-03-01"), d("2026-03-14"), chrono_tz::UTC, now());
        // The 1st is inside the 12-hour notice until noon: its 09:00-11:00 is gone.
        assert!(!open.contains_key(&d("2026-03-01")));
        // The override empties the 11th; the horizon ends on the 13th at 00:00.
        assert!(!open.contains_key(&d("2026-03-11")));
        assert!(!open.contains_key(&d("2026-03-13")));
        // On the 10th, 09:30 is booked: 09:30 and 09:45 (its 5-minute buffer
        // runs to 09:50) are closed, 09:15 ends at 09:30 and its own buffer
        // overlaps, so it is closed too.
        let tenth: Vec<String> = open[&d("2026-03-10")]
            .iter()
            .map(|s| s.start.0.format("%H:%M").to_string())
            .collect();
        assert_eq!(tenth, ["09:00", "10:00", "10:15", "10:30", "10:45"]);
        let capped = [
            booked("2026-03-12T09:00:00Z", 15),
            booked("2026-03-12T10:00:00Z", 15),
        ];
        let cal = Calendar {
            busy: &capped,
            ..cal
        };
        let open = cal.open_slots(d("2026-03-12"), d("2026-03-12"), chrono_tz::UTC, now());
        assert!(open.is_empty(), "the cap closes the day");
    }

    #[test]
    fn slots_are_grouped_by_the_viewers_date() {
        let weekly = every_day("09:00", "10:00");
        let overrides = HashMap::new();
        let cal = Calendar {
            zone: chrono_tz::Europe::Berlin,
            rules: rules(),
            weekly: &weekly,
            overrides: &overrides,
            busy: &[],
        };
        // 09:00 in Berlin on the 29th (after the change) is 18:00 in Sydney
        // the same day, 12:30 in Kolkata, 03:00 in New York.
        for (viewer, first) in [
            (chrono_tz::Australia::Sydney, "2026-03-29"),
            (chrono_tz::Asia::Kolkata, "2026-03-29"),
            (chrono_tz::America::New_York, "2026-03-29"),
        ] {
            let open = cal.open_slots(d("2026-03-29"), d("2026-03-29"), viewer, now());
            let slots = &open[&d(first)];
            assert_eq!(slots.len(), 4, "{viewer}");
            assert_eq!(slots[0].start.0.to_rfc3339(), "2026-03-29T07:00:00+00:00");
        }
    }
}
