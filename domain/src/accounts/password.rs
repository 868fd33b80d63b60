//! Password hashing with argon2id (m=19456 KiB, t=2, p=1, OWASP's choice).
//! CPU-heavy: callers run these off the async workers.
//!
//! Each hash needs 19 MiB of working memory. Left to the `argon2` crate,
//! that comes from a plain 19 MiB allocation, which glibc serves from the
//! calling thread's heap once its adaptive mmap threshold has grown past it,
//! and keeps: a few concurrent logins left a server at 320 MB. The working
//! memory here is reserved above the largest threshold glibc adapts to
//! (32 MiB), so it is always mapped on its own and given back when the hash
//! is done; only the 19 MiB the hash touches is ever resident.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::DomainError;

/// Reserved per hash: more than glibc's largest adaptive mmap threshold.
const RESERVED_BYTES: usize = 33 * 1024 * 1024;

/// Computes the PHC hash of `password` with the given parameters and salt.
fn compute<'a>(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: Salt<'a>,
) -> Result<argon2::password_hash::PasswordHash<'a>, argon2::password_hash::Error> {
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf)?;
    let blocks = params.block_count();
    let mut memory: Vec<Block> =
        Vec::with_capacity(blocks.max(RESERVED_BYTES / std::mem::size_of::<Block>()));
    memory.resize(blocks, Block::default());
    let length = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let hasher = Argon2::new(algorithm, version, params.clone());
    let output = Output::init_with(length, |out| {
        Ok(hasher.hash_password_into_with_memory(password, salt_bytes, out, &mut memory[..])?)
    })?;
    Ok(argon2::password_hash::PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: ParamsString::try_from(&params)?,
        salt: Some(salt),
        hash: Some(output),
    })
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
    compute(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::DEFAULT,
        password.as_bytes(),
        salt.as_salt(),
    )
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
    let recomputed = (|| {
        let algorithm = Algorithm::try_from(parsed.algorithm)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let params = Params::try_from(&parsed)?;
        let salt = parsed
            .salt
            .ok_or(argon2::password_hash::Error::SaltInvalid(
                argon2::password_hash::errors::InvalidValue::Malformed,
            ))?;
        compute(algorithm, version, params, password.as_bytes(), salt)
    })();
    // `Output` compares in constant time.
    let matches = recomputed.is_ok_and(|h| h.hash.is_some() && h.hash == parsed.hash);
    if !matches {
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
    fn hashes_agree_with_the_argon2_crate_both_ways() -> Result<(), DomainError> {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let ours = hash("quiet harbour lantern 42")?.0;
        let parsed = argon2::password_hash::PasswordHash::new(&ours)
            .map_err(|e| DomainError::Internal(e.to_string()))?;
        assert!(Argon2::default()
            .verify_password(b"quiet harbour lantern 42", &parsed)
            .is_ok());
        assert!(Argon2::default()
            .verify_password(b"quiet harbour lantern 43", &parsed)
            .is_err());
        let theirs = Argon2::default()
            .hash_password(
                b"quiet harbour lantern 42",
                &SaltString::generate(&mut OsRng),
            )
            .map_err(|e| DomainError::Internal(e.to_string()))?
            .to_string();
        assert_eq!(
            verify("quiet harbour lantern 42", &theirs),
            Verified::Yes { rehash: false }
        );
        assert_eq!(verify("quiet harbour lantern 4", &theirs), Verified::No);
        assert_eq!(
            verify("quiet harbour lantern 42", "$argon2id$garbage"),
            Verified::No
        );
        Ok(())
    }

    #[test]
    fn hashes_verify_and_old_parameters_ask_for_a_rehash() -> Result<(), DomainError> {
        let stored = hash("quiet harbour lantern 42")?.0;
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert_eq!(
            verify("quiet harbour lantern 42", &stored),
            Verified::Yes { rehash: false }
        );
        assert_eq!(verify("wrong", &stored), Verified::No);

        use argon2::password_hash::PasswordHasher;
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
