use actix_web::{get, web};
use domain::care;
use domain::habits::sharing;
use domain::ids::UserId;

use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::routes::daily_check_ins::DailyCheckInView;
use crate::routes::habits::RangeQuery;
use crate::state::AppState;

/// The client's daily check-ins (mood, energy, sleep, tags), if shared.
///
/// Therapists only, for a current client who shares the series with you
/// now; otherwise 404. Oldest first, by the client's local date. Marks the
/// share read; written to the client's access log.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_client_daily_check_ins",
    params(("id" = UserId, Path, description = "The client"), RangeQuery),
    responses(
        (status = 200, description = "The series", body = Vec<DailyCheckInView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours, or the series is not shared with you", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`from` after `to`, or more than 366 days", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/clients/{id}/daily-check-ins")]
pub async fn get_daily_check_ins(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<UserId>,
    query: web::Query<RangeQuery>,
) -> Result<web::Json<Vec<DailyCheckInView>>, ApiError> {
    let client = id.into_inner();
    let (from, to) = (query.from, query.to);
    let now = state.config.clock.now();
    let rows = auth
        .tx(&state, move |conn, me| {
            let access = care::open(conn, me, client)?;
            Ok(sharing::open_daily(conn, &access, from, to, now)?)
        })
        .await?;
    Ok(web::Json(
        rows.into_iter().map(DailyCheckInView::from).collect(),
    ))
}
