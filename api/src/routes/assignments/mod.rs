//! Exercise assignments: what a therapist gives a client to practise, what
//! is due in the client's own time zone, responses, drafts, comments and
//! adherence.

mod delete_draft;
mod get_adherence;
mod get_assignment;
mod get_assignments;
mod get_draft;
mod get_response;
mod get_responses;
mod patch_assignment;
mod patch_response;
mod post_assignment;
mod post_comment;
mod post_response;
mod put_draft;

use chrono::NaiveDate;
use domain::access::{Actor, Client, Proof, Role, Therapist};
use domain::db::DbConnection;
use domain::exercises::assignments::{Assignment, AssignmentStatus, Due, DueWindow, Tallies};
use domain::exercises::fields::FieldSpec;
use domain::exercises::responses::{Comment, Response, SeenResponse};
use domain::exercises::schedule::{Adherence, OccurrenceState, Schedule};
use domain::exercises::templates::Category;
use domain::exercises::Report;
use domain::ids::{AssignmentId, ResponseId, RowId, TemplateId, UserId};
use domain::{DomainError, Timestamp};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AnyAuth;
use crate::error::ApiError;
use crate::state::AppState;

pub const TAG: &str = "exercises";

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(post_assignment::post_assignment)
        .service(get_assignments::get_assignments)
        .service(get_assignment::get_assignment)
        .service(patch_assignment::patch_assignment)
        .service(post_response::post_response)
        .service(get_responses::get_responses)
        .service(get_response::get_response)
        .service(patch_response::patch_response)
        .service(put_draft::put_draft)
        .service(get_draft::get_draft)
        .service(delete_draft::delete_draft)
        .service(post_comment::post_comment)
        .service(get_adherence::get_adherence);
}

/// Who may call the routes both sides share.
pub enum Caller {
    Client(Client),
    Therapist(Therapist),
}

impl Caller {
    pub fn of(actor: &Actor) -> Result<Self, ApiError> {
        if let Some(client) = Client::from_actor(actor.clone()) {
            return Ok(Self::Client(client));
        }
        if let Some(therapist) = Therapist::from_actor(actor.clone()) {
            return Ok(Self::Therapist(therapist));
        }
        Err(DomainError::Forbidden {
            code: "wrong_role",
            detail: "Only clients and their therapists reach assignments.".into(),
        }
        .into())
    }
}

/// Runs `f` as the caller on the worker's connection: a client's reads in
/// a plain call, a therapist's in a write transaction, since each of their
/// reads writes the client's access log. (On SQLite a write transaction
/// takes the database's write lock, which a client's read need not wait for.)
pub async fn as_caller<T, F>(state: &AppState, auth: &AnyAuth, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection, Caller) -> Result<T, ApiError>,
{
    let f = move |conn: &mut DbConnection, actor: &Actor| f(conn, Caller::of(actor)?);
    match auth.claimed_role() {
        Role::Therapist => auth.tx(state, f).await,
        _ => auth.db(state, f).await,
    }
}

/// The template version an assignment was given.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignedTemplate {
    pub id: TemplateId,
    #[schema(minimum = 1)]
    pub version: i32,
    pub title: String,
    pub purpose: String,
    pub instructions: String,
    pub duration_minutes: Option<i32>,
    pub category: Category,
    pub fields: Vec<FieldSpec>,
}

/// One time an assignment is due, in the client's time zone.
#[derive(Debug, Serialize, ToSchema)]
pub struct OccurrenceView {
    /// The first local date it can be done on.
    pub opens_on: NaiveDate,
    /// The local date it is due. A response names one of its dates,
    /// `opens_on` to `due_on`, as `occurrence_on`.
    pub due_on: NaiveDate,
    /// The instant it is due by.
    pub due_at: Timestamp,
    /// Responses it needs (1, or `times` for a week of `times_per_week`).
    #[schema(minimum = 1, maximum = 7)]
    pub required: u32,
    /// Responses submitted for it so far (at most `required`).
    #[schema(minimum = 0, maximum = 7)]
    pub completed: u32,
    pub state: OccurrenceState,
}

impl From<Due> for OccurrenceView {
    fn from(d: Due) -> Self {
        Self {
            opens_on: d.occurrence.opens_on,
            due_on: d.occurrence.due_on,
            due_at: d.occurrence.due_at,
            required: d.occurrence.required,
            completed: d.completed,
            state: d.state,
        }
    }
}

/// An exercise assigned to a client.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentView {
    pub id: AssignmentId,
    pub client_id: UserId,
    pub therapist_id: UserId,
    /// `ended` once the therapist ended it or the care link ended.
    pub status: AssignmentStatus,
    pub template: AssignedTemplate,
    /// The therapist's personal instructions.
    pub instructions: String,
    /// The schedule in effect now.
    pub schedule: Schedule,
    /// The client's time zone, which the schedule follows.
    #[schema(example = "America/New_York")]
    pub time_zone: String,
    /// What is due today (or this week, with `due=week`), with its state.
    pub due: Vec<OccurrenceView>,
    /// The first occurrence from today on that is not done yet.
    pub next_due: Option<OccurrenceView>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub ended_at: Option<Timestamp>,
}

impl AssignmentView {
    pub fn new(a: Assignment, tallies: &Tallies, now: Timestamp, window: DueWindow) -> Self {
        let live = a.status == AssignmentStatus::Active;
        let due = if live {
            a.due(tallies, now, window)
                .into_iter()
                .map(OccurrenceView::from)
                .collect()
        } else {
            Vec::new()
        };
        let next_due = live
            .then(|| a.next_due(tallies, now))
            .flatten()
            .map(OccurrenceView::from);
        Self {
            id: a.id,
            client_id: a.client_id,
            therapist_id: a.therapist_id,
            status: a.status,
            template: AssignedTemplate {
                id: a.template_id,
                version: a.template_version,
                title: a.template.title,
                purpose: a.template.purpose,
                instructions: a.template.instructions,
                duration_minutes: a.template.duration_minutes,
                category: a.template.category,
                fields: a.template.fields.into_inner(),
            },
            instructions: a.instructions,
            schedule: a.schedule,
            time_zone: a.zone.name().to_owned(),
            due,
            next_due,
            created_at: a.created_at,
            updated_at: a.updated_at,
            ended_at: a.ended_at,
        }
    }
}

/// A therapist's comment on a response.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentView {
    pub id: RowId,
    pub response_id: ResponseId,
    /// Null if that account was deleted since.
    pub therapist_id: Option<UserId>,
    pub body: String,
    pub created_at: Timestamp,
}

impl From<Comment> for CommentView {
    fn from(c: Comment) -> Self {
        Self {
            id: c.id,
            response_id: c.response_id,
            therapist_id: c.therapist_id,
            body: c.body,
            created_at: c.created_at,
        }
    }
}

/// A response to an assignment.
///
/// The client sees all of it. The therapist sees a private response as
/// done (when, on time or not) without its answers or rating, and never
/// the client's note.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseView {
    pub id: ResponseId,
    pub assignment_id: AssignmentId,
    /// A local date of the occurrence it answers (for a week, the day it
    /// was done on).
    pub occurrence_on: NaiveDate,
    /// The template version it answers.
    #[schema(minimum = 1)]
    pub template_version: i32,
    /// Answers by field key; null for the therapist when private.
    #[schema(value_type = Option<std::collections::HashMap<String, serde_json::Value>>)]
    pub answers: Option<Map<String, Value>>,
    /// How helpful it felt, 1 to 5; null for the therapist when private.
    #[schema(minimum = 1, maximum = 5)]
    pub helpfulness: Option<i32>,
    /// The client's private note; always null for the therapist.
    pub note: Option<String>,
    /// Private: the therapist sees that it was done and when, nothing more.
    pub private: bool,
    /// Whether the therapist sees the answers (not private).
    pub answers_visible_to_therapist: bool,
    /// Submitted by the time the occurrence was due.
    pub on_time: bool,
    pub submitted_at: Timestamp,
    /// When the therapist first opened it on its own; null until then. A
    /// visible response not opened yet counts as unread on the dashboard.
    pub read_at: Option<Timestamp>,
    pub comments: Vec<CommentView>,
}

impl From<Response> for ResponseView {
    fn from(r: Response) -> Self {
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            occurrence_on: r.occurrence_on,
            template_version: r.template_version,
            answers: Some(r.answers),
            helpfulness: r.helpfulness,
            note: r.note,
            private: r.private,
            answers_visible_to_therapist: !r.private,
            on_time: r.on_time,
            submitted_at: r.submitted_at,
            read_at: r.read_at,
            comments: r.comments.into_iter().map(CommentView::from).collect(),
        }
    }
}

impl From<SeenResponse> for ResponseView {
    fn from(r: SeenResponse) -> Self {
        Self {
            id: r.id,
            assignment_id: r.assignment_id,
            occurrence_on: r.occurrence_on,
            template_version: r.template_version,
            answers: r.answers,
            helpfulness: r.helpfulness,
            note: None,
            private: r.private,
            answers_visible_to_therapist: !r.private,
            on_time: r.on_time,
            submitted_at: r.submitted_at,
            read_at: r.read_at,
            comments: r.comments.into_iter().map(CommentView::from).collect(),
        }
    }
}

/// Adherence over a span of local dates.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdherencePeriod {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Responses due (a week of `times_per_week` counts `times`).
    pub due: u32,
    pub completed_on_time: u32,
    pub completed_late: u32,
    /// Past their time and not done.
    pub missed: u32,
    /// Still open: due later today or later this week.
    pub pending: u32,
    /// Done (on time or late) out of what is no longer open; null when
    /// nothing was.
    #[schema(minimum = 0, maximum = 1)]
    pub completion_rate: Option<f64>,
}

impl From<Adherence> for AdherencePeriod {
    fn from(a: Adherence) -> Self {
        Self {
            from: a.from,
            to: a.to,
            due: a.due,
            completed_on_time: a.completed_on_time,
            completed_late: a.completed_late,
            missed: a.missed,
            pending: a.pending,
            completion_rate: a.completion_rate(),
        }
    }
}

/// How often an assignment was done over the last 7 and 30 local days.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdherenceView {
    pub assignment_id: AssignmentId,
    pub title: String,
    pub status: AssignmentStatus,
    /// The client's local date the figures end on.
    pub as_of: NaiveDate,
    #[schema(example = "America/New_York")]
    pub time_zone: String,
    pub last_7_days: AdherencePeriod,
    pub last_30_days: AdherencePeriod,
}

impl AdherenceView {
    pub fn new(id: AssignmentId, title: String, status: AssignmentStatus, report: Report) -> Self {
        Self {
            assignment_id: id,
            title,
            status,
            as_of: report.as_of,
            time_zone: report.zone.name().to_owned(),
            last_7_days: report.last_7_days.into(),
            last_30_days: report.last_30_days.into(),
        }
    }
}
