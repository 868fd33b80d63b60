//! The account emails. Each carries exactly what its template shows, and
//! says just before sending whether it is still wanted: a link that was used,
//! replaced or revoked in the meantime is not sent.

use serde::{Deserialize, Serialize};

use super::invitations;
use super::tokens::{self, Purpose};
use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::ids::InvitationId;
use crate::outbox::{Email, EmailKind, Wanted};

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

/// "Reset your password", on request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetMessage {
    pub display_name: String,
    pub token: String,
}

impl Email for PasswordResetMessage {
    const KIND: EmailKind = EmailKind::PasswordReset;

    fn still_wanted(&self, conn: &mut DbConnection) -> DomainResult<Wanted> {
        token_still_valid(conn, &self.token, Purpose::PasswordReset)
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
