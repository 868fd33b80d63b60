//! The signed-in person: profile, access log, their therapist link.

mod delete_therapist;
mod get_access_log;
mod get_me;
mod patch_me;

use domain::accounts::users::User;
use domain::accounts::Role;
use domain::ids::UserId;
use domain::time::TimeOfDay;
use domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub const TAG: &str = "me";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_me::get_me)
        .service(patch_me::patch_me)
        .service(get_access_log::get_access_log)
        .service(delete_therapist::delete_therapist);
}

/// A person's own profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct Profile {
    pub id: UserId,
    #[schema(example = "ada@example.org")]
    pub email: String,
    #[schema(example = "Ada")]
    pub display_name: String,
    pub role: Role,
    /// IANA time zone used for reminders and local times.
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    /// When your day begins: check-ins made before it count for the day
    /// before (a night owl's 01:00 with `03:00`). `00:00` to `06:00`.
    pub day_starts_at: TimeOfDay,
    pub email_verified: bool,
    pub created_at: Timestamp,
}

impl From<User> for Profile {
    fn from(user: User) -> Self {
        Self {
            role: user.role,
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            time_zone: user.time_zone,
            day_starts_at: TimeOfDay(
                chrono::NaiveTime::MIN + chrono::Duration::minutes(i64::from(user.day_starts_at)),
            ),
            email_verified: user.email_verified_at.is_some(),
            created_at: user.created_at,
        }
    }
}
