//! The access log (every read of client data by someone other than the
//! client; never the content) and the security log.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Actor;
use crate::db::schema::{access_log, security_events};
use crate::db::DbConnection;
use crate::error::DomainResult;
use crate::ids::{RowId, UserId};
use crate::time::Timestamp;

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
    #[schema(example = "therapist")]
    pub actor_role: String,
    /// What was read, e.g. `client_profile`, `journal_entry`.
    #[schema(example = "client_profile")]
    pub resource: String,
    pub resource_id: Option<uuid::Uuid>,
    #[schema(example = "read")]
    pub action: String,
    /// The request that read it, for support.
    pub request_id: Option<String>,
    pub at: Timestamp,
}

pub struct Access<'a> {
    pub client: UserId,
    pub resource: &'a str,
    pub resource_id: Option<uuid::Uuid>,
    pub action: &'a str,
    pub request_id: Option<&'a str>,
}

/// Records a read by `actor` of `client`'s data. Reads by the client
/// themselves are not logged.
pub fn record(conn: &mut DbConnection, actor: &Actor, access: &Access<'_>) -> DomainResult<()> {
    if actor.user_id == access.client {
        return Ok(());
    }
    diesel::insert_into(access_log::table)
        .values((
            access_log::id.eq(RowId::new()),
            access_log::client_id.eq(access.client),
            access_log::actor_id.eq(Some(actor.user_id)),
            access_log::actor_role.eq(actor.role.as_str()),
            access_log::resource.eq(access.resource),
            access_log::resource_id.eq(access.resource_id.map(crate::ids::RowId)),
            access_log::action.eq(access.action),
            access_log::request_id.eq(access.request_id),
            access_log::at.eq(Timestamp::now()),
        ))
        .execute(conn)?;
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

/// Security-relevant events: logins, refresh-token reuse, role denials.
pub struct SecurityEvent<'a> {
    pub kind: &'a str,
    pub user: Option<UserId>,
    pub ip: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub detail: Option<&'a str>,
}

pub fn security_event(conn: &mut DbConnection, event: &SecurityEvent<'_>) -> DomainResult<()> {
    diesel::insert_into(security_events::table)
        .values((
            security_events::id.eq(RowId::new()),
            security_events::kind.eq(event.kind),
            security_events::user_id.eq(event.user),
            security_events::ip.eq(event.ip),
            security_events::request_id.eq(event.request_id),
            security_events::detail.eq(event.detail),
            security_events::at.eq(Timestamp::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Counts events of a kind (operators and tests).
pub fn count_security_events(conn: &mut DbConnection, kind: &str) -> DomainResult<i64> {
    Ok(security_events::table
        .filter(security_events::kind.eq(kind))
        .count()
        .get_result(conn)?)
}
