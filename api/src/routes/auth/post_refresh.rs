use actix_web::{post, web, HttpRequest};
use domain::accounts::{self, sessions::Refreshed};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{token_pair, TokenPair};
use crate::auth::Bucket;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::origin;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Refresh {
    #[schema(pattern = "^[0-9a-f]{64}$")]
    pub refresh_token: String,
}

/// Exchange a refresh token for new tokens.
///
/// No access token needed. The refresh token is rotated: the one you sent stops
/// working. Two refreshes of one token within 5 seconds (two tabs) both
/// succeed; a rotated token sent later was copied, and the whole session ends.
/// Limited per client address. Sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "refresh_tokens",
    request_body = Refresh,
    responses(
        (status = 200, description = "New tokens for the same session", body = TokenPair),
        (status = 401, description = "Unknown, used, expired or revoked refresh token", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/refresh")]
pub async fn post_refresh(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: extract::Json<Refresh>,
) -> Result<web::Json<TokenPair>, ApiError> {
    state.limit(Bucket::Refresh, &req).await?;
    let origin = origin(&req);
    let presented = body.into_inner().refresh_token;
    let policy = state.auth.sessions;
    let outcome = state
        .tx(move |conn| Ok(accounts::refresh(conn, &presented, &policy, &origin)?))
        .await?;
    match outcome {
        Refreshed::Rotated {
            session,
            user,
            refresh,
        } => Ok(web::Json(token_pair(
            &state, user.id, user.role, session, refresh,
        )?)),
        Refreshed::Reused { .. } | Refreshed::Invalid => Err(ApiError::Unauthorized {
            code: "invalid_refresh_token",
            detail: "This refresh token is not valid; log in again.".into(),
        }),
    }
}
