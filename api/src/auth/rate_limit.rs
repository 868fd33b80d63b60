//! Rate limits on the endpoints that guess at secrets. Keyed by client IP,
//! never by account: an attacker cannot lock a real person out of their
//! account by failing logins in their name.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::ApiError;

#[derive(Debug, Clone, Copy)]
pub enum Bucket {
    Login,
    Signup,
    PasswordReset,
    InvitationAccept,
}

pub struct RateLimits {
    trust_forwarded: bool,
    login: DefaultKeyedRateLimiter<IpAddr>,
    signup: DefaultKeyedRateLimiter<IpAddr>,
    password_reset: DefaultKeyedRateLimiter<IpAddr>,
    invitation_accept: DefaultKeyedRateLimiter<IpAddr>,
}

impl RateLimits {
    /// `per_minute` requests per IP and bucket, all of them at once as a burst.
    /// With `trust_forwarded`, the client address is read from `Forwarded` /
    /// `X-Forwarded-For`, as the proxy in front of the service sets it.
    pub fn new(per_minute: u32, trust_forwarded: bool) -> Self {
        let per_minute = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = || Quota::per_minute(per_minute);
        Self {
            trust_forwarded,
            login: DefaultKeyedRateLimiter::keyed(quota()),
            signup: DefaultKeyedRateLimiter::keyed(quota()),
            password_reset: DefaultKeyedRateLimiter::keyed(quota()),
            invitation_accept: DefaultKeyedRateLimiter::keyed(quota()),
        }
    }

    pub fn check(&self, bucket: Bucket, req: &HttpRequest) -> Result<(), ApiError> {
        let limiter = match bucket {
            Bucket::Login => &self.login,
            Bucket::Signup => &self.signup,
            Bucket::PasswordReset => &self.password_reset,
            Bucket::InvitationAccept => &self.invitation_accept,
        };
        let Some(ip) = self.client_ip(req) else {
            return Ok(());
        };
        // Forget idle addresses now and then so the map stays small.
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}

impl RateLimits {
    /// The client's address: the peer, or (behind a trusted proxy) the
    /// address the proxy forwarded. Headers are ignored unless trusted,
    /// since a client could otherwise pick any key it likes.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        if self.trust_forwarded {
            let info = req.connection_info();
            if let Some(ip) = info.realip_remote_addr().and_then(parse_ip) {
                return Some(ip);
            }
        }
        req.peer_addr().map(|addr| addr.ip())
    }
}

fn parse_ip(raw: &str) -> Option<IpAddr> {
    raw.parse::<IpAddr>()
        .ok()
        .or_else(|| raw.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}
