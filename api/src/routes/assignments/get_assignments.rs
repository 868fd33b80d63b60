use actix_web::{get, web};
use domain::access::Role;
use domain::care;
use domain::exercises::assignments::{self, AssignmentFilter, AssignmentStatus, DueWindow};
use domain::ids::UserId;
use domain::page::Page;
use domain::FieldError;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{AssignmentView, Caller, DueParam};
use crate::auth::AnyAuth;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub cursor: Option<String>,
    /// Therapists: whose assignments (required). Clients leave it out.
    pub client_id: Option<UserId>,
    /// Only active assignments with something due today, or this week
    /// (in the client's time zone); `due` of each then lists it.
    #[param(inline)]
    pub due: Option<DueParam>,
    pub status: Option<AssignmentStatus>,
}

/// Assignments: a client's own, or a therapist's for one client.
///
/// A client sees their own assignments; a therapist names one of their
/// current clients in `client_id` and sees the assignments made under the
/// current care link (each one listed is written to the client's access
/// log). Newest first. With `due=today` (or `week`) only active
/// assignments with something due then, in the client's time zone.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "list_assignments",
    params(AssignmentQuery),
    responses(
        (status = 200, description = "Assignments", body = Page<AssignmentView>),
        (status = 403, description = "Only clients and their therapists reach assignments", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not a current client of yours", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filters, limit or cursor; `client_id` missing (therapists) or sent (clients)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/assignments")]
pub async fn get_assignments(
    state: web::Data<AppState>,
    auth: AnyAuth,
    query: web::Query<AssignmentQuery>,
) -> Result<web::Json<Page<AssignmentView>>, ApiError> {
    let page = crate::routes::page_request(query.limit, query.cursor.as_deref())?;
    let window = query.due.map(DueWindow::from);
    let filter = AssignmentFilter {
        status: query.status,
        due: window,
    };
    let client_id = query.client_id;
    let now = state.config.clock.now();
    let wrong = |message: &str| {
        ApiError::Validation(vec![FieldError::new("client_id", "invalid", message)])
    };
    let (rows, tallies) = match auth.claimed_role() {
        Role::Therapist => {
            let client = client_id.ok_or_else(|| {
                ApiError::Validation(vec![FieldError::new(
                    "client_id",
                    "required",
                    "name the client whose assignments you want",
                )])
            })?;
            auth.tx(&state, move |conn, actor| match Caller::of(actor)? {
                Caller::Therapist(me) => {
                    let access = care::open(conn, &me, client)?;
                    Ok(assignments::list_for(conn, &access, &filter, &page, now)?)
                }
                Caller::Client(_) => Err(ApiError::Internal(anyhow::anyhow!("role changed"))),
            })
            .await?
        }
        Role::Admin => {
            return Err(domain::DomainError::Forbidden {
                code: "wrong_role",
                detail: "Only clients and their therapists reach assignments.".into(),
            }
            .into())
        }
        Role::Client => {
            if client_id.is_some() {
                return Err(wrong("only therapists name a client"));
            }
            auth.db(&state, move |conn, actor| match Caller::of(actor)? {
                Caller::Client(me) => Ok(assignments::list_own(conn, &me, &filter, &page, now)?),
                Caller::Therapist(_) => Err(ApiError::Internal(anyhow::anyhow!("role changed"))),
            })
            .await?
        }
    };
    let window = window.unwrap_or(DueWindow::Today);
    Ok(web::Json(page.page(
        rows,
        |a| a.id.0,
        |a| AssignmentView::new(a, &tallies, now, window),
    )))
}
