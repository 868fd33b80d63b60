//! Who is asking: roles, the unverified claim of an access token, and the
//! proofs a verified session hands out.
//!
//! A [`Claimed`] person becomes an [`Actor`] only when
//! [`crate::accounts::sessions::confirm`] finds their session live in the
//! same database call as the work. Domain functions take the narrowest proof
//! they need ([`Client`], [`Therapist`], [`Admin`] or any [`Actor`]); none of
//! these can be built outside this crate, so holding one means the check
//! happened. Ownership then goes into each query through the proof's id.

use std::ops::Deref;

use crate::error::DomainError;
use crate::ids::{SessionId, UserId};

crate::text_enum! {
    /// What a person is to the service.
    pub enum Role {
        Therapist => "therapist",
        Client => "client",
        Admin => "admin",
    }
}

impl Role {
    fn with_article(self) -> &'static str {
        match self {
            Self::Therapist => "a therapist",
            Self::Client => "a client",
            Self::Admin => "an administrator",
        }
    }

    /// The error for a caller whose role is not `self`.
    pub fn required(self) -> DomainError {
        DomainError::Forbidden {
            code: "wrong_role",
            detail: format!("Only {} may do this.", self.with_article()),
        }
    }
}

/// What a signed access token says; its session is not checked yet.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub user_id: UserId,
    pub role: Role,
    pub session_id: SessionId,
    /// The request this claim arrived with, for the access and security logs.
    pub request_id: Option<String>,
}

/// A person whose session was found live (not revoked, not expired, account
/// enabled, role unchanged) in the current database call.
#[derive(Debug, Clone)]
pub struct Actor {
    user_id: UserId,
    role: Role,
    session_id: SessionId,
    request_id: Option<String>,
}

impl Actor {
    /// Only the session check makes actors.
    pub(crate) fn confirmed(claimed: Claimed) -> Self {
        Self {
            user_id: claimed.user_id,
            role: claimed.role,
            session_id: claimed.session_id,
            request_id: claimed.request_id,
        }
    }

    pub fn id(&self) -> UserId {
        self.user_id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    pub fn session_id(&self) -> SessionId {
        self.session_id
    }

    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

/// A proof of who is asking, as narrow as a route needs.
pub trait Proof: Sized + Send + 'static {
    /// The role the proof stands for; `None` accepts every role.
    const ROLE: Option<Role>;
    fn from_actor(actor: Actor) -> Option<Self>;
    fn actor(&self) -> &Actor;
}

impl Proof for Actor {
    const ROLE: Option<Role> = None;
    fn from_actor(actor: Actor) -> Option<Self> {
        Some(actor)
    }
    fn actor(&self) -> &Actor {
        self
    }
}

macro_rules! role_proof {
    ($(#[$meta:meta])* $name:ident, $role:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name(Actor);

        impl Proof for $name {
            const ROLE: Option<Role> = Some($role);
            fn from_actor(actor: Actor) -> Option<Self> {
                (actor.role == $role).then_some(Self(actor))
            }
            fn actor(&self) -> &Actor {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = Actor;
            fn deref(&self) -> &Actor {
                &self.0
            }
        }
    };
}

role_proof!(
    /// A signed-in client: their journal, habits and sharing.
    Client,
    Role::Client
);
role_proof!(
    /// A signed-in therapist: their practice; client data only through
    /// [`crate::care::CareAccess`].
    Therapist,
    Role::Therapist
);
role_proof!(
    /// A signed-in administrator: accounts, never client content.
    Admin,
    Role::Admin
);

#[cfg(test)]
impl Actor {
    /// An actor for unit tests that need one without a database.
    pub fn for_tests(user_id: UserId, role: Role) -> Self {
        Self {
            user_id,
            role,
            session_id: SessionId::new(),
            request_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_of_one_role_cannot_be_made_from_another() {
        let client = Actor::for_tests(UserId::new(), Role::Client);
        assert!(Client::from_actor(client.clone()).is_some());
        assert!(Therapist::from_actor(client.clone()).is_none());
        assert!(Admin::from_actor(client.clone()).is_none());
        assert!(Actor::from_actor(client).is_some());
        assert_eq!(
            Role::Admin.required().to_string(),
            "Only an administrator may do this."
        );
    }
}
