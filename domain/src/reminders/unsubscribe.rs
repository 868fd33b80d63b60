//! One-click unsubscribe (RFC 8058): every reminder carries a link whose
//! token names the person (or, for a booker without an account, the
//! consultation) and the kind of reminder. Tokens are signed with the
//! service's secret (HMAC-SHA256), so none can be forged and none need
//! storing; a token is the same however often it is issued.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::preferences::NotificationKind;
use crate::ids::{RowId, UserId};

/// Whom a reminder went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subscriber {
    User(UserId),
    /// The booker of this consultation (opt-outs are kept by address).
    Booker(RowId),
}

/// A person and the kind of reminder the link turns off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subscription {
    pub subscriber: Subscriber,
    pub kind: NotificationKind,
}

const VERSION: u8 = 1;
const MAC_BYTES: usize = 16;
/// Version, subscriber tag, id, kind.
const BODY_BYTES: usize = 1 + 1 + 16 + 1;
const DOMAIN: &[u8] = b"between unsubscribe\0";

fn mac(key: &[u8], body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes a key of any length.
    #[allow(clippy::expect_used)]
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(DOMAIN);
    mac.update(body);
    mac
}

fn body(s: &Subscription) -> [u8; BODY_BYTES] {
    let (tag, id) = match s.subscriber {
        Subscriber::User(id) => (1u8, id.0),
        Subscriber::Booker(id) => (2u8, id.0),
    };
    let kind = code_of(s.kind);
    let mut out = [0u8; BODY_BYTES];
    out[0] = VERSION;
    out[1] = tag;
    out[2..18].copy_from_slice(id.as_bytes());
    out[18] = kind;
    out
}

/// Each kind's code in a token: fixed here, so that reordering or adding
/// kinds never makes a token issued earlier name another kind.
const KIND_CODES: [(NotificationKind, u8); 5] = [
    (NotificationKind::ConsultationReminders, 1),
    (NotificationKind::ExerciseReminders, 2),
    (NotificationKind::HabitReminders, 3),
    (NotificationKind::TherapistDigest, 4),
    (NotificationKind::WeeklySummary, 5),
];

fn code_of(kind: NotificationKind) -> u8 {
    KIND_CODES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(0, |(_, code)| *code)
}

fn kind_of(code: u8) -> Option<NotificationKind> {
    KIND_CODES
        .iter()
        .find(|(_, c)| *c == code)
        .map(|(kind, _)| *kind)
}

/// The token for `s`, as lower-case hex.
pub fn sign(key: &[u8], s: &Subscription) -> String {
    let body = body(s);
    let tag = mac(key, &body).finalize().into_bytes();
    let mut bytes = body.to_vec();
    bytes.extend_from_slice(&tag[..MAC_BYTES]);
    crate::secret::hex(&bytes)
}

/// What a token names, if the service signed it; `None` for anything else.
pub fn verify(key: &[u8], token: &str) -> Option<Subscription> {
    if token.len() != 2 * (BODY_BYTES + MAC_BYTES) {
        return None;
    }
    let bytes = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(token.get(i..i + 2)?, 16).ok())
        .collect::<Option<Vec<u8>>>()?;
    let (body, tag) = bytes.split_at(BODY_BYTES);
    mac(key, body).verify_truncated_left(tag).ok()?;
    if body[0] != VERSION {
        return None;
    }
    let id = uuid::Uuid::from_slice(&body[2..18]).ok()?;
    let subscriber = match body[1] {
        1 => Subscriber::User(UserId(id)),
        2 => Subscriber::Booker(RowId(id)),
        _ => return None,
    };
    let kind = kind_of(body[18])?;
    Some(Subscription { subscriber, kind })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_signed_token_verifies_and_any_change_or_other_key_does_not() {
        let key = b"a key of the service, long enough";
        let s = Subscription {
            subscriber: Subscriber::User(UserId::new()),
            kind: NotificationKind::HabitReminders,
        };
        let token = sign(key, &s);
        assert_eq!(token.len(), 70);
        assert_eq!(verify(key, &token), Some(s));
        assert_eq!(sign(key, &s), token, "the same token each time");
        assert_eq!(verify(b"another key", &token), None);
        for i in 0..token.len() {
            let mut bytes = token.clone().into_bytes();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            let changed = String::from_utf8(bytes).unwrap();
            assert_eq!(verify(key, &changed), None, "changed at {i}");
        }
        assert_eq!(verify(key, &token[..68]), None);
        assert_eq!(verify(key, "zz"), None);
        for kind in NotificationKind::ALL {
            assert_eq!(kind_of(code_of(*kind)), Some(*kind), "{kind} has a code");
        }
        let booker = Subscription {
            subscriber: Subscriber::Booker(RowId::new()),
            kind: NotificationKind::ConsultationReminders,
        };
        assert_eq!(verify(key, &sign(key, &booker)), Some(booker));
    }
}
