//! The authenticated-actor extractor: a valid access token whose session is
//! still live and whose account is enabled. The role comes from the
//! database, not from the token.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use domain::access::Actor;
use domain::accounts::sessions;
use futures_util::future::LocalBoxFuture;

use crate::error::{blocking, ApiError};
use crate::state::AppState;

pub struct Authenticated(pub Actor);

fn unauthorized(code: &'static str, detail: &str) -> ApiError {
    ApiError::Unauthorized {
        code,
        detail: detail.into(),
    }
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal(anyhow::anyhow!("app state missing")))?;
            let header = header.ok_or_else(|| {
                unauthorized(
                    "missing_token",
                    "Send an access token: Authorization: Bearer <token>.",
                )
            })?;
            let token = match header.split_once(' ') {
                Some((scheme, token))
                    if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
                {
                    token.trim().to_owned()
                }
                _ => {
                    return Err(unauthorized(
                        "invalid_token",
                        "The Authorization header must be `Bearer <token>`.",
                    ))
                }
            };
            let claims = state.auth.jwt.verify(&token).map_err(|_| {
                unauthorized("invalid_token", "The access token is invalid or expired.")
            })?;
            let (session, user) = (claims.sid, claims.sub);
            let db = state.clone();
            let role = blocking(move || {
                let mut conn = db.conn()?;
                Ok(sessions::active_role(&mut conn, session, user)?)
            })
            .await?;
            let role = role.ok_or_else(|| {
                unauthorized("session_ended", "This session has ended; log in again.")
            })?;
            Ok(Authenticated(Actor {
                user_id: user,
                role,
                session_id: session,
            }))
        })
    }
}
