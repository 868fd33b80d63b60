use actix_web::{get, web, HttpRequest};
use domain::accounts::links;
use domain::audit::{self, Access};
use domain::ids::UserId;

use super::ClientView;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::routes::request_id;
use crate::state::AppState;

/// One of your clients. The read is written to the client's access log.
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
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Authenticated,
    id: web::Path<UserId>,
) -> Result<web::Json<ClientView>, ApiError> {
    auth.is_therapist()?;
    let (client, request_id) = (id.into_inner(), request_id(&req));
    let found = auth
        .tx(&state, move |conn, actor| {
            let found = links::client_of(conn, actor.user_id, client)?;
            audit::record(
                conn,
                actor,
                &Access {
                    client,
                    resource: "client_profile",
                    resource_id: Some(client.0),
                    action: "read",
                    request_id: request_id.as_deref(),
                },
            )?;
            Ok(found)
        })
        .await?;
    Ok(web::Json(found.into()))
}
