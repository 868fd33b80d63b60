//! The therapist's dashboard: the whole caseload in one call, and one
//! client's picture before a session ([`summary`]).
//!
//! Privacy is the rule of the feature. Every figure comes from what the
//! client shares now under the therapist's live link (journal entries,
//! habits, the daily check-in series) or submitted on an assignment of
//! that link; a response marked private counts as done in adherence and
//! nowhere else. Nothing unshared is counted, averaged or hinted at: an
//! unshared habit or check-in changes no number, and no figure says how
//! much is hidden.
//!
//! The caseload answers in a fixed number of queries whatever the number
//! of clients or the length of their history (see [`caseload`]), and
//! writes one access-log row per client it shows.

pub mod summary;

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text};

use crate::access::Therapist;
use crate::audit::{Action, Resource};
use crate::booking::consultations::{Consultation, ConsultationStatus};
use crate::care::LinkedClient;
use crate::db::schema::{care_links, consultations, users};
use crate::db::sql::{Id, Instant};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult, FieldError};
use crate::exercises::assignments::{Assignment, AssignmentStatus, DueWindow, Tallies};
use crate::exercises::schedule::{Adherence, OccurrenceState};
use crate::ids::{AssignmentId, UserId};
use crate::time::{local_date, start_of_day, Timestamp};

crate::text_enum! {
    /// What a client last shared or submitted (the kind only, never what).
    pub enum ActivityKind {
        /// A journal entry shared.
        JournalEntry => "journal_entry",
        /// A response to an exercise, not private.
        ExerciseResponse => "exercise_response",
        /// A habit shared, or a check-in on a shared habit.
        Habit => "habit",
        /// The daily check-in series shared, or a day checked in on it.
        DailyCheckIns => "daily_check_ins",
    }
}

/// Shared items the therapist has not opened yet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unread {
    pub entries: u32,
    pub habits: u32,
    /// 1 while the shared check-in series is unread, else 0.
    pub daily_check_ins: u32,
    /// Responses not marked private.
    pub responses: u32,
}

impl Unread {
    pub fn total(&self) -> u32 {
        self.entries + self.habits + self.daily_check_ins + self.responses
    }
}

/// When a client last shared or submitted something, and what kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Activity {
    pub at: Timestamp,
    pub kind: ActivityKind,
}

/// What a client's shares and submissions say, counted in the database.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Signals {
    pub unread: Unread,
    /// Shared questions for the next session not yet discussed.
    pub agenda: u32,
    pub last_activity: Option<Activity>,
}

/// Check-ins count as activity from this many days back: enough for any
/// "last seen" a dashboard shows, and a bound on what the query reads.
const ACTIVITY_DAYS: i64 = 35;

#[derive(QueryableByName)]
struct SignalRow {
    #[diesel(sql_type = Id)]
    client_id: UserId,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = BigInt)]
    unread: i64,
    #[diesel(sql_type = BigInt)]
    agenda: i64,
    #[diesel(sql_type = Nullable<Instant>)]
    last_at: Option<Timestamp>,
}

/// The signals of the therapist's clients on live links (or of one of
/// them), in one query. Visibility is the rule of every share: under a
/// live link of this therapist, not revoked, not expired at `now`.
fn signals(
    conn: &mut DbConnection,
    therapist: UserId,
    client: Option<UserId>,
    now: Timestamp,
) -> DomainResult<HashMap<UserId, Signals>> {
    let live = "l.therapist_id = $1 AND l.ended_at IS NULL";
    let visible = |s: &str| {
        format!(
            "{live} AND {s}.revoked_at IS NULL AND ({s}.expires_at IS NULL OR {s}.expires_at > $2)"
        )
    };
    // Parameters appear first in the order they are bound: SQLite numbers
    // `$n` by first use (so one client's filter wraps the whole).
    let mut sql = format!(
        "SELECT s.client_id AS client_id, 'journal_entry' AS kind,
                COUNT(CASE WHEN s.read_at IS NULL THEN 1 END) AS unread,
                COUNT(CASE WHEN e.kind = 'question_for_session' AND s.discussed_at IS NULL THEN 1 END) AS agenda,
                MAX(s.shared_at) AS last_at
           FROM journal_shares s
           JOIN care_links l ON l.id = s.link_id
           JOIN journal_entries e ON e.id = s.entry_id
          WHERE {journal}
          GROUP BY s.client_id
         UNION ALL
         SELECT t.client_id, 'habit', COUNT(CASE WHEN t.read_at IS NULL THEN 1 END), 0, MAX(t.shared_at)
           FROM tracking_shares t
           JOIN care_links l ON l.id = t.link_id
          WHERE {tracking} AND t.habit_id IS NOT NULL
          GROUP BY t.client_id
         UNION ALL
         SELECT t.client_id, 'daily_check_ins', COUNT(CASE WHEN t.read_at IS NULL THEN 1 END), 0, MAX(t.shared_at)
           FROM tracking_shares t
           JOIN care_links l ON l.id = t.link_id
          WHERE {tracking} AND t.habit_id IS NULL
          GROUP BY t.client_id
         UNION ALL
         SELECT t.client_id, 'habit', 0, 0, MAX(c.updated_at)
           FROM tracking_shares t
           JOIN care_links l ON l.id = t.link_id
           JOIN habit_check_ins c ON c.habit_id = t.habit_id
          WHERE {tracking} AND c.on_date >= $3
          GROUP BY t.client_id
         UNION ALL
         SELECT t.client_id, 'daily_check_ins', 0, 0, MAX(d.updated_at)
           FROM tracking_shares t
           JOIN care_links l ON l.id = t.link_id
           JOIN daily_check_ins d ON d.client_id = t.client_id
          WHERE {tracking} AND t.habit_id IS NULL AND d.on_date >= $3
          GROUP BY t.client_id
         UNION ALL
         SELECT a.client_id, 'exercise_response', COUNT(CASE WHEN r.read_at IS NULL THEN 1 END), 0, MAX(r.submitted_at)
           FROM exercise_responses r
           JOIN assignments a ON a.id = r.assignment_id
           JOIN care_links l ON l.id = a.link_id
          WHERE {live} AND NOT r.private
          GROUP BY a.client_id",
        journal = visible("s"),
        tracking = visible("t"),
    );
    if client.is_some() {
        sql = format!("SELECT * FROM ({sql}) one WHERE one.client_id = $4");
    }
    let since = (now.0 - Duration::days(ACTIVITY_DAYS)).date_naive();
    let mut query = diesel::sql_query(sql)
        .into_boxed()
        .bind::<Id, _>(therapist)
        .bind::<Instant, _>(now)
        .bind::<Date, _>(since);
    if let Some(client) = client {
        query = query.bind::<Id, _>(client);
    }
    let rows: Vec<SignalRow> = query.load(conn)?;
    let mut out: HashMap<UserId, Signals> = HashMap::new();
    for row in rows {
        let kind = ActivityKind::parse(&row.kind)
            .ok_or_else(|| DomainError::Internal(format!("activity kind {:?}", row.kind)))?;
        let unread = u32::try_from(row.unread).unwrap_or(u32::MAX);
        let signals = out.entry(row.client_id).or_default();
        match kind {
            ActivityKind::JournalEntry => signals.unread.entries += unread,
            ActivityKind::Habit => signals.unread.habits += unread,
            ActivityKind::DailyCheckIns => signals.unread.daily_check_ins += unread,
            ActivityKind::ExerciseResponse => signals.unread.responses += unread,
        }
        signals.agenda += u32::try_from(row.agenda).unwrap_or(u32::MAX);
        if let Some(at) = row.last_at {
            if signals.last_activity.is_none_or(|last| at > last.at) {
                signals.last_activity = Some(Activity { at, kind });
            }
        }
    }
    Ok(out)
}

/// A client's exercises in figures, in their time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Practice {
    /// The client's local date the figures are taken on.
    pub as_of: NaiveDate,
    /// Active assignments with something open today and not done.
    pub due_today: u32,
    /// Active assignments with something due in the last 7 days that was
    /// not done in time and is still not done.
    pub overdue: u32,
    /// Summed over every assignment of the live link.
    pub last_7_days: Adherence,
    pub last_30_days: Adherence,
}

impl Practice {
    fn empty(as_of: NaiveDate) -> Self {
        Self {
            as_of,
            due_today: 0,
            overdue: 0,
            last_7_days: Adherence::empty(as_of - Duration::days(6), as_of),
            last_30_days: Adherence::empty(as_of - Duration::days(29), as_of),
        }
    }

    fn add(&mut self, assignment: &Assignment, tallies: &Tallies, now: Timestamp) {
        let report = crate::exercises::Report::of(assignment, tallies, now);
        self.last_7_days.merge(&report.last_7_days);
        self.last_30_days.merge(&report.last_30_days);
        if assignment.status != AssignmentStatus::Active {
            return;
        }
        let open_today = assignment
            .due(tallies, now, DueWindow::Today)
            .iter()
            .any(|d| d.state == OccurrenceState::Open);
        self.due_today += u32::from(open_today);
        self.overdue += u32::from(report.last_7_days.missed > 0);
    }
}

/// The responses every figure of `assignments` at `now` needs: occurrences
/// overlapping the last 30 local days (a week under way included).
fn tallies_for(
    conn: &mut DbConnection,
    assignments: &[Assignment],
    now: Timestamp,
) -> DomainResult<Tallies> {
    let todays = assignments.iter().map(|a| a.today(now));
    let (Some(first), Some(last)) = (todays.clone().min(), todays.max()) else {
        return Ok(Tallies::default());
    };
    let ids: Vec<AssignmentId> = assignments.iter().map(|a| a.id).collect();
    Tallies::load(
        conn,
        &ids,
        first - Duration::days(29 + 7),
        last + Duration::days(6),
    )
}

/// How the caseload is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Most overdue assignments first, then most unread items, then the
    /// latest activity (none last), then by name.
    NeedsAttention,
    /// By display name (case-insensitive), A to Z.
    Name,
}

/// One client's line on the dashboard.
#[derive(Debug, Clone)]
pub struct ClientLine {
    pub client: LinkedClient,
    pub signals: Signals,
    pub practice: Practice,
}

impl ClientLine {
    fn key(&self) -> Key {
        Key {
            overdue: self.practice.overdue,
            unread: self.signals.unread.total(),
            last: self
                .signals
                .last_activity
                .map(|a| a.at.0.timestamp_micros()),
            name: self.client.display_name.to_lowercase(),
            id: self.client.id,
        }
    }
}

/// Where a line sorts; the cursor carries all of it but the name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    overdue: u32,
    unread: u32,
    last: Option<i64>,
    name: String,
    id: UserId,
}

impl Key {
    fn cmp(&self, other: &Self, sort: Sort) -> Ordering {
        let by_name = || {
            self.name
                .cmp(&other.name)
                .then_with(|| self.id.0.cmp(&other.id.0))
        };
        match sort {
            Sort::Name => by_name(),
            Sort::NeedsAttention => other
                .overdue
                .cmp(&self.overdue)
                .then_with(|| other.unread.cmp(&self.unread))
                // Latest first; no activity at all after any.
                .then_with(|| other.last.cmp(&self.last))
                .then_with(by_name),
        }
    }
}

/// Where the next page of the caseload starts: after the last client
/// shown, as it sorted then. Opaque to callers; it holds no name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    sort: Sort,
    overdue: u32,
    unread: u32,
    last: Option<i64>,
    id: UserId,
}

impl Cursor {
    fn of(line: &ClientLine, sort: Sort) -> Self {
        let key = line.key();
        Self {
            sort,
            overdue: key.overdue,
            unread: key.unread,
            last: key.last,
            id: key.id,
        }
    }

    pub fn encode(&self) -> String {
        let sort = match self.sort {
            Sort::NeedsAttention => "a",
            Sort::Name => "n",
        };
        let last = self.last.map_or_else(|| "-".to_owned(), |l| l.to_string());
        format!(
            "{sort}.{}.{}.{last}.{}",
            self.overdue,
            self.unread,
            self.id.0.simple()
        )
    }

    /// A cursor this list handed out for `sort`; anything else is refused.
    pub fn parse(raw: &str, sort: Sort) -> Result<Self, FieldError> {
        let invalid = || FieldError::new("cursor", "invalid", "is not a cursor from this list");
        let parts: Vec<&str> = raw.split('.').collect();
        let [kind, overdue, unread, last, id] = parts.as_slice() else {
            return Err(invalid());
        };
        let number = |s: &str| -> Option<u32> {
            (!s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        let cursor_sort = match *kind {
            "a" => Sort::NeedsAttention,
            "n" => Sort::Name,
            _ => return Err(invalid()),
        };
        if cursor_sort != sort {
            return Err(FieldError::new(
                "cursor",
                "invalid",
                "belongs to a list in another order; start again without a cursor",
            ));
        }
        let last = match *last {
            "-" => None,
            l if l.len() <= 20 && l.bytes().all(|b| b.is_ascii_digit()) => {
                Some(l.parse::<i64>().map_err(|_| invalid())?)
            }
            _ => return Err(invalid()),
        };
        let id = uuid::Uuid::try_parse(id)
            .ok()
            .filter(|u| u.simple().to_string() == *id)
            .ok_or_else(invalid)?;
        Ok(Self {
            sort,
            overdue: number(overdue).ok_or_else(invalid)?,
            unread: number(unread).ok_or_else(invalid)?,
            last,
            id: UserId(id),
        })
    }
}

/// Longest name filter, in characters.
pub const NAME_FILTER_MAX_CHARS: usize = 100;

/// Which page of the caseload to show, in what order.
#[derive(Debug, Clone)]
pub struct CaseloadQuery {
    pub sort: Sort,
    /// Case-insensitive part of a client's display name or email address.
    pub name: Option<String>,
    pub limit: usize,
    pub cursor: Option<Cursor>,
}

impl CaseloadQuery {
    /// Checks a name filter: 1 to 100 characters once trimmed, no control
    /// characters.
    pub fn parse_name(raw: &str) -> Result<String, FieldError> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > NAME_FILTER_MAX_CHARS {
            return Err(FieldError::new(
                "name",
                "invalid",
                format!("must have 1 to {NAME_FILTER_MAX_CHARS} characters"),
            ));
        }
        if name.chars().any(char::is_control) {
            return Err(FieldError::new(
                "name",
                "invalid",
                "must not contain control characters",
            ));
        }
        Ok(name.to_lowercase())
    }
}

/// The therapist's dashboard.
#[derive(Debug, Clone)]
pub struct Caseload {
    /// The therapist's zone and local date ("today" of the consultations).
    pub zone: Tz,
    pub today: NaiveDate,
    /// Clients matching the filter, on this page.
    pub clients: Vec<ClientLine>,
    /// Clients matching the filter, on every page.
    pub matching: usize,
    pub next_cursor: Option<String>,
    /// Confirmed consultations not over yet that start today (local).
    pub consultations_today: Vec<Consultation>,
    /// Confirmed consultations in the six local days after today.
    pub consultations_this_week: Vec<Consultation>,
}

/// The therapist's live clients with what needs attention, and their
/// upcoming consultations.
///
/// Bounded: eight queries whatever the caseload, its history or the page
/// (two fewer without assignments): the therapist's zone, the clients,
/// their signals (one `UNION ALL` over every kind of share and the
/// responses), the assignments, their schedules, the responses adherence
/// needs, one insert for the access log (one row per client shown; one
/// more insert per 500 shown, and a page shows at most 100) and the
/// consultations. With the session check and the transaction's begin and
/// commit, a request sends eleven; a test counts them for 5 and for 200
/// clients.
pub fn caseload(
    conn: &mut DbConnection,
    me: &Therapist,
    query: &CaseloadQuery,
    now: Timestamp,
) -> DomainResult<Caseload> {
    let zone = crate::care::zone_of(conn, me.id())?;
    let clients: Vec<LinkedClient> = care_links::table
        .inner_join(users::table.on(users::id.eq(care_links::client_id)))
        .filter(care_links::therapist_id.eq(me.id()))
        .filter(care_links::ended_at.is_null())
        .filter(users::disabled_at.is_null())
        .select(LinkedClient::as_select())
        .load(conn)?;
    let mut signals = signals(conn, me.id(), None, now)?;
    let assignments = crate::exercises::assignments::all_of_caseload(conn, me)?;
    let tallies = tallies_for(conn, &assignments, now)?;
    let mut practice: HashMap<UserId, Practice> = HashMap::new();
    for a in &assignments {
        practice
            .entry(a.client_id)
            .or_insert_with(|| Practice::empty(a.today(now)))
            .add(a, &tallies, now);
    }
    let mut lines: Vec<ClientLine> = clients
        .into_iter()
        .filter(|c| {
            query.name.as_deref().is_none_or(|part| {
                c.display_name.to_lowercase().contains(part)
                    || c.email.to_lowercase().contains(part)
            })
        })
        .map(|client| {
            let zone = crate::care::stored_zone(&client.time_zone)?;
            Ok(ClientLine {
                signals: signals.remove(&client.id).unwrap_or_default(),
                practice: practice
                    .remove(&client.id)
                    .unwrap_or_else(|| Practice::empty(local_date(now, zone))),
                client,
            })
        })
        .collect::<DomainResult<_>>()?;
    lines.sort_by(|a, b| a.key().cmp(&b.key(), query.sort));
    let matching = lines.len();
    let start = match &query.cursor {
        None => 0,
        Some(cursor) => {
            // The name is not in the cursor: the client it names gives it.
            let name = lines
                .iter()
                .find(|l| l.client.id == cursor.id)
                .map(|l| l.client.display_name.to_lowercase())
                .ok_or_else(|| {
                    DomainError::Validation(vec![FieldError::new(
                        "cursor",
                        "expired",
                        "the list changed under this cursor; start again without one",
                    )])
                })?;
            let after = Key {
                overdue: cursor.overdue,
                unread: cursor.unread,
                last: cursor.last,
                name,
                id: cursor.id,
            };
            lines.partition_point(|l| l.key().cmp(&after, query.sort) != Ordering::Greater)
        }
    };
    let mut page: Vec<ClientLine> = lines.into_iter().skip(start).collect();
    let next_cursor = if page.len() > query.limit {
        page.truncate(query.limit);
        page.last().map(|l| Cursor::of(l, query.sort).encode())
    } else {
        None
    };
    crate::care::log_across(
        conn,
        me,
        Resource::ClientProfile,
        Action::Dashboard,
        page.iter().map(|l| (l.client.id, l.client.id.0)),
    )?;
    let today = local_date(now, zone);
    let tomorrow = start_of_day(today + Duration::days(1), zone);
    let week_end = start_of_day(today + Duration::days(7), zone);
    let upcoming: Vec<Consultation> = consultations::table
        .filter(consultations::therapist_id.eq(me.id()))
        .filter(consultations::status.eq(ConsultationStatus::Confirmed))
        .filter(consultations::ends_at.gt(now))
        .filter(consultations::starts_at.lt(week_end))
        .order((consultations::starts_at.asc(), consultations::id.asc()))
        .select(Consultation::as_select())
        .load(conn)?;
    let (consultations_today, consultations_this_week) =
        upcoming.into_iter().partition(|c| c.starts_at < tomorrow);
    Ok(Caseload {
        zone,
        today,
        clients: page,
        matching,
        next_cursor,
        consultations_today,
        consultations_this_week,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let cursor = Cursor {
            sort: Sort::NeedsAttention,
            overdue: 2,
            unread: 11,
            last: Some(1_767_225_600_000_000),
            id: UserId(uuid::Uuid::now_v7()),
        };
        let raw = cursor.encode();
        assert_eq!(
            Cursor::parse(&raw, Sort::NeedsAttention),
            Ok(cursor.clone())
        );
        assert!(Cursor::parse(&raw, Sort::Name).is_err());
        let none = Cursor {
            last: None,
            sort: Sort::Name,
            ..cursor
        };
        assert_eq!(Cursor::parse(&none.encode(), Sort::Name), Ok(none));
        for bad in [
            "",
            "a.1.2.3",
            "x.1.2.-.0190b5a0c3a47e3c8f0a4d0b0c0d0e0f",
            "a.-1.2.-.0190b5a0c3a47e3c8f0a4d0b0c0d0e0f",
            "a.1.2.-.0190b5a0-c3a4-7e3c-8f0a-4d0b0c0d0e0f",
            "a.1.2.-.0190B5A0C3A47E3C8F0A4D0B0C0D0E0F",
            "a.99999999999.2.-.0190b5a0c3a47e3c8f0a4d0b0c0d0e0f",
            "a.1.2.1e5.0190b5a0c3a47e3c8f0a4d0b0c0d0e0f",
        ] {
            assert!(Cursor::parse(bad, Sort::NeedsAttention).is_err(), "{bad}");
        }
    }

    #[test]
    fn needs_attention_orders_overdue_then_unread_then_latest_then_name() {
        let key = |overdue, unread, last: Option<i64>, name: &str| Key {
            overdue,
            unread,
            last,
            name: name.into(),
            id: UserId(uuid::Uuid::nil()),
        };
        let mut keys = [
            key(0, 0, None, "ann"),
            key(0, 0, Some(5), "bob"),
            key(0, 3, Some(1), "cy"),
            key(1, 0, None, "dee"),
            key(0, 0, Some(5), "al"),
        ];
        keys.sort_by(|a, b| a.cmp(b, Sort::NeedsAttention));
        let names: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["dee", "cy", "al", "bob", "ann"]);
        keys.sort_by(|a, b| a.cmp(b, Sort::Name));
        let names: Vec<&str> = keys.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(names, ["al", "ann", "bob", "cy", "dee"]);
    }

    #[test]
    fn name_filters_are_checked() {
        assert_eq!(CaseloadQuery::parse_name("  Ada "), Ok("ada".to_owned()));
        assert!(CaseloadQuery::parse_name("   ").is_err());
        assert!(CaseloadQuery::parse_name("a\u{7}").is_err());
        assert!(CaseloadQuery::parse_name(&"x".repeat(101)).is_err());
    }
}
