use between_api::startup::Application;
use between_tests::{backend, temp_dir, test_config, TestDatabase};
use domain::db::{self, Backend, DatabaseUrl};

#[test]
fn migrations_run_down_and_up_again() {
    let test_db = TestDatabase::create();
    let mut conn = test_db.connect();
    db::run_migrations(&mut conn).unwrap();
    let first = db::list_columns(&mut conn).unwrap();
    assert!(!first.is_empty());
    db::revert_all_migrations(&mut conn).unwrap();
    assert!(db::list_columns(&mut conn).unwrap().is_empty());
    db::run_migrations(&mut conn).unwrap();
    assert_eq!(db::list_columns(&mut conn).unwrap(), first);
    assert!(db::is_ready(&mut conn));
}

/// Both migration sets must produce the same tables and columns. This needs
/// both servers, so it runs in the PostgreSQL pass (`TEST_DATABASE_URL`),
/// which CI makes mandatory.
#[test]
fn both_migration_sets_produce_the_same_tables_and_columns() {
    if backend() != Backend::Postgres {
        eprintln!("runs in the PostgreSQL pass: set TEST_DATABASE_URL");
        return;
    }
    let postgres = TestDatabase::create();
    let sqlite = TestDatabase::create_sqlite();
    let mut pg = postgres.connect();
    let mut lite = sqlite.connect();
    db::run_migrations(&mut pg).unwrap();
    db::run_migrations(&mut lite).unwrap();
    let pg_columns = db::list_columns(&mut pg).unwrap();
    assert!(!pg_columns.is_empty());
    assert_eq!(pg_columns, db::list_columns(&mut lite).unwrap());
}

#[tokio::test]
async fn an_unreachable_postgres_stops_start_up_naming_it_and_creates_no_sqlite_file() {
    let test_db = TestDatabase::create_sqlite();
    let data_dir = temp_dir("unreachable");
    let mut config = test_config(&test_db, &data_dir);
    config.database_url =
        DatabaseUrl::parse("postgres://between:hunter2@127.0.0.1:1/between").unwrap();
    let err = match Application::build(config).await {
        Ok(_) => panic!("start-up must fail"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("127.0.0.1:1/between"), "{err}");
    assert!(!err.contains("hunter2"), "the password leaked: {err}");
    let files: Vec<_> = std::fs::read_dir(&data_dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        !files.iter().any(|f| f.to_string_lossy().ends_with(".db")),
        "no SQLite file may appear: {files:?}"
    );
    std::fs::remove_dir_all(&data_dir).unwrap();
}

#[test]
fn sqlite_connections_enforce_foreign_keys_and_use_wal() {
    use diesel::{QueryableByName, RunQueryDsl};
    #[derive(QueryableByName)]
    struct Pragma {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    let test_db = TestDatabase::create_sqlite();
    let mut conn = test_db.connect();
    let fk: Pragma =
        diesel::sql_query("SELECT CAST(foreign_keys AS TEXT) AS value FROM pragma_foreign_keys")
            .get_result(&mut conn)
            .unwrap();
    assert_eq!(fk.value, "1");
    let mode: Pragma = diesel::sql_query("SELECT journal_mode AS value FROM pragma_journal_mode")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(mode.value, "wal");
}
