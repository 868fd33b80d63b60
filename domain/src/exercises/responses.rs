//! Responses to assignments, their drafts, and the therapist's comments.
//!
//! A response is checked against the fields of the template version its
//! assignment names, and kept whole or not at all. Its answers are the
//! client's: the therapist sees them while the care link lasts, unless the
//! client marked the response private, in which case the therapist sees
//! only that it was done and when. The client's note is never shown to
//! anyone else. Drafts are the client's alone.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde_json::{Map, Value};

use super::assignments::{self, Assignment, AssignmentStatus, Tallies};
use super::fields::{check_text, Completeness, Problems};
use crate::access::Client;
use crate::audit::{Action, Resource};
use crate::care::CareAccess;
use crate::db::schema::{exercise_comments, exercise_drafts, exercise_responses};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::ids::{AssignmentId, ResponseId, RowId, UserId};
use crate::page::PageRequest;
use crate::time::Timestamp;

pub const NOTE_MAX_CHARS: usize = 2_000;
pub const COMMENT_MAX_CHARS: usize = 2_000;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = exercise_responses)]
struct Row {
    id: ResponseId,
    assignment_id: AssignmentId,
    occurrence_on: NaiveDate,
    template_version: i32,
    answers: String,
    helpfulness: Option<i32>,
    note: Option<String>,
    private: bool,
    on_time: bool,
    submitted_at: Timestamp,
    read_at: Option<Timestamp>,
}

/// A therapist's comment on a response.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = exercise_comments)]
pub struct Comment {
    pub id: RowId,
    pub response_id: ResponseId,
    pub therapist_id: Option<UserId>,
    pub body: String,
    pub created_at: Timestamp,
}

/// A response as its author sees it.
#[derive(Debug, Clone)]
pub struct Response {
    pub id: ResponseId,
    pub assignment_id: AssignmentId,
    pub occurrence_on: NaiveDate,
    pub template_version: i32,
    pub answers: Map<String, Value>,
    pub helpfulness: Option<i32>,
    pub note: Option<String>,
    pub private: bool,
    pub on_time: bool,
    pub submitted_at: Timestamp,
    /// When the therapist first opened it.
    pub read_at: Option<Timestamp>,
    pub comments: Vec<Comment>,
}

/// A response as the therapist sees it: a private one without its answers
/// or rating; never the client's note.
#[derive(Debug, Clone)]
pub struct SeenResponse {
    pub id: ResponseId,
    pub assignment_id: AssignmentId,
    pub occurrence_on: NaiveDate,
    pub template_version: i32,
    pub private: bool,
    pub answers: Option<Map<String, Value>>,
    pub helpfulness: Option<i32>,
    pub on_time: bool,
    pub submitted_at: Timestamp,
    /// When the therapist first opened it.
    pub read_at: Option<Timestamp>,
    pub comments: Vec<Comment>,
}

impl Response {
    fn of(row: Row, comments: Vec<Comment>) -> DomainResult<Self> {
        let answers = match serde_json::from_str(&row.answers) {
            Ok(Value::Object(map)) => map,
            _ => {
                return Err(DomainError::Internal(format!(
                    "stored answers of {}",
                    row.id
                )))
            }
        };
        Ok(Self {
            id: row.id,
            assignment_id: row.assignment_id,
            occurrence_on: row.occurrence_on,
            template_version: row.template_version,
            answers,
            helpfulness: row.helpfulness,
            note: row.note,
            private: row.private,
            on_time: row.on_time,
            submitted_at: row.submitted_at,
            read_at: row.read_at,
            comments,
        })
    }

    /// What the therapist may see of it.
    pub fn seen(self) -> SeenResponse {
        SeenResponse {
            id: self.id,
            assignment_id: self.assignment_id,
            occurrence_on: self.occurrence_on,
            template_version: self.template_version,
            private: self.private,
            answers: (!self.private).then_some(self.answers),
            helpfulness: self.helpfulness.filter(|_| !self.private),
            on_time: self.on_time,
            submitted_at: self.submitted_at,
            read_at: self.read_at,
            comments: self.comments,
        }
    }
}

/// What a client submits.
pub struct Submission {
    /// The due date answered; default: see [`Assignment`]'s choice.
    pub occurrence_on: Option<NaiveDate>,
    pub answers: Map<String, Value>,
    pub helpfulness: Option<i32>,
    pub note: Option<String>,
    pub private: bool,
}

/// Checks the parts of a submission that do not depend on the template.
pub fn check_extras(helpfulness: Option<i32>, note: Option<&str>) -> Result<(), Vec<FieldError>> {
    let mut problems = Problems::default();
    if helpfulness.is_some_and(|h| !(1..=5).contains(&h)) {
        problems.add("helpfulness", "out_of_range", "must be from 1 to 5");
    }
    if let Some(note) = note {
        check_text(&mut problems, "note", note, NOTE_MAX_CHARS);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.0)
    }
}

fn comments_of(
    conn: &mut DbConnection,
    responses: &[ResponseId],
) -> DomainResult<HashMap<ResponseId, Vec<Comment>>> {
    let mut by_response: HashMap<ResponseId, Vec<Comment>> = HashMap::new();
    if responses.is_empty() {
        return Ok(by_response);
    }
    let comments: Vec<Comment> = exercise_comments::table
        .filter(exercise_comments::response_id.eq_any(responses))
        .order(exercise_comments::id.asc())
        .select(Comment::as_select())
        .load(conn)?;
    for comment in comments {
        by_response
            .entry(comment.response_id)
            .or_default()
            .push(comment);
    }
    Ok(by_response)
}

fn with_comments(conn: &mut DbConnection, rows: Vec<Row>) -> DomainResult<Vec<Response>> {
    let ids: Vec<ResponseId> = rows.iter().map(|r| r.id).collect();
    let mut comments = comments_of(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let c = comments.remove(&row.id).unwrap_or_default();
            Response::of(row, c)
        })
        .collect()
}

/// Submits a response to one of the client's active assignments.
pub fn submit(
    conn: &mut DbConnection,
    me: &Client,
    id: AssignmentId,
    submission: Submission,
    now: Timestamp,
) -> DomainResult<(Response, Assignment)> {
    assignments::lock(conn, id)?;
    let assignment = assignments::get_own(conn, me, id)?;
    if assignment.status != AssignmentStatus::Active {
        return Err(DomainError::Conflict {
            code: "assignment_not_active",
            detail: format!(
                "This assignment is {}; nothing can be submitted to it.",
                assignment.status
            ),
        });
    }
    let answers = assignment
        .template
        .fields
        .check_answers(&submission.answers, Completeness::Submitted)
        .map_err(DomainError::Validation)?;
    let tallies = Tallies::around(conn, std::slice::from_ref(&assignment), now)?;
    let (occurrence, date) = assignment.occurrence_for(submission.occurrence_on, &tallies, now)?;
    let response = ResponseId::new();
    diesel::insert_into(exercise_responses::table)
        .values((
            exercise_responses::id.eq(response),
            exercise_responses::assignment_id.eq(id),
            exercise_responses::client_id.eq(me.id()),
            exercise_responses::occurrence_on.eq(date),
            exercise_responses::template_version.eq(assignment.template_version),
            exercise_responses::answers.eq(Value::Object(answers).to_string()),
            exercise_responses::helpfulness.eq(submission.helpfulness),
            exercise_responses::note.eq(submission.note.as_deref()),
            exercise_responses::private.eq(submission.private),
            exercise_responses::on_time.eq(now < occurrence.due_at),
            exercise_responses::submitted_at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(exercise_drafts::table.find(id)).execute(conn)?;
    let row = exercise_responses::table
        .find(response)
        .select(Row::as_select())
        .first(conn)?;
    Ok((Response::of(row, Vec::new())?, assignment))
}

/// The client's responses to their assignment, newest first.
pub fn list_own(
    conn: &mut DbConnection,
    me: &Client,
    id: AssignmentId,
    page: &PageRequest,
) -> DomainResult<Vec<Response>> {
    assignments::get_own(conn, me, id)?;
    let rows = page_of(conn, id, page)?;
    with_comments(conn, rows)
}

fn page_of(
    conn: &mut DbConnection,
    id: AssignmentId,
    page: &PageRequest,
) -> DomainResult<Vec<Row>> {
    let mut query = exercise_responses::table
        .filter(exercise_responses::assignment_id.eq(id))
        .order(exercise_responses::id.desc())
        .limit(page.fetch())
        .select(Row::as_select())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(exercise_responses::id.lt(ResponseId(after)));
    }
    Ok(query.load(conn)?)
}

/// Responses to an assignment, as its therapist sees them (each one shown
/// is logged).
pub fn list_for(
    conn: &mut DbConnection,
    access: &CareAccess,
    id: AssignmentId,
    page: &PageRequest,
) -> DomainResult<Vec<SeenResponse>> {
    assignments::find_for(conn, access, id)?;
    let rows = page_of(conn, id, page)?;
    let responses = with_comments(conn, rows)?;
    let shown = page.shown(&responses).iter().map(|r| r.id.0);
    access.log(conn, Resource::ExerciseResponse, Action::List, shown)?;
    Ok(responses.into_iter().map(Response::seen).collect())
}

fn find(conn: &mut DbConnection, id: AssignmentId, response: ResponseId) -> DomainResult<Response> {
    let row = exercise_responses::table
        .filter(exercise_responses::id.eq(response))
        .filter(exercise_responses::assignment_id.eq(id))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)?;
    with_comments(conn, vec![row])?
        .pop()
        .ok_or(DomainError::NotFound)
}

/// One of the client's responses.
pub fn get_own(
    conn: &mut DbConnection,
    me: &Client,
    id: AssignmentId,
    response: ResponseId,
) -> DomainResult<Response> {
    assignments::get_own(conn, me, id)?;
    find(conn, id, response)
}

/// One response, as the therapist sees it (logged); the first time, it is
/// marked read.
pub fn get_for(
    conn: &mut DbConnection,
    access: &CareAccess,
    id: AssignmentId,
    response: ResponseId,
    now: Timestamp,
) -> DomainResult<SeenResponse> {
    assignments::find_for(conn, access, id)?;
    let mut found = find(conn, id, response)?;
    if found.read_at.is_none() {
        diesel::update(exercise_responses::table.find(response))
            .set(exercise_responses::read_at.eq(Some(now)))
            .execute(conn)?;
        found.read_at = Some(now);
    }
    access.log(conn, Resource::ExerciseResponse, Action::Read, [response.0])?;
    Ok(found.seen())
}

/// The latest `per` visible (not private) responses to each assignment
/// of this care link, newest first within each; each one shown is logged.
/// Two queries (the responses, their comments), whatever the number of
/// assignments.
pub fn latest_for(
    conn: &mut DbConnection,
    access: &CareAccess,
    per: i64,
) -> DomainResult<Vec<SeenResponse>> {
    let rows: Vec<Row> = diesel::sql_query(
        "SELECT id, assignment_id, occurrence_on, template_version, answers, helpfulness,
                note, private, on_time, submitted_at, read_at
           FROM (SELECT r.*, ROW_NUMBER() OVER (
                        PARTITION BY r.assignment_id ORDER BY r.submitted_at DESC, r.id DESC) AS n
                   FROM exercise_responses r
                   JOIN assignments a ON a.id = r.assignment_id
                   JOIN care_links l ON l.id = a.link_id
                  WHERE a.link_id = $1 AND l.ended_at IS NULL AND NOT r.private) latest
          WHERE n <= $2
          ORDER BY assignment_id, submitted_at DESC, id DESC",
    )
    .bind::<crate::db::sql::Id, _>(access.link())
    .bind::<diesel::sql_types::BigInt, _>(per)
    .load(conn)?;
    let responses = with_comments(conn, rows)?;
    access.log(
        conn,
        Resource::ExerciseResponse,
        Action::Summary,
        responses.iter().map(|r| r.id.0),
    )?;
    Ok(responses.into_iter().map(Response::seen).collect())
}

/// The client marks a response private (the therapist then sees only that
/// it was done) or visible again.
pub fn set_private(
    conn: &mut DbConnection,
    me: &Client,
    id: AssignmentId,
    response: ResponseId,
    private: bool,
) -> DomainResult<Response> {
    let changed = diesel::update(
        exercise_responses::table
            .filter(exercise_responses::id.eq(response))
            .filter(exercise_responses::assignment_id.eq(id))
            .filter(exercise_responses::client_id.eq(me.id())),
    )
    .set(exercise_responses::private.eq(private))
    .execute(conn)?;
    if changed == 0 {
        return Err(DomainError::NotFound);
    }
    find(conn, id, response)
}

/// The therapist comments on a response to their assignment (the client
/// sees it on the response).
pub fn comment(
    conn: &mut DbConnection,
    access: &CareAccess,
    id: AssignmentId,
    response: ResponseId,
    body: &str,
) -> DomainResult<Comment> {
    assignments::find_for(conn, access, id)?;
    exercise_responses::table
        .filter(exercise_responses::id.eq(response))
        .filter(exercise_responses::assignment_id.eq(id))
        .select(exercise_responses::id)
        .first::<ResponseId>(conn)
        .optional()?
        .ok_or(DomainError::NotFound)?;
    let comment = RowId::new();
    diesel::insert_into(exercise_comments::table)
        .values((
            exercise_comments::id.eq(comment),
            exercise_comments::response_id.eq(response),
            exercise_comments::therapist_id.eq(Some(access.therapist())),
            exercise_comments::body.eq(body),
            exercise_comments::created_at.eq(Timestamp::now()),
        ))
        .execute(conn)?;
    access.log(
        conn,
        Resource::ExerciseResponse,
        Action::Comment,
        [response.0],
    )?;
    Ok(exercise_comments::table
        .find(comment)
        .select(Comment::as_select())
        .first(conn)?)
}

/// A saved draft: the client's own, unchecked for completeness.
#[derive(Debug, Clone)]
pub struct Draft {
    pub answers: Map<String, Value>,
    pub updated_at: Timestamp,
}

/// Saves (replaces) the client's draft for an assignment.
pub fn save_draft(
    conn: &mut DbConnection,
    me: &Client,
    id: AssignmentId,
    answers: &Map<String, Value>,
) -> DomainResult<Draft> {
    let assignment = assignments::get_own(conn, me, id)?;
    if assignment.status == AssignmentStatus::Ended {
        return Err(DomainError::Conflict {
            code: "assignment_not_active",
            detail: "This assignment has ended; nothing can be saved to it.".into(),
        });
    }
    let answers = assignment
        .template
        .fields
        .check_answers(answers, Completeness::Draft)
        .map_err(DomainError::Validation)?;
    let now = Timestamp::now();
    let json = Value::Object(answers.clone()).to_string();
    // One statement, so two saves at once both succeed (the later wins).
    crate::on_backend!(conn, c => diesel::insert_into(exercise_drafts::table)
        .values((
            exercise_drafts::assignment_id.eq(id),
            exercise_drafts::client_id.eq(me.id()),
            exercise_drafts::answers.eq(&json),
            exercise_drafts::updated_at.eq(now),
        ))
        .on_conflict(exercise_drafts::assignment_id)
        .do_update()
        .set((
            exercise_drafts::answers.eq(&json),
            exercise_drafts::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(Draft {
        answers,
        updated_at: now,
    })
}

/// The client's draft for an assignment; `NotFound` when there is none.
pub fn draft(conn: &mut DbConnection, me: &Client, id: AssignmentId) -> DomainResult<Draft> {
    let (answers, updated_at): (String, Timestamp) = exercise_drafts::table
        .filter(exercise_drafts::assignment_id.eq(id))
        .filter(exercise_drafts::client_id.eq(me.id()))
        .select((exercise_drafts::answers, exercise_drafts::updated_at))
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)?;
    match serde_json::from_str(&answers) {
        Ok(Value::Object(answers)) => Ok(Draft {
            answers,
            updated_at,
        }),
        _ => Err(DomainError::Internal(format!("stored draft of {id}"))),
    }
}

/// Throws the client's draft away; `NotFound` when there is none.
pub fn delete_draft(conn: &mut DbConnection, me: &Client, id: AssignmentId) -> DomainResult<()> {
    let deleted = diesel::delete(
        exercise_drafts::table
            .filter(exercise_drafts::assignment_id.eq(id))
            .filter(exercise_drafts::client_id.eq(me.id())),
    )
    .execute(conn)?;
    if deleted == 0 {
        return Err(DomainError::NotFound);
    }
    Ok(())
}
