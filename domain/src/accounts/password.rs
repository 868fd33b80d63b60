//! Password hashing with argon2id (m=19456 KiB, t=2, p=1, OWASP's choice).
//! CPU-heavy: callers run these off the async workers.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::DomainError;

fn hasher() -> Argon2<'static> {
    // Params::DEFAULT is m=19456, t=2, p=1.
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::DEFAULT)
}

/// A password hash in PHC string form; only [`hash`] makes one, so a
/// plain password can never be stored by mistake.
#[derive(Clone)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(***)")
    }
}

pub fn hash(password: &str) -> Result<PasswordHash, DomainError> {
    let salt = SaltString::generate(&mut OsRng);
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| PasswordHash(h.to_string()))
        .map_err(|e| DomainError::Internal(format!("cannot hash a password: {e}")))
}

#[derive(Debug, PartialEq, Eq)]
pub enum Verified {
    /// Right password; `rehash` when the stored hash uses older parameters.
    Yes {
        rehash: bool,
    },
    No,
}

pub fn verify(password: &str, stored: &str) -> Verified {
    let Ok(parsed) = argon2::password_hash::PasswordHash::new(stored) else {
        return Verified::No;
    };
    if hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_err()
    {
        return Verified::No;
    }
    let current = Params::DEFAULT;
    let same = parsed.algorithm.as_str() == "argon2id"
        && Params::try_from(&parsed).is_ok_and(|p| {
            p.m_cost() == current.m_cost()
                && p.t_cost() == current.t_cost()
                && p.p_cost() == current.p_cost()
        });
    Verified::Yes { rehash: !same }
}

/// Spends the same work as a real check, for logins of unknown accounts, so
/// response times do not tell which emails exist.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let stored = DUMMY.get_or_init(|| {
        hash("a password nobody has, used for timing")
            .map(|h| h.0)
            .unwrap_or_default()
    });
    let _ = verify(password, stored);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_old_parameters_ask_for_a_rehash() -> Result<(), DomainError> {
        let stored = hash("quiet harbour lantern 42")?.0;
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            verify("quiet harbour lantern 42", &stored),
            Verified::Yes { rehash: false }
        );
        assert_eq!(verify("wrong", &stored), Verified::No);

        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).map_err(|e| DomainError::Internal(e.to_string()))?,
        )
        .hash_password(
            b"quiet harbour lantern 42",
            &SaltString::generate(&mut OsRng),
        )
        .map_err(|e| DomainError::Internal(e.to_string()))?
        .to_string();
        assert_eq!(
            verify("quiet harbour lantern 42", &weak),
            Verified::Yes { rehash: true }
        );
        Ok(())
    }
}
