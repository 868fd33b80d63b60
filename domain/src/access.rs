//! Who may do what: the authenticated actor and small named checks.
//!
//! Ownership goes into the queries themselves (`links::client_of`,
//! `invitations::find_own`, …); these checks cover roles.

use crate::accounts::Role;
use crate::error::{DomainError, DomainResult};
use crate::ids::{SessionId, UserId};

/// The person behind a request, as their access token and live session say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub user_id: UserId,
    pub role: Role,
    pub session_id: SessionId,
}

impl Actor {
    pub fn require(&self, role: Role) -> DomainResult<()> {
        if self.role == role {
            Ok(())
        } else {
            Err(DomainError::Forbidden {
                code: "wrong_role",
                detail: format!("Only a {} may do this.", role.as_str()),
            })
        }
    }

    pub fn is_therapist(&self) -> DomainResult<()> {
        self.require(Role::Therapist)
    }

    pub fn is_client(&self) -> DomainResult<()> {
        self.require(Role::Client)
    }

    pub fn is_admin(&self) -> DomainResult<()> {
        self.require(Role::Admin)
    }
}
