//! The free consultation: a therapist's public booking profile, settings
//! and availability in their own zone, and the open slots anyone can see.
//!
//! - [`slots`]: availability expanded into slots (pure);
//! - this module: the profile, its settings and date overrides, stored.

pub mod consultations;
pub mod slots;

use std::collections::HashMap;

use chrono::NaiveDate;
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Therapist;
use crate::db::schema::{availability_overrides, therapist_profiles, users};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::exercises::fields::{check_line, check_text, Problems};
use crate::time::Timestamp;
use slots::{check_ranges, Range, Rules, Weekly};

/// How consultations are offered. In `PUT /me/booking-profile` any field
/// may be left out for its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Settings {
    /// Length of a consultation, 10 to 60 minutes.
    #[schema(minimum = 10, maximum = 60, default = 15)]
    pub duration_minutes: i32,
    /// Minutes between slot starts, 5 to 60.
    #[schema(minimum = 5, maximum = 60, default = 15)]
    pub interval_minutes: i32,
    /// Kept free before each consultation, 0 to 120 minutes.
    #[schema(minimum = 0, maximum = 120, default = 0)]
    pub buffer_before_minutes: i32,
    /// Kept free after each consultation, 0 to 120 minutes.
    #[schema(minimum = 0, maximum = 120, default = 5)]
    pub buffer_after_minutes: i32,
    /// How long before its start a slot can still be booked, 0 to 10,080 minutes.
    #[schema(minimum = 0, maximum = 10080, default = 720)]
    pub notice_minutes: i32,
    /// How far ahead slots are offered, 1 to 365 days.
    #[schema(minimum = 1, maximum = 365, default = 30)]
    pub horizon_days: i32,
    /// Consultations per local day of the therapist, 1 to 50.
    #[schema(minimum = 1, maximum = 50, default = 4)]
    pub daily_cap: i32,
    /// Until how long before the start the booker may cancel or move it,
    /// 0 to 10,080 minutes (the therapist is never held to it).
    #[schema(minimum = 0, maximum = 10080, default = 120)]
    pub cutoff_minutes: i32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            duration_minutes: 15,
            interval_minutes: 15,
            buffer_before_minutes: 0,
            buffer_after_minutes: 5,
            notice_minutes: 720,
            horizon_days: 30,
            daily_cap: 4,
            cutoff_minutes: 120,
        }
    }
}

impl Settings {
    fn check(&self, problems: &mut Problems) {
        for (name, value, min, max) in [
            ("duration_minutes", self.duration_minutes, 10, 60),
            ("interval_minutes", self.interval_minutes, 5, 60),
            ("buffer_before_minutes", self.buffer_before_minutes, 0, 120),
            ("buffer_after_minutes", self.buffer_after_minutes, 0, 120),
            ("notice_minutes", self.notice_minutes, 0, 10_080),
            ("horizon_days", self.horizon_days, 1, 365),
            ("daily_cap", self.daily_cap, 1, 50),
            ("cutoff_minutes", self.cutoff_minutes, 0, 10_080),
        ] {
            if !(min..=max).contains(&value) {
                problems.add(
                    &format!("settings.{name}"),
                    "out_of_range",
                    format!("must be from {min} to {max}"),
                );
            }
        }
    }

    pub fn rules(&self) -> Rules {
        Rules {
            duration: i64::from(self.duration_minutes),
            interval: i64::from(self.interval_minutes),
            buffer_before: i64::from(self.buffer_before_minutes),
            buffer_after: i64::from(self.buffer_after_minutes),
            notice: i64::from(self.notice_minutes),
            horizon_days: i64::from(self.horizon_days),
            daily_cap: i64::from(self.daily_cap),
        }
    }
}

pub const BIO_MAX_CHARS: usize = 1_000;
pub const NAME_MAX_CHARS: usize = 100;

fn is_slug(s: &str) -> bool {
    let b = s.as_bytes();
    (3..=40).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// What a therapist sends for their booking profile.
#[derive(Debug, Clone)]
pub struct ProfileInput {
    pub slug: String,
    pub display_name: Option<String>,
    pub bio: String,
    pub offers_consultations: bool,
    pub settings: Settings,
    pub weekly: Weekly,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = therapist_profiles)]
struct Row {
    therapist_id: crate::ids::UserId,
    slug: String,
    display_name: String,
    bio: String,
    offers_consultations: bool,
    duration_minutes: i32,
    interval_minutes: i32,
    buffer_before_minutes: i32,
    buffer_after_minutes: i32,
    notice_minutes: i32,
    horizon_days: i32,
    daily_cap: i32,
    cutoff_minutes: i32,
    weekly: String,
    created_at: Timestamp,
    updated_at: Timestamp,
}

/// A therapist's booking profile, with their zone.
#[derive(Debug, Clone)]
pub struct Profile {
    pub therapist_id: crate::ids::UserId,
    pub slug: String,
    pub display_name: String,
    pub bio: String,
    pub offers_consultations: bool,
    pub settings: Settings,
    pub weekly: Weekly,
    pub zone: Tz,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

fn profile_of(row: Row, zone: &str) -> DomainResult<Profile> {
    let weekly = serde_json::from_str(&row.weekly)
        .map_err(|e| DomainError::Internal(format!("weekly availability: {e}")))?;
    Ok(Profile {
        therapist_id: row.therapist_id,
        slug: row.slug,
        display_name: row.display_name,
        bio: row.bio,
        offers_consultations: row.offers_consultations,
        settings: Settings {
            duration_minutes: row.duration_minutes,
            interval_minutes: row.interval_minutes,
            buffer_before_minutes: row.buffer_before_minutes,
            buffer_after_minutes: row.buffer_after_minutes,
            notice_minutes: row.notice_minutes,
            horizon_days: row.horizon_days,
            daily_cap: row.daily_cap,
            cutoff_minutes: row.cutoff_minutes,
        },
        weekly,
        zone: crate::care::stored_zone(zone)?,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Checks a profile; normalises the text.
pub fn check(mut input: ProfileInput) -> Result<ProfileInput, Vec<FieldError>> {
    let mut problems = Problems::default();
    if !is_slug(&input.slug) {
        problems.add(
            "slug",
            "invalid",
            "must be 3 to 40 lower-case letters, digits or -, not starting or ending with -",
        );
    }
    if let Some(name) = &input.display_name {
        check_line(&mut problems, "display_name", name, NAME_MAX_CHARS, true);
    }
    input.display_name = input.display_name.map(|n| n.trim().to_owned());
    check_text(&mut problems, "bio", &input.bio, BIO_MAX_CHARS);
    input.settings.check(&mut problems);
    let mut weekly = Weekly::default();
    for (name, ranges) in input.weekly.days() {
        match check_ranges(&format!("weekly.{name}"), ranges) {
            Ok(sorted) => {
                let day = match name {
                    "mon" => &mut weekly.mon,
                    "tue" => &mut weekly.tue,
                    "wed" => &mut weekly.wed,
                    "thu" => &mut weekly.thu,
                    "fri" => &mut weekly.fri,
                    "sat" => &mut weekly.sat,
                    _ => &mut weekly.sun,
                };
                *day = sorted;
            }
            Err(e) => problems.0.push(e),
        }
    }
    input.weekly = weekly;
    if problems.is_empty() {
        Ok(input)
    } else {
        Err(problems.0)
    }
}

fn slug_taken() -> DomainError {
    DomainError::Conflict {
        code: "slug_taken",
        detail: "Another therapist has this address; choose another slug.".into(),
    }
}

/// Creates or replaces the therapist's booking profile (checked with
/// [`check`]). A slug another therapist has is a conflict.
pub fn put(
    conn: &mut DbConnection,
    me: &Therapist,
    input: &ProfileInput,
    now: Timestamp,
) -> DomainResult<Profile> {
    crate::accounts::users::lock(conn, me.id())?;
    let taken: Option<crate::ids::UserId> = therapist_profiles::table
        .filter(therapist_profiles::slug.eq(&input.slug))
        .filter(therapist_profiles::therapist_id.ne(me.id()))
        .select(therapist_profiles::therapist_id)
        .first(conn)
        .optional()?;
    if taken.is_some() {
        return Err(slug_taken());
    }
    let display_name = match &input.display_name {
        Some(name) => name.clone(),
        None => users::table
            .find(me.id())
            .select(users::display_name)
            .first(conn)?,
    };
    let weekly =
        serde_json::to_string(&input.weekly).map_err(|e| DomainError::Internal(e.to_string()))?;
    let s = input.settings;
    let values = (
        therapist_profiles::slug.eq(&input.slug),
        therapist_profiles::display_name.eq(&display_name),
        therapist_profiles::bio.eq(&input.bio),
        therapist_profiles::offers_consultations.eq(input.offers_consultations),
        therapist_profiles::duration_minutes.eq(s.duration_minutes),
        therapist_profiles::interval_minutes.eq(s.interval_minutes),
        therapist_profiles::buffer_before_minutes.eq(s.buffer_before_minutes),
        therapist_profiles::buffer_after_minutes.eq(s.buffer_after_minutes),
        therapist_profiles::notice_minutes.eq(s.notice_minutes),
        therapist_profiles::horizon_days.eq(s.horizon_days),
        therapist_profiles::daily_cap.eq(s.daily_cap),
        therapist_profiles::cutoff_minutes.eq(s.cutoff_minutes),
        therapist_profiles::weekly.eq(&weekly),
        therapist_profiles::updated_at.eq(now),
    );
    let updated = match diesel::update(therapist_profiles::table.find(me.id()))
        .set(values)
        .execute(conn)
    {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => return Err(slug_taken()),
        other => other?,
    };
    if updated == 0 {
        let inserted = diesel::insert_into(therapist_profiles::table)
            .values((
                therapist_profiles::therapist_id.eq(me.id()),
                therapist_profiles::created_at.eq(now),
                values,
            ))
            .execute(conn);
        match inserted {
            Ok(_) => {}
            // Two therapists claiming one slug at once: the index decides.
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => return Err(slug_taken()),
            Err(e) => return Err(e.into()),
        }
    }
    mine(conn, me)?.ok_or(DomainError::NotFound)
}

fn select_profile(
    conn: &mut DbConnection,
    filter: impl FnOnce(
        therapist_profiles::BoxedQuery<'static, crate::db::MultiBackend>,
    ) -> therapist_profiles::BoxedQuery<'static, crate::db::MultiBackend>,
) -> DomainResult<Option<Profile>> {
    let row: Option<Row> = filter(therapist_profiles::table.into_boxed())
        .select(Row::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let (zone, disabled): (String, Option<Timestamp>) = users::table
        .find(row.therapist_id)
        .select((users::time_zone, users::disabled_at))
        .first(conn)?;
    if disabled.is_some() {
        return Ok(None);
    }
    profile_of(row, &zone).map(Some)
}

/// The therapist's own profile, if they made one.
pub fn mine(conn: &mut DbConnection, me: &Therapist) -> DomainResult<Option<Profile>> {
    let id = me.id();
    select_profile(conn, |q| q.filter(therapist_profiles::therapist_id.eq(id)))
}

/// A profile by its slug, as anyone may see it; `NotFound` for an unknown
/// slug or a disabled account.
pub fn by_slug(conn: &mut DbConnection, slug: &str) -> DomainResult<Profile> {
    let slug = slug.to_owned();
    select_profile(conn, |q| q.filter(therapist_profiles::slug.eq(slug)))?
        .ok_or(DomainError::NotFound)
}

/// The name a therapist's profile shows (also once their account is
/// disabled: a booker can still see and cancel their booking).
pub fn display_name(
    conn: &mut DbConnection,
    therapist: crate::ids::UserId,
) -> DomainResult<String> {
    Ok(therapist_profiles::table
        .find(therapist)
        .select(therapist_profiles::display_name)
        .first(conn)?)
}

/// A therapist's profile by their id (whatever it offers now).
pub fn by_id(conn: &mut DbConnection, therapist: crate::ids::UserId) -> DomainResult<Profile> {
    select_profile(conn, |q| {
        q.filter(therapist_profiles::therapist_id.eq(therapist))
    })?
    .ok_or(DomainError::NotFound)
}

/// Replaces a local date's availability (an empty list: unavailable).
pub fn put_override(
    conn: &mut DbConnection,
    me: &Therapist,
    date: NaiveDate,
    ranges: &[Range],
) -> DomainResult<Vec<Range>> {
    let ranges = check_ranges("ranges", ranges).map_err(|e| DomainError::Validation(vec![e]))?;
    let json = serde_json::to_string(&ranges).map_err(|e| DomainError::Internal(e.to_string()))?;
    crate::accounts::users::lock(conn, me.id())?;
    let updated = diesel::update(availability_overrides::table.find((me.id(), date)))
        .set(availability_overrides::ranges.eq(&json))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(availability_overrides::table)
            .values((
                availability_overrides::therapist_id.eq(me.id()),
                availability_overrides::on_date.eq(date),
                availability_overrides::ranges.eq(&json),
            ))
            .execute(conn)?;
    }
    Ok(ranges)
}

pub fn delete_override(
    conn: &mut DbConnection,
    me: &Therapist,
    date: NaiveDate,
) -> DomainResult<()> {
    let gone = diesel::delete(availability_overrides::table.find((me.id(), date))).execute(conn)?;
    if gone == 0 {
        return Err(DomainError::NotFound);
    }
    Ok(())
}

/// A therapist's overrides in `from..=to`.
pub fn overrides(
    conn: &mut DbConnection,
    therapist: crate::ids::UserId,
    from: NaiveDate,
    to: NaiveDate,
) -> DomainResult<HashMap<NaiveDate, Vec<Range>>> {
    let rows: Vec<(NaiveDate, String)> = availability_overrides::table
        .filter(availability_overrides::therapist_id.eq(therapist))
        .filter(availability_overrides::on_date.ge(from))
        .filter(availability_overrides::on_date.le(to))
        .select((
            availability_overrides::on_date,
            availability_overrides::ranges,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(date, raw)| {
            serde_json::from_str(&raw)
                .map(|ranges| (date, ranges))
                .map_err(|e| DomainError::Internal(format!("override {date}: {e}")))
        })
        .collect()
}

/// The most days one slots read covers.
pub const SLOT_DAYS_MAX: i64 = 31;

/// Open slots of a therapist for `from..=to` in the viewer's zone.
pub fn open_slots(
    conn: &mut DbConnection,
    profile: &Profile,
    from: NaiveDate,
    to: NaiveDate,
    viewer: Tz,
    now: Timestamp,
) -> DomainResult<std::collections::BTreeMap<NaiveDate, Vec<slots::Slot>>> {
    let (earliest, latest) = (
        NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or(NaiveDate::MIN),
        NaiveDate::from_ymd_opt(9000, 12, 31).unwrap_or(NaiveDate::MAX),
    );
    for (field, date) in [("from", from), ("to", to)] {
        if date < earliest || date > latest {
            return Err(DomainError::invalid(
                field,
                "out_of_range",
                "must be from 2000-01-01 to 9000-12-31",
            ));
        }
    }
    if from > to {
        return Err(DomainError::invalid(
            "from",
            "out_of_range",
            "must not be after to",
        ));
    }
    if (to - from).num_days() >= SLOT_DAYS_MAX {
        return Err(DomainError::invalid(
            "to",
            "out_of_range",
            format!("at most {SLOT_DAYS_MAX} days per call"),
        ));
    }
    if !profile.offers_consultations {
        return Ok(Default::default());
    }
    let overrides = overrides(
        conn,
        profile.therapist_id,
        from - chrono::Duration::days(2),
        to + chrono::Duration::days(2),
    )?;
    let busy = consultations::busy(
        conn,
        profile,
        crate::time::start_of_day(from - chrono::Duration::days(2), viewer),
        crate::time::start_of_day(to + chrono::Duration::days(3), viewer),
        now,
    )?;
    let calendar = slots::Calendar {
        zone: profile.zone,
        rules: profile.settings.rules(),
        weekly: &profile.weekly,
        overrides: &overrides,
        busy: &busy,
    };
    Ok(calendar.open_slots(from, to, viewer, now))
}
