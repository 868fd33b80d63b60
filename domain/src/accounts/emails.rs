//! The account emails. Each carries exactly what its template shows, and
//! says just before sending whether it is still wanted: a link that was used,
//! replaced or revoked in the meantime is not sent.

use serde::{Deserialize, Serialize};

use super::invitations;
use super::tokens::{self, Purpose};
use super::users::{self, User};
use super::EmailAddress;
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::InvitationId;
use crate::outbox::{Email, EmailKind, Ready, Wanted};

/// "Confirm your email address", after sign-up.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailMessage {
    pub display_name: String,
    pub token: String,
}

impl Email for VerifyEmailMessage {
    const KIND: EmailKind = EmailKind::VerifyEmail;

    fn still_wanted(&self, conn: &mut DbConnection) -> DomainResult<Wanted> {
        token_still_valid(conn, &self.token, Purpose::VerifyEmail)
    }
}

/// "Reset your password": what its template shows.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetMessage {
    pub display_name: String,
    pub token: String,
}

/// A request to reset the password of whoever has `email`, queued alike
/// for every address so the request's answer and timing tell nothing. When
/// it goes out, an enabled account with that address gets a fresh link
/// (issued then, so no queued payload holds one); any other address, nothing.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub email: String,
}

impl Email for PasswordResetRequest {
    const KIND: EmailKind = EmailKind::PasswordReset;

    fn ready(&self, conn: &mut DbConnection) -> DomainResult<Ready> {
        let Ok(email) = EmailAddress::parse("email", &self.email) else {
            return Ok(Ready::Skip("not an email address"));
        };
        conn.write_transaction(|conn| {
            let Some(user) = users::find_by_email(conn, &email)?.filter(User::is_active) else {
                return Ok(Ready::Skip("no enabled account has this address"));
            };
            let token = tokens::issue(conn, user.id, Purpose::PasswordReset)?;
            let data = PasswordResetMessage {
                display_name: user.display_name,
                token,
            };
            Ok(Ready::Send(
                serde_json::to_value(data).map_err(|e| DomainError::Internal(e.to_string()))?,
            ))
        })
    }
}

fn token_still_valid(
    conn: &mut DbConnection,
    token: &str,
    purpose: Purpose,
) -> DomainResult<Wanted> {
    Ok(match tokens::peek(conn, token, purpose)? {
        Some(_) => Wanted::Yes,
        None => Wanted::No("the link was used, replaced by a newer one, or has expired"),
    })
}

/// A therapist's invitation to a new client.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InvitationMessage {
    pub invitation_id: InvitationId,
    pub therapist_name: String,
    pub token: String,
}

impl Email for InvitationMessage {
    const KIND: EmailKind = EmailKind::Invitation;

    fn still_wanted(&self, conn: &mut DbConnection) -> DomainResult<Wanted> {
        Ok(if invitations::is_pending(conn, self.invitation_id)? {
            Wanted::Yes
        } else {
            Wanted::No("the invitation was revoked, accepted or has expired")
        })
    }
}

/// "You already have an account": someone signed up with this address. The
/// sign-up answer is the same as for a new address, so it tells nobody
/// which addresses have accounts; the owner learns of it here.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountExistsMessage {
    pub display_name: String,
}

impl Email for AccountExistsMessage {
    const KIND: EmailKind = EmailKind::AccountExists;
}
