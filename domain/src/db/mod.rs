//! The database: one connection type over PostgreSQL and SQLite, the pool,
//! migrations and the schema.
//!
//! SQL that differs between the two (claims with `SKIP LOCKED`, upserts,
//! full-text search) lives in the repository functions of each area and
//! matches on [`DbConnection`]; everything else is written once.
//!
//! Hot read paths run their (written-once, generic) query on the backend's
//! own connection with [`on_backend!`]: the multi-backend wrapper renders
//! every query to SQL text and re-collects its binds on each call, while the
//! backend's own connection finds a static query's prepared statement by
//! its type alone.

pub mod schema;
pub mod sql;
mod text;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::R2D2Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;
pub use r2d2::State as PoolState;

pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

/// Where the data lives, parsed from `DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// Accepts `postgres://…`, `postgresql://…` and `sqlite://path`.
    ///
    /// Anything else is refused rather than guessed at: a key=value conninfo
    /// string must never silently become a SQLite file of that name.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let raw = raw.trim();
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            return Ok(Self::Postgres(raw.to_owned()));
        }
        if let Some(path) = raw.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err("sqlite:// needs a file path, e.g. sqlite://./data/between.db".into());
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        Err("must start with postgres://, postgresql:// or sqlite://".into())
    }

    pub fn sqlite_file(path: &Path) -> Self {
        Self::Sqlite(path.to_path_buf())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// The URL with any password replaced, fit for logs and error messages.
    pub fn redacted(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => redact_password(url),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Self::Postgres => "postgresql",
            Self::Sqlite => "sqlite",
        }
    }
}

/// How long SQLite waits for a lock before it reports `database is locked`.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// Opens connections of the backend the URL names, and only that backend.
///
/// diesel's own `ConnectionManager<MultiConnection>` tries every backend in
/// turn, which hides PostgreSQL's real error behind SQLite's and creates a
/// SQLite file from anything that is not a PostgreSQL URL.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

thread_local! {
    /// Queries sent on this thread, by every connection this crate opens.
    static QUERIES: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts each query a connection sends, on the thread that sends it.
struct CountQueries;

impl diesel::connection::Instrumentation for CountQueries {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        if let diesel::connection::InstrumentationEvent::StartQuery { .. } = event {
            QUERIES.with(|q| q.set(q.get().wrapping_add(1)));
        }
    }
}

/// How many queries connections of this crate have sent on this thread;
/// the difference across a piece of work is its query count (a request's
/// database work runs on one thread).
pub fn queries_on_this_thread() -> u64 {
    QUERIES.with(std::cell::Cell::get)
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }

    pub fn establish(&self) -> ConnectionResult<DbConnection> {
        let mut conn = self.open()?;
        conn.set_instrumentation(CountQueries);
        Ok(conn)
    }

    fn open(&self) -> ConnectionResult<DbConnection> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                diesel::PgConnection::establish(url).map(DbConnection::Postgresql)
            }
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_str().ok_or_else(|| {
                    ConnectionError::InvalidConnectionUrl(
                        "the SQLite path is not valid UTF-8".into(),
                    )
                })?;
                let mut conn = diesel::SqliteConnection::establish(path)?;
                // secure_delete: a deleted entry's text is overwritten in
                // the file, not left in free pages.
                conn.batch_execute(&format!(
                    "PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};
                     PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = NORMAL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA secure_delete = ON;"
                ))
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConnection, ConnectionError> {
        self.establish()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectionError> {
        let result = match conn {
            DbConnection::Postgresql(c) => c.ping(),
            DbConnection::Sqlite(c) => c.ping(),
        };
        result.map_err(ConnectionError::CouldntSetupConfiguration)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        match conn {
            DbConnection::Postgresql(c) => c.is_broken(),
            DbConnection::Sqlite(c) => c.is_broken(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("cannot create the directory for the SQLite database {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot connect to the database {url}: {source}")]
    Connect {
        url: String,
        source: ConnectionError,
    },
    #[error("cannot migrate the database {url}: {message}")]
    Migrate { url: String, message: String },
    #[error("cannot build the connection pool for {url}: {source}")]
    Pool { url: String, source: r2d2::Error },
}

/// Pool settings; the defaults suit one instance on a small machine.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connect_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 10,
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// Connects once (so the real error surfaces), runs pending migrations on that
/// connection, then builds the pool. Blocking: call from a blocking context.
pub fn connect_and_migrate(url: &DatabaseUrl, options: &PoolOptions) -> Result<Pool, DbSetupError> {
    if let DatabaseUrl::Sqlite(path) = url {
        let create = |source| DbSetupError::CreateDir {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            private_dir(dir).map_err(create)?;
        }
        // SQLite gives new -wal and -shm files the database file's mode;
        // ones left by an earlier run are narrowed like the file itself.
        private_file(path).map_err(create)?;
        for suffix in ["-wal", "-shm"] {
            let mut sidecar = path.clone().into_os_string();
            sidecar.push(suffix);
            let sidecar = std::path::PathBuf::from(sidecar);
            if sidecar.exists() {
                private_file(&sidecar).map_err(create)?;
            }
        }
    }
    let manager = ConnectionManager::new(url.clone());
    let mut first = manager
        .establish()
        .map_err(|source| DbSetupError::Connect {
            url: url.redacted(),
            source,
        })?;
    run_migrations(&mut first).map_err(|message| DbSetupError::Migrate {
        url: url.redacted(),
        message,
    })?;
    drop(first);
    r2d2::Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(1))
        .connection_timeout(options.connect_timeout)
        // A failed query reports a broken connection anyway; checking every
        // checkout costs a round trip per request.
        .test_on_check_out(false)
        .build(manager)
        .map_err(|source| DbSetupError::Pool {
            url: url.redacted(),
            source,
        })
}

/// Creates `dir` (and its parents) readable by the owner only; an existing
/// directory keeps the mode its operator gave it.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates `path` readable and writable by the owner only; never truncates
/// it. A file that already exists with wider permissions (made by an older
/// version, or copied in) is narrowed to the owner: it holds client data.
pub fn private_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = file.metadata()?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the database file was readable by others; narrowed to its owner (0600)");
            file.set_permissions(std::fs::Permissions::from_mode(mode & 0o700))?;
        }
    }
    drop(file);
    Ok(())
}

/// Runs every pending migration of the connection's backend.
pub fn run_migrations(conn: &mut DbConnection) -> Result<(), String> {
    let applied = match conn {
        DbConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    }
    .map_err(|e| e.to_string())?;
    if applied > 0 {
        tracing::info!(applied, "database migrations applied");
    }
    Ok(())
}

/// Reverts every applied migration (used by the migration round-trip test).
pub fn revert_all_migrations(conn: &mut DbConnection) -> Result<(), String> {
    match conn {
        DbConnection::Postgresql(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS).map(|_| ()),
    }
    .map_err(|e| e.to_string())
}

/// True when the database answers and has every migration this build knows.
pub fn is_ready(conn: &mut DbConnection) -> bool {
    let pending = match conn {
        DbConnection::Postgresql(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
    };
    matches!(pending, Ok(false))
}

/// Runs `$body` with `$c` bound to the backend's own connection (a
/// `PgConnection` or a `SqliteConnection`); the body is written once and
/// compiled for each backend. For the hot read paths (see the module note).
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Postgresql($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}

impl DbConnection {
    /// Runs `f` in a transaction meant to write.
    ///
    /// On SQLite it starts with `BEGIN IMMEDIATE`, taking the write lock up
    /// front: concurrent writers then wait (busy timeout) instead of failing
    /// with "database is locked" when a read-then-write transaction tries to
    /// upgrade its lock. PostgreSQL needs nothing special.
    pub fn write_transaction<T, E, F>(&mut self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut Self) -> Result<T, E>,
        E: From<diesel::result::Error>,
    {
        use diesel::connection::{AnsiTransactionManager, TransactionManager};
        let DbConnection::Sqlite(inner) = self else {
            return self.transaction(f);
        };
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
        let outcome = f(self);
        let DbConnection::Sqlite(inner) = self else {
            return Err(diesel::result::Error::BrokenTransactionManager.into());
        };
        match outcome {
            Ok(value) => {
                AnsiTransactionManager::commit_transaction(inner)?;
                Ok(value)
            }
            Err(error) => match AnsiTransactionManager::rollback_transaction(inner) {
                Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
                Err(rollback) => Err(rollback.into()),
            },
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgresql(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// One table column as the database reports it, for schema comparisons.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, QueryableByName)]
pub struct ColumnInfo {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub column_name: String,
}

/// Every column of every application table, sorted.
pub fn list_columns(conn: &mut DbConnection) -> QueryResult<Vec<ColumnInfo>> {
    let mut columns = match conn {
        DbConnection::Postgresql(c) => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name
             FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_\\_diesel%'",
        )
        .load::<ColumnInfo>(c)?,
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name
             FROM sqlite_schema m JOIN pragma_table_info(m.name) p
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
               AND m.name NOT LIKE '\\_\\_diesel%' ESCAPE '\\'
               AND m.sql NOT LIKE 'CREATE VIRTUAL TABLE%'
               AND m.name NOT LIKE '%\\_fts\\_%' ESCAPE '\\'",
        )
        .load::<ColumnInfo>(c)?,
    };
    columns.sort();
    Ok(columns)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_database_file_readable_by_others_is_narrowed_to_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("between-mode-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("between.db");
        let wal = dir.join("between.db-wal");
        for file in [&db, &wal] {
            std::fs::write(file, b"").unwrap();
            std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        let pool = connect_and_migrate(&DatabaseUrl::Sqlite(db.clone()), &PoolOptions::default());
        assert!(pool.is_ok());
        drop(pool);
        for file in [&db, &wal] {
            let mode = std::fs::metadata(file).map(|m| m.permissions().mode() & 0o777);
            assert!(
                matches!(mode, Ok(0o600) | Err(_)),
                "{}: {mode:?}",
                file.display()
            );
        }
        assert_eq!(
            std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn database_urls_pick_the_backend_by_scheme() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/db").map(|u| u.backend()),
            Ok(Backend::Postgres)
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://./data/x.db"),
            Ok(DatabaseUrl::Sqlite(PathBuf::from("./data/x.db")))
        );
        assert!(DatabaseUrl::parse("host=localhost dbname=x").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn passwords_never_reach_logs() {
        let url = DatabaseUrl::Postgres("postgres://me:secret@db.example:5432/between".into());
        assert_eq!(url.redacted(), "postgres://me:***@db.example:5432/between");
        assert!(!format!("{url:?}").contains("secret"));
    }
}
