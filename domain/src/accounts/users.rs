//! Users: one row per person with an account.

use diesel::prelude::*;

use super::password::PasswordHash;
use super::{DisplayName, EmailAddress, TimeZoneName};
use crate::access::Role;
use crate::db::schema::users;
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::UserId;
use crate::time::Timestamp;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub role: Role,
    pub time_zone: String,
    /// When the person's day begins, in minutes after local midnight.
    pub day_starts_at: i32,
    pub email_verified_at: Option<Timestamp>,
    pub disabled_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.disabled_at.is_none()
    }
}

pub struct NewUser<'a> {
    pub email: &'a EmailAddress,
    pub password_hash: &'a PasswordHash,
    pub display_name: &'a DisplayName,
    pub role: Role,
    pub time_zone: TimeZoneName,
    pub verified: bool,
}

pub fn create(conn: &mut DbConnection, new: &NewUser<'_>) -> DomainResult<User> {
    let now = Timestamp::now();
    let id = UserId::new();
    let inserted = diesel::insert_into(users::table)
        .values((
            users::id.eq(id),
            users::email.eq(new.email.as_str()),
            users::password_hash.eq(new.password_hash.as_str()),
            users::display_name.eq(new.display_name.as_str()),
            users::role.eq(new.role),
            users::time_zone.eq(new.time_zone.as_str()),
            users::email_verified_at.eq(new.verified.then_some(now)),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => find(conn, id),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(DomainError::Conflict {
            code: "email_taken",
            detail: "An account with this email address exists already.".into(),
        }),
        Err(e) => Err(e.into()),
    }
}

pub fn find(conn: &mut DbConnection, id: UserId) -> DomainResult<User> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)
}

pub fn find_by_email(conn: &mut DbConnection, email: &EmailAddress) -> DomainResult<Option<User>> {
    Ok(users::table
        .filter(users::email.eq(email.as_str()))
        .select(User::as_select())
        .first(conn)
        .optional()?)
}

/// Changes that must take turns for one person (their shares, daily
/// check-ins, booking profile) lock their row on PostgreSQL; SQLite's write
/// transaction holds the database lock already.
pub fn lock(conn: &mut DbConnection, person: UserId) -> DomainResult<()> {
    if let DbConnection::Postgresql(c) = conn {
        users::table
            .filter(users::id.eq(person))
            .select(users::id)
            .for_update()
            .first::<UserId>(c)
            .optional()?;
    }
    Ok(())
}

pub fn update_profile(
    conn: &mut DbConnection,
    id: UserId,
    display_name: Option<&DisplayName>,
    time_zone: Option<TimeZoneName>,
    day_starts_at: Option<i32>,
) -> DomainResult<User> {
    let now = Timestamp::now();
    if let Some(minutes) = day_starts_at {
        diesel::update(users::table.find(id))
            .set((users::day_starts_at.eq(minutes), users::updated_at.eq(now)))
            .execute(conn)?;
    }
    if let Some(name) = display_name {
        diesel::update(users::table.find(id))
            .set((
                users::display_name.eq(name.as_str()),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    if let Some(zone) = time_zone {
        diesel::update(users::table.find(id))
            .set((
                users::time_zone.eq(zone.as_str()),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    find(conn, id)
}

pub fn set_password_hash(
    conn: &mut DbConnection,
    id: UserId,
    hash: &PasswordHash,
) -> DomainResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(hash.as_str()),
            users::updated_at.eq(Timestamp::now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn mark_verified(conn: &mut DbConnection, id: UserId) -> DomainResult<()> {
    let now = Timestamp::now();
    diesel::update(
        users::table
            .find(id)
            .filter(users::email_verified_at.is_null()),
    )
    .set((
        users::email_verified_at.eq(Some(now)),
        users::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn set_disabled(conn: &mut DbConnection, id: UserId, disabled: bool) -> DomainResult<User> {
    let now = Timestamp::now();
    let changed = diesel::update(users::table.find(id))
        .set((
            users::disabled_at.eq(disabled.then_some(now)),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DomainError::NotFound);
    }
    find(conn, id)
}

/// Every account, oldest first (admin view).
pub fn list(
    conn: &mut DbConnection,
    after: Option<uuid::Uuid>,
    fetch: i64,
) -> DomainResult<Vec<User>> {
    let mut query = users::table
        .select(User::as_select())
        .order(users::id.asc())
        .limit(fetch)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(users::id.gt(UserId(after)));
    }
    Ok(query.load(conn)?)
}
