//! Accounts: who is who and how they prove it. One function per operation
//! ([`signup`], [`invite`], [`accept_invitation`], [`change_password`],
//! [`reset_password`], [`set_disabled`], …) with the rules it applies
//! ([`require_verified_email`], [`require_not_self`]).

pub mod emails;
pub mod invitations;
mod operations;
pub mod password;
pub mod sessions;
pub mod tokens;
pub mod users;
mod values;

pub use crate::access::Role;
pub use operations::*;
pub use values::{DisplayName, EmailAddress, NewPassword, TimeZoneName, PASSWORD_MAX_CHARS};
