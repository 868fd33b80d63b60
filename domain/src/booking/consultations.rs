//! Booking a consultation: a hold, confirmed by the first use of the link
//! the booker is emailed.
//!
//! Every rule of the slots ([`super::slots::Calendar::open`]) is checked
//! again inside the transaction that inserts, and the database itself
//! refuses two live bookings whose spans overlap: an exclusion constraint on
//! PostgreSQL; on SQLite the immediate write transaction that checked the
//! overlap, with a unique index on live starts as a backstop. A violation is
//! 409 `slot_taken`, never 500. The therapist's profile row is locked while
//! booking, so the daily cap holds under concurrency too.

use chrono::Duration;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::slots::{Busy, Calendar, Refusal};
use super::Profile;
use crate::db::schema::{consultation_links, consultations, therapist_profiles};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{RowId, UserId};
use crate::outbox::{
    self, CalendarEvent, CalendarMethod, Email, EmailKind, Outgoing, Party, Ready,
};
use crate::secret::{hash_secret, new_secret};
use crate::time::{local_date, Timestamp};

crate::text_enum! {
    /// Where a consultation is (FHIR Appointment: held ~ pending,
    /// confirmed ~ booked, completed ~ fulfilled, no_show ~ noshow).
    pub enum ConsultationStatus {
        /// Waiting for the booker to confirm from the email.
        Held => "held",
        Confirmed => "confirmed",
        Cancelled => "cancelled",
        /// Not confirmed in time; the slot is free again.
        Expired => "expired",
        Completed => "completed",
        NoShow => "no_show",
    }
}

/// How long a hold waits for its confirmation.
pub const HOLD_MINUTES: i64 = 15;
pub const NOTE_MAX_CHARS: usize = 1_000;
pub const NAME_MAX_CHARS: usize = 100;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = consultations)]
pub struct Consultation {
    pub id: RowId,
    pub therapist_id: UserId,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub blocked_from: Timestamp,
    pub blocked_until: Timestamp,
    pub status: ConsultationStatus,
    pub hold_expires_at: Option<Timestamp>,
    pub name: String,
    pub email: String,
    pub time_zone: String,
    pub note: Option<String>,
    pub sequence: i32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// What a booker sends (checked by the caller: a real address, a zone).
#[derive(Debug, Clone)]
pub struct Request {
    pub start: Timestamp,
    pub name: String,
    pub email: crate::accounts::EmailAddress,
    pub time_zone: chrono_tz::Tz,
    pub note: Option<String>,
}

/// Checks the booker's name and note.
pub fn check_text(name: &str, note: Option<&str>) -> Result<(), Vec<crate::FieldError>> {
    let mut problems = crate::exercises::fields::Problems::default();
    crate::exercises::fields::check_line(&mut problems, "name", name, NAME_MAX_CHARS, true);
    if let Some(note) = note {
        crate::exercises::fields::check_text(&mut problems, "note", note, NOTE_MAX_CHARS);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.0)
    }
}

fn live() -> [ConsultationStatus; 2] {
    [ConsultationStatus::Held, ConsultationStatus::Confirmed]
}

/// Holds whose time ran out free their slot.
fn expire_holds(conn: &mut DbConnection, therapist: UserId, now: Timestamp) -> DomainResult<()> {
    diesel::update(
        consultations::table
            .filter(consultations::therapist_id.eq(therapist))
            .filter(consultations::status.eq(ConsultationStatus::Held))
            .filter(consultations::hold_expires_at.le(now)),
    )
    .set((
        consultations::status.eq(ConsultationStatus::Expired),
        consultations::token_hash.eq(None::<String>),
        consultations::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

/// The live bookings of a therapist whose spans reach into `from..until`.
pub fn busy(
    conn: &mut DbConnection,
    profile: &Profile,
    from: Timestamp,
    until: Timestamp,
    now: Timestamp,
) -> DomainResult<Vec<Busy>> {
    let rows: Vec<(
        Timestamp,
        Timestamp,
        Timestamp,
        ConsultationStatus,
        Option<Timestamp>,
    )> = consultations::table
        .filter(consultations::therapist_id.eq(profile.therapist_id))
        .filter(consultations::status.eq_any(live()))
        .filter(consultations::blocked_until.gt(from))
        .filter(consultations::blocked_from.lt(until))
        .select((
            consultations::starts_at,
            consultations::blocked_from,
            consultations::blocked_until,
            consultations::status,
            consultations::hold_expires_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        // A hold past its time is free, even before it is marked expired.
        .filter(|(_, _, _, status, expires)| {
            *status != ConsultationStatus::Held || expires.is_some_and(|at| at > now)
        })
        .map(|(start, from, until, _, _)| Busy {
            from,
            until,
            day: local_date(start, profile.zone),
        })
        .collect())
}

fn refused(refusal: Refusal, profile: &Profile) -> DomainError {
    let invalid = |code: &str, message: String| DomainError::invalid("start", code, message);
    let s = profile.settings;
    match refusal {
        Refusal::Taken => DomainError::Conflict {
            code: "slot_taken",
            detail: "Someone else has this time; please choose another slot.".into(),
        },
        Refusal::Unavailable => invalid(
            "invalid",
            "is not an open slot of this therapist's availability".into(),
        ),
        Refusal::Notice => invalid(
            "out_of_range",
            format!(
                "must be at least {} minutes ahead (minimum notice)",
                s.notice_minutes
            ),
        ),
        Refusal::Horizon => invalid(
            "out_of_range",
            format!("must be within {} days (booking horizon)", s.horizon_days),
        ),
        Refusal::DailyCap => invalid(
            "too_many",
            format!("that day is full ({} consultations a day)", s.daily_cap),
        ),
    }
}

/// Bookings of one therapist take turns from here to the end of the
/// transaction (the daily cap counts them); holds past their time are freed.
fn lock_calendar(conn: &mut DbConnection, profile: &Profile, now: Timestamp) -> DomainResult<()> {
    if let DbConnection::Postgresql(c) = conn {
        therapist_profiles::table
            .find(profile.therapist_id)
            .select(therapist_profiles::therapist_id)
            .for_update()
            .first::<UserId>(c)?;
    }
    expire_holds(conn, profile.therapist_id, now)
}

/// Checks `start` against every rule of the therapist's calendar, the live
/// bookings included (but the one whose span is `except`, when it moves):
/// the slot and the span a booking of it blocks.
fn check_start(
    conn: &mut DbConnection,
    profile: &Profile,
    start: Timestamp,
    except: Option<(Timestamp, Timestamp)>,
    now: Timestamp,
) -> DomainResult<(super::slots::Slot, Timestamp, Timestamp)> {
    let window = Duration::days(2);
    let busy: Vec<Busy> = busy(conn, profile, start - window, start + window, now)?
        .into_iter()
        .filter(|b| except != Some((b.from, b.until)))
        .collect();
    let day = local_date(start, profile.zone);
    let overrides = super::overrides(conn, profile.therapist_id, day, day)?;
    let calendar = Calendar {
        zone: profile.zone,
        rules: profile.settings.rules(),
        weekly: &profile.weekly,
        overrides: &overrides,
        busy: &busy,
    };
    let slot = calendar
        .offers(start)
        .ok_or_else(|| refused(Refusal::Unavailable, profile))?;
    calendar
        .open(slot, now)
        .map_err(|refusal| refused(refusal, profile))?;
    let (from, until) = calendar.span(slot);
    Ok((slot, from, until))
}

/// Holds a slot for the booker and queues the email with the confirmation
/// link. Run in a write transaction.
pub fn hold(
    conn: &mut DbConnection,
    slug: &str,
    request: &Request,
    now: Timestamp,
) -> DomainResult<Consultation> {
    let profile = super::by_slug(conn, slug)?;
    within_reach(request.start, now, &profile)?;
    if !profile.offers_consultations {
        return Err(DomainError::Conflict {
            code: "consultations_not_offered",
            detail: "This therapist does not offer consultations now.".into(),
        });
    }
    lock_calendar(conn, &profile, now)?;
    // One hold waits per address: a new booking replaces the address's
    // earlier unconfirmed hold (its link stops working). Nothing in the
    // answer tells whether there was one; an invalid request rolls this back.
    let email = request.email.as_str().to_lowercase();
    diesel::update(
        consultations::table
            .filter(consultations::email.eq(&email))
            .filter(consultations::status.eq(ConsultationStatus::Held)),
    )
    .set((
        consultations::status.eq(ConsultationStatus::Expired),
        consultations::token_hash.eq(None::<String>),
        consultations::updated_at.eq(now),
    ))
    .execute(conn)?;
    let (slot, from, until) = check_start(conn, &profile, request.start, None, now)?;
    let id = RowId::new();
    let inserted = diesel::insert_into(consultations::table)
        .values((
            consultations::id.eq(id),
            consultations::therapist_id.eq(profile.therapist_id),
            consultations::starts_at.eq(slot.start),
            consultations::ends_at.eq(slot.end),
            consultations::blocked_from.eq(from),
            consultations::blocked_until.eq(until),
            consultations::status.eq(ConsultationStatus::Held),
            consultations::hold_expires_at.eq(Some(now + Duration::minutes(HOLD_MINUTES))),
            consultations::name.eq(request.name.trim()),
            consultations::email.eq(&email),
            consultations::time_zone.eq(request.time_zone.name()),
            consultations::note.eq(request.note.as_deref()),
            consultations::sequence.eq(0),
            consultations::created_at.eq(now),
            consultations::updated_at.eq(now),
        ))
        .execute(conn);
    if let Err(e) = inserted {
        return Err(conflict_of(e, &profile));
    }
    outbox::enqueue(
        conn,
        &Outgoing::now(
            &email,
            format!("consultation-hold:{id}"),
            HoldMessage {
                consultation_id: id,
            },
        ),
    )?;
    find(conn, id)
}

/// The database's own refusals: an overlap (the exclusion constraint on
/// PostgreSQL, SQLSTATE 23P01, or the unique index on live starts) is
/// `slot_taken`; a second hold of one address written at the same moment
/// (the unique index on held addresses) is `hold_pending`.
fn conflict_of(e: diesel::result::Error, profile: &Profile) -> DomainError {
    use diesel::result::{DatabaseErrorKind, Error};
    match &e {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some("consultations_one_hold_per_email")
                || info.message().contains("consultations.email") =>
        {
            DomainError::Conflict {
                code: "hold_pending",
                detail: "Another booking for this address is being made right now; try again."
                    .into(),
            }
        }
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            refused(Refusal::Taken, profile)
        }
        Error::DatabaseError(_, info)
            if info.constraint_name() == Some("consultations_no_overlap") =>
        {
            refused(Refusal::Taken, profile)
        }
        _ => e.into(),
    }
}

/// A start no slot can have (in the past, or far beyond any horizon) is
/// refused before any date arithmetic.
fn within_reach(start: Timestamp, now: Timestamp, profile: &Profile) -> DomainResult<()> {
    if start < now {
        return Err(refused(Refusal::Notice, profile));
    }
    if start > now + Duration::days(366) {
        return Err(refused(Refusal::Horizon, profile));
    }
    Ok(())
}

/// Changes of one consultation take turns: its row is locked (PostgreSQL)
/// and read again.
fn lock_row(conn: &mut DbConnection, id: RowId) -> DomainResult<Consultation> {
    if let DbConnection::Postgresql(c) = conn {
        consultations::table
            .find(id)
            .select(consultations::id)
            .for_update()
            .first::<RowId>(c)
            .optional()?;
    }
    find(conn, id)
}

pub fn find(conn: &mut DbConnection, id: RowId) -> DomainResult<Consultation> {
    consultations::table
        .find(id)
        .select(Consultation::as_select())
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)
}

/// The consultation a link names: its current link, or another manage
/// link (a reminder's) issued for the booking as it stands.
fn by_token(conn: &mut DbConnection, token: &str) -> DomainResult<Option<Consultation>> {
    let hash = hash_secret(token);
    let current = consultations::table
        .filter(consultations::token_hash.eq(&hash))
        .select(Consultation::as_select())
        .first(conn)
        .optional()?;
    if current.is_some() {
        return Ok(current);
    }
    Ok(consultation_links::table
        .inner_join(consultations::table)
        .filter(consultation_links::token_hash.eq(&hash))
        .filter(consultation_links::sequence.eq(consultations::sequence))
        .select(Consultation::as_select())
        .first(conn)
        .optional()?)
}

/// What a reminder to the booker renders: the consultation and a manage
/// link of its own (the confirmation's link keeps working; both end when
/// the booking is moved or cancelled).
pub(crate) fn with_extra_manage_link(
    conn: &mut DbConnection,
    c: &Consultation,
    now: Timestamp,
) -> DomainResult<serde_json::Value> {
    let (token, hash) = new_secret();
    diesel::insert_into(consultation_links::table)
        .values((
            consultation_links::token_hash.eq(hash),
            consultation_links::consultation_id.eq(c.id),
            consultation_links::sequence.eq(c.sequence),
            consultation_links::created_at.eq(now),
        ))
        .execute(conn)?;
    let shown = Shown {
        token: Some(token),
        ..shown(conn, c, &c.time_zone)?
    };
    to_value(&shown)
}

fn link_error() -> DomainError {
    DomainError::BadRequest {
        code: "invalid_token",
        detail: "This link is not valid: it was used already, or the hold expired. Book again if the slot is still open.".into(),
    }
}

/// Confirms a held booking with the token of its email link (the first use
/// confirms; the link then stops working), and queues the confirmation with
/// its calendar invite to the booker and a note to the therapist. Run in a
/// write transaction.
pub fn confirm(
    conn: &mut DbConnection,
    token: &str,
    sender: &str,
    now: Timestamp,
) -> DomainResult<Consultation> {
    let held = by_token(conn, token)?
        .filter(|c| c.status == ConsultationStatus::Held)
        .filter(|c| c.hold_expires_at.is_some_and(|at| at > now))
        .ok_or_else(link_error)?;
    let changed = diesel::update(
        consultations::table
            .filter(consultations::id.eq(held.id))
            .filter(consultations::status.eq(ConsultationStatus::Held)),
    )
    .set((
        consultations::status.eq(ConsultationStatus::Confirmed),
        consultations::hold_expires_at.eq(None::<Timestamp>),
        consultations::token_hash.eq(None::<String>),
        consultations::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(link_error());
    }
    let profile = therapist_profiles::table
        .find(held.therapist_id)
        .select(therapist_profiles::display_name)
        .first::<String>(conn)?;
    let therapist_email: String = crate::db::schema::users::table
        .find(held.therapist_id)
        .select(crate::db::schema::users::email)
        .first(conn)?;
    let invite = CalendarEvent {
        method: CalendarMethod::Request,
        uid: format!("consultation-{}@between", held.id),
        sequence: 0,
        starts_at: held.starts_at,
        ends_at: held.ends_at,
        summary: format!("Consultation with {profile}"),
        description: "A free consultation call. Use the link in your email to cancel or move it."
            .into(),
        url: None,
        organizer: Party {
            name: profile.clone(),
            email: address_of(sender),
        },
        attendee: Party {
            name: held.name.clone(),
            email: held.email.clone(),
        },
    };
    outbox::enqueue(
        conn,
        &Outgoing::now(
            &held.email,
            format!("consultation-confirmed:{}:0", held.id),
            ConfirmedMessage {
                consultation_id: held.id,
                invite,
            },
        ),
    )?;
    outbox::enqueue(
        conn,
        &Outgoing::now(
            therapist_email,
            format!("consultation-booked:{}", held.id),
            BookedMessage {
                consultation_id: held.id,
            },
        ),
    )?;
    find(conn, held.id)
}

/// The address in `Name <address>` (or the whole string).
fn address_of(sender: &str) -> String {
    match (sender.find('<'), sender.rfind('>')) {
        (Some(a), Some(b)) if a < b => sender[a + 1..b].trim().to_owned(),
        _ => sender.trim().to_owned(),
    }
}

/// What the booking emails render: a consultation as its reader sees it.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    pub therapist_name: String,
    pub name: String,
    /// The start in the booker's (or the therapist's) zone, for reading.
    pub start_local: String,
    pub time_zone: String,
    pub duration_minutes: i64,
    /// The hold email's confirmation link token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// How long the hold waits (the hold email).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold_minutes: Option<i64>,
}

pub(crate) fn shown(conn: &mut DbConnection, c: &Consultation, zone: &str) -> DomainResult<Shown> {
    let therapist_name: String = therapist_profiles::table
        .find(c.therapist_id)
        .select(therapist_profiles::display_name)
        .first(conn)?;
    let tz = crate::care::stored_zone(zone)?;
    Ok(Shown {
        therapist_name,
        name: c.name.clone(),
        start_local: c
            .starts_at
            .0
            .with_timezone(&tz)
            .format("%A %-d %B %Y, %H:%M")
            .to_string(),
        time_zone: tz.name().to_owned(),
        duration_minutes: (c.ends_at.0 - c.starts_at.0).num_minutes(),
        token: None,
        hold_minutes: None,
    })
}

fn to_value<T: Serialize>(data: &T) -> DomainResult<serde_json::Value> {
    serde_json::to_value(data).map_err(|e| DomainError::Internal(e.to_string()))
}

/// "Confirm your consultation": the link is issued when the email goes out
/// (no queued payload holds it), while the hold is still held.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldMessage {
    pub consultation_id: RowId,
}

impl Email for HoldMessage {
    const KIND: EmailKind = EmailKind::ConsultationHold;

    fn ready(&self, conn: &mut DbConnection) -> DomainResult<Ready> {
        conn.write_transaction(|conn| {
            let c = find(conn, self.consultation_id)?;
            // Whether it expired is the confirmation's to say (by the
            // service's clock); a hold already marked expired is not sent.
            if c.status != ConsultationStatus::Held {
                return Ok(Ready::Skip("the hold was confirmed, or it expired"));
            }
            let (token, hash) = new_secret();
            diesel::update(consultations::table.find(c.id))
                .set(consultations::token_hash.eq(Some(hash)))
                .execute(conn)?;
            let shown = Shown {
                token: Some(token),
                hold_minutes: Some(HOLD_MINUTES),
                ..shown(conn, &c, &c.time_zone)?
            };
            to_value(&shown).map(Ready::Send)
        })
    }
}

/// "Your consultation is booked", with the calendar invite.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmedMessage {
    pub consultation_id: RowId,
    pub invite: CalendarEvent,
}

impl Email for ConfirmedMessage {
    const KIND: EmailKind = EmailKind::ConsultationConfirmed;

    fn ready(&self, conn: &mut DbConnection) -> DomainResult<Ready> {
        with_manage_link(conn, self.consultation_id, self.invite.sequence)
    }

    fn calendar(&self) -> Option<CalendarEvent> {
        Some(self.invite.clone())
    }
}

/// The booker's email after a confirmation or a move: a fresh manage link
/// (issued now; the previous one stops working), unless the consultation
/// changed again since (its sequence moved on) or is over.
fn with_manage_link(conn: &mut DbConnection, id: RowId, sequence: u32) -> DomainResult<Ready> {
    conn.write_transaction(|conn| {
        let c = find(conn, id)?;
        if c.status != ConsultationStatus::Confirmed || c.sequence as u32 != sequence {
            return Ok(Ready::Skip(
                "the consultation changed again or is no longer booked",
            ));
        }
        let (token, hash) = new_secret();
        diesel::update(consultations::table.find(c.id))
            .set(consultations::token_hash.eq(Some(hash)))
            .execute(conn)?;
        let shown = Shown {
            token: Some(token),
            ..shown(conn, &c, &c.time_zone)?
        };
        let mut data = to_value(&shown)?;
        data["moved"] = (sequence > 0).into();
        Ok(Ready::Send(data))
    })
}

/// To the therapist: a consultation was booked (time in their zone, the
/// booker's name; never the note).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookedMessage {
    pub consultation_id: RowId,
}

impl Email for BookedMessage {
    const KIND: EmailKind = EmailKind::ConsultationBooked;

    fn ready(&self, conn: &mut DbConnection) -> DomainResult<Ready> {
        let c = find(conn, self.consultation_id)?;
        if c.status != ConsultationStatus::Confirmed {
            return Ok(Ready::Skip("the consultation is no longer booked"));
        }
        let zone: String = crate::db::schema::users::table
            .find(c.therapist_id)
            .select(crate::db::schema::users::time_zone)
            .first(conn)?;
        to_value(&shown(conn, &c, &zone)?).map(Ready::Send)
    }
}

// --- After booking: the booker's manage link, the therapist's changes ------

/// A confirmed consultation found by its manage link, while it lies ahead.
pub fn by_manage_token(
    conn: &mut DbConnection,
    token: &str,
    now: Timestamp,
) -> DomainResult<Consultation> {
    by_token(conn, token)?
        .filter(|c| c.status == ConsultationStatus::Confirmed && c.starts_at > now)
        .ok_or(DomainError::NotFound)
}

/// Until when the booker may cancel or move it.
pub fn cutoff(conn: &mut DbConnection, c: &Consultation) -> DomainResult<Timestamp> {
    let minutes: i32 = therapist_profiles::table
        .find(c.therapist_id)
        .select(therapist_profiles::cutoff_minutes)
        .first(conn)?;
    Ok(c.starts_at - Duration::minutes(i64::from(minutes)))
}

fn before_cutoff(conn: &mut DbConnection, c: &Consultation, now: Timestamp) -> DomainResult<()> {
    let until = cutoff(conn, c)?;
    if now > until {
        return Err(DomainError::invalid(
            "start",
            "in_past",
            format!("changes were possible until {until}; contact the therapist"),
        ));
    }
    Ok(())
}

/// Who changes a consultation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Through the manage link, held to the cutoff.
    Booker,
    /// The therapist, never held to it.
    Therapist,
}

fn invite_of(
    conn: &mut DbConnection,
    c: &Consultation,
    method: CalendarMethod,
    sender: &str,
) -> DomainResult<CalendarEvent> {
    let therapist: String = therapist_profiles::table
        .find(c.therapist_id)
        .select(therapist_profiles::display_name)
        .first(conn)?;
    Ok(CalendarEvent {
        method,
        uid: format!("consultation-{}@between", c.id),
        sequence: c.sequence as u32,
        starts_at: c.starts_at,
        ends_at: c.ends_at,
        summary: format!("Consultation with {therapist}"),
        description: match method {
            CalendarMethod::Request => {
                "A free consultation call. Use the link in your email to cancel or move it.".into()
            }
            CalendarMethod::Cancel => "This consultation was cancelled.".into(),
        },
        url: None,
        organizer: Party {
            name: therapist,
            email: address_of(sender),
        },
        attendee: Party {
            name: c.name.clone(),
            email: c.email.clone(),
        },
    })
}

fn therapist_email(conn: &mut DbConnection, c: &Consultation) -> DomainResult<String> {
    Ok(crate::db::schema::users::table
        .find(c.therapist_id)
        .select(crate::db::schema::users::email)
        .first(conn)?)
}

/// Cancels a confirmed (or held) consultation: the slot is free at once;
/// the booker gets a `METHOD:CANCEL` invite (same UID, SEQUENCE + 1) and the
/// therapist a note. Run in a write transaction.
pub fn cancel(
    conn: &mut DbConnection,
    c: &Consultation,
    by: By,
    message: Option<&str>,
    sender: &str,
    now: Timestamp,
) -> DomainResult<Consultation> {
    let c = &lock_row(conn, c.id)?;
    let not_live = || DomainError::Conflict {
        code: "consultation_not_live",
        detail: "This consultation is not booked any more, or has started.".into(),
    };
    if !live().contains(&c.status) || c.starts_at <= now {
        return Err(match by {
            By::Booker => DomainError::NotFound,
            By::Therapist => not_live(),
        });
    }
    if by == By::Booker {
        before_cutoff(conn, c, now)?;
    }
    let changed = diesel::update(
        consultations::table
            .filter(consultations::id.eq(c.id))
            .filter(consultations::sequence.eq(c.sequence))
            .filter(consultations::status.eq_any(live())),
    )
    .set((
        consultations::status.eq(ConsultationStatus::Cancelled),
        consultations::token_hash.eq(None::<String>),
        consultations::sequence.eq(c.sequence + 1),
        consultations::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(not_live());
    }
    let cancelled = find(conn, c.id)?;
    if c.status == ConsultationStatus::Confirmed {
        let invite = invite_of(conn, &cancelled, CalendarMethod::Cancel, sender)?;
        outbox::enqueue(
            conn,
            &Outgoing::now(
                &cancelled.email,
                format!("consultation-cancelled:{}", c.id),
                ChangedMessage {
                    consultation_id: c.id,
                    invite: Some(invite),
                    to_therapist: false,
                    message: message.map(str::to_owned),
                },
            ),
        )?;
    }
    let to = therapist_email(conn, &cancelled)?;
    outbox::enqueue(
        conn,
        &Outgoing::now(
            to,
            format!("consultation-changed:{}:{}", c.id, cancelled.sequence),
            ChangedMessage {
                consultation_id: c.id,
                invite: None,
                to_therapist: true,
                message: None,
            },
        ),
    )?;
    Ok(cancelled)
}

/// Moves a confirmed consultation to another open slot, atomically: the new
/// slot is checked against every rule (this booking aside) and taken, the
/// old one freed, in one statement, or nothing changes. Same UID,
/// SEQUENCE + 1, `METHOD:REQUEST`. Run in a write transaction.
pub fn reschedule(
    conn: &mut DbConnection,
    c: &Consultation,
    start: Timestamp,
    by: By,
    sender: &str,
    now: Timestamp,
) -> DomainResult<Consultation> {
    let c = &lock_row(conn, c.id)?;
    if c.status != ConsultationStatus::Confirmed || c.starts_at <= now {
        return Err(match by {
            By::Booker => DomainError::NotFound,
            By::Therapist => DomainError::Conflict {
                code: "consultation_not_live",
                detail: "Only a booked consultation that lies ahead can be moved.".into(),
            },
        });
    }
    if by == By::Booker {
        before_cutoff(conn, c, now)?;
    }
    let profile = super::by_id(conn, c.therapist_id)?;
    within_reach(start, now, &profile)?;
    if !profile.offers_consultations {
        return Err(DomainError::Conflict {
            code: "consultations_not_offered",
            detail: "This therapist does not offer consultations now; cancel instead.".into(),
        });
    }

    lock_calendar(conn, &profile, now)?;
    let (slot, from, until) = check_start(
        conn,
        &profile,
        start,
        Some((c.blocked_from, c.blocked_until)),
        now,
    )?;
    let moved = diesel::update(
        consultations::table
            .filter(consultations::id.eq(c.id))
            .filter(consultations::sequence.eq(c.sequence)),
    )
    .set((
        consultations::starts_at.eq(slot.start),
        consultations::ends_at.eq(slot.end),
        consultations::blocked_from.eq(from),
        consultations::blocked_until.eq(until),
        consultations::sequence.eq(c.sequence + 1),
        consultations::token_hash.eq(None::<String>),
        consultations::updated_at.eq(now),
    ))
    .execute(conn);
    match moved {
        Ok(1) => {}
        Ok(_) => {
            return Err(DomainError::Conflict {
                code: "consultation_changed",
                detail: "The consultation changed meanwhile; reload it.".into(),
            })
        }
        Err(e) => return Err(conflict_of(e, &profile)),
    }
    let moved = find(conn, c.id)?;
    let invite = invite_of(conn, &moved, CalendarMethod::Request, sender)?;
    outbox::enqueue(
        conn,
        &Outgoing::now(
            &moved.email,
            format!("consultation-confirmed:{}:{}", c.id, moved.sequence),
            ConfirmedMessage {
                consultation_id: c.id,
                invite,
            },
        ),
    )?;
    let to = therapist_email(conn, &moved)?;
    outbox::enqueue(
        conn,
        &Outgoing::now(
            to,
            format!("consultation-changed:{}:{}", c.id, moved.sequence),
            ChangedMessage {
                consultation_id: c.id,
                invite: None,
                to_therapist: true,
                message: None,
            },
        ),
    )?;
    Ok(moved)
}

/// The therapist's consultation; `NotFound` for anyone else's.
pub fn own(
    conn: &mut DbConnection,
    me: &crate::access::Therapist,
    id: RowId,
) -> DomainResult<Consultation> {
    consultations::table
        .filter(consultations::id.eq(id))
        .filter(consultations::therapist_id.eq(me.id()))
        .select(Consultation::as_select())
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)
}

/// Which consultations a therapist lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// Starting from now on, soonest first.
    Upcoming,
    /// Started before now, latest first.
    Past,
}

/// The therapist's consultations, paged by id within the order.
pub fn list(
    conn: &mut DbConnection,
    me: &crate::access::Therapist,
    when: When,
    status: Option<ConsultationStatus>,
    page: &crate::page::PageRequest,
    now: Timestamp,
) -> DomainResult<Vec<Consultation>> {
    let mut query = consultations::table
        .filter(consultations::therapist_id.eq(me.id()))
        .select(Consultation::as_select())
        .into_boxed();
    query = match when {
        When::Upcoming => query
            .filter(consultations::starts_at.ge(now))
            .order((consultations::starts_at.asc(), consultations::id.asc())),
        When::Past => query
            .filter(consultations::starts_at.lt(now))
            .order((consultations::starts_at.desc(), consultations::id.desc())),
    };
    if let Some(status) = status {
        query = query.filter(consultations::status.eq(status));
    }
    // The cursor is the id of the last one shown: continue after its start.
    if let Some(after) = page.after {
        let last = find(conn, RowId(after))?;
        query = match when {
            When::Upcoming => query.filter(
                consultations::starts_at
                    .gt(last.starts_at)
                    .or(consultations::starts_at
                        .eq(last.starts_at)
                        .and(consultations::id.gt(last.id))),
            ),
            When::Past => query.filter(
                consultations::starts_at
                    .lt(last.starts_at)
                    .or(consultations::starts_at
                        .eq(last.starts_at)
                        .and(consultations::id.lt(last.id))),
            ),
        };
    }
    Ok(query.limit(page.fetch()).load(conn)?)
}

/// Marks a confirmed consultation that has started as completed or a
/// no-show.
pub fn mark(
    conn: &mut DbConnection,
    c: &Consultation,
    status: ConsultationStatus,
    now: Timestamp,
) -> DomainResult<Consultation> {
    let not_live = || DomainError::Conflict {
        code: "consultation_not_live",
        detail: "Only a booked consultation that has started can be marked.".into(),
    };
    if c.status != ConsultationStatus::Confirmed || c.starts_at > now {
        return Err(not_live());
    }
    let changed = diesel::update(
        consultations::table
            .filter(consultations::id.eq(c.id))
            .filter(consultations::status.eq(ConsultationStatus::Confirmed)),
    )
    .set((
        consultations::status.eq(status),
        consultations::token_hash.eq(None::<String>),
        consultations::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(not_live());
    }
    find(conn, c.id)
}

/// A cancellation or move, for the booker (with the calendar update, when
/// one is due) or the therapist (a note).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangedMessage {
    pub consultation_id: RowId,
    pub invite: Option<CalendarEvent>,
    pub to_therapist: bool,
    /// The therapist's message to the booker, when they cancelled.
    pub message: Option<String>,
}

impl Email for ChangedMessage {
    const KIND: EmailKind = EmailKind::ConsultationChanged;

    fn ready(&self, conn: &mut DbConnection) -> DomainResult<Ready> {
        let c = find(conn, self.consultation_id)?;
        let zone = if self.to_therapist {
            crate::db::schema::users::table
                .find(c.therapist_id)
                .select(crate::db::schema::users::time_zone)
                .first::<String>(conn)?
        } else {
            c.time_zone.clone()
        };
        let mut data = to_value(&shown(conn, &c, &zone)?)?;
        data["cancelled"] = (c.status == ConsultationStatus::Cancelled).into();
        data["to_therapist"] = self.to_therapist.into();
        data["message"] = self.message.clone().into();
        Ok(Ready::Send(data))
    }

    fn calendar(&self) -> Option<CalendarEvent> {
        self.invite.clone()
    }
}
