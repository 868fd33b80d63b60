//! Rate limits on the endpoints that guess at secrets. Keyed by client IP,
//! never by account: an attacker cannot lock a real person out of their
//! account by failing logins in their name.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::ApiError;

/// The endpoints that are limited, each counted on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    Login,
    Signup,
    PasswordReset,
    InvitationAccept,
    Refresh,
    VerifyEmail,
    /// Booking and confirming a consultation (no account).
    Booking,
}

impl Bucket {
    const ALL: [Bucket; 7] = [
        Self::Login,
        Self::Signup,
        Self::PasswordReset,
        Self::InvitationAccept,
        Self::Refresh,
        Self::VerifyEmail,
        Self::Booking,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Signup => "signup",
            Self::PasswordReset => "password_reset",
            Self::InvitationAccept => "invitation_accept",
            Self::Refresh => "refresh",
            Self::VerifyEmail => "verify_email",
            Self::Booking => "booking",
        }
    }
}

/// Where the counters live: this instance's memory (one instance), or the
/// database (several instances share one count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitStore {
    Memory,
    Database,
}

pub struct RateLimits {
    trust_forwarded: bool,
    per_minute: u32,
    store: RateLimitStore,
    memory: Vec<(Bucket, DefaultKeyedRateLimiter<IpAddr>)>,
}

impl RateLimits {
    /// `per_minute` attempts per client address and bucket. In memory they
    /// may come all at once and then refill evenly; in the database they
    /// are counted per minute-long window. With `trust_forwarded`, the
    /// client address is read from `Forwarded` / `X-Forwarded-For`, as the
    /// proxy in front of the service sets it.
    pub fn new(per_minute: u32, trust_forwarded: bool, store: RateLimitStore) -> Self {
        let quota =
            Quota::per_minute(NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN));
        Self {
            trust_forwarded,
            per_minute: per_minute.max(1),
            store,
            memory: Bucket::ALL
                .iter()
                .map(|b| (*b, DefaultKeyedRateLimiter::keyed(quota)))
                .collect(),
        }
    }

    pub fn store(&self) -> RateLimitStore {
        self.store
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Counts an attempt in memory; the database store is counted by
    /// [`crate::state::AppState::limit`].
    pub fn check_memory(&self, bucket: Bucket, ip: IpAddr) -> Result<(), ApiError> {
        let Some((_, limiter)) = self.memory.iter().find(|(b, _)| *b == bucket) else {
            return Ok(());
        };
        // Forget idle addresses now and then so the map stays small.
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests {
                retry_after_secs: retry_after(wait),
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

/// Whole seconds to wait, rounded up: a client that waits exactly this long
/// is let in.
pub fn retry_after(wait: std::time::Duration) -> u64 {
    let whole = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    whole.max(1)
}

fn parse_ip(raw: &str) -> Option<IpAddr> {
    raw.parse::<IpAddr>()
        .ok()
        .or_else(|| raw.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}
