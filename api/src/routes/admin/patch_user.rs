use actix_web::{patch, web, HttpRequest};
use domain::accounts;
use domain::ids::UserId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::AccountView;
use crate::auth::AdminAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::origin;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccount {
    /// A disabled account cannot log in, and its sessions end at once.
    pub disabled: bool,
}

/// Disable or re-enable an account.
///
/// Administrators only. A disabled account cannot log in, its sessions end at
/// once, and a disabled client's data is frozen: nobody else sees it until the
/// account is enabled again. An administrator cannot disable their own account.
/// Written to the security log; sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "update_user",
    params(("id" = UserId, Path, description = "The account")),
    request_body = UpdateAccount,
    responses(
        (status = 200, description = "The account", body = AccountView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not an admin", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such account", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You cannot disable yourself", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/admin/users/{id}")]
pub async fn patch_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: AdminAuth,
    id: web::Path<UserId>,
    body: extract::Json<UpdateAccount>,
) -> Result<web::Json<AccountView>, ApiError> {
    let origin = origin(&req);
    let (target, disabled) = (id.into_inner(), body.disabled);
    let user = auth
        .tx(&state, move |conn, admin| {
            Ok(accounts::set_disabled(
                conn, admin, target, disabled, &origin,
            )?)
        })
        .await?;
    Ok(web::Json(user.into()))
}
