//! Access tokens: HS256 JWTs that live at most 15 minutes and name their
//! session, so revoking the session ends them at once.
//!
//! A client sends the same token with every request for its whole life, so
//! each HTTP worker remembers the tokens it has verified (until they
//! expire): a repeat costs a lookup instead of a signature check and two
//! JSON parses. Revocation does not depend on this: every request checks
//! its session in the database.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::Duration;
use domain::accounts::Role;
use domain::ids::{SessionId, UserId};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

pub const ACCESS_TOKEN_AUDIENCE: &str = "between-api";
/// Clock skew tolerated between instances, in seconds.
const LEEWAY_SECS: u64 = 5;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub aud: String,
    pub sub: UserId,
    pub exp: i64,
    pub iat: i64,
    pub role: Role,
    pub sid: SessionId,
}

/// What a verified token says about its bearer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub sub: UserId,
    pub role: Role,
    pub sid: SessionId,
    pub exp: i64,
}

/// Tokens a worker thread verified, with the keys that verified them.
const VERIFIED_PER_THREAD: usize = 1024;

thread_local! {
    static VERIFIED: RefCell<HashMap<String, (u64, Verified)>> = RefCell::new(HashMap::new());
}

pub struct JwtKeys {
    /// Tells these keys from others in the same process (tests run several services).
    id: u64,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    issuer: String,
    pub lifetime: Duration,
}

impl JwtKeys {
    pub fn new(secret: &str, issuer: &str, lifetime: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.algorithms = vec![Algorithm::HS256];
        validation.set_audience(&[ACCESS_TOKEN_AUDIENCE]);
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            issuer: issuer.to_owned(),
            lifetime,
        }
    }

    pub fn issue(&self, user: UserId, role: Role, session: SessionId) -> anyhow::Result<String> {
        let now = chrono::Utc::now();
        let claims = Claims {
            iss: self.issuer.clone(),
            aud: ACCESS_TOKEN_AUDIENCE.into(),
            sub: user,
            exp: (now + self.lifetime).timestamp(),
            iat: now.timestamp(),
            role,
            sid: session,
        };
        Ok(jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    /// Checks the token's signature and claims (or finds it verified before
    /// by these keys and not yet expired).
    pub fn verify(&self, token: &str) -> Result<Verified, jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        let leeway = i64::try_from(LEEWAY_SECS).unwrap_or(0);
        let known = VERIFIED.with(|cache| {
            cache
                .borrow()
                .get(token)
                .filter(|(keys, claims)| *keys == self.id && claims.exp + leeway > now)
                .map(|(_, claims)| *claims)
        });
        if let Some(claims) = known {
            return Ok(claims);
        }
        let claims =
            jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)?.claims;
        let verified = Verified {
            sub: claims.sub,
            role: claims.role,
            sid: claims.sid,
            exp: claims.exp,
        };
        VERIFIED.with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.len() >= VERIFIED_PER_THREAD {
                cache.retain(|_, (_, claims)| claims.exp + leeway > now);
                if cache.len() >= VERIFIED_PER_THREAD {
                    cache.clear();
                }
            }
            cache.insert(token.to_owned(), (self.id, verified));
        });
        Ok(verified)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_token_is_still_refused_by_other_keys_and_after_it_expires() {
        let keys = JwtKeys::new(
            "a-secret-a-secret-a-secret-a-secret",
            "https://a",
            Duration::seconds(60),
        );
        let other = JwtKeys::new(
            "b-secret-b-secret-b-secret-b-secret",
            "https://b",
            Duration::seconds(60),
        );
        let (user, session) = (UserId::new(), SessionId::new());
        let token = keys.issue(user, Role::Client, session).unwrap_or_default();
        let first = keys.verify(&token).map(|v| v.sub);
        assert_eq!(first.ok(), Some(user));
        assert_eq!(keys.verify(&token).map(|v| v.sid).ok(), Some(session));
        assert!(
            other.verify(&token).is_err(),
            "other keys verify for themselves"
        );
        // A remembered entry past its expiry is not used: the token is checked again.
        let stranger = UserId::new();
        VERIFIED.with(|cache| {
            if let Some((_, claims)) = cache.borrow_mut().get_mut(&token) {
                claims.exp = chrono::Utc::now().timestamp() - 60;
                claims.sub = stranger;
            }
        });
        assert_eq!(keys.verify(&token).map(|v| v.sub).ok(), Some(user));
        let expired = JwtKeys::new(
            "a-secret-a-secret-a-secret-a-secret",
            "https://a",
            Duration::seconds(-60),
        );
        let old = expired
            .issue(user, Role::Client, session)
            .unwrap_or_default();
        assert!(expired.verify(&old).is_err(), "an expired token is refused");
        assert!(keys.verify("not.a.token").is_err());
    }
}
