use actix_web::{post, web, HttpRequest};
use domain::booking::consultations;
use serde::Deserialize;
use utoipa::ToSchema;

use super::HeldView;
use crate::auth::Bucket;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// The `token` of the link in the email.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub token: String,
}

/// Confirm a held consultation with the link from its email.
///
/// No account needed. The first use confirms it: the booker gets the
/// confirmation with a calendar invite, the therapist a note; the link then
/// stops working. A hold that expired cannot be confirmed (book again).
#[utoipa::path(
    tag = super::TAG,
    operation_id = "confirm_consultation",
    request_body = ConfirmRequest,
    responses(
        (status = 200, description = "Confirmed", body = HeldView),
        (status = 400, description = "The link was used already, or the hold expired (`invalid_token`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/consultations/confirm")]
pub async fn post_confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: extract::Json<ConfirmRequest>,
) -> Result<web::Json<HeldView>, ApiError> {
    Ok(web::Json(
        confirm(&state, &req, body.into_inner().token).await?,
    ))
}

/// Confirms a hold with the token of its link (the API and the page
/// behind the link).
pub async fn confirm(
    state: &AppState,
    req: &HttpRequest,
    token: String,
) -> Result<HeldView, ApiError> {
    state.limit(Bucket::Booking, req).await?;
    let sender = state.config.mail_from.clone();
    let now = state.config.clock.now();
    let confirmed = state
        .tx(move |conn| {
            let confirmed = consultations::confirm(conn, &token, &sender, now)?;
            super::replan_reminders(conn, confirmed.id, now)?;
            Ok(confirmed)
        })
        .await?;
    Ok(HeldView::new(confirmed))
}
