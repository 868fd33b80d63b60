use actix_web::{post, web, HttpRequest, HttpResponse};
use domain::accounts::{EmailAddress, TimeZoneName};
use domain::booking::consultations::{self, Request};
use domain::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::HeldView;
use crate::auth::Bucket;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::Fields;
use crate::state::AppState;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsultationRequest {
    /// An open slot's `start`, as the slots list gives it.
    pub start: Timestamp,
    #[schema(example = "Sam Rivera", min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(example = "sam@example.org")]
    pub email: String,
    /// The booker's IANA zone: emails show the time in it.
    #[schema(example = "America/New_York")]
    pub time_zone: String,
    /// For the therapist only; never in an email.
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// Book a free consultation: the slot is held and a confirmation link emailed.
///
/// No account needed. Every rule is checked again here, in the transaction
/// that writes the booking (availability, minimum notice, horizon, daily cap,
/// buffers); the database refuses two bookings that overlap, so of several
/// bookers racing for one slot exactly one is held and the others get 409
/// `slot_taken`. The hold lasts 15 minutes; the first use of the emailed link
/// confirms it, and an unconfirmed hold frees the slot. One address has at
/// most one hold waiting: a new booking replaces the address's earlier
/// unconfirmed hold (its link stops working). Rate-limited per client address.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "book_consultation",
    params(
        ("slug" = String, Path, description = "The therapist's slug", pattern = "^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$"),
        ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, pattern = "^[!-~]+$", description = "1 to 255 visible ASCII characters; a retried booking with the same key, address and body returns the first result"),
    ),
    request_body = ConsultationRequest,
    responses(
        (status = 201, description = "Held; the confirmation link is on its way", body = HeldView),
        (status = 404, description = "No such therapist", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slot is taken (`slot_taken`), consultations are not offered (`consultations_not_offered`), another booking for this address is being written at this moment (`hold_pending`), or the Idempotency-Key was used for another request", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or a rule broken (named in `errors`: not an open slot, notice, horizon, daily cap)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many bookings from this address", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/therapists/{slug}/consultations")]
pub async fn post_consultation(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    body: extract::Json<ConsultationRequest>,
) -> Result<HttpResponse, ApiError> {
    state.limit(Bucket::Booking, &req).await?;
    let key = crate::idempotency::key(&req)?;
    let b = body.into_inner();
    let fingerprint = crate::idempotency::fingerprint(&b);
    let request = checked(b)?;
    let slug = slug.into_inner();
    let now = state.config.clock.now();
    let who = request.email.as_str().to_lowercase();
    let scope_slug = slug.clone();
    crate::idempotency::create_once_public(
        &state,
        key,
        fingerprint,
        &who,
        move |conn| Ok(domain::booking::by_slug(conn, &scope_slug)?.therapist_id),
        move |conn| {
            let held = consultations::hold(conn, &slug, &request, now)?;
            Ok(HeldView::new(held))
        },
    )
    .await
}

/// A booking as the booker sent it, checked field by field (the API and
/// the booking page).
pub fn checked(b: ConsultationRequest) -> Result<Request, ApiError> {
    let mut fields = Fields::default();
    let email = fields.take(EmailAddress::parse("email", &b.email));
    let zone = fields.take(TimeZoneName::parse("time_zone", &b.time_zone));
    let note = b.note.filter(|n| !n.trim().is_empty());
    if let Err(problems) = consultations::check_text(&b.name, note.as_deref()) {
        for problem in problems {
            fields.take::<()>(Err(problem));
        }
    }
    let (Some(email), Some(zone)) = (email, zone) else {
        return Err(fields.error());
    };
    if !fields.is_empty() {
        return Err(fields.error());
    }
    Ok(Request {
        start: b.start,
        name: b.name,
        email,
        time_zone: zone.tz(),
        note,
    })
}
