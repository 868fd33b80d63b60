//! The booker's manage link: view, cancel, move. The token is the secret
//! of the link in the confirmation email; it works until the start.

use actix_web::{get, post, web, HttpRequest};
use domain::booking::consultations::{self, By};
use domain::Timestamp;
use serde::Deserialize;
use utoipa::ToSchema;

use super::ManageView;
use crate::auth::Bucket;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::state::AppState;

/// View a booked consultation from its manage link.
///
/// No account needed: the link is the key. It works while the consultation
/// lies ahead; then (or after a cancellation) it is a 404.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_managed_consultation",
    params(("token" = String, Path, description = "The token of the manage link", pattern = "^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "The consultation", body = ManageView),
        (status = 404, description = "No booked consultation ahead has this link", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/consultation-links/{token}")]
pub async fn get_managed(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<web::Json<ManageView>, ApiError> {
    Ok(web::Json(view(&state, &req, token.into_inner()).await?))
}

/// The consultation a manage link opens (the API and the page behind the
/// link).
pub async fn view(
    state: &AppState,
    req: &HttpRequest,
    token: String,
) -> Result<ManageView, ApiError> {
    state.limit(Bucket::Booking, req).await?;
    let now = state.config.clock.now();
    state
        .db(move |conn| {
            let c = consultations::by_manage_token(conn, &token, now)?;
            ManageView::new(conn, c)
        })
        .await
}

/// Cancel a booked consultation from its manage link.
///
/// Possible until the therapist's cutoff before the start (the 422 says
/// until when). The slot is free at once; your calendar gets the
/// cancellation (same event, `METHOD:CANCEL`), the therapist a note.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "cancel_managed_consultation",
    params(("token" = String, Path, description = "The token of the manage link", pattern = "^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "Cancelled", body = ManageView),
        (status = 404, description = "No booked consultation ahead has this link", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Past the cutoff", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/consultation-links/{token}/cancel")]
pub async fn post_managed_cancel(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<web::Json<ManageView>, ApiError> {
    Ok(web::Json(cancel(&state, &req, token.into_inner()).await?))
}

/// Cancels the consultation of a manage link (the API and the page).
pub async fn cancel(
    state: &AppState,
    req: &HttpRequest,
    token: String,
) -> Result<ManageView, ApiError> {
    state.limit(Bucket::Booking, req).await?;
    let sender = state.config.mail_from.clone();
    let now = state.config.clock.now();
    state
        .tx(move |conn| {
            let c = consultations::by_manage_token(conn, &token, now)?;
            let cancelled = consultations::cancel(conn, &c, By::Booker, None, &sender, now)?;
            super::replan_reminders(conn, c.id, now)?;
            ManageView::new(conn, cancelled)
        })
        .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    /// Another open slot's `start`.
    pub start: Timestamp,
}

/// Move a booked consultation to another open slot, from its manage link.
///
/// Atomic: the new slot is taken and the old one freed together, or nothing
/// changes (409 `slot_taken` if someone has it). Possible until the cutoff.
/// Your calendar gets the same event with the new time (`SEQUENCE` + 1); a
/// new manage link comes with it and the old one stops working.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "reschedule_managed_consultation",
    params(("token" = String, Path, description = "The token of the manage link", pattern = "^[0-9a-f]{64}$")),
    request_body = RescheduleRequest,
    responses(
        (status = 200, description = "Moved", body = ManageView),
        (status = 404, description = "No booked consultation ahead has this link", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The new slot is taken (`slot_taken`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Past the cutoff, or a rule the new slot breaks", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/consultation-links/{token}/reschedule")]
pub async fn post_managed_reschedule(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: extract::Json<RescheduleRequest>,
) -> Result<web::Json<ManageView>, ApiError> {
    let start = body.into_inner().start;
    Ok(web::Json(
        reschedule(&state, &req, token.into_inner(), start).await?,
    ))
}

/// Moves the consultation of a manage link to another open slot (the API
/// and the page).
pub async fn reschedule(
    state: &AppState,
    req: &HttpRequest,
    token: String,
    start: Timestamp,
) -> Result<ManageView, ApiError> {
    state.limit(Bucket::Booking, req).await?;
    let sender = state.config.mail_from.clone();
    let now = state.config.clock.now();
    state
        .tx(move |conn| {
            let c = consultations::by_manage_token(conn, &token, now)?;
            let moved = consultations::reschedule(conn, &c, start, By::Booker, &sender, now)?;
            super::replan_reminders(conn, c.id, now)?;
            ManageView::new(conn, moved)
        })
        .await
}
