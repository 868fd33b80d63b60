//! Administration: accounts only. Admins never read client content.

mod get_users;
mod patch_user;

use domain::accounts::users::User;
use domain::accounts::Role;
use domain::ids::UserId;
use domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub const TAG: &str = "admin";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_users::get_users)
        .service(patch_user::patch_user);
}

/// An account as an administrator sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub email_verified: bool,
    pub disabled: bool,
    pub created_at: Timestamp,
}

impl From<User> for AccountView {
    fn from(u: User) -> Self {
        Self {
            role: u.role,
            id: u.id,
            email: u.email,
            display_name: u.display_name,
            email_verified: u.email_verified_at.is_some(),
            disabled: u.disabled_at.is_some(),
            created_at: u.created_at,
        }
    }
}
