//! Sessions and refresh tokens.
//!
//! A login starts a session and hands out a refresh token. Each refresh
//! rotates the token; presenting a rotated token again means it was copied,
//! so the whole session is revoked. Within a few seconds of its rotation
//! (`reuse_grace`) a rotated token instead gets a token of its own for the
//! same session: two tabs refreshing at once must not log their user out
//! (the OAuth 2.0 security BCP allows this grace). Access tokens carry the session id and
//! are checked against it on every request, so revoking a session (logout,
//! password change or reset, a disabled account) ends them at once.

use chrono::Duration;
use diesel::prelude::*;

use super::users::User;
use crate::access::{Actor, Claimed, Role};
use crate::db::schema::{refresh_tokens, sessions, users};
use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::ids::{RowId, SessionId, UserId};
use crate::secret::{hash_secret, new_secret};
use crate::time::Timestamp;

#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// A session unused for this long cannot be refreshed.
    pub idle: Duration,
    /// No session outlives this, however active.
    pub absolute: Duration,
    /// How long after its rotation a refresh token may still be used once
    /// more (a concurrent refresh) without ending the session.
    pub reuse_grace: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle: Duration::days(14),
            absolute: Duration::days(90),
            reuse_grace: Duration::seconds(5),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct Session {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: Timestamp,
    pub last_used_at: Timestamp,
    pub expires_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    pub revoked_reason: Option<String>,
}

/// Starts a session; returns it and the first refresh token.
pub fn start(
    conn: &mut DbConnection,
    user: UserId,
    policy: &SessionPolicy,
) -> DomainResult<(SessionId, String)> {
    let now = Timestamp::now();
    let id = SessionId::new();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(id),
            sessions::user_id.eq(user),
            sessions::created_at.eq(now),
            sessions::last_used_at.eq(now),
            sessions::expires_at.eq(now + policy.absolute),
        ))
        .execute(conn)?;
    let refresh = issue_refresh(conn, id, now)?;
    Ok((id, refresh))
}

fn issue_refresh(
    conn: &mut DbConnection,
    session: SessionId,
    now: Timestamp,
) -> DomainResult<String> {
    let (plain, hash) = new_secret();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(RowId::new()),
            refresh_tokens::session_id.eq(session),
            refresh_tokens::token_hash.eq(hash),
            refresh_tokens::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(plain)
}

#[derive(Debug)]
pub enum Refreshed {
    /// A new refresh token for the same session.
    Rotated {
        session: SessionId,
        user: User,
        refresh: String,
    },
    /// A rotated token came back: the session is now revoked.
    Reused { session: SessionId, user: UserId },
    /// Unknown, expired, idle, revoked, or the account is disabled.
    Invalid,
}

/// Rotates a refresh token. Run inside a transaction.
pub fn refresh(
    conn: &mut DbConnection,
    presented: &str,
    policy: &SessionPolicy,
) -> DomainResult<Refreshed> {
    let now = Timestamp::now();
    let found: Option<(RowId, Option<Timestamp>, Session)> = refresh_tokens::table
        .inner_join(sessions::table)
        .filter(refresh_tokens::token_hash.eq(hash_secret(presented)))
        .select((
            refresh_tokens::id,
            refresh_tokens::rotated_at,
            Session::as_select(),
        ))
        .first(conn)
        .optional()?;
    let Some((token_id, rotated_at, session)) = found else {
        return Ok(Refreshed::Invalid);
    };
    if session.revoked_at.is_some() {
        return Ok(Refreshed::Invalid);
    }
    let within_grace = |at: Timestamp| at > now - policy.reuse_grace;
    if rotated_at.is_some_and(|at| !within_grace(at)) {
        revoke(conn, session.id, "refresh_token_reuse")?;
        return Ok(Refreshed::Reused {
            session: session.id,
            user: session.user_id,
        });
    }
    if session.expires_at <= now || session.last_used_at + policy.idle <= now {
        revoke(conn, session.id, "expired")?;
        return Ok(Refreshed::Invalid);
    }
    let user = super::users::find(conn, session.user_id)?;
    if !user.is_active() {
        return Ok(Refreshed::Invalid);
    }
    // Guarded on rotated_at: of two concurrent refreshes one rotates the
    // token, and the other, still within the grace, gets a token of its own.
    if rotated_at.is_none() {
        diesel::update(
            refresh_tokens::table
                .find(token_id)
                .filter(refresh_tokens::rotated_at.is_null()),
        )
        .set(refresh_tokens::rotated_at.eq(Some(now)))
        .execute(conn)?;
    }
    diesel::update(sessions::table.find(session.id))
        .set(sessions::last_used_at.eq(now))
        .execute(conn)?;
    let refresh = issue_refresh(conn, session.id, now)?;
    Ok(Refreshed::Rotated {
        session: session.id,
        user,
        refresh,
    })
}

pub fn revoke(conn: &mut DbConnection, session: SessionId, reason: &str) -> DomainResult<()> {
    diesel::update(
        sessions::table
            .find(session)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(Some(Timestamp::now())),
        sessions::revoked_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Revokes every session of `user`, but `keep` if given.
pub fn revoke_all(
    conn: &mut DbConnection,
    user: UserId,
    keep: Option<SessionId>,
    reason: &str,
) -> DomainResult<usize> {
    let mut query = diesel::update(sessions::table)
        .filter(sessions::user_id.eq(user))
        .filter(sessions::revoked_at.is_null())
        .into_boxed();
    if let Some(keep) = keep {
        query = query.filter(sessions::id.ne(keep));
    }
    Ok(query
        .set((
            sessions::revoked_at.eq(Some(Timestamp::now())),
            sessions::revoked_reason.eq(Some(reason)),
        ))
        .execute(conn)?)
}

/// Confirms what an access token claims: the session is live, belongs to
/// the user, the account is enabled and its role is the one claimed. One
/// indexed lookup, in the same database call as the request's work.
pub fn confirm(conn: &mut DbConnection, claimed: Claimed) -> DomainResult<Option<Actor>> {
    let now = Timestamp::now();
    let query = sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(claimed.session_id))
        .filter(sessions::user_id.eq(claimed.user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(users::disabled_at.is_null())
        .select(users::role);
    let role: Option<Role> = crate::on_backend!(conn, c => query.first(c).optional())?;
    Ok((role == Some(claimed.role)).then(|| Actor::confirmed(claimed)))
}
