use actix_web::{get, web};
use domain::care;
use domain::ids::UserId;

use super::ClientView;
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

/// One of your clients.
///
/// Therapists only, for their current clients: account details, never content.
/// Written to the client's access log. Changes nothing else.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_client",
    params(("id" = UserId, Path, description = "The client")),
    responses(
        (status = 200, description = "The client", body = ClientView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/clients/{id}")]
pub async fn get_client(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    id: web::Path<UserId>,
) -> Result<web::Json<ClientView>, ApiError> {
    let client = id.into_inner();
    let found = auth
        .tx(&state, move |conn, me| {
            let access = care::open(conn, me, client)?;
            Ok(access.profile(conn)?)
        })
        .await?;
    Ok(web::Json(found.into()))
}
