use actix_web::{put, web};
use domain::accounts::TimeZoneName;
use domain::reminders::preferences::{self, NotificationKind, Preferences, QuietHours};
use domain::time::TimeOfDay;
use domain::FieldError;
use serde::Deserialize;
use utoipa::ToSchema;

use super::NotificationPreferences;
use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::{non_null, present};
use crate::state::AppState;

/// Changes to your reminder settings: what you leave out (a whole kind, or
/// one field of it) stays as it is.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesUpdate {
    /// An IANA zone for reminder times, or `null` to follow your profile's.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, example = "Europe/Berlin")]
    pub time_zone: Option<Option<String>>,
    /// Your quiet hours, or `null` for none (default 21:00 to 08:00): they
    /// must differ and last at most 12 hours.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<QuietHours>)]
    pub quiet_hours: Option<Option<QuietHours>>,
    /// Therapists only.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub consultation_reminders: Option<ConsultationRemindersUpdate>,
    /// Therapists only.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub therapist_digest: Option<AtTimeUpdate>,
    /// Clients only.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub exercise_reminders: Option<ExerciseRemindersUpdate>,
    /// Clients only.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub habit_reminders: Option<ToggleUpdate>,
    /// Clients only.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub weekly_summary: Option<AtTimeUpdate>,
}

/// Consultation reminders: the fields to change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationRemindersUpdate {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub enabled: Option<bool>,
    /// 15 to 1,440 minutes before the start.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, minimum = 15, maximum = 1440)]
    pub minutes_before: Option<u32>,
}

/// Exercise reminders: the fields to change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExerciseRemindersUpdate {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub enabled: Option<bool>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, value_type = Option<TimeOfDay>)]
    pub time: Option<TimeOfDay>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub evening_before: Option<bool>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, value_type = Option<TimeOfDay>)]
    pub evening_time: Option<TimeOfDay>,
}

/// A kind that is only on or off: the change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ToggleUpdate {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub enabled: Option<bool>,
}

/// A kind sent at a local time (the digest, the weekly summary): the
/// fields to change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AtTimeUpdate {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub enabled: Option<bool>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, value_type = Option<TimeOfDay>)]
    pub time: Option<TimeOfDay>,
}

impl PreferencesUpdate {
    /// The kinds this update sets.
    fn kinds(&self) -> Vec<NotificationKind> {
        [
            (
                NotificationKind::ConsultationReminders,
                self.consultation_reminders.is_some(),
            ),
            (
                NotificationKind::TherapistDigest,
                self.therapist_digest.is_some(),
            ),
            (
                NotificationKind::ExerciseReminders,
                self.exercise_reminders.is_some(),
            ),
            (
                NotificationKind::HabitReminders,
                self.habit_reminders.is_some(),
            ),
            (
                NotificationKind::WeeklySummary,
                self.weekly_summary.is_some(),
            ),
        ]
        .into_iter()
        .filter_map(|(kind, set)| set.then_some(kind))
        .collect()
    }

    /// Applies the update (its zone already checked) to `p`.
    fn apply(self, p: &mut Preferences, zone: Option<Option<String>>) {
        fn set<T>(target: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *target = v;
            }
        }
        set(&mut p.time_zone, zone);
        set(&mut p.quiet_hours, self.quiet_hours);
        if let Some(u) = self.consultation_reminders {
            set(&mut p.consultation_reminders.enabled, u.enabled);
            set(
                &mut p.consultation_reminders.minutes_before,
                u.minutes_before,
            );
        }
        if let Some(u) = self.therapist_digest {
            set(&mut p.therapist_digest.enabled, u.enabled);
            set(&mut p.therapist_digest.time, u.time);
        }
        if let Some(u) = self.exercise_reminders {
            set(&mut p.exercise_reminders.enabled, u.enabled);
            set(&mut p.exercise_reminders.time, u.time);
            set(&mut p.exercise_reminders.evening_before, u.evening_before);
            set(&mut p.exercise_reminders.evening_time, u.evening_time);
        }
        if let Some(u) = self.habit_reminders {
            set(&mut p.habit_reminders.enabled, u.enabled);
        }
        if let Some(u) = self.weekly_summary {
            set(&mut p.weekly_summary.enabled, u.enabled);
            set(&mut p.weekly_summary.time, u.time);
        }
    }
}

/// Change your reminder settings.
///
/// What you leave out stays as it is. Reminders not yet sent move at
/// once: a new time, zone or quiet hours re-plans them, and a kind turned
/// off drops them. Setting a kind your role does not get is refused
/// (`not_allowed`).
#[utoipa::path(
    tag = super::TAG,
    operation_id = "put_notification_preferences",
    request_body = PreferencesUpdate,
    responses(
        (status = 200, description = "Your settings now", body = NotificationPreferences),
        (status = 400, description = "A body that is not JSON (`malformed_body`)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[put("/me/notification-preferences")]
pub async fn put_preferences(
    state: web::Data<AppState>,
    auth: AnyAuth,
    body: extract::Json<PreferencesUpdate>,
) -> Result<web::Json<NotificationPreferences>, ApiError> {
    let update = body.into_inner();
    let mut problems = Vec::new();
    let zone = match &update.time_zone {
        Some(Some(name)) => match TimeZoneName::parse("time_zone", name) {
            Ok(zone) => Some(Some(zone.as_str().to_owned())),
            Err(e) => {
                problems.push(e);
                None
            }
        },
        Some(None) => Some(None),
        None => None,
    };
    if let Some(Some(q)) = &update.quiet_hours {
        problems.extend(q.check("quiet_hours").err());
    }
    if let Some(minutes) = update
        .consultation_reminders
        .as_ref()
        .and_then(|c| c.minutes_before)
    {
        if !(15..=1440).contains(&minutes) {
            problems.push(FieldError::new(
                "consultation_reminders.minutes_before",
                "out_of_range",
                "must be from 15 to 1440 minutes",
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::Validation(problems));
    }
    let now = state.config.clock.now();
    let person = auth
        .tx(&state, move |conn, me| {
            let mut person = preferences::person(conn, me.id())?.ok_or(ApiError::NotFound)?;
            let role = person.role;
            let refused: Vec<FieldError> = update
                .kinds()
                .into_iter()
                .filter(|kind| !kind.applies_to(role))
                .map(|kind| {
                    FieldError::new(
                        kind.as_str(),
                        "not_allowed",
                        format!("{} are not sent to {role} accounts", kind.describe()),
                    )
                })
                .collect();
            if !refused.is_empty() {
                return Err(ApiError::Validation(refused));
            }
            update.apply(&mut person.prefs, zone);
            preferences::save(conn, me.id(), &person.prefs, now)?;
            domain::reminders::replan_person(conn, me.id(), now)?;
            preferences::person(conn, me.id())?.ok_or(ApiError::NotFound)
        })
        .await?;
    Ok(web::Json(NotificationPreferences::of(&person)))
}
