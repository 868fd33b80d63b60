//! Authentication: JWT access tokens, the authenticated-actor extractor,
//! password hashing off the async workers, and rate limits.

mod extractor;
mod jwt;
mod passwords;
mod rate_limit;

pub use extractor::{AdminAuth, AnyAuth, Auth, ClientAuth, TherapistAuth};
pub use jwt::{Claims, JwtKeys, Verified, ACCESS_TOKEN_AUDIENCE};
pub use passwords::PasswordHasher;
pub use rate_limit::{retry_after, Bucket, RateLimitStore, RateLimits};

use domain::accounts::sessions::SessionPolicy;

/// Everything the auth endpoints and the extractor share.
pub struct AuthKit {
    pub jwt: JwtKeys,
    pub passwords: PasswordHasher,
    pub limits: RateLimits,
    pub sessions: SessionPolicy,
    pub allow_signup: bool,
}
