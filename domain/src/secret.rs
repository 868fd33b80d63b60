//! Secrets handed out once (refresh tokens, email links) and kept only as a
//! SHA-256 hash, so a copy of the database cannot be used to log in.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// `bytes` random bytes as lower-case hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    hex(&buf)
}

/// A new secret (256 random bits, hex) and its hash for storage.
pub fn new_secret() -> (String, String) {
    let plain = random_hex(32);
    let hash = hash_secret(&plain);
    (plain, hash)
}

/// Compares two secrets in time that depends on their length only.
pub fn same(a: &str, b: &str) -> bool {
    let (a, b) = (hash_secret(a), hash_secret(b));
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

pub fn hash_secret(plain: &str) -> String {
    hex(&Sha256::digest(plain.as_bytes()))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// HMAC-SHA256 of `value` under `key`, for one `purpose` (its domain
/// separator), as lower-case hex: what a form's anti-forgery token is made
/// of.
pub fn keyed_digest(key: &[u8], purpose: &str, value: &str) -> String {
    use hmac::{Hmac, Mac};
    // HMAC takes a key of any length.
    #[allow(clippy::expect_used)]
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(purpose.as_bytes());
    mac.update(b"\0");
    mac.update(value.as_bytes());
    hex(&mac.finalize().into_bytes())
}
