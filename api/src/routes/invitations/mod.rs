//! Invitations: how a therapist brings a client in.

mod delete_invitation;
mod get_invitations;
mod post_invitation;
pub mod post_invitation_accept;

use domain::accounts::invitations::{Invitation, InvitationStatus};
use domain::ids::{InvitationId, UserId};
use domain::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

pub const TAG: &str = "invitations";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(post_invitation::post_invitation)
        .service(get_invitations::get_invitations)
        .service(delete_invitation::delete_invitation)
        .service(post_invitation_accept::post_invitation_accept);
}

/// An invitation as its therapist sees it. The secret link goes only to the
/// invited address.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: InvitationId,
    #[schema(example = "ada@example.org")]
    pub email: String,
    pub status: InvitationStatus,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub revoked_at: Option<Timestamp>,
    /// The client account, once accepted.
    pub client_id: Option<UserId>,
}

impl From<Invitation> for InvitationView {
    fn from(i: Invitation) -> Self {
        Self {
            status: i.status(Timestamp::now()),
            id: i.id,
            email: i.email,
            created_at: i.created_at,
            expires_at: i.expires_at,
            accepted_at: i.accepted_at,
            revoked_at: i.revoked_at,
            client_id: i.client_id,
        }
    }
}
