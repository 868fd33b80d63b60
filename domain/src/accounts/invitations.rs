//! Invitations: the only way a client account comes to be. A therapist
//! invites an email address; the link in the email works once, for 7 days.

use chrono::Duration;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::password::PasswordHash;
use super::users::{self, NewUser, User};
use super::{DisplayName, EmailAddress, TimeZoneName};
use crate::access::Role;
use crate::db::schema::invitations;
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{InvitationId, UserId};
use crate::secret::{hash_secret, new_secret};
use crate::time::Timestamp;

pub const LIFETIME: Duration = Duration::days(7);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: InvitationId,
    pub therapist_id: UserId,
    pub email: String,
    #[diesel(column_name = token_hash)]
    _token_hash: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    pub client_id: Option<UserId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

impl Invitation {
    pub fn status(&self, now: Timestamp) -> InvitationStatus {
        if self.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if self.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.expires_at <= now {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }
}

/// Creates an invitation; returns it and the secret for the email link.
pub fn create(
    conn: &mut DbConnection,
    therapist: UserId,
    email: &EmailAddress,
) -> DomainResult<(Invitation, String)> {
    let now = Timestamp::now();
    let (plain, hash) = new_secret();
    let id = InvitationId::new();
    diesel::insert_into(invitations::table)
        .values((
            invitations::id.eq(id),
            invitations::therapist_id.eq(therapist),
            invitations::email.eq(email.as_str()),
            invitations::token_hash.eq(hash),
            invitations::created_at.eq(now),
            invitations::expires_at.eq(now + LIFETIME),
        ))
        .execute(conn)?;
    Ok((find_own(conn, therapist, id)?, plain))
}

pub fn find_own(
    conn: &mut DbConnection,
    therapist: UserId,
    id: InvitationId,
) -> DomainResult<Invitation> {
    invitations::table
        .filter(invitations::id.eq(id))
        .filter(invitations::therapist_id.eq(therapist))
        .select(Invitation::as_select())
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)
}

/// The therapist's invitations, newest first.
pub fn list(
    conn: &mut DbConnection,
    therapist: UserId,
    after: Option<uuid::Uuid>,
    fetch: i64,
) -> DomainResult<Vec<Invitation>> {
    let mut query = invitations::table
        .filter(invitations::therapist_id.eq(therapist))
        .select(Invitation::as_select())
        .order(invitations::id.desc())
        .limit(fetch)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(invitations::id.lt(InvitationId(after)));
    }
    Ok(query.load(conn)?)
}

/// Revokes a pending invitation of this therapist's.
pub fn revoke(
    conn: &mut DbConnection,
    therapist: UserId,
    id: InvitationId,
) -> DomainResult<Invitation> {
    let invitation = find_own(conn, therapist, id)?;
    if invitation.status(Timestamp::now()) != InvitationStatus::Pending {
        return Err(DomainError::Conflict {
            code: "invitation_not_pending",
            detail: "Only a pending invitation can be revoked.".into(),
        });
    }
    diesel::update(invitations::table.find(id))
        .set(invitations::revoked_at.eq(Some(Timestamp::now())))
        .execute(conn)?;
    find_own(conn, therapist, id)
}

pub struct Acceptance<'a> {
    pub password_hash: &'a PasswordHash,
    pub display_name: &'a DisplayName,
    pub time_zone: TimeZoneName,
}

/// Accepts an invitation: creates the client (their email is verified by
/// the link itself) and links them to the therapist. Run in a transaction.
/// An unknown, used, revoked or expired token is `NotFound`.
pub fn accept(
    conn: &mut DbConnection,
    token: &str,
    acceptance: &Acceptance<'_>,
) -> DomainResult<(User, UserId)> {
    let now = Timestamp::now();
    let invitation: Invitation = invitations::table
        .filter(invitations::token_hash.eq(hash_secret(token)))
        .select(Invitation::as_select())
        .first(conn)
        .optional()?
        .filter(|i| i.status(now) == InvitationStatus::Pending)
        .ok_or(DomainError::NotFound)?;
    let email = EmailAddress::parse("email", &invitation.email)
        .map_err(|e| DomainError::Validation(vec![e]))?;
    let client = users::create(
        conn,
        &NewUser {
            email: &email,
            password_hash: acceptance.password_hash,
            display_name: acceptance.display_name,
            role: Role::Client,
            time_zone: acceptance.time_zone,
            verified: true,
        },
    )?;
    let claimed = diesel::update(
        invitations::table
            .find(invitation.id)
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::revoked_at.is_null()),
    )
    .set((
        invitations::accepted_at.eq(Some(now)),
        invitations::client_id.eq(Some(client.id)),
    ))
    .execute(conn)?;
    if claimed != 1 {
        return Err(DomainError::NotFound);
    }
    crate::care::link(conn, invitation.therapist_id, client.id)?;
    Ok((client, invitation.therapist_id))
}

/// The invitation's email, to weigh an acceptance's password against it.
pub fn pending_email(conn: &mut DbConnection, token: &str) -> DomainResult<Option<String>> {
    let now = Timestamp::now();
    Ok(invitations::table
        .filter(invitations::token_hash.eq(hash_secret(token)))
        .select(Invitation::as_select())
        .first(conn)
        .optional()?
        .filter(|i| i.status(now) == InvitationStatus::Pending)
        .map(|i| i.email))
}

/// Whether the invitation can still be accepted (its email is still wanted).
pub fn is_pending(conn: &mut DbConnection, id: InvitationId) -> DomainResult<bool> {
    let now = Timestamp::now();
    Ok(invitations::table
        .find(id)
        .select(Invitation::as_select())
        .first(conn)
        .optional()?
        .is_some_and(|i| i.status(now) == InvitationStatus::Pending))
}
