//! The therapist-client relationship, and the one door to a client's data.
//!
//! A client belongs to at most one therapist at a time (a care link). A
//! therapist reaches a client's data only through a [`CareAccess`], which
//! only [`open`] makes: it checks that the link is live (a foreign or former
//! client is `NotFound`) and carries who reads whom, so every read through
//! it writes its access-log rows in the same transaction. Feature modules
//! take `&CareAccess` in every therapist-facing function and join their
//! queries on the live link, so ending a link hides everything at once
//! without a cascade through the features.
//!
//! A client whose account an administrator disabled is frozen: their data
//! stays as it is and nobody else sees it (not in the list, not through a
//! care access) until the account is enabled again.
//!
//! This module sits below every feature: it imports none of them.

use diesel::prelude::*;

use crate::access::{Actor, Client, Therapist};
use crate::audit::{self, Access, Action, Resource};
use crate::db::schema::{care_links, users};
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::{RowId, UserId};
use crate::page::PageRequest;
use crate::time::Timestamp;

/// A client as their therapist sees them: account details, never content.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = care_links)]
pub struct LinkedClient {
    #[diesel(column_name = id)]
    pub link_id: RowId,
    #[diesel(column_name = started_at)]
    pub since: Timestamp,
    #[diesel(select_expression = users::id)]
    pub id: UserId,
    #[diesel(select_expression = users::email)]
    pub email: String,
    #[diesel(select_expression = users::display_name)]
    pub display_name: String,
    #[diesel(select_expression = users::time_zone)]
    pub time_zone: String,
}

/// Links a new client to the therapist who invited them.
pub fn link(conn: &mut DbConnection, therapist: UserId, client: UserId) -> DomainResult<()> {
    diesel::insert_into(care_links::table)
        .values((
            care_links::id.eq(RowId::new()),
            care_links::therapist_id.eq(therapist),
            care_links::client_id.eq(client),
            care_links::started_at.eq(Timestamp::now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The client's current therapist, if any.
pub fn therapist_of(conn: &mut DbConnection, client: UserId) -> DomainResult<Option<UserId>> {
    Ok(care_links::table
        .filter(care_links::client_id.eq(client))
        .filter(care_links::ended_at.is_null())
        .select(care_links::therapist_id)
        .first(conn)
        .optional()?)
}

/// A person's time zone as their profile has it now.
pub fn zone_of(conn: &mut DbConnection, user: UserId) -> DomainResult<chrono_tz::Tz> {
    let zone: String = users::table
        .find(user)
        .select(users::time_zone)
        .first(conn)?;
    stored_zone(&zone)
}

/// A time zone read back from a profile, where only valid names are stored;
/// anything else is an error, never a default.
pub fn stored_zone(name: &str) -> DomainResult<chrono_tz::Tz> {
    name.parse()
        .map_err(|_| DomainError::Internal(format!("stored time zone {name:?}")))
}

/// The client's live link: its id and therapist.
pub fn live_link_of(
    conn: &mut DbConnection,
    client: UserId,
) -> DomainResult<Option<(RowId, UserId)>> {
    Ok(care_links::table
        .filter(care_links::client_id.eq(client))
        .filter(care_links::ended_at.is_null())
        .select((care_links::id, care_links::therapist_id))
        .first(conn)
        .optional()?)
}

/// The live link a client shares under, and its therapist: a share's
/// expiry must lie after `now`, and a client without a therapist has no one
/// to share with (409 `no_therapist`).
pub fn link_to_share_under(
    conn: &mut DbConnection,
    me: &Client,
    expires_at: Option<Timestamp>,
    now: Timestamp,
) -> DomainResult<(RowId, UserId)> {
    if expires_at.is_some_and(|at| at <= now) {
        return Err(DomainError::invalid(
            "expires_at",
            "in_past",
            "must be in the future",
        ));
    }
    live_link_of(conn, me.id())?.ok_or_else(|| DomainError::Conflict {
        code: "no_therapist",
        detail: "You have no therapist to share with.".into(),
    })
}

fn end(conn: &mut DbConnection, therapist: UserId, client: UserId, by: &Actor) -> DomainResult<()> {
    let ended = diesel::update(
        care_links::table
            .filter(care_links::therapist_id.eq(therapist))
            .filter(care_links::client_id.eq(client))
            .filter(care_links::ended_at.is_null()),
    )
    .set((
        care_links::ended_at.eq(Some(Timestamp::now())),
        care_links::ended_by.eq(Some(by.id())),
    ))
    .execute(conn)?;
    if ended == 0 {
        return Err(DomainError::NotFound);
    }
    Ok(())
}

/// The client ends the link with their therapist; `NotFound` when they have none.
pub fn leave(conn: &mut DbConnection, me: &Client) -> DomainResult<()> {
    let therapist = therapist_of(conn, me.id())?.ok_or(DomainError::NotFound)?;
    end(conn, therapist, me.id(), me)
}

/// The therapist ends the link with a client; `NotFound` for anyone who is
/// not their client now.
pub fn discharge(conn: &mut DbConnection, me: &Therapist, client: UserId) -> DomainResult<()> {
    end(conn, me.id(), client, me)
}

/// The therapist's current clients, newest link first. Each client shown
/// (not the look-ahead row) is written to that client's access log.
pub fn clients(
    conn: &mut DbConnection,
    me: &Therapist,
    page: &PageRequest,
) -> DomainResult<Vec<LinkedClient>> {
    let mut query = care_links::table
        .inner_join(users::table.on(users::id.eq(care_links::client_id)))
        .filter(care_links::therapist_id.eq(me.id()))
        .filter(care_links::ended_at.is_null())
        .filter(users::disabled_at.is_null())
        .select(LinkedClient::as_select())
        .order(care_links::id.desc())
        .limit(page.fetch())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(care_links::id.lt(RowId(after)));
    }
    let rows: Vec<LinkedClient> = query.load(conn)?;
    log_across(
        conn,
        me,
        Resource::ClientProfile,
        Action::List,
        page.shown(&rows).iter().map(|c| (c.id, c.id.0)),
    )?;
    Ok(rows)
}

/// Writes one access-log row per item a therapist was shown from lists
/// that span their clients (each row to the item's client). The query that
/// found the items must have joined the live links of `me`.
pub(crate) fn log_across(
    conn: &mut DbConnection,
    me: &Therapist,
    resource: Resource,
    action: Action,
    items: impl IntoIterator<Item = (UserId, uuid::Uuid)>,
) -> DomainResult<()> {
    let rows: Vec<Access<'_>> = items
        .into_iter()
        .map(|(client, item)| Access {
            client,
            actor: me.id(),
            actor_role: me.role(),
            resource,
            resource_id: Some(item),
            action,
            request_id: me.request_id(),
        })
        .collect();
    audit::record_all(conn, &rows)
}

/// The rule of every kind of share, in one place: the holder of a
/// [`CareAccess`] sees a share made under their live link that is neither
/// revoked nor expired at `now`. `$shares` is a share table with `link_id`,
/// `revoked_at` and `expires_at`; the query must join `care_links`, so
/// ending the link hides every share at once.
#[macro_export]
macro_rules! visible_under {
    ($shares:ident, $access:expr, $now:expr) => {
        $shares::link_id
            .eq($access.link())
            .and($crate::db::schema::care_links::ended_at.is_null())
            .and($shares::revoked_at.is_null())
            .and(
                $shares::expires_at
                    .is_null()
                    .or($shares::expires_at.gt($now)),
            )
    };
}

/// Proof that a therapist may read a client's data now: their link is live.
/// Every read through it is written to the client's access log.
#[derive(Debug)]
pub struct CareAccess {
    reader: Therapist,
    client: UserId,
    link: RowId,
}

/// Opens the door to `client`'s data for `therapist`: `NotFound` unless the
/// client is theirs now. Use inside the transaction of the read.
pub fn open(
    conn: &mut DbConnection,
    therapist: &Therapist,
    client: UserId,
) -> DomainResult<CareAccess> {
    let link: RowId = care_links::table
        .inner_join(users::table.on(users::id.eq(care_links::client_id)))
        .filter(care_links::therapist_id.eq(therapist.id()))
        .filter(care_links::client_id.eq(client))
        .filter(care_links::ended_at.is_null())
        .filter(users::disabled_at.is_null())
        .select(care_links::id)
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)?;
    Ok(CareAccess {
        reader: therapist.clone(),
        client,
        link,
    })
}

impl CareAccess {
    pub fn client(&self) -> UserId {
        self.client
    }

    pub fn therapist(&self) -> UserId {
        self.reader.id()
    }

    /// The therapist reading, as their own proof (for their own library).
    pub fn reader(&self) -> &Therapist {
        &self.reader
    }

    /// The live link the access was opened on; shares made under it are
    /// the ones it may see.
    pub fn link(&self) -> RowId {
        self.link
    }

    /// Writes one access-log row per item shown (one statement).
    pub(crate) fn log(
        &self,
        conn: &mut DbConnection,
        resource: Resource,
        action: Action,
        items: impl IntoIterator<Item = uuid::Uuid>,
    ) -> DomainResult<()> {
        let rows: Vec<Access<'_>> = items
            .into_iter()
            .map(|item| Access {
                client: self.client,
                actor: self.reader.id(),
                actor_role: self.reader.role(),
                resource,
                resource_id: Some(item),
                action,
                request_id: self.reader.request_id(),
            })
            .collect();
        audit::record_all(conn, &rows)
    }

    /// The client's profile as their therapist sees it.
    pub fn profile(&self, conn: &mut DbConnection) -> DomainResult<LinkedClient> {
        self.profile_as(conn, Action::Read)
    }

    /// The profile, logged as read for `action`.
    pub(crate) fn profile_as(
        &self,
        conn: &mut DbConnection,
        action: Action,
    ) -> DomainResult<LinkedClient> {
        let client = care_links::table
            .inner_join(users::table.on(users::id.eq(care_links::client_id)))
            .filter(care_links::id.eq(self.link))
            .filter(care_links::ended_at.is_null())
            .select(LinkedClient::as_select())
            .first::<LinkedClient>(conn)
            .optional()?
            .ok_or(DomainError::NotFound)?;
        self.log(conn, Resource::ClientProfile, action, [client.id.0])?;
        Ok(client)
    }
}
