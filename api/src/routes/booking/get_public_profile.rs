use actix_web::{get, web};
use domain::booking;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// What anyone may see of a therapist: the public profile and how
/// consultations are offered, nothing else.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicProfileView {
    #[schema(example = "dr-ada-lovelace")]
    pub slug: String,
    #[schema(example = "Dr Ada Lovelace")]
    pub display_name: String,
    pub bio: String,
    pub offers_consultations: bool,
    /// Length of a consultation.
    pub duration_minutes: i32,
    /// How long before its start a slot can still be booked.
    pub notice_minutes: i32,
    /// How far ahead slots are offered.
    pub horizon_days: i32,
    /// The therapist's time zone, in which availability is kept.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
}

/// A therapist's public profile.
///
/// No account needed. 404 for an unknown slug (or an account that is
/// disabled).
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_therapist",
    params(("slug" = String, Path, description = "The therapist's slug", pattern = "^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")),
    responses(
        (status = 200, description = "The public profile", body = PublicProfileView),
        (status = 404, description = "No such therapist", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/therapists/{slug}")]
pub async fn get_public_profile(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<web::Json<PublicProfileView>, ApiError> {
    let slug = slug.into_inner();
    let p = state
        .db(move |conn| Ok(booking::by_slug(conn, &slug)?))
        .await?;
    Ok(web::Json(PublicProfileView {
        slug: p.slug,
        display_name: p.display_name,
        bio: p.bio,
        offers_consultations: p.offers_consultations,
        duration_minutes: p.settings.duration_minutes,
        notice_minutes: p.settings.notice_minutes,
        horizon_days: p.settings.horizon_days,
        time_zone: p.zone.name().to_owned(),
    }))
}
