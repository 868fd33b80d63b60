use actix_web::{get, web};
use domain::habits::suggestions::{self, SuggestionStatus};
use domain::ids::UserId;
use domain::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::SuggestionView;
use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::routes::assignments::Caller;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SuggestionQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub cursor: Option<String>,
    /// Therapists: only this client's.
    pub client_id: Option<UserId>,
    /// Only suggestions in this state (clients: default `pending`).
    #[param(inline)]
    pub status: Option<SuggestionStatus>,
}

/// Habit suggestions, newest first.
///
/// A client sees the suggestions of their current therapist (pending ones
/// unless `status` says otherwise); a therapist sees theirs to their current
/// clients, or to the one named in `client_id`.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_habit_suggestions",
    params(SuggestionQuery),
    responses(
        (status = 200, description = "Suggestions", body = Page<SuggestionView>),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only clients and therapists", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A client named someone else in `client_id`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/habit-suggestions")]
pub async fn get_suggestions(
    state: web::Data<AppState>,
    auth: AnyAuth,
    query: web::Query<SuggestionQuery>,
) -> Result<web::Json<Page<SuggestionView>>, ApiError> {
    let page = crate::routes::page_request(query.limit, query.cursor.as_deref())?;
    let (client, status) = (query.client_id, query.status);
    let rows =
        crate::routes::assignments::as_caller(&state, &auth, move |conn, caller| match caller {
            Caller::Therapist(me) => Ok(suggestions::for_therapist(
                conn, &me, client, status, &page,
            )?),
            Caller::Client(me) if client.is_some_and(|c| c != me.id()) => Err(ApiError::NotFound),
            Caller::Client(me) => Ok(suggestions::for_client(
                conn,
                &me,
                Some(status.unwrap_or(SuggestionStatus::Pending)),
                &page,
            )?),
        })
        .await?;
    Ok(web::Json(page.page(rows, |s| s.id.0, SuggestionView::from)))
}
