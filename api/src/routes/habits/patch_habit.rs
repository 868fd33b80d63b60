use actix_web::{patch, web};
use domain::habits::score::Frequency;
use domain::habits::store::{self, Changes};
use domain::habits::TargetKind;
use domain::ids::HabitId;
use domain::time::TimeOfDay;
use serde::Deserialize;
use utoipa::ToSchema;

use super::HabitView;
use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::{non_null, present};
use crate::state::AppState;

/// What to change; leave out what stays. `null` clears the fields that can
/// be cleared (description, colour, icon, unit, reminder time).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateHabit {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, pattern = "^[a-z0-9_-]{1,40}$")]
    pub color: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, pattern = "^[a-z0-9_-]{1,40}$")]
    pub icon: Option<Option<String>>,
    /// Numeric habits only.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 20)]
    pub unit: Option<Option<String>>,
    /// Numeric habits only; rescores the whole history.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(exclusive_minimum = 0, maximum = 1000000)]
    pub target: Option<f64>,
    /// Numeric habits only; rescores the whole history.
    #[serde(default, deserialize_with = "non_null")]
    pub target_kind: Option<TargetKind>,
    /// Rescores the whole history.
    #[serde(default, deserialize_with = "non_null")]
    pub frequency: Option<Frequency>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<TimeOfDay>)]
    pub reminder_time: Option<Option<TimeOfDay>>,
    /// `true` archives (the history stays), `false` brings it back.
    #[serde(default, deserialize_with = "non_null")]
    pub archived: Option<bool>,
}

/// Change a habit, archive it or bring it back.
///
/// Clients only, for their own habits. Its kind cannot change. A new
/// frequency or target rescores every day since the habit's first day.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "update_habit",
    params(("id" = HabitId, Path, description = "The habit")),
    request_body = UpdateHabit,
    responses(
        (status = 200, description = "The habit", body = HabitView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients keep habits", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such habit of yours", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/habits/{id}")]
pub async fn patch_habit(
    state: web::Data<AppState>,
    auth: ClientAuth,
    id: web::Path<HabitId>,
    body: extract::Json<UpdateHabit>,
) -> Result<web::Json<HabitView>, ApiError> {
    let id = id.into_inner();
    let b = body.into_inner();
    let changes = Changes {
        name: b.name,
        description: b.description,
        color: b.color,
        icon: b.icon,
        unit: b.unit,
        target: b.target,
        target_kind: b.target_kind,
        frequency: b.frequency,
        reminder_time: b.reminder_time,
        archived: b.archived,
    };
    let now = state.config.clock.now();
    let view = auth
        .tx(&state, move |conn, me| {
            let habit = store::update(conn, me, id, changes, now)?;
            domain::reminders::replan(conn, domain::reminders::Target::Habit(id), now)?;
            super::own_view(conn, me, habit, now)
        })
        .await?;
    Ok(web::Json(view))
}
