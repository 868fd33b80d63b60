//! The authenticated-actor extractor.
//!
//! Extracting checks the access token's signature and claims only. The
//! session (not revoked, not expired, account enabled, role unchanged) is
//! checked in the same database call as the handler's own work: handlers
//! reach the database through [`Authenticated::db`] and
//! [`Authenticated::tx`], which verify the session first and only then hand
//! over the [`Actor`]. No handler can touch data for a revoked session, and
//! a request costs one trip to the blocking pool, not two.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use domain::access::Actor;
use domain::accounts::sessions;
use domain::db::DbConnection;
use futures_util::future::{ready, Ready};

use crate::error::ApiError;
use crate::state::AppState;

pub struct Authenticated {
    claimed: Actor,
}

fn unauthorized(code: &'static str, detail: &str) -> ApiError {
    ApiError::Unauthorized {
        code,
        detail: detail.into(),
    }
}

impl Authenticated {
    fn from_header(req: &HttpRequest) -> Result<Self, ApiError> {
        let state = req
            .app_data::<web::Data<AppState>>()
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("app state missing")))?;
        let header = req
            .headers()
            .get(header::AUTHORIZATION)
            .ok_or_else(|| {
                unauthorized(
                    "missing_token",
                    "Send an access token: Authorization: Bearer <token>.",
                )
            })?
            .to_str()
            .map_err(|_| {
                unauthorized(
                    "invalid_token",
                    "The Authorization header must be `Bearer <token>`.",
                )
            })?;
        let token = match header.split_once(' ') {
            Some((scheme, token))
                if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
            {
                token.trim()
            }
            _ => {
                return Err(unauthorized(
                    "invalid_token",
                    "The Authorization header must be `Bearer <token>`.",
                ))
            }
        };
        let claims = state.auth.jwt.verify(token).map_err(|_| {
            unauthorized("invalid_token", "The access token is invalid or expired.")
        })?;
        Ok(Self {
            claimed: Actor {
                user_id: claims.sub,
                role: claims.role,
                session_id: claims.sid,
            },
        })
    }

    /// Role checks on the token's role; [`Self::db`] confirms it is current.
    pub fn is_client(&self) -> Result<(), ApiError> {
        Ok(self.claimed.is_client()?)
    }

    pub fn is_therapist(&self) -> Result<(), ApiError> {
        Ok(self.claimed.is_therapist()?)
    }

    pub fn is_admin(&self) -> Result<(), ApiError> {
        Ok(self.claimed.is_admin()?)
    }

    /// Confirms the session on `conn`, then runs `f` as the actor.
    fn verified<T>(
        claimed: Actor,
        conn: &mut DbConnection,
        f: impl FnOnce(&mut DbConnection, &Actor) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        match sessions::active_role(conn, claimed.session_id, claimed.user_id)? {
            Some(role) if role == claimed.role => f(conn, &claimed),
            _ => Err(unauthorized(
                "session_ended",
                "This session has ended; log in again.",
            )),
        }
    }

    /// Runs `f` with a pooled connection, as the verified actor.
    pub async fn db<T, F>(&self, state: &AppState, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection, &Actor) -> Result<T, ApiError> + Send + 'static,
    {
        let claimed = self.claimed;
        state.db(move |conn| Self::verified(claimed, conn, f)).await
    }

    /// Like [`Self::db`], inside one write transaction.
    pub async fn tx<T, F>(&self, state: &AppState, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection, &Actor) -> Result<T, ApiError> + Send + 'static,
    {
        let claimed = self.claimed;
        state.tx(move |conn| Self::verified(claimed, conn, f)).await
    }
}

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::from_header(req))
    }
}
