use actix_web::{delete, web, HttpResponse};
use chrono::NaiveDate;
use domain::habits::daily;

use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// Delete your check-in of a local date.
///
/// Clients only. Gone at once, also from a shared series.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "delete_daily_check_in",
    params(("date" = NaiveDate, Path, description = "Your local date")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients check in", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No check-in that day", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/daily-check-ins/{date}")]
pub async fn delete_check_in(
    state: web::Data<AppState>,
    auth: ClientAuth,
    date: web::Path<NaiveDate>,
) -> Result<HttpResponse, ApiError> {
    let date = date.into_inner();
    auth.tx(&state, move |conn, me| Ok(daily::delete(conn, me, date)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
