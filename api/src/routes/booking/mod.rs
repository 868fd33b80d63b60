//! The free consultation: a therapist's booking profile, settings and
//! availability, and the public profile and open slots anyone can see.

mod delete_override;
mod get_overrides;
mod get_profile;
mod get_public_profile;
mod get_slots;
pub mod manage;
pub mod post_confirm;
pub mod post_consultation;
mod practice;
mod put_override;
mod put_profile;

use chrono::{NaiveDate, SecondsFormat};
use chrono_tz::Tz;
use domain::booking::consultations::{Consultation, ConsultationStatus};
use domain::booking::slots::{Range, Slot, Weekly};
use domain::booking::{Profile, Settings};
use domain::ids::RowId;
use domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub const TAG: &str = "booking";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_profile::get_profile)
        .service(put_profile::put_profile)
        .service(get_overrides::get_overrides)
        .service(put_override::put_override)
        .service(delete_override::delete_override)
        .service(get_public_profile::get_public_profile)
        .service(get_slots::get_slots)
        .service(post_consultation::post_consultation)
        .service(post_confirm::post_confirm)
        .service(manage::get_managed)
        .service(manage::post_managed_cancel)
        .service(manage::post_managed_reschedule)
        .service(practice::get_consultations)
        .service(practice::post_cancel)
        .service(practice::post_complete)
        .service(practice::post_no_show)
        .service(practice::post_invite);
}

/// A therapist's booking profile as they see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookingProfileView {
    /// The address of the public profile: `/therapists/{slug}`.
    #[schema(
        example = "dr-ada-lovelace",
        pattern = "^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$"
    )]
    pub slug: String,
    #[schema(example = "Dr Ada Lovelace")]
    pub display_name: String,
    pub bio: String,
    pub offers_consultations: bool,
    pub settings: Settings,
    /// Local ranges for each day of the week, in `time_zone`.
    pub weekly: Weekly,
    /// Your time zone (from your profile): availability is read in it.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Profile> for BookingProfileView {
    fn from(p: Profile) -> Self {
        Self {
            slug: p.slug,
            display_name: p.display_name,
            bio: p.bio,
            offers_consultations: p.offers_consultations,
            settings: p.settings,
            weekly: p.weekly,
            time_zone: p.zone.name().to_owned(),
            created_at: p.created_at,
            updated_at: p.updated_at,
        }
    }
}

/// A local date whose availability replaces the weekly one.
#[derive(Debug, Serialize, ToSchema)]
pub struct OverrideView {
    pub date: NaiveDate,
    /// Empty: not available that day.
    pub ranges: Vec<Range>,
}

/// An open slot, in the zone it was asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotView {
    /// RFC 3339 with the requested zone's offset at that instant.
    #[schema(format = DateTime, example = "2026-03-30T09:00:00+02:00")]
    pub start: String,
    #[schema(format = DateTime, example = "2026-03-30T09:15:00+02:00")]
    pub end: String,
}

impl SlotView {
    pub fn new(slot: Slot, zone: Tz) -> Self {
        let local = |t: Timestamp| {
            t.0.with_timezone(&zone)
                .to_rfc3339_opts(SecondsFormat::Secs, false)
        };
        Self {
            start: local(slot.start),
            end: local(slot.end),
        }
    }
}

/// A booking as the booker sees it after booking or confirming.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeldView {
    pub id: RowId,
    /// `held` until confirmed from the email, then `confirmed`.
    pub status: ConsultationStatus,
    /// In the booker's zone.
    #[schema(format = DateTime, example = "2026-03-30T09:00:00-04:00")]
    pub start: String,
    #[schema(format = DateTime, example = "2026-03-30T09:15:00-04:00")]
    pub end: String,
    /// Until when the hold waits for its confirmation (null once confirmed).
    pub hold_expires_at: Option<Timestamp>,
}

impl HeldView {
    pub fn new(c: Consultation) -> Self {
        let zone: Tz = c.time_zone.parse().unwrap_or(chrono_tz::UTC);
        let slot = SlotView::new(
            Slot {
                start: c.starts_at,
                end: c.ends_at,
            },
            zone,
        );
        Self {
            id: c.id,
            status: c.status,
            start: slot.start,
            end: slot.end,
            hold_expires_at: c.hold_expires_at,
        }
    }
}

/// A consultation as the booker sees it from the manage link.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManageView {
    pub id: RowId,
    pub status: ConsultationStatus,
    #[schema(example = "Dr Ada Lovelace")]
    pub therapist_name: String,
    /// In the booker's zone.
    #[schema(format = DateTime, example = "2026-03-30T09:00:00-04:00")]
    pub start: String,
    #[schema(format = DateTime, example = "2026-03-30T09:15:00-04:00")]
    pub end: String,
    #[schema(example = "America/New_York")]
    pub time_zone: String,
    /// Until when it can be cancelled or moved here.
    pub changes_until: Timestamp,
}

impl ManageView {
    pub fn new(
        conn: &mut domain::db::DbConnection,
        c: Consultation,
    ) -> Result<Self, crate::error::ApiError> {
        let until = domain::booking::consultations::cutoff(conn, &c)?;
        let therapist_name = domain::booking::display_name(conn, c.therapist_id)?;
        let held = HeldView::new(c.clone());
        Ok(Self {
            id: c.id,
            status: c.status,
            therapist_name,
            start: held.start,
            end: held.end,
            time_zone: c.time_zone,
            changes_until: until,
        })
    }
}

/// A consultation as the therapist sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultationView {
    pub id: RowId,
    pub status: ConsultationStatus,
    pub start: Timestamp,
    pub end: Timestamp,
    #[schema(example = "Sam Rivera")]
    pub name: String,
    #[schema(example = "sam@example.org")]
    pub email: String,
    /// The booker's zone.
    #[schema(example = "America/New_York")]
    pub time_zone: String,
    /// The booker's note, for you only.
    pub note: Option<String>,
    /// While held: until when it waits for the booker's confirmation.
    pub hold_expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

impl From<Consultation> for ConsultationView {
    fn from(c: Consultation) -> Self {
        Self {
            id: c.id,
            status: c.status,
            start: c.starts_at,
            end: c.ends_at,
            name: c.name,
            email: c.email,
            time_zone: c.time_zone,
            note: c.note,
            hold_expires_at: c.hold_expires_at,
            created_at: c.created_at,
        }
    }
}

/// A booking confirmed, moved or cancelled re-plans its reminders in the
/// same transaction: a moved one gets new ones, a cancelled one none.
fn replan_reminders(
    conn: &mut domain::db::DbConnection,
    id: domain::ids::RowId,
    now: domain::Timestamp,
) -> Result<(), crate::error::ApiError> {
    Ok(domain::reminders::replan(
        conn,
        domain::reminders::Target::Consultation(id),
        now,
    )?)
}
