//! A therapist's clients.

mod delete_client;
mod get_adherence;
mod get_agenda;
mod get_client;
mod get_clients;
mod get_daily_check_ins;
mod get_habit_stats;
mod get_habits;
mod get_shared;
mod get_shared_entry;
mod get_summary;
mod post_discussed;
mod post_reply;
mod shared;

use domain::care::LinkedClient;
use domain::ids::UserId;
use domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub const TAG: &str = "practice";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_clients::get_clients)
        .service(get_client::get_client)
        .service(delete_client::delete_client)
        .service(get_shared::get_shared)
        .service(get_shared_entry::get_shared_entry)
        .service(post_reply::post_reply)
        .service(get_agenda::get_agenda)
        .service(post_discussed::post_discussed)
        .service(get_adherence::get_adherence)
        .service(get_habits::get_habits)
        .service(get_habit_stats::get_habit_stats)
        .service(get_daily_check_ins::get_daily_check_ins)
        .service(get_summary::get_summary);
}

/// A client as their therapist sees them: account details only, never the
/// client's own content.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientView {
    pub id: UserId,
    #[schema(example = "Ada")]
    pub display_name: String,
    #[schema(example = "ada@example.org")]
    pub email: String,
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    /// When the current link began.
    pub linked_since: Timestamp,
}

impl From<LinkedClient> for ClientView {
    fn from(c: LinkedClient) -> Self {
        Self {
            id: c.id,
            display_name: c.display_name,
            email: c.email,
            time_zone: c.time_zone,
            linked_since: c.since,
        }
    }
}
