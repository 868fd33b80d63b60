use actix_web::{get, web};
use domain::care;
use domain::exercises::assignments::{self, AssignmentFilter, AssignmentStatus, DueWindow};
use domain::ids::UserId;
use domain::page::Page;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{AssignmentView, Caller};
use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AssignmentQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub cursor: Option<String>,
    /// Therapists: only this client's (default: every current client's).
    /// Clients see only their own.
    pub client_id: Option<UserId>,
    /// Only active assignments with something due today, or this week
    /// (in the client's time zone); `due` of each then lists it.
    #[param(inline)]
    pub due: Option<DueWindow>,
    pub status: Option<AssignmentStatus>,
}

/// Assignments: a client's own, or a therapist's.
///
/// A client sees their own assignments. A therapist sees those made under
/// their current care links, with every current client or the one named in
/// `client_id` (each one listed is written to its client's access log).
/// Newest first. With `due=today` (or `week`) only active
/// assignments with something due then, in the client's time zone.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_assignments",
    params(AssignmentQuery),
    responses(
        (status = 200, description = "Assignments", body = Page<AssignmentView>),
        (status = 403, description = "Only clients and their therapists reach assignments", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`client_id` names nobody who is your current client (or, for a client, someone else)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filters, limit or cursor", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/assignments")]
pub async fn get_assignments(
    state: web::Data<AppState>,
    auth: AnyAuth,
    query: web::Query<AssignmentQuery>,
) -> Result<web::Json<Page<AssignmentView>>, ApiError> {
    let page = crate::routes::page_request(query.limit, query.cursor.as_deref())?;
    let window = query.due;
    let filter = AssignmentFilter {
        status: query.status,
        due: window,
    };
    let client_id = query.client_id;
    let now = state.config.clock.now();
    let (rows, tallies) = super::as_caller(&state, &auth, move |conn, caller| match caller {
        Caller::Therapist(me) => Ok(match client_id {
            Some(client) => {
                let access = care::open(conn, &me, client)?;
                assignments::list_for(conn, &access, &filter, &page, now)?
            }
            None => assignments::list_mine(conn, &me, &filter, &page, now)?,
        }),
        // A client names nobody but themselves.
        Caller::Client(me) if client_id.is_some_and(|c| c != me.id()) => Err(ApiError::NotFound),
        Caller::Client(me) => Ok(assignments::list_own(conn, &me, &filter, &page, now)?),
    })
    .await?;
    let window = window.unwrap_or(DueWindow::Today);
    Ok(web::Json(page.page(
        rows,
        |a| a.id.0,
        |a| AssignmentView::new(a, &tallies, now, window),
    )))
}
