use actix_web::{post, web, HttpResponse};
use domain::care;
use domain::ids::{EntryId, UserId};
use domain::journal::{parse_body, sharing, REPLY_MAX_CHARS};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::extract;
use crate::routes::journal::ReplyView;
use crate::routes::Fields;
use crate::state::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewReply {
    /// 1 to 2,000 characters.
    #[schema(
        example = "Thank you for writing this down. Let's look at it on Tuesday.",
        min_length = 1,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub body: String,
}

/// Reply to an entry a client shares with you.
///
/// Therapists only, for an entry their current client shares with them now. The
/// client sees the reply on the entry. Written to the client's access log.
/// Sends no email.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "create_shared_entry_reply",
    params(("id" = UserId, Path, description = "The client"), ("entry_id" = EntryId, Path, description = "The entry")),
    request_body = NewReply,
    responses(
        (status = 201, description = "The reply", body = ReplyView),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not shared with you (or not your client)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Empty or too long", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/clients/{id}/shared/{entry_id}/replies")]
pub async fn post_reply(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    path: web::Path<(UserId, EntryId)>,
    body: extract::Json<NewReply>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::default();
    let Some(text) = fields.take(parse_body("body", &body.body, REPLY_MAX_CHARS)) else {
        return Err(fields.error());
    };
    let (client, entry) = path.into_inner();
    let reply = auth
        .tx(&state, move |conn, me| {
            let access = care::open(conn, me, client)?;
            Ok(sharing::reply(conn, &access, entry, &text)?)
        })
        .await?;
    Ok(HttpResponse::Created().json(ReplyView::from(reply)))
}
