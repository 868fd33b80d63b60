use actix_web::{get, web};
use chrono::NaiveDate;
use domain::accounts::TimeZoneName;
use domain::booking;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::SlotView;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SlotQuery {
    /// The first local date, in `time_zone`.
    pub from: NaiveDate,
    /// The last local date; at most 31 days from `from`.
    pub to: NaiveDate,
    /// The IANA zone to show slots in (default: the therapist's).
    #[param(example = "America/New_York")]
    pub time_zone: Option<String>,
}

/// The open slots of one local date.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotDayView {
    /// A local date in the requested zone.
    pub date: NaiveDate,
    pub slots: Vec<SlotView>,
}

/// Open slots, by local date in the requested zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotsView {
    #[schema(example = "America/New_York")]
    pub time_zone: String,
    /// Only dates with an open slot.
    pub days: Vec<SlotDayView>,
}

/// A therapist's open consultation slots.
///
/// No account needed. Slots follow the therapist's availability in their
/// own zone, one local day at a time (a local time that does not exist is
/// skipped, one that happens twice is offered once, at its first
/// occurrence), the minimum notice, the horizon, the daily cap and the
/// buffers; they are grouped by local date in `time_zone`, each `start` and
/// `end` carrying that zone's offset at that instant. At most 31 days a call.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_therapist_slots",
    params(("slug" = String, Path, description = "The therapist's slug", pattern = "^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$"), SlotQuery),
    responses(
        (status = 200, description = "Open slots", body = SlotsView),
        (status = 400, description = "`from` or `to` missing or not a date", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such therapist", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An unknown time zone, `from` after `to`, or more than 31 days", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/therapists/{slug}/slots")]
pub async fn get_slots(
    state: web::Data<AppState>,
    slug: web::Path<String>,
    query: web::Query<SlotQuery>,
) -> Result<web::Json<SlotsView>, ApiError> {
    let slug = slug.into_inner();
    let viewer = match query.time_zone.as_deref() {
        Some(raw) => Some(
            TimeZoneName::parse("time_zone", raw)
                .map_err(|e| ApiError::Validation(vec![e]))?
                .tz(),
        ),
        None => None,
    };
    let (from, to) = (query.from, query.to);
    let now = state.config.clock.now();
    let (zone, days) = state
        .db(move |conn| {
            let profile = booking::by_slug(conn, &slug)?;
            let viewer = viewer.unwrap_or(profile.zone);
            let days = booking::open_slots(conn, &profile, from, to, viewer, now)?;
            Ok((viewer, days))
        })
        .await?;
    Ok(web::Json(SlotsView {
        time_zone: zone.name().to_owned(),
        days: days
            .into_iter()
            .map(|(date, slots)| SlotDayView {
                date,
                slots: slots.into_iter().map(|s| SlotView::new(s, zone)).collect(),
            })
            .collect(),
    }))
}
