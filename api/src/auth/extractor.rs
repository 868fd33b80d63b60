//! The authenticated-caller extractor, with the role a route needs in its
//! type: `Auth<Client>`, `Auth<Therapist>`, `Auth<Admin>` or `Auth<Actor>`
//! (any role).
//!
//! Extracting checks the access token's signature and claims, and the
//! claimed role against the route's (403 before any database work). The
//! session (not revoked, not expired, account enabled, role unchanged) is
//! checked in the same database call as the handler's own work: handlers
//! reach the database through [`Auth::db`] and [`Auth::tx`], which confirm
//! the session first and only then hand over the proof (`&Client`, …) that
//! domain functions require. No handler can touch data for a revoked
//! session, and the check costs no extra trip: the work runs right after it
//! on the same connection.

use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use domain::access::{Actor, Admin, Claimed, Client, Proof, Therapist};
use domain::accounts::sessions;
use domain::db::DbConnection;
use futures_util::future::{ready, Ready};

use crate::error::ApiError;
use crate::state::AppState;

/// A caller with a valid access token whose role fits the route.
pub struct Auth<R: Proof> {
    claimed: Claimed,
    role: PhantomData<fn() -> R>,
}

pub type ClientAuth = Auth<Client>;
pub type TherapistAuth = Auth<Therapist>;
pub type AdminAuth = Auth<Admin>;
/// Any signed-in person, whatever their role.
pub type AnyAuth = Auth<Actor>;

fn unauthorized(code: &'static str, detail: &str) -> ApiError {
    ApiError::Unauthorized {
        code,
        detail: detail.into(),
    }
}

fn session_ended() -> ApiError {
    unauthorized("session_ended", "This session has ended; log in again.")
}

impl<R: Proof> Auth<R> {
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
        if let Some(role) = R::ROLE.filter(|role| *role != claims.role) {
            return Err(role.required().into());
        }
        Ok(Self {
            claimed: Claimed {
                user_id: claims.sub,
                role: claims.role,
                session_id: claims.sid,
                request_id: crate::routes::request_id(req),
            },
            role: PhantomData,
        })
    }

    /// The role the token claims. The session check confirms it before any
    /// data is reached; use it only to choose how to reach it.
    pub fn claimed_role(&self) -> domain::access::Role {
        self.claimed.role
    }

    /// Confirms the session on `conn`, then runs `f` with the caller's proof.
    fn confirmed<T>(
        claimed: Claimed,
        conn: &mut DbConnection,
        f: impl FnOnce(&mut DbConnection, &R) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let actor = sessions::confirm(conn, claimed)?.ok_or_else(session_ended)?;
        let proof = R::from_actor(actor).ok_or_else(session_ended)?;
        f(conn, &proof)
    }

    /// Runs `f` on the worker's connection, as the confirmed caller.
    pub async fn db<T, F>(&self, state: &AppState, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &R) -> Result<T, ApiError>,
    {
        let claimed = self.claimed.clone();
        state
            .db(move |conn| Self::confirmed(claimed, conn, f))
            .await
    }

    /// Like [`Self::db`], inside one write transaction.
    pub async fn tx<T, F>(&self, state: &AppState, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConnection, &R) -> Result<T, ApiError>,
    {
        let claimed = self.claimed.clone();
        state
            .tx(move |conn| Self::confirmed(claimed, conn, f))
            .await
    }
}

impl<R: Proof> FromRequest for Auth<R> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Self::from_header(req))
    }
}
