//! A therapist suggests a habit; the client accepts or declines it.

mod get_suggestions;
mod post_accept;
mod post_decline;
mod post_suggestion;

use domain::habits::suggestions::{Suggestion, SuggestionStatus};
use domain::habits::Definition;
use domain::ids::{HabitId, SuggestionId, UserId};
use domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub const TAG: &str = "habits";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(post_suggestion::post_suggestion)
        .service(get_suggestions::get_suggestions)
        .service(post_accept::post_accept)
        .service(post_decline::post_decline);
}

/// A suggested habit.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionView {
    pub id: SuggestionId,
    pub therapist_id: UserId,
    pub client_id: UserId,
    /// The habit as suggested; accepting creates exactly this.
    pub habit: Definition,
    /// Why, in the therapist's words.
    pub note: Option<String>,
    pub status: SuggestionStatus,
    /// The habit it became, once accepted.
    pub habit_id: Option<HabitId>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}

impl From<Suggestion> for SuggestionView {
    fn from(s: Suggestion) -> Self {
        Self {
            id: s.id,
            therapist_id: s.therapist_id,
            client_id: s.client_id,
            habit: s.definition,
            note: s.note,
            status: s.status,
            habit_id: s.habit_id,
            created_at: s.created_at,
            decided_at: s.decided_at,
        }
    }
}
