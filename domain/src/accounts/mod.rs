//! Accounts: who is who, how they prove it, and the links between therapists
//! and clients.

pub mod invitations;
pub mod links;
pub mod password;
pub mod sessions;
pub mod tokens;
pub mod users;
mod values;

pub use values::{DisplayName, EmailAddress, NewPassword, Role, TimeZoneName, PASSWORD_MAX_CHARS};
