//! Access tokens: HS256 JWTs that live at most 15 minutes and name their
//! session, so revoking the session ends them at once.

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

pub struct JwtKeys {
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
        Self {
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

    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
    }
}
