//! Newtype ids: a `UserId` is never passed where a `JobId` is meant.

/// Declares a UUID newtype that maps to [`crate::db::sql::Id`] columns and
/// serialises as a plain UUID string.
#[macro_export]
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = $crate::db::sql::Id)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            /// A new, time-ordered id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                uuid::Uuid::parse_str(s).map(Self)
            }
        }

        impl<DB: diesel::backend::Backend> diesel::serialize::ToSql<$crate::db::sql::Id, DB> for $name
        where
            uuid::Uuid: diesel::serialize::ToSql<$crate::db::sql::Id, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <uuid::Uuid as diesel::serialize::ToSql<$crate::db::sql::Id, DB>>::to_sql(&self.0, out)
            }
        }

        impl<DB: diesel::backend::Backend> diesel::deserialize::FromSql<$crate::db::sql::Id, DB> for $name
        where
            uuid::Uuid: diesel::deserialize::FromSql<$crate::db::sql::Id, DB>,
        {
            fn from_sql(value: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                <uuid::Uuid as diesel::deserialize::FromSql<$crate::db::sql::Id, DB>>::from_sql(value).map(Self)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                        utoipa::openapi::schema::KnownFormat::Uuid,
                    )))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

id_type!(
    /// An outgoing email in the outbox.
    JobId
);

id_type!(
    /// A person with an account: therapist, client or admin.
    UserId
);

id_type!(
    /// A therapist's invitation to a prospective client.
    InvitationId
);

id_type!(
    /// A login session; access tokens carry it so it can be revoked at once.
    SessionId
);

id_type!(
    /// Any row id that needs no type of its own (log rows, tokens).
    RowId
);

id_type!(
    /// A journal entry, owned by one client.
    EntryId
);

id_type!(
    /// An exercise assignment (entries can answer one).
    AssignmentId
);

id_type!(
    /// An exercise template (its content lives in numbered versions).
    TemplateId
);

id_type!(
    /// A client's response to an exercise assignment.
    ResponseId
);

id_type!(
    /// A client's habit.
    HabitId
);

id_type!(
    /// A therapist's suggestion of a habit.
    SuggestionId
);
