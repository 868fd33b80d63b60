//! Single-use secrets sent by email: email verification and password reset.

use chrono::Duration;
use diesel::prelude::*;

use crate::db::schema::email_tokens;
use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::ids::{RowId, UserId};
use crate::secret::{hash_secret, new_secret};
use crate::time::Timestamp;

crate::text_enum! {
    /// What a token sent by email is for.
    pub enum Purpose {
        VerifyEmail => "verify_email",
        PasswordReset => "password_reset",
    }
}

impl Purpose {
    pub fn lifetime(self) -> Duration {
        match self {
            Self::VerifyEmail => Duration::days(2),
            Self::PasswordReset => Duration::hours(1),
        }
    }
}

/// Issues a token, retiring earlier unused ones of the same purpose so only
/// the newest link works. Returns the secret to put in the email.
pub fn issue(conn: &mut DbConnection, user: UserId, purpose: Purpose) -> DomainResult<String> {
    let now = Timestamp::now();
    diesel::update(
        email_tokens::table
            .filter(email_tokens::user_id.eq(user))
            .filter(email_tokens::purpose.eq(purpose))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    let (plain, hash) = new_secret();
    diesel::insert_into(email_tokens::table)
        .values((
            email_tokens::id.eq(RowId::new()),
            email_tokens::user_id.eq(user),
            email_tokens::purpose.eq(purpose),
            email_tokens::token_hash.eq(hash),
            email_tokens::created_at.eq(now),
            email_tokens::expires_at.eq(now + purpose.lifetime()),
        ))
        .execute(conn)?;
    Ok(plain)
}

/// The user a token belongs to, if it is valid, without using it up.
pub fn peek(
    conn: &mut DbConnection,
    plain: &str,
    purpose: Purpose,
) -> DomainResult<Option<UserId>> {
    Ok(email_tokens::table
        .filter(email_tokens::token_hash.eq(hash_secret(plain)))
        .filter(email_tokens::purpose.eq(purpose))
        .filter(email_tokens::used_at.is_null())
        .filter(email_tokens::expires_at.gt(Timestamp::now()))
        .select(email_tokens::user_id)
        .first(conn)
        .optional()?)
}

/// Uses a token once: returns its user when it is valid, unused and not expired.
pub fn consume(
    conn: &mut DbConnection,
    plain: &str,
    purpose: Purpose,
) -> DomainResult<Option<UserId>> {
    let now = Timestamp::now();
    let found: Option<(RowId, UserId)> = email_tokens::table
        .filter(email_tokens::token_hash.eq(hash_secret(plain)))
        .filter(email_tokens::purpose.eq(purpose))
        .filter(email_tokens::used_at.is_null())
        .filter(email_tokens::expires_at.gt(now))
        .select((email_tokens::id, email_tokens::user_id))
        .first(conn)
        .optional()?;
    let Some((id, user)) = found else {
        return Ok(None);
    };
    // The used_at guard makes a concurrent second use lose.
    let used = diesel::update(
        email_tokens::table
            .find(id)
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(Some(now)))
    .execute(conn)?;
    Ok((used == 1).then_some(user))
}
