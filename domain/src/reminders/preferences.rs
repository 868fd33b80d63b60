//! Each person's reminder settings: which kinds they get, at what local
//! time, their quiet hours and the zone those times are read in. Stored as
//! JSON, one row per person; a person without a row has the defaults.

use chrono::{Duration, NaiveTime, Timelike};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Role;
use crate::db::schema::{mail_opt_outs, notification_preferences, users};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::UserId;
use crate::time::{local_date, local_instant, TimeOfDay, Timestamp};

crate::text_enum! {
    /// A kind of reminder a person can turn on or off (and unsubscribe from).
    pub enum NotificationKind {
        /// Before a booked consultation (the booker; the therapist too).
        ConsultationReminders => "consultation_reminders",
        /// On the day an exercise is due (clients).
        ExerciseReminders => "exercise_reminders",
        /// At a habit's reminder time on its due days (clients).
        HabitReminders => "habit_reminders",
        /// Once a day when clients shared or submitted something (therapists).
        TherapistDigest => "therapist_digest",
        /// Sunday evening (clients; off by default).
        WeeklySummary => "weekly_summary",
    }
}

impl NotificationKind {
    /// Whether a person of `role` gets this kind.
    pub fn applies_to(self, role: Role) -> bool {
        match self {
            Self::ConsultationReminders | Self::TherapistDigest => role == Role::Therapist,
            Self::ExerciseReminders | Self::HabitReminders | Self::WeeklySummary => {
                role == Role::Client
            }
        }
    }

    /// What turning it off means, in a sentence.
    pub fn describe(self) -> &'static str {
        match self {
            Self::ConsultationReminders => "reminders before a booked consultation",
            Self::ExerciseReminders => "reminders on the days an exercise is due",
            Self::HabitReminders => "habit reminders",
            Self::TherapistDigest => "the daily digest of what clients shared",
            Self::WeeklySummary => "the weekly summary",
        }
    }
}

fn time(h: u32, m: u32) -> TimeOfDay {
    TimeOfDay(NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN))
}

/// Local hours in which no nudge or digest is sent: from `start` until
/// `end` (across midnight when `end` is earlier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHours {
    pub start: TimeOfDay,
    pub end: TimeOfDay,
}

/// The longest quiet hours may last.
pub const QUIET_HOURS_MAX: i32 = 12;

/// How long before quiet hours begin an appointment reminder that would
/// fall inside them is sent instead.
pub const EARLY_MARGIN_MINUTES: i64 = 30;

impl Default for QuietHours {
    fn default() -> Self {
        Self {
            start: time(21, 0),
            end: time(8, 0),
        }
    }
}

impl QuietHours {
    fn contains(&self, t: NaiveTime) -> bool {
        let (start, end) = (self.start.0, self.end.0);
        if start < end {
            start <= t && t < end
        } else {
            t >= start || t < end
        }
    }

    fn local_time(at: Timestamp, zone: Tz) -> NaiveTime {
        at.0.with_timezone(&zone).time()
    }

    /// `at`, or when quiet hours end if it falls inside them (a nudge or a
    /// digest waits).
    pub fn delay(&self, at: Timestamp, zone: Tz) -> Timestamp {
        let t = Self::local_time(at, zone);
        if !self.contains(t) {
            return at;
        }
        let date = local_date(at, zone);
        let end_date = if self.start.0 < self.end.0 || t < self.end.0 {
            date
        } else {
            date + Duration::days(1)
        };
        local_instant(end_date, self.end.0, zone).max(at)
    }

    /// `at`, or a little before quiet hours began if it falls inside them
    /// (an appointment reminder comes earlier, never later).
    pub fn advance(&self, at: Timestamp, zone: Tz) -> Timestamp {
        let t = Self::local_time(at, zone);
        if !self.contains(t) {
            return at;
        }
        let date = local_date(at, zone);
        let start_date = if self.start.0 < self.end.0 || t >= self.start.0 {
            date
        } else {
            date - Duration::days(1)
        };
        let began = local_instant(start_date, self.start.0, zone).min(at);
        began - Duration::minutes(EARLY_MARGIN_MINUTES)
    }

    /// Checks a pair: start and end must differ, and quiet hours last at
    /// most 12 hours (a nudge they hold still goes out the same day or the
    /// next morning, well before it is too late to be worth sending).
    pub fn check(&self, field: &str) -> Result<(), FieldError> {
        if self.start == self.end {
            return Err(FieldError::new(
                format!("{field}.end"),
                "invalid",
                "must differ from start (to have no quiet hours, send null)",
            ));
        }
        let (start, end) = (minutes_of(self.start), minutes_of(self.end));
        if (end - start).rem_euclid(24 * 60) > QUIET_HOURS_MAX * 60 {
            return Err(FieldError::new(
                format!("{field}.end"),
                "out_of_range",
                format!("quiet hours last at most {QUIET_HOURS_MAX} hours"),
            ));
        }
        Ok(())
    }
}

/// Applies `quiet` (if any) the way `how` says.
pub fn shift(quiet: Option<&QuietHours>, at: Timestamp, zone: Tz, early: bool) -> Timestamp {
    match quiet {
        None => at,
        Some(q) if early => q.advance(at, zone),
        Some(q) => q.delay(at, zone),
    }
}

/// Reminders before a consultation, for the therapist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ConsultationReminders {
    pub enabled: bool,
    /// How long before the start (15 to 1,440 minutes; 60 by default).
    #[schema(minimum = 15, maximum = 1440)]
    pub minutes_before: u32,
}

impl Default for ConsultationReminders {
    fn default() -> Self {
        Self {
            enabled: true,
            minutes_before: 60,
        }
    }
}

/// Reminders on the day an exercise is due, for the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ExerciseReminders {
    pub enabled: bool,
    /// The local time on the due day (09:00 by default).
    pub time: TimeOfDay,
    /// Also the evening before a one-off due date.
    pub evening_before: bool,
    /// The local time of that evening reminder (19:00 by default).
    pub evening_time: TimeOfDay,
}

impl Default for ExerciseReminders {
    fn default() -> Self {
        Self {
            enabled: true,
            time: time(9, 0),
            evening_before: false,
            evening_time: time(19, 0),
        }
    }
}

/// On or off (habit reminders: each habit carries its own time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ReminderToggle {
    pub enabled: bool,
}

impl Default for ReminderToggle {
    fn default() -> Self {
        Self { enabled: true }
    }
}

/// The therapist's daily digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DigestSettings {
    pub enabled: bool,
    /// The local time (08:00 by default).
    pub time: TimeOfDay,
}

impl Default for DigestSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            time: time(8, 0),
        }
    }
}

/// The client's weekly summary, on Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct WeeklySummarySettings {
    pub enabled: bool,
    /// The local time on Sunday (18:00 by default).
    pub time: TimeOfDay,
}

impl Default for WeeklySummarySettings {
    fn default() -> Self {
        Self {
            enabled: false,
            time: time(18, 0),
        }
    }
}

fn default_quiet() -> Option<QuietHours> {
    Some(QuietHours::default())
}

/// Everything a person set; what they did not set has its default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Preferences {
    /// The zone reminder times are read in; `None` follows the profile's.
    pub time_zone: Option<String>,
    #[serde(default = "default_quiet")]
    pub quiet_hours: Option<QuietHours>,
    pub consultation_reminders: ConsultationReminders,
    pub exercise_reminders: ExerciseReminders,
    pub habit_reminders: ReminderToggle,
    pub therapist_digest: DigestSettings,
    pub weekly_summary: WeeklySummarySettings,
}

impl Default for Preferences {
    fn default() -> Self {
        Self {
            time_zone: None,
            quiet_hours: default_quiet(),
            consultation_reminders: ConsultationReminders::default(),
            exercise_reminders: ExerciseReminders::default(),
            habit_reminders: ReminderToggle::default(),
            therapist_digest: DigestSettings::default(),
            weekly_summary: WeeklySummarySettings::default(),
        }
    }
}

impl Preferences {
    pub fn enabled(&self, kind: NotificationKind) -> bool {
        match kind {
            NotificationKind::ConsultationReminders => self.consultation_reminders.enabled,
            NotificationKind::ExerciseReminders => self.exercise_reminders.enabled,
            NotificationKind::HabitReminders => self.habit_reminders.enabled,
            NotificationKind::TherapistDigest => self.therapist_digest.enabled,
            NotificationKind::WeeklySummary => self.weekly_summary.enabled,
        }
    }

    pub fn turn_off(&mut self, kind: NotificationKind) {
        match kind {
            NotificationKind::ConsultationReminders => self.consultation_reminders.enabled = false,
            NotificationKind::ExerciseReminders => self.exercise_reminders.enabled = false,
            NotificationKind::HabitReminders => self.habit_reminders.enabled = false,
            NotificationKind::TherapistDigest => self.therapist_digest.enabled = false,
            NotificationKind::WeeklySummary => self.weekly_summary.enabled = false,
        }
    }
}

/// A person as their reminders see them.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: UserId,
    pub email: String,
    pub first_name: String,
    pub role: Role,
    /// The zone reminder times are read in (the preference, else the profile's).
    pub zone: Tz,
    pub day_starts_at: i32,
    pub active: bool,
    pub prefs: Preferences,
}

impl Person {
    /// Whether `kind` goes to this person at all.
    pub fn wants(&self, kind: NotificationKind) -> bool {
        self.active && kind.applies_to(self.role) && self.prefs.enabled(kind)
    }
}

/// The first word of a display name (emails greet by first name only).
pub fn first_name(display_name: &str) -> String {
    display_name
        .split_whitespace()
        .next()
        .unwrap_or("there")
        .to_owned()
}

/// Email, display name, role, profile zone, day start, when disabled, and
/// the stored preferences.
type PersonRow = (
    String,
    String,
    Role,
    String,
    i32,
    Option<Timestamp>,
    Option<String>,
);

/// The person with their preferences; `None` when there is no such user.
pub fn person(conn: &mut DbConnection, id: UserId) -> DomainResult<Option<Person>> {
    Ok(people(conn, &[id])?.remove(&id))
}

/// Each of `ids` that exists, with their preferences, in one query.
pub fn people(
    conn: &mut DbConnection,
    ids: &[UserId],
) -> DomainResult<std::collections::HashMap<UserId, Person>> {
    let rows: Vec<(UserId, PersonRow)> = users::table
        .left_join(notification_preferences::table)
        .filter(users::id.eq_any(ids))
        .select((
            users::id,
            (
                users::email,
                users::display_name,
                users::role,
                users::time_zone,
                users::day_starts_at,
                users::disabled_at,
                notification_preferences::settings.nullable(),
            ),
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(id, row)| Ok((id, Person::of(id, row)?)))
        .collect()
}

impl Person {
    fn of(id: UserId, row: PersonRow) -> DomainResult<Self> {
        let (email, display_name, role, profile_zone, day_starts_at, disabled_at, stored) = row;
        let prefs = match stored {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| DomainError::Internal(format!("preferences of {id}: {e}")))?,
            None => Preferences::default(),
        };
        let zone_name = prefs.time_zone.as_deref().unwrap_or(&profile_zone);
        Ok(Self {
            id,
            email,
            first_name: first_name(&display_name),
            role,
            zone: crate::care::stored_zone(zone_name)?,
            day_starts_at,
            active: disabled_at.is_none(),
            prefs,
        })
    }
}

/// Stores a person's preferences (replacing what was there).
pub fn save(
    conn: &mut DbConnection,
    id: UserId,
    prefs: &Preferences,
    now: Timestamp,
) -> DomainResult<()> {
    let json = serde_json::to_string(prefs).map_err(|e| DomainError::Internal(e.to_string()))?;
    crate::on_backend!(conn, c => diesel::insert_into(notification_preferences::table)
        .values((
            notification_preferences::user_id.eq(id),
            notification_preferences::settings.eq(&json),
            notification_preferences::updated_at.eq(now),
        ))
        .on_conflict(notification_preferences::user_id)
        .do_update()
        .set((
            notification_preferences::settings.eq(&json),
            notification_preferences::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// The address as opt-outs store it.
fn address_key(address: &str) -> String {
    address.trim().to_lowercase()
}

/// Whether someone without an account turned `kind` off for `address`.
pub fn opted_out(
    conn: &mut DbConnection,
    address: &str,
    kind: NotificationKind,
) -> DomainResult<bool> {
    let found: i64 = mail_opt_outs::table
        .filter(mail_opt_outs::address.eq(address_key(address)))
        .filter(mail_opt_outs::kind.eq(kind))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Turns `kind` off for `address` (idempotent).
pub fn opt_out(
    conn: &mut DbConnection,
    address: &str,
    kind: NotificationKind,
    now: Timestamp,
) -> DomainResult<()> {
    let address = address_key(address);
    crate::on_backend!(conn, c => diesel::insert_into(mail_opt_outs::table)
        .values((
            mail_opt_outs::address.eq(&address),
            mail_opt_outs::kind.eq(kind),
            mail_opt_outs::created_at.eq(now),
        ))
        .on_conflict((mail_opt_outs::address, mail_opt_outs::kind))
        .do_nothing()
        .execute(c))?;
    Ok(())
}

/// Minutes after midnight of a time of day.
pub fn minutes_of(t: TimeOfDay) -> i32 {
    (t.0.hour() * 60 + t.0.minute()) as i32
}
