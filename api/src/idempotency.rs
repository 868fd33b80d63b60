//! `Idempotency-Key` on creating POSTs: a retried request (same key, same
//! body) gets the first response and creates nothing new; the same key with
//! a different body is refused.

use actix_web::http::header::{HeaderName, HeaderValue, CONTENT_TYPE, LOCATION};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use domain::access::Proof;
use domain::db::DbConnection;
use domain::idempotency;
use serde::Serialize;

use crate::auth::Auth;
use crate::error::ApiError;
use crate::state::AppState;

pub const HEADER: HeaderName = HeaderName::from_static("idempotency-key");
const REPLAYED: HeaderName = HeaderName::from_static("idempotent-replayed");

/// The key of a request, if it sent one: 1 to 255 visible ASCII characters.
pub fn key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(|k| Some(k.to_owned()))
        .ok_or(ApiError::BadRequest {
            code: "invalid_idempotency_key",
            detail: "Idempotency-Key must be 1 to 255 visible ASCII characters.".into(),
        })
}

/// A fingerprint of the request body, to refuse a key reused for another request.
pub fn fingerprint<T: Serialize>(request: &T) -> String {
    domain::secret::hash_secret(&serde_json::to_string(request).unwrap_or_default())
}

enum Outcome {
    Fresh(String),
    Replay(idempotency::Stored),
}

/// Runs `create` in a transaction and answers 201 with its JSON and (given
/// a prefix) a `Location` of `location_prefix/{id}`; with a key, at most
/// once per key.
pub async fn create_once<R, T, F>(
    state: &AppState,
    auth: &Auth<R>,
    key: Option<String>,
    fingerprint: String,
    location_prefix: Option<&str>,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    R: Proof,
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConnection, &R) -> Result<T, ApiError> + Send + 'static,
{
    let Some(key) = key else {
        let created = auth.tx(state, create).await?;
        let body = serde_json::to_string(&created).map_err(|e| ApiError::Internal(e.into()))?;
        return Ok(respond(StatusCode::CREATED, body, location_prefix, false));
    };
    let (k, f) = (key.clone(), fingerprint.clone());
    let outcome = auth
        .tx(state, move |conn, proof| {
            let user = proof.actor().id();
            if let Some(stored) = idempotency::find(conn, user, &k)? {
                return Ok(Outcome::Replay(stored));
            }
            let created = create(conn, proof)?;
            let body = serde_json::to_string(&created).map_err(|e| ApiError::Internal(e.into()))?;
            if !idempotency::store(conn, user, &k, &f, 201, &body, created_id(&body))? {
                // A concurrent request with this key won: undo ours, answer with theirs.
                return Err(ApiError::Conflict {
                    code: "idempotency_race",
                    detail: String::new(),
                });
            }
            Ok(Outcome::Fresh(body))
        })
        .await;
    let outcome = match outcome {
        Err(ApiError::Conflict {
            code: "idempotency_race",
            ..
        }) => {
            let stored = auth
                .db(state, move |conn, proof| {
                    idempotency::find(conn, proof.actor().id(), &key)?.ok_or(ApiError::NotFound)
                })
                .await?;
            Outcome::Replay(stored)
        }
        other => other?,
    };
    replay_or_fresh(outcome, &fingerprint, location_prefix)
}

/// As [`create_once`], for a create without an account (booking a
/// consultation): the key is scoped to the user `scope` names inside the
/// transaction (the therapist being booked) and to `who` (the booker's
/// address), so two strangers' keys never meet.
pub async fn create_once_public<T, S, F>(
    state: &AppState,
    key: Option<String>,
    fingerprint: String,
    who: &str,
    scope: S,
    create: F,
) -> Result<HttpResponse, ApiError>
where
    T: Serialize + Send + 'static,
    S: Fn(&mut DbConnection) -> Result<domain::ids::UserId, ApiError> + Clone + Send + 'static,
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
{
    let Some(key) = key else {
        let created = state.tx(create).await?;
        let body = serde_json::to_string(&created).map_err(|e| ApiError::Internal(e.into()))?;
        return Ok(respond(StatusCode::CREATED, body, None, false));
    };
    let key = format!("public:{}:{key}", domain::secret::hash_secret(who));
    let (k, f, first_scope) = (key.clone(), fingerprint.clone(), scope.clone());
    let outcome = state
        .tx(move |conn| {
            let user = first_scope(conn)?;
            if let Some(stored) = idempotency::find(conn, user, &k)? {
                return Ok(Outcome::Replay(stored));
            }
            let created = create(conn)?;
            let body = serde_json::to_string(&created).map_err(|e| ApiError::Internal(e.into()))?;
            if !idempotency::store(conn, user, &k, &f, 201, &body, created_id(&body))? {
                return Err(ApiError::Conflict {
                    code: "idempotency_race",
                    detail: String::new(),
                });
            }
            Ok(Outcome::Fresh(body))
        })
        .await;
    let outcome = match outcome {
        Err(ApiError::Conflict {
            code: "idempotency_race",
            ..
        }) => {
            let stored = state
                .db(move |conn| {
                    let user = scope(conn)?;
                    idempotency::find(conn, user, &key)?.ok_or(ApiError::NotFound)
                })
                .await?;
            Outcome::Replay(stored)
        }
        other => other?,
    };
    replay_or_fresh(outcome, &fingerprint, None)
}

fn replay_or_fresh(
    outcome: Outcome,
    fingerprint: &str,
    location_prefix: Option<&str>,
) -> Result<HttpResponse, ApiError> {
    match outcome {
        Outcome::Fresh(body) => Ok(respond(StatusCode::CREATED, body, location_prefix, false)),
        Outcome::Replay(stored) if stored.request_hash == fingerprint => {
            let status = StatusCode::from_u16(u16::try_from(stored.status).unwrap_or(201))
                .unwrap_or(StatusCode::CREATED);
            Ok(respond(status, stored.body, location_prefix, true))
        }
        Outcome::Replay(_) => Err(ApiError::Conflict {
            code: "idempotency_key_reused",
            detail: "This Idempotency-Key was used for a different request.".into(),
        }),
    }
}

/// The `id` of what a create answered with.
fn created_id(body: &str) -> Option<uuid::Uuid> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()?
        .get("id")?
        .as_str()?
        .parse()
        .ok()
}

fn respond(
    status: StatusCode,
    body: String,
    location_prefix: Option<&str>,
    replayed: bool,
) -> HttpResponse {
    let id = serde_json::from_str::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("id").and_then(|id| id.as_str()).map(str::to_owned));
    let mut response = HttpResponse::build(status);
    response.insert_header((CONTENT_TYPE, "application/json"));
    if let (Some(prefix), Some(id)) = (location_prefix, id) {
        response.insert_header((LOCATION, format!("{prefix}/{id}")));
    }
    if replayed {
        response.insert_header((REPLAYED, HeaderValue::from_static("true")));
    }
    response.body(body)
}
