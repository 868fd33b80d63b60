use actix_web::{delete, web, HttpResponse};
use domain::care;

use crate::auth::ClientAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// End the link with your therapist.
///
/// From this moment your therapist sees nothing of yours, including what you
/// had shared. Your own data stays yours.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "end_my_therapist_link",
    responses(
        (status = 204, description = "The link has ended"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients have a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "You have no therapist", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/me/therapist")]
pub async fn delete_therapist(
    state: web::Data<AppState>,
    auth: ClientAuth,
) -> Result<HttpResponse, ApiError> {
    auth.tx(&state, |conn, me| Ok(care::leave(conn, me)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
