//! One function per account operation, used by the HTTP handlers, the
//! command line and the test helpers alike. Each runs inside the caller's
//! transaction: its writes, security events and emails land together.
//!
//! Passwords arrive hashed ([`PasswordHash`]): hashing is slow and runs off
//! the request threads before the transaction starts.

use super::emails::{
    AccountExistsMessage, InvitationMessage, PasswordResetRequest, VerifyEmailMessage,
};
use super::invitations::{self, Acceptance, Invitation};
use super::password::PasswordHash;
use super::sessions::{self, Refreshed, SessionPolicy};
use super::tokens::{self, Purpose};
use super::users::{self, NewUser, User};
use super::{DisplayName, EmailAddress, TimeZoneName};
use crate::access::{Actor, Admin, Role, Therapist};
use crate::audit::{Origin, SecurityKind};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{JobId, SessionId, UserId};
use crate::outbox::{self, Outgoing};
use crate::secret::hash_secret;

/// Who a new account is for.
pub struct NewAccount {
    pub email: EmailAddress,
    pub display_name: DisplayName,
    pub time_zone: TimeZoneName,
}

// --- Named rules ---------------------------------------------------------

/// A therapist must prove their address before their email reaches anyone else.
pub fn require_verified_email(user: &User) -> DomainResult<()> {
    if user.email_verified_at.is_none() {
        return Err(DomainError::Forbidden {
            code: "email_not_verified",
            detail: "Verify your email address before inviting clients.".into(),
        });
    }
    Ok(())
}

/// An administrator cannot lock themselves out; another one must do it.
pub fn require_not_self(admin: &Admin, target: UserId) -> DomainResult<()> {
    if admin.id() == target {
        return Err(DomainError::Conflict {
            code: "cannot_disable_self",
            detail: "Ask another administrator to disable your account.".into(),
        });
    }
    Ok(())
}

fn invalid_link() -> DomainError {
    DomainError::BadRequest {
        code: "invalid_token",
        detail: "This link is invalid or has expired; request a new one.".into(),
    }
}

// --- Accounts ------------------------------------------------------------

/// What a sign-up did; the caller answers both alike.
#[derive(Debug)]
pub enum SignedUp {
    Created(Box<User>),
    /// The address has an account; its owner was emailed.
    AlreadyTaken,
}

/// A therapist signs up: an unverified account and a verification email.
/// For an address that has an account, its owner is told by email instead,
/// so the answer says nothing about which addresses exist.
pub fn signup(
    conn: &mut DbConnection,
    account: &NewAccount,
    password: &PasswordHash,
) -> DomainResult<SignedUp> {
    if let Some(existing) = users::find_by_email(conn, &account.email)? {
        outbox::enqueue(
            conn,
            &Outgoing::now(
                &existing.email,
                format!("account_exists:{}", JobId::new()),
                AccountExistsMessage {
                    display_name: existing.display_name,
                },
            ),
        )?;
        return Ok(SignedUp::AlreadyTaken);
    }
    let user = users::create(
        conn,
        &NewUser {
            email: &account.email,
            password_hash: password,
            display_name: &account.display_name,
            role: Role::Therapist,
            time_zone: account.time_zone,
            verified: false,
        },
    )?;
    send_verification(conn, &user)?;
    Ok(SignedUp::Created(Box::new(user)))
}

fn send_verification(conn: &mut DbConnection, user: &User) -> DomainResult<()> {
    let token = tokens::issue(conn, user.id, Purpose::VerifyEmail)?;
    outbox::enqueue(
        conn,
        &Outgoing::now(
            &user.email,
            format!("verify_email:{}", hash_secret(&token)),
            VerifyEmailMessage {
                display_name: user.display_name.clone(),
                token,
            },
        ),
    )?;
    Ok(())
}

/// An administrator, as `between admin create` makes one: verified, in UTC.
pub fn create_admin(
    conn: &mut DbConnection,
    email: &EmailAddress,
    name: &DisplayName,
    password: &PasswordHash,
) -> DomainResult<User> {
    users::create(
        conn,
        &NewUser {
            email,
            password_hash: password,
            display_name: name,
            role: Role::Admin,
            time_zone: TimeZoneName::utc(),
            verified: true,
        },
    )
}

/// Confirms an address with the token from the verification email.
pub fn verify_email(conn: &mut DbConnection, token: &str) -> DomainResult<UserId> {
    let user = tokens::consume(conn, token, Purpose::VerifyEmail)?.ok_or_else(invalid_link)?;
    users::mark_verified(conn, user)?;
    Ok(user)
}

/// An administrator disables or re-enables an account; disabling ends its
/// sessions at once.
pub fn set_disabled(
    conn: &mut DbConnection,
    admin: &Admin,
    target: UserId,
    disabled: bool,
    origin: &Origin,
) -> DomainResult<User> {
    if disabled {
        require_not_self(admin, target)?;
    }
    let user = users::set_disabled(conn, target, disabled)?;
    let kind = if disabled {
        sessions::revoke_all(conn, target, None, "account_disabled")?;
        SecurityKind::AccountDisabled
    } else {
        SecurityKind::AccountEnabled
    };
    origin.record(
        conn,
        kind,
        Some(target),
        Some(&format!("by {}", admin.id())),
    )?;
    Ok(user)
}

// --- Invitations ---------------------------------------------------------

/// A therapist invites a client by email; the link works once, for 7 days.
pub fn invite(
    conn: &mut DbConnection,
    me: &Therapist,
    email: &EmailAddress,
) -> DomainResult<Invitation> {
    let therapist = users::find(conn, me.id())?;
    require_verified_email(&therapist)?;
    let (invitation, token) = invitations::create(conn, me.id(), email)?;
    outbox::enqueue(
        conn,
        &Outgoing::now(
            email.as_str(),
            format!("invitation:{}", invitation.id),
            InvitationMessage {
                invitation_id: invitation.id,
                therapist_name: therapist.display_name,
                token,
            },
        ),
    )?;
    Ok(invitation)
}

/// The invited person accepts: their client account exists, linked to the
/// therapist who invited them.
pub fn accept_invitation(
    conn: &mut DbConnection,
    token: &str,
    acceptance: &Acceptance<'_>,
    origin: &Origin,
) -> DomainResult<User> {
    let (client, _therapist) = invitations::accept(conn, token, acceptance)?;
    origin.record(
        conn,
        SecurityKind::InvitationAccepted,
        Some(client.id),
        None,
    )?;
    Ok(client)
}

// --- Sessions ------------------------------------------------------------

/// Records a failed login (unknown address, wrong password, disabled account).
pub fn login_failed(
    conn: &mut DbConnection,
    known: Option<UserId>,
    origin: &Origin,
) -> DomainResult<()> {
    origin.record(conn, SecurityKind::LoginFailed, known, None)
}

/// Starts a session for a user whose password was just verified; stores a
/// stronger hash of it when the parameters changed.
pub fn login(
    conn: &mut DbConnection,
    user: UserId,
    rehashed: Option<&PasswordHash>,
    policy: &SessionPolicy,
    origin: &Origin,
) -> DomainResult<(SessionId, String)> {
    if let Some(hash) = rehashed {
        users::set_password_hash(conn, user, hash)?;
    }
    let started = sessions::start(conn, user, policy)?;
    origin.record(conn, SecurityKind::LoginSucceeded, Some(user), None)?;
    Ok(started)
}

/// Rotates a refresh token; a reused one ends its session and is recorded.
pub fn refresh(
    conn: &mut DbConnection,
    presented: &str,
    policy: &SessionPolicy,
    origin: &Origin,
) -> DomainResult<Refreshed> {
    let outcome = sessions::refresh(conn, presented, policy)?;
    if let Refreshed::Reused { user, .. } = &outcome {
        origin.record(
            conn,
            SecurityKind::RefreshTokenReuse,
            Some(*user),
            Some("session revoked"),
        )?;
    }
    Ok(outcome)
}

/// Ends the caller's session.
pub fn logout(conn: &mut DbConnection, me: &Actor) -> DomainResult<()> {
    sessions::revoke(conn, me.session_id(), "logout")
}

// --- Passwords -----------------------------------------------------------

/// Sets a new password; every other session of the person ends.
pub fn change_password(
    conn: &mut DbConnection,
    me: &Actor,
    new: &PasswordHash,
    origin: &Origin,
) -> DomainResult<()> {
    users::set_password_hash(conn, me.id(), new)?;
    sessions::revoke_all(conn, me.id(), Some(me.session_id()), "password_changed")?;
    origin.record(conn, SecurityKind::PasswordChanged, Some(me.id()), None)
}

/// Queues a reset email for the address. The work is the same whether or
/// not an account has it (one lookup, one job, one security event), so
/// neither the answer nor its timing tells; the worker sends a link only to
/// an enabled account ([`PasswordResetRequest`]).
pub fn request_password_reset(
    conn: &mut DbConnection,
    email: &EmailAddress,
    origin: &Origin,
) -> DomainResult<()> {
    let known = users::find_by_email(conn, email)?
        .filter(User::is_active)
        .map(|u| u.id);
    outbox::enqueue(
        conn,
        &Outgoing::now(
            email.as_str(),
            format!("password_reset:{}", JobId::new()),
            PasswordResetRequest {
                email: email.as_str().to_owned(),
            },
        ),
    )?;
    origin.record(conn, SecurityKind::PasswordResetRequested, known, None)
}

/// The account a reset link belongs to, without using the link up (to
/// weigh the new password against the person's name and address).
pub fn reset_target(conn: &mut DbConnection, token: &str) -> DomainResult<User> {
    let id = tokens::peek(conn, token, Purpose::PasswordReset)?.ok_or_else(invalid_link)?;
    users::find(conn, id)
}

/// Sets a new password with the link from the reset email. Receiving the
/// email proves the address; every session of the account ends.
pub fn reset_password(
    conn: &mut DbConnection,
    token: &str,
    new: &PasswordHash,
    origin: &Origin,
) -> DomainResult<UserId> {
    let id = tokens::consume(conn, token, Purpose::PasswordReset)?.ok_or_else(invalid_link)?;
    users::set_password_hash(conn, id, new)?;
    users::mark_verified(conn, id)?;
    sessions::revoke_all(conn, id, None, "password_reset")?;
    origin.record(conn, SecurityKind::PasswordReset, Some(id), None)?;
    Ok(id)
}
