//! The daily check-in: mood (the journal's 1-5 scale), energy 1-5, hours
//! of sleep and free tags, at most one per local date, and a weekly
//! summary.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use diesel::prelude::*;

use crate::access::Client;
use crate::db::schema::daily_check_ins;
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::UserId;
use crate::time::Timestamp;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = daily_check_ins)]
struct Row {
    client_id: UserId,
    on_date: NaiveDate,
    mood: Option<i32>,
    energy: Option<i32>,
    sleep_hours: Option<f64>,
    tags: String,
    note: Option<String>,
    updated_at: Timestamp,
}

/// One day's check-in.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyCheckIn {
    pub client_id: UserId,
    pub on_date: NaiveDate,
    pub mood: Option<i32>,
    pub energy: Option<i32>,
    pub sleep_hours: Option<f64>,
    pub tags: Vec<String>,
    pub note: Option<String>,
    pub updated_at: Timestamp,
}

impl TryFrom<Row> for DailyCheckIn {
    type Error = DomainError;

    fn try_from(r: Row) -> DomainResult<Self> {
        let tags = serde_json::from_str(&r.tags)
            .map_err(|e| DomainError::Internal(format!("daily check-in tags: {e}")))?;
        Ok(Self {
            client_id: r.client_id,
            on_date: r.on_date,
            mood: r.mood,
            energy: r.energy,
            sleep_hours: r.sleep_hours,
            tags,
            note: r.note,
            updated_at: r.updated_at,
        })
    }
}

/// What a client sends for a day; at least one field.
#[derive(Debug, Clone, Default)]
pub struct DailyInput {
    pub mood: Option<i32>,
    pub energy: Option<i32>,
    pub sleep_hours: Option<f64>,
    pub tags: Vec<String>,
    pub note: Option<String>,
}

impl DailyInput {
    fn check(self) -> Result<Self, Vec<FieldError>> {
        let mut problems = Vec::new();
        let mut take = |r: Result<(), FieldError>| {
            if let Err(e) = r {
                problems.push(e);
            }
        };
        if let Some(mood) = self.mood {
            take(crate::journal::parse_mood("mood", mood).map(drop));
        }
        if let Some(energy) = self.energy {
            take(crate::journal::parse_mood("energy", energy).map(drop));
        }
        if let Some(hours) = self.sleep_hours {
            if !(hours.is_finite() && (0.0..=24.0).contains(&hours)) {
                take(Err(FieldError::new(
                    "sleep_hours",
                    "out_of_range",
                    "must be from 0 to 24",
                )));
            }
        }
        let tags = crate::journal::parse_tags(&self.tags);
        let note = super::check_note("note", self.note);
        let (tags, note) = match (tags, note) {
            (Ok(t), Ok(n)) => (t, n),
            (t, n) => {
                problems.extend(t.err());
                problems.extend(n.err());
                (Vec::new(), None)
            }
        };
        if problems.is_empty()
            && self.mood.is_none()
            && self.energy.is_none()
            && self.sleep_hours.is_none()
            && tags.is_empty()
            && note.is_none()
        {
            problems.push(FieldError::new(
                "mood",
                "required",
                "send at least one of mood, energy, sleep_hours, tags or note",
            ));
        }
        if problems.is_empty() {
            Ok(Self { tags, note, ..self })
        } else {
            Err(problems)
        }
    }
}

/// Writes (or replaces) the client's check-in of a local date.
pub fn put(
    conn: &mut DbConnection,
    me: &Client,
    date: NaiveDate,
    input: DailyInput,
    now: Timestamp,
) -> DomainResult<DailyCheckIn> {
    crate::accounts::users::lock(conn, me.id())?;
    let today = super::store::today_of(conn, me.id(), now)?;
    super::check_writable("date", date, today)?;
    let input = input.check().map_err(DomainError::Validation)?;
    let tags =
        serde_json::to_string(&input.tags).map_err(|e| DomainError::Internal(e.to_string()))?;
    let values = (
        daily_check_ins::mood.eq(input.mood),
        daily_check_ins::energy.eq(input.energy),
        daily_check_ins::sleep_hours.eq(input.sleep_hours),
        daily_check_ins::tags.eq(&tags),
        daily_check_ins::note.eq(input.note.as_deref()),
        daily_check_ins::updated_at.eq(now),
    );
    let updated = diesel::update(daily_check_ins::table.find((me.id(), date)))
        .set(values)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(daily_check_ins::table)
            .values((
                daily_check_ins::client_id.eq(me.id()),
                daily_check_ins::on_date.eq(date),
                values,
            ))
            .execute(conn)?;
    }
    get(conn, me.id(), date)
}

/// A client's check-in of a local date; `NotFound` when there is none.
pub fn get(conn: &mut DbConnection, client: UserId, date: NaiveDate) -> DomainResult<DailyCheckIn> {
    daily_check_ins::table
        .find((client, date))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)?
        .try_into()
}

pub fn delete(conn: &mut DbConnection, me: &Client, date: NaiveDate) -> DomainResult<()> {
    let gone = diesel::delete(daily_check_ins::table.find((me.id(), date))).execute(conn)?;
    if gone == 0 {
        return Err(DomainError::NotFound);
    }
    Ok(())
}

/// A client's check-ins in `from..=to`, oldest first.
pub fn range(
    conn: &mut DbConnection,
    client: UserId,
    from: NaiveDate,
    to: NaiveDate,
) -> DomainResult<Vec<DailyCheckIn>> {
    daily_check_ins::table
        .filter(daily_check_ins::client_id.eq(client))
        .filter(daily_check_ins::on_date.ge(from))
        .filter(daily_check_ins::on_date.le(to))
        .order(daily_check_ins::on_date.asc())
        .select(Row::as_select())
        .load::<Row>(conn)?
        .into_iter()
        .map(DailyCheckIn::try_from)
        .collect()
}

/// A tag and on how many of the days it came up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagCount {
    pub tag: String,
    pub days: u32,
}

/// The days of a week with the highest (or lowest) mood, and their tags.
#[derive(Debug, Clone, PartialEq)]
pub struct MoodDays {
    pub mood: i32,
    pub dates: Vec<NaiveDate>,
    /// Most frequent first, then by name.
    pub tags: Vec<TagCount>,
}

/// A week of check-ins in figures.
#[derive(Debug, Clone, PartialEq)]
pub struct WeekSummary {
    /// ISO week, e.g. `2026-W49`.
    pub week: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days_recorded: u32,
    pub mood_average: Option<f64>,
    pub energy_average: Option<f64>,
    pub sleep_hours_average: Option<f64>,
    pub best: Option<MoodDays>,
    pub worst: Option<MoodDays>,
}

/// The Monday of an ISO week named `YYYY-Www`.
pub fn parse_week(raw: &str) -> Option<NaiveDate> {
    let (year, week) = raw.split_once("-W")?;
    if year.len() != 4 || week.len() != 2 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)
}

/// The week `YYYY-Www` a date falls in.
pub fn week_of(date: NaiveDate) -> String {
    let iso = date.iso_week();
    format!("{:04}-W{:02}", iso.year(), iso.week())
}

/// Averages of a week from Monday `monday`, and the tags that came with
/// its best and worst mood days.
pub fn summary(
    conn: &mut DbConnection,
    client: UserId,
    monday: NaiveDate,
) -> DomainResult<WeekSummary> {
    let sunday = monday + Duration::days(6);
    let days = range(conn, client, monday, sunday)?;
    Ok(summarise(monday, &days))
}

pub(crate) fn summarise(monday: NaiveDate, days: &[DailyCheckIn]) -> WeekSummary {
    fn average(values: impl Iterator<Item = f64>) -> Option<f64> {
        let (sum, n) = values.fold((0.0, 0u32), |(s, n), v| (s + v, n + 1));
        (n > 0).then(|| sum / f64::from(n))
    }
    let moods = || days.iter().filter_map(|d| d.mood);
    let mood_days = |mood: Option<i32>| {
        let mood = mood?;
        let chosen: Vec<&DailyCheckIn> = days.iter().filter(|d| d.mood == Some(mood)).collect();
        let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
        for day in &chosen {
            for tag in &day.tags {
                *counts.entry(tag).or_default() += 1;
            }
        }
        let mut tags: Vec<TagCount> = counts
            .into_iter()
            .map(|(tag, days)| TagCount {
                tag: tag.to_owned(),
                days,
            })
            .collect();
        tags.sort_by(|a, b| b.days.cmp(&a.days).then_with(|| a.tag.cmp(&b.tag)));
        Some(MoodDays {
            mood,
            dates: chosen.iter().map(|d| d.on_date).collect(),
            tags,
        })
    };
    WeekSummary {
        week: week_of(monday),
        from: monday,
        to: monday + Duration::days(6),
        days_recorded: days.len() as u32,
        mood_average: average(moods().map(f64::from)),
        energy_average: average(days.iter().filter_map(|d| d.energy).map(f64::from)),
        sleep_hours_average: average(days.iter().filter_map(|d| d.sleep_hours)),
        best: mood_days(moods().max()),
        worst: mood_days(moods().min()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn day(date: &str, mood: i32, tags: &[&str]) -> DailyCheckIn {
        DailyCheckIn {
            client_id: UserId::new(),
            on_date: date.parse().unwrap(),
            mood: Some(mood),
            energy: None,
            sleep_hours: Some(7.0),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            note: None,
            updated_at: Timestamp::now(),
        }
    }

    #[test]
    fn a_week_names_the_tags_of_its_best_and_worst_days() {
        let monday = parse_week("2026-W49").unwrap();
        assert_eq!(monday.to_string(), "2026-11-30");
        assert_eq!(week_of(monday + Duration::days(6)), "2026-W49");
        assert!(parse_week("2026-W54").is_none());
        assert!(parse_week("2026-49").is_none());
        let days = [
            day("2026-11-30", 2, &["anxious", "worked"]),
            day("2026-12-01", 5, &["calm", "saw-friends"]),
            day("2026-12-02", 5, &["saw-friends"]),
            day("2026-12-03", 2, &["anxious"]),
        ];
        let s = summarise(monday, &days);
        assert_eq!(s.mood_average, Some(3.5));
        assert_eq!(s.sleep_hours_average, Some(7.0));
        let best = s.best.unwrap();
        assert_eq!(best.mood, 5);
        assert_eq!(best.tags[0].tag, "saw-friends");
        assert_eq!(best.tags[0].days, 2);
        let worst = s.worst.unwrap();
        assert_eq!(worst.tags[0].tag, "anxious");
        assert_eq!(worst.dates.len(), 2);
    }
}
