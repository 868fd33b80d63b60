//! Reminder preferences, and one-click unsubscribe (RFC 8058): the API for
//! front ends, and the small page and POST target mail clients use.

mod get_preferences;
mod get_unsubscribe;
mod page;
mod post_unsubscribe;
mod put_preferences;

use domain::reminders::preferences::{
    ConsultationReminders, DigestSettings, ExerciseReminders, NotificationKind, Person, QuietHours,
    ReminderToggle, WeeklySummarySettings,
};
use domain::reminders::unsubscribe::{self, Subscription};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::state::AppState;

pub const TAG: &str = "notifications";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_preferences::get_preferences)
        .service(put_preferences::put_preferences)
        .service(get_unsubscribe::get_unsubscribe)
        .service(post_unsubscribe::post_unsubscribe);
}

/// The one-click page and target, outside the API base path: mail clients
/// POST there directly, whatever `APP_BASE_URL` says.
pub fn configure_pages(cfg: &mut ServiceConfig) {
    cfg.service(page::get_page).service(page::post_page);
}

/// Your reminder settings. Only the kinds your role gets are present.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPreferences {
    /// The zone reminder times are read in when you chose one; `null`
    /// follows your profile's zone.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: Option<String>,
    /// The zone in effect: `time_zone`, else your profile's.
    #[schema(example = "Europe/Berlin")]
    pub effective_time_zone: String,
    /// No nudge or digest is sent in these local hours (it waits until they
    /// end); an appointment reminder due in them is sent before they begin.
    /// `null`: no quiet hours.
    pub quiet_hours: Option<QuietHours>,
    /// Therapists: a reminder before each booked consultation.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub consultation_reminders: Option<ConsultationReminders>,
    /// Therapists: a daily digest, only when clients shared or submitted
    /// something new.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub therapist_digest: Option<DigestSettings>,
    /// Clients: a reminder on the day an exercise is due.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub exercise_reminders: Option<ExerciseReminders>,
    /// Clients: habit reminders (each habit sets its own time).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub habit_reminders: Option<ReminderToggle>,
    /// Clients: a summary of the week on Sunday (off by default).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub weekly_summary: Option<WeeklySummarySettings>,
}

impl NotificationPreferences {
    pub fn of(person: &Person) -> Self {
        let p = &person.prefs;
        let has = |kind: NotificationKind| kind.applies_to(person.role);
        Self {
            time_zone: p.time_zone.clone(),
            effective_time_zone: person.zone.name().to_owned(),
            quiet_hours: p.quiet_hours,
            consultation_reminders: has(NotificationKind::ConsultationReminders)
                .then_some(p.consultation_reminders),
            therapist_digest: has(NotificationKind::TherapistDigest).then_some(p.therapist_digest),
            exercise_reminders: has(NotificationKind::ExerciseReminders)
                .then_some(p.exercise_reminders),
            habit_reminders: has(NotificationKind::HabitReminders).then_some(p.habit_reminders),
            weekly_summary: has(NotificationKind::WeeklySummary).then_some(p.weekly_summary),
        }
    }
}

/// What a one-click link turns off.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnsubscribeView {
    #[schema(value_type = String, example = "habit_reminders")]
    pub kind: NotificationKind,
    #[schema(example = "habit reminders")]
    pub description: &'static str,
    /// Whether it is off now.
    pub turned_off: bool,
}

/// What a token names; a token the service did not sign is a 404.
fn verify(state: &AppState, token: &str) -> Result<Subscription, ApiError> {
    unsubscribe::verify(state.config.jwt_secret.expose().as_bytes(), token)
        .ok_or(ApiError::NotFound)
}

/// Reads or turns off what `token` names.
async fn unsubscribe_by(
    state: &AppState,
    token: &str,
    turn_off: bool,
) -> Result<UnsubscribeView, ApiError> {
    let subscription = verify(state, token)?;
    let now = state.config.clock.now();
    let turned_off = if turn_off {
        state
            .tx(move |conn| {
                domain::reminders::turn_off(conn, &subscription, now)?;
                Ok(true)
            })
            .await?
    } else {
        state
            .db(move |conn| Ok(domain::reminders::is_off(conn, &subscription)?))
            .await?
    };
    Ok(UnsubscribeView {
        kind: subscription.kind,
        description: subscription.kind.describe(),
        turned_off,
    })
}
