use actix_web::{get, web};
use chrono::NaiveDate;
use domain::dashboard::{self, CaseloadQuery, ClientLine, Cursor, Sort};
use domain::ids::UserId;
use domain::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ActivityView, PracticeView, UnreadView};
use crate::auth::TherapistAuth;
use crate::error::{ApiError, Problem};
use crate::routes::booking::ConsultationView;
use crate::routes::Fields;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DashboardQuery {
    /// Clients per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page (same `sort`).
    #[param(
        max_length = 80,
        pattern = "^[an]\\.[0-9]{1,10}\\.[0-9]{1,10}\\.(-|[0-9]{1,20})\\.[0-9a-f]{32}$"
    )]
    pub cursor: Option<String>,
    /// `needs_attention` (default) or `name`.
    #[param(inline)]
    pub sort: Option<Sort>,
    /// Only clients whose display name or email address contains this
    /// (case-insensitive), 1 to 100 characters.
    #[param(
        min_length = 1,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    pub name: Option<String>,
}

/// One client on the dashboard: figures only, never content.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardClientView {
    pub id: UserId,
    #[schema(example = "Ada")]
    pub display_name: String,
    /// When the current care link began.
    pub linked_since: Timestamp,
    pub unread: UnreadView,
    /// Shared questions for the next session not discussed yet.
    #[schema(example = 1)]
    pub agenda_questions: u32,
    pub exercises: PracticeView,
    /// Null when nothing is shared or submitted that you can see.
    pub last_activity: Option<ActivityView>,
}

impl From<ClientLine> for DashboardClientView {
    fn from(l: ClientLine) -> Self {
        Self {
            id: l.client.id,
            display_name: l.client.display_name,
            linked_since: l.client.since,
            unread: l.signals.unread.into(),
            agenda_questions: l.signals.agenda,
            exercises: l.practice.into(),
            last_activity: l.signals.last_activity.map(ActivityView::from),
        }
    }
}

/// Your confirmed consultations ahead, in your time zone's days.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpcomingConsultationsView {
    /// Starting today and not over yet, soonest first.
    pub today: Vec<ConsultationView>,
    /// Starting in the six days after today, soonest first.
    pub this_week: Vec<ConsultationView>,
}

/// The dashboard: one page of your current clients, and your upcoming
/// consultations.
#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardView {
    /// Your local date ("today" of the consultations).
    pub as_of: NaiveDate,
    #[schema(example = "Europe/Berlin")]
    pub time_zone: String,
    pub items: Vec<DashboardClientView>,
    /// Pass back as `cursor` (with the same `sort` and `name`) for the
    /// next page; null on the last. Opaque.
    #[schema(example = json!(null))]
    pub next_cursor: Option<String>,
    /// Clients matching the filter, over all pages.
    #[schema(example = 12)]
    pub total: usize,
    /// The same on every page.
    pub consultations: UpcomingConsultationsView,
}

/// Your caseload at a glance: what needs attention, client by client.
///
/// Therapists only. Every current client (a former client disappears the
/// moment the link ends; a client an administrator disabled is not
/// listed) with unread shared items, open agenda questions, exercises due
/// today and overdue, adherence over 7 and 30 days and the time and kind
/// of their last shared or submitted activity. Every figure comes only
/// from what the client shares with you now (not revoked, not expired) or
/// submitted on your assignments; a private response counts as done in
/// adherence and nowhere else, and nothing unshared is counted or hinted
/// at. Sorted by `needs_attention` (most overdue, then most unread, then
/// latest activity) or by `name`; filter with `name`. Each client shown is
/// written to that client's access log. Answered in a fixed number of
/// database queries whatever the caseload.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_dashboard",
    params(DashboardQuery),
    responses(
        (status = 200, description = "The dashboard", body = DashboardView, example = json!({
            "as_of": "2026-12-07",
            "time_zone": "Europe/Berlin",
            "items": [{
                "id": "0193a5b2-7c1e-7d2f-9a40-5b6c7d8e9f01",
                "display_name": "Ada",
                "linked_since": "2026-09-01T10:00:00Z",
                "unread": {"entries": 2, "habits": 0, "daily_check_ins": 1, "responses": 1, "total": 4},
                "agenda_questions": 1,
                "exercises": {
                    "as_of": "2026-12-07",
                    "due_today": 1,
                    "overdue": 1,
                    "last_7_days": {"from": "2026-12-01", "to": "2026-12-07", "due": 7, "completed_on_time": 4, "completed_late": 1, "missed": 1, "pending": 1, "completion_rate": 0.8333},
                    "last_30_days": {"from": "2026-11-08", "to": "2026-12-07", "due": 30, "completed_on_time": 21, "completed_late": 3, "missed": 5, "pending": 1, "completion_rate": 0.8276}
                },
                "last_activity": {"at": "2026-12-06T19:12:00Z", "kind": "journal_entry"}
            }],
            "next_cursor": null,
            "total": 1,
            "consultations": {
                "today": [],
                "this_week": [{
                    "id": "0193a5b2-7c1e-7d2f-9a40-5b6c7d8e9f99",
                    "status": "confirmed",
                    "start": "2026-12-09T09:00:00Z",
                    "end": "2026-12-09T09:15:00Z",
                    "name": "Sam Rivera",
                    "email": "sam@example.org",
                    "time_zone": "America/New_York",
                    "note": null,
                    "hold_expires_at": null,
                    "created_at": "2026-12-05T14:02:11Z"
                }]
            }
        })),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a therapist", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit, cursor, sort or name; or the client the cursor points at left the list (`expired`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/dashboard")]
pub async fn get_dashboard(
    state: web::Data<AppState>,
    auth: TherapistAuth,
    query: web::Query<DashboardQuery>,
) -> Result<web::Json<DashboardView>, ApiError> {
    let query = query.into_inner();
    let sort = query.sort.unwrap_or(Sort::NeedsAttention);
    let mut fields = Fields::default();
    let limit = fields.take(match query.limit.unwrap_or(domain::page::DEFAULT_LIMIT) {
        l @ 1..=domain::page::MAX_LIMIT => Ok(usize::try_from(l).unwrap_or(1)),
        _ => Err(domain::FieldError::new(
            "limit",
            "out_of_range",
            format!("must be from 1 to {}", domain::page::MAX_LIMIT),
        )),
    });
    let cursor = match query.cursor.as_deref() {
        None => None,
        Some(raw) => fields.take(Cursor::parse(raw, sort)),
    };
    let name = match query.name.as_deref() {
        None => None,
        Some(raw) => fields.take(CaseloadQuery::parse_name(raw)),
    };
    let (Some(limit), true) = (limit, fields.is_empty()) else {
        return Err(fields.error());
    };
    let caseload = CaseloadQuery {
        sort,
        name,
        limit,
        cursor,
    };
    let now = state.config.clock.now();
    let board = auth
        .tx(&state, move |conn, me| {
            Ok(dashboard::caseload(conn, me, &caseload, now)?)
        })
        .await?;
    Ok(web::Json(DashboardView {
        as_of: board.today,
        time_zone: board.zone.name().to_owned(),
        items: board.clients.into_iter().map(Into::into).collect(),
        next_cursor: board.next_cursor,
        total: board.matching,
        consultations: UpcomingConsultationsView {
            today: board
                .consultations_today
                .into_iter()
                .map(Into::into)
                .collect(),
            this_week: board
                .consultations_this_week
                .into_iter()
                .map(Into::into)
                .collect(),
        },
    }))
}
