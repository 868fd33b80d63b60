//! Sign-up, login, tokens, email verification and passwords.

mod post_login;
mod post_logout;
mod post_password;
mod post_password_reset;
pub mod post_password_reset_confirm;
mod post_refresh;
mod post_signup;
pub mod post_verify_email;

use domain::accounts::Role;
use domain::ids::{SessionId, UserId};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::state::AppState;

pub const TAG: &str = "auth";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(post_signup::post_signup)
        .service(post_verify_email::post_verify_email)
        .service(post_login::post_login)
        .service(post_refresh::post_refresh)
        .service(post_logout::post_logout)
        .service(post_password::post_password)
        .service(post_password_reset::post_password_reset)
        .service(post_password_reset_confirm::post_password_reset_confirm);
}

/// Tokens for a session.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// A JWT for `Authorization: Bearer …`; valid for `expires_in` seconds.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Opaque; exchange it at `POST /api/v1/auth/refresh` for new tokens. Each
    /// refresh token works once: using one twice ends the session.
    pub refresh_token: String,
}

pub fn token_pair(
    state: &AppState,
    user: UserId,
    role: Role,
    session: SessionId,
    refresh: String,
) -> Result<TokenPair, ApiError> {
    Ok(TokenPair {
        access_token: state.auth.jwt.issue(user, role, session)?,
        token_type: "Bearer",
        expires_in: state.auth.jwt.lifetime.num_seconds(),
        refresh_token: refresh,
    })
}
