//! The therapist's consultations: the list, cancelling (never held to the
//! cutoff), marking what happened, and inviting the booker as a client.

use actix_web::{get, post, web, HttpResponse};
use domain::accounts::{self, EmailAddress};
use domain::booking::consultations::{self, By, ConsultationStatus, When};
use domain::ids::RowId;
use domain::page::Page;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::ConsultationView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::extract::OptionalJson;
use crate::routes::invitations::InvitationView;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ConsultationQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub cursor: Option<String>,
    /// `upcoming` (default, soonest first) or `past` (latest first).
    #[param(inline)]
    pub when: Option<When>,
    pub status: Option<ConsultationStatus>,
}

/// Your consultations, upcoming or past.
///
/// Therapists only: bookings of your free consultation, with the booker's
/// name, address, zone and note.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_consultations",
    params(ConsultationQuery),
    responses(
        (status = 200, description = "Consultations", body = Page<ConsultationView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only therapists have consultations", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "The cursor names no consultation of yours", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/consultations")]
pub async fn get_consultations(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    query: web::Query<ConsultationQuery>,
) -> Result<web::Json<Page<ConsultationView>>, ApiError> {
    let page = crate::routes::page_request(query.limit, query.cursor.as_deref())?;
    let (when, status) = (query.when.unwrap_or(When::Upcoming), query.status);
    let now = state.config.clock.now();
    let rows = auth
        .db(&state, move |conn, me| {
            if let Some(after) = page.after {
                consultations::own(conn, me, RowId(after))?;
            }
            Ok(consultations::list(conn, me, when, status, &page, now)?)
        })
        .await?;
    Ok(web::Json(page.page(
        rows,
        |c| c.id.0,
        ConsultationView::from,
    )))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    /// A short message for the booker's email.
    #[schema(max_length = 1000)]
    pub message: Option<String>,
}

/// Cancel a consultation (at any time before it starts).
///
/// Therapists only. The slot is free at once; the booker gets the
/// cancellation with your message and the calendar update (`METHOD:CANCEL`,
/// same event).
#[utoipa::path(
    tag = super::TAG,
    operation_id = "cancel_consultation",
    params(("id" = RowId, Path, description = "The consultation")),
    request_body(content = CancelRequest, description = "Optional: a message for the booker", content_type = "application/json"),
    responses(
        (status = 200, description = "Cancelled", body = ConsultationView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only therapists have consultations", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not booked any more (`consultation_not_live`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The message is too long", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/consultations/{id}/cancel")]
pub async fn post_cancel(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<RowId>,
    body: OptionalJson<CancelRequest>,
) -> Result<web::Json<ConsultationView>, ApiError> {
    let id = id.into_inner();
    let message = body.0.message.filter(|m| !m.trim().is_empty());
    if let Some(m) = &message {
        consultations::check_text("x", Some(m)).map_err(|mut e| {
            for problem in &mut e {
                problem.field = "message".into();
            }
            ApiError::Validation(e)
        })?;
    }
    let sender = state.config.mail_from.clone();
    let now = state.config.clock.now();
    let cancelled = auth
        .tx(&state, move |conn, me| {
            let c = consultations::own(conn, me, id)?;
            let cancelled =
                consultations::cancel(conn, &c, By::Therapist, message.as_deref(), &sender, now)?;
            super::replan_reminders(conn, c.id, now)?;
            Ok(cancelled)
        })
        .await?;
    Ok(web::Json(cancelled.into()))
}

async fn mark(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: RowId,
    status: ConsultationStatus,
) -> Result<web::Json<ConsultationView>, ApiError> {
    let now = state.config.clock.now();
    let marked = auth
        .tx(&state, move |conn, me| {
            let c = consultations::own(conn, me, id)?;
            Ok(consultations::mark(conn, &c, status, now)?)
        })
        .await?;
    Ok(web::Json(marked.into()))
}

/// Mark a consultation that took place.
///
/// Therapists only, for a booked consultation that has started.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "complete_consultation",
    params(("id" = RowId, Path, description = "The consultation")),
    responses(
        (status = 200, description = "Completed", body = ConsultationView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only therapists have consultations", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not booked, or not started yet (`consultation_not_live`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/consultations/{id}/complete")]
pub async fn post_complete(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<RowId>,
) -> Result<web::Json<ConsultationView>, ApiError> {
    mark(state, auth, id.into_inner(), ConsultationStatus::Completed).await
}

/// Mark a consultation the booker did not come to.
///
/// Therapists only, for a booked consultation that has started.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "mark_consultation_no_show",
    params(("id" = RowId, Path, description = "The consultation")),
    responses(
        (status = 200, description = "Marked", body = ConsultationView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only therapists have consultations", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not booked, or not started yet (`consultation_not_live`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/consultations/{id}/no-show")]
pub async fn post_no_show(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<RowId>,
) -> Result<web::Json<ConsultationView>, ApiError> {
    mark(state, auth, id.into_inner(), ConsultationStatus::NoShow).await
}

/// Invite the booker to become your client.
///
/// Therapists only. The invitation email goes to the booker's address;
/// accepting it links the new client to you (as any invitation does).
#[utoipa::path(
    tag = super::TAG,
    operation_id = "invite_consultation_booker",
    params(("id" = RowId, Path, description = "The consultation")),
    responses(
        (status = 201, description = "The invitation is on its way", body = InvitationView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist, or email not verified yet", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such consultation of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/consultations/{id}/invite")]
pub async fn post_invite(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<RowId>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let invitation = auth
        .tx(&state, move |conn, me| {
            let c = consultations::own(conn, me, id)?;
            let email = EmailAddress::parse("email", &c.email)
                .map_err(|e| ApiError::Validation(vec![e]))?;
            Ok(accounts::invite(conn, me, &email)?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/invitations/{}", invitation.id)))
        .json(InvitationView::from(invitation)))
}
