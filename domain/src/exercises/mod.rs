//! Between-session exercises: a library of templates, assignments of a
//! template version to a client on a schedule, the client's responses, and
//! adherence computed from the two.
//!
//! - [`fields`]: the typed fields of a template and the checking of answers;
//! - [`templates`]: the therapist's library, versions, the starter library;
//! - [`schedule`]: occurrences in the client's zone and adherence (pure);
//! - [`assignments`]: assignments, reached by the client or through a
//!   [`crate::care::CareAccess`];
//! - [`responses`]: responses, drafts and comments.
//!
//! Adherence is never stored: every figure is recomputed from the schedule
//! and the responses, so it cannot drift.

pub mod assignments;
pub mod fields;
pub mod responses;
pub mod schedule;
pub mod templates;

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::access::Client;
use crate::audit::{Action, Resource};
use crate::care::CareAccess;
use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::ids::AssignmentId;
use crate::time::Timestamp;
use assignments::{Assignment, Tallies};
use schedule::Adherence;

/// Adherence over the last 7 and 30 local days, as of a local date.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    pub as_of: NaiveDate,
    pub zone: Tz,
    pub last_7_days: Adherence,
    pub last_30_days: Adherence,
}

impl Report {
    pub fn of(assignment: &Assignment, tallies: &Tallies, now: Timestamp) -> Self {
        Self {
            as_of: assignment.today(now),
            zone: assignment.zone,
            last_7_days: assignment.adherence(tallies, now, 7),
            last_30_days: assignment.adherence(tallies, now, 30),
        }
    }
}

/// One of the client's own assignments, with its adherence.
pub fn own_adherence(
    conn: &mut DbConnection,
    me: &Client,
    id: AssignmentId,
    now: Timestamp,
) -> DomainResult<(Assignment, Report)> {
    let assignment = assignments::get_own(conn, me, id)?;
    let tallies = Tallies::around(conn, std::slice::from_ref(&assignment), now)?;
    let report = Report::of(&assignment, &tallies, now);
    Ok((assignment, report))
}

/// An assignment's adherence, read by its therapist (logged).
pub fn adherence_for(
    conn: &mut DbConnection,
    access: &CareAccess,
    id: AssignmentId,
    now: Timestamp,
) -> DomainResult<(Assignment, Report)> {
    let assignment = assignments::find_for(conn, access, id)?;
    let tallies = Tallies::around(conn, std::slice::from_ref(&assignment), now)?;
    access.log(conn, Resource::Assignment, Action::Adherence, [id.0])?;
    let report = Report::of(&assignment, &tallies, now);
    Ok((assignment, report))
}

/// A client's adherence over every assignment of this care link: the sum,
/// and each assignment's (each one logged).
pub fn client_adherence(
    conn: &mut DbConnection,
    access: &CareAccess,
    now: Timestamp,
) -> DomainResult<(Report, Vec<(Assignment, Report)>)> {
    let all = assignments::all_for(conn, access, Action::Adherence)?;
    let tallies = Tallies::around(conn, &all, now)?;
    let zone = match all.first() {
        Some(a) => a.zone,
        None => crate::care::zone_of(conn, access.client())?,
    };
    let today = crate::time::local_date(now, zone);
    let mut total = Report {
        as_of: today,
        zone,
        last_7_days: Adherence::empty(today - chrono::Duration::days(6), today),
        last_30_days: Adherence::empty(today - chrono::Duration::days(29), today),
    };
    let each: Vec<(Assignment, Report)> = all
        .into_iter()
        .map(|a| {
            let report = Report::of(&a, &tallies, now);
            total.last_7_days.merge(&report.last_7_days);
            total.last_30_days.merge(&report.last_30_days);
            (a, report)
        })
        .collect();
    Ok((total, each))
}
