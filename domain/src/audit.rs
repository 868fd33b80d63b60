//! The access log (every read of client data by someone other than the
//! client; never the content) and the security log.
//!
//! Access-log rows are written only through [`crate::care::CareAccess`] and
//! [`crate::care::clients`], in the same transaction as the read they record.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Role;
use crate::db::schema::{access_log, security_events};
use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::ids::{RowId, UserId};
use crate::time::Timestamp;

crate::text_enum! {
    /// What kind of client data was read.
    pub enum Resource {
        ClientProfile => "client_profile",
        JournalEntry => "journal_entry",
        /// An exercise assignment with its progress.
        Assignment => "assignment",
        /// A response to an exercise.
        ExerciseResponse => "exercise_response",
        /// A habit the client shares, with its check-ins and numbers.
        Habit => "habit",
        /// The client's daily check-in series (mood, energy, sleep, tags).
        DailyCheckIns => "daily_check_ins",
    }
}

crate::text_enum! {
    /// How it was read.
    pub enum Action {
        /// Opened on its own.
        Read => "read",
        /// Shown in a list.
        List => "list",
        /// Shown on the agenda for the next session.
        Agenda => "agenda",
        /// Answered with a reply.
        Reply => "reply",
        /// Marked discussed in a session.
        Discussed => "discussed",
        /// Assigned an exercise, or changed the assignment.
        Assign => "assign",
        /// Commented on.
        Comment => "comment",
        /// Its adherence figures were read.
        Adherence => "adherence",
        /// Its numbers (score, streaks, completion) were read.
        Stats => "stats",
        /// Suggested to the client.
        Suggest => "suggest",
        /// Counted on the therapist's dashboard (figures, not content).
        Dashboard => "dashboard",
        /// Shown in the client's summary for the next session.
        Summary => "summary",
    }
}

/// One read of a client's data.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = access_log)]
pub struct AccessEntry {
    pub id: RowId,
    #[serde(skip)]
    pub client_id: UserId,
    /// Who read (null if that account was deleted since).
    pub actor_id: Option<UserId>,
    /// Their role at the time.
    pub actor_role: Role,
    /// What was read.
    pub resource: Resource,
    pub resource_id: Option<uuid::Uuid>,
    pub action: Action,
    /// The request that read it, for support.
    pub request_id: Option<String>,
    pub at: Timestamp,
}

/// A row to write; built by the care access, which knows who reads whom.
pub(crate) struct Access<'a> {
    pub client: UserId,
    pub actor: UserId,
    pub actor_role: Role,
    pub resource: Resource,
    pub resource_id: Option<uuid::Uuid>,
    pub action: Action,
    pub request_id: Option<&'a str>,
}

/// Writes access-log rows in one statement per 500 rows (one for any page
/// a list shows), so a read's logging does not grow its query count with
/// the items it shows.
pub(crate) fn record_all(conn: &mut DbConnection, accesses: &[Access<'_>]) -> DomainResult<()> {
    let at = Timestamp::now();
    for chunk in accesses.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|access| {
                (
                    access_log::id.eq(RowId::new()),
                    access_log::client_id.eq(access.client),
                    access_log::actor_id.eq(Some(access.actor)),
                    access_log::actor_role.eq(access.actor_role),
                    access_log::resource.eq(access.resource),
                    access_log::resource_id.eq(access.resource_id.map(RowId)),
                    access_log::action.eq(access.action),
                    access_log::request_id.eq(access.request_id),
                    access_log::at.eq(at),
                )
            })
            .collect();
        crate::on_backend!(conn, c => diesel::insert_into(access_log::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(())
}

/// The client's access log, newest first.
pub fn for_client(
    conn: &mut DbConnection,
    client: UserId,
    after: Option<uuid::Uuid>,
    fetch: i64,
) -> DomainResult<Vec<AccessEntry>> {
    let mut query = access_log::table
        .filter(access_log::client_id.eq(client))
        .select(AccessEntry::as_select())
        .order(access_log::id.desc())
        .limit(fetch)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(access_log::id.lt(RowId(after)));
    }
    Ok(query.load(conn)?)
}

crate::text_enum! {
    /// Security-relevant events.
    pub enum SecurityKind {
        LoginSucceeded => "login_succeeded",
        LoginFailed => "login_failed",
        RefreshTokenReuse => "refresh_token_reuse",
        PasswordChanged => "password_changed",
        PasswordResetRequested => "password_reset_requested",
        PasswordReset => "password_reset",
        InvitationAccepted => "invitation_accepted",
        AccountDisabled => "account_disabled",
        AccountEnabled => "account_enabled",
    }
}

/// Where a request came from, for the security log.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl Origin {
    /// Writes a security event on `conn` (and to the structured log).
    pub fn record(
        &self,
        conn: &mut DbConnection,
        kind: SecurityKind,
        user: Option<UserId>,
        detail: Option<&str>,
    ) -> DomainResult<()> {
        tracing::info!(target: "security", kind = kind.as_str(), user = ?user, ip = ?self.ip, "security event");
        diesel::insert_into(security_events::table)
            .values((
                security_events::id.eq(RowId::new()),
                security_events::kind.eq(kind),
                security_events::user_id.eq(user),
                security_events::ip.eq(self.ip.as_deref()),
                security_events::request_id.eq(self.request_id.as_deref()),
                security_events::detail.eq(detail),
                security_events::at.eq(Timestamp::now()),
            ))
            .execute(conn)?;
        Ok(())
    }
}

/// Counts events of a kind (operators and tests).
pub fn count_security_events(conn: &mut DbConnection, kind: SecurityKind) -> DomainResult<i64> {
    Ok(security_events::table
        .filter(security_events::kind.eq(kind))
        .count()
        .get_result(conn)?)
}

/// Deletes access-log rows and security events older than `before`
/// (retention); returns how many rows went.
pub fn trim(conn: &mut DbConnection, before: Timestamp) -> DomainResult<usize> {
    let access =
        diesel::delete(access_log::table.filter(access_log::at.lt(before))).execute(conn)?;
    let security = diesel::delete(security_events::table.filter(security_events::at.lt(before)))
        .execute(conn)?;
    Ok(access + security)
}
