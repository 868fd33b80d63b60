use actix_web::{patch, web, HttpRequest};
use domain::accounts::{sessions, users};
use domain::ids::UserId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::AccountView;
use crate::auth::Authenticated;
use crate::error::{ApiError, Problem};
use crate::routes::RequestMeta;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccount {
    /// A disabled account cannot log in, and its sessions end at once.
    pub disabled: bool,
}

/// Disable or re-enable an account.
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
    auth: Authenticated,
    id: web::Path<UserId>,
    body: web::Json<UpdateAccount>,
) -> Result<web::Json<AccountView>, ApiError> {
    auth.is_admin()?;
    let meta = RequestMeta::of(&req);
    let (target, disabled) = (id.into_inner(), body.disabled);
    let user = auth
        .tx(&state, move |conn, admin| {
            if admin.user_id == target && disabled {
                return Err(ApiError::Conflict {
                    code: "cannot_disable_self",
                    detail: "Ask another administrator to disable your account.".into(),
                });
            }
            let user = users::set_disabled(conn, target, disabled)?;
            if disabled {
                sessions::revoke_all(conn, target, None, "account_disabled")?;
            }
            let kind = if disabled {
                "account_disabled"
            } else {
                "account_enabled"
            };
            meta.record(
                conn,
                kind,
                Some(target),
                Some(&format!("by {}", admin.user_id)),
            )?;
            Ok(user)
        })
        .await?;
    Ok(web::Json(user.into()))
}
