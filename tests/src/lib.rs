//! Helpers for the end-to-end tests: each test starts the real service on
//! port 0 against a database of its own.
//!
//! Without `TEST_DATABASE_URL` every test gets a fresh SQLite file. With
//! `TEST_DATABASE_URL=postgres://user@host:port/maintenance_db` every test
//! creates its own PostgreSQL database on that server and drops it at the
//! end; an unreachable server fails the test loudly, it never falls back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod smtp;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use between_api::config::Config;
use between_api::startup::Application;
use diesel::{Connection, RunQueryDsl};
use domain::db::{Backend, DatabaseUrl, DbConnection, Pool};

pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

/// The backend this test run uses.
pub fn backend() -> Backend {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// A database that exists for one test and is removed when dropped.
pub struct TestDatabase {
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDatabase {
    /// A fresh, empty database of this run's backend.
    pub fn create() -> Self {
        match std::env::var("TEST_DATABASE_URL") {
            Ok(admin_url) if !admin_url.trim().is_empty() => {
                Self::create_postgres(admin_url.trim())
            }
            _ => Self::create_sqlite(),
        }
    }

    pub fn create_sqlite() -> Self {
        let dir = temp_dir("db");
        Self {
            url: DatabaseUrl::Sqlite(dir.join("between.db")),
            cleanup: Cleanup::Dir(dir),
        }
    }

    pub fn create_postgres(admin_url: &str) -> Self {
        let name = format!("between_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = diesel::PgConnection::establish(admin_url).unwrap_or_else(|e| {
            panic!("TEST_DATABASE_URL is set but PostgreSQL is unreachable at {admin_url}: {e}")
        });
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create the test database");
        let base = admin_url
            .rsplit_once('/')
            .map(|(base, _)| base)
            .expect("a URL with a path");
        Self {
            url: DatabaseUrl::Postgres(format!("{base}/{name}")),
            cleanup: Cleanup::Postgres {
                admin_url: admin_url.to_owned(),
                name,
            },
        }
    }

    pub fn connect(&self) -> DbConnection {
        domain::db::ConnectionManager::new(self.url.clone())
            .establish()
            .expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Postgres { admin_url, name } => {
                if let Ok(mut admin) = diesel::PgConnection::establish(admin_url) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut admin);
                }
            }
        }
    }
}

/// A new directory under the system temp dir, unique to the caller.
pub fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "between-test-{label}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&dir).expect("create a temp dir");
    dir
}

/// The configuration a test app starts with: port 0, its own data dir and
/// database, no background worker unless the test asks for one.
pub fn test_config(db: &TestDatabase, data_dir: &std::path::Path) -> Config {
    let data_dir = data_dir.to_string_lossy().into_owned();
    let vars: HashMap<&str, &str> = HashMap::from([
        ("BIND_ADDR", "127.0.0.1:0"),
        ("DATA_DIR", data_dir.as_str()),
        ("JWT_SECRET", TEST_JWT_SECRET),
        ("APP_BASE_URL", "https://app.between.test"),
        ("RUN_WORKER", "false"),
        ("SHUTDOWN_TIMEOUT_SECS", "0"),
        ("RATE_LIMIT_PER_MINUTE", "1000000"),
    ]);
    let mut config = Config::load(&vars).expect("test configuration");
    config.database_url = db.url.clone();
    // As a service on this database would choose by default.
    config.rate_limit_store = match db.url.backend() {
        Backend::Postgres => between_api::auth::RateLimitStore::Database,
        Backend::Sqlite => between_api::auth::RateLimitStore::Memory,
    };
    config
}

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    pub pool: Pool,
    pub data_dir: PathBuf,
    pub db: std::sync::Arc<TestDatabase>,
    /// The app's clock (the system's unless the test set one).
    pub clock: domain::time::Clock,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Tokens still waiting in the outbox were made by this app too.
        if let Ok(mut conn) = self.pool.get() {
            for job in domain::outbox::list(&mut conn, None, 100_000).unwrap_or_default() {
                remember_secrets_in(&job.payload);
            }
        }
        if !std::thread::panicking() {
            assert_no_secret_logged();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Starts the real service with its clock standing at `at` (RFC 3339);
/// move it with the returned clock. Sessions and tokens keep real time.
pub async fn spawn_app_at(at: &str) -> (TestApp, domain::time::Clock) {
    let clock = domain::time::Clock::manual(instant(at));
    let shared = clock.clone();
    let app = spawn_app_with(move |config| config.clock = shared).await;
    (app, clock)
}

/// Today's date in `zone` by the real clock (clients the helpers invite
/// live in America/New_York), as `YYYY-MM-DD`.
pub fn today_in(zone: chrono_tz::Tz) -> String {
    chrono::Utc::now()
        .with_timezone(&zone)
        .date_naive()
        .to_string()
}

/// An RFC 3339 instant.
pub fn instant(at: &str) -> domain::Timestamp {
    domain::Timestamp(
        chrono::DateTime::parse_from_rfc3339(at)
            .expect("an RFC 3339 instant")
            .to_utc(),
    )
}

/// Starts the real service, after `customize` has adjusted its configuration.
pub async fn spawn_app_with(customize: impl FnOnce(&mut Config)) -> TestApp {
    start(std::sync::Arc::new(TestDatabase::create()), customize).await
}

async fn start(db: std::sync::Arc<TestDatabase>, customize: impl FnOnce(&mut Config)) -> TestApp {
    init_test_logging();
    let data_dir = temp_dir("data");
    let mut config = test_config(&db, &data_dir);
    customize(&mut config);
    let clock = config.clock.clone();
    let app = Application::build(config).await.expect("the app starts");
    let port = app.port();
    let pool = app.state().pool.clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client"),
        pool,
        data_dir,
        db,
        clock,
    }
}

impl TestApp {
    /// Another instance of the service on this app's database, as a second
    /// instance behind a load balancer would run.
    pub async fn sibling(&self, customize: impl FnOnce(&mut Config)) -> TestApp {
        start(self.db.clone(), customize).await
    }

    /// Sends every queued email now (one worker pass, to memory) and returns
    /// them as sent, oldest first.
    pub async fn send_queued(&self) -> Vec<Vec<u8>> {
        self.send_due_at(domain::time::Clock::default()).await
    }

    /// Sends what is due by the app's own clock (reminders planned at a
    /// time the test set), one worker pass.
    pub async fn send_due(&self) -> Vec<Vec<u8>> {
        self.send_due_at(self.clock.clone()).await
    }

    async fn send_due_at(&self, clock: domain::time::Clock) -> Vec<Vec<u8>> {
        let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let config = test_config(&self.db, &self.data_dir);
        let mailer = between_api::mail::Mailer::new(
            &config,
            between_api::mail::Transport::Memory(sent.clone()),
        )
        .expect("a mailer");
        let worker = between_api::jobs::Worker::new(
            self.pool.clone(),
            std::sync::Arc::new(mailer),
            between_api::jobs::WorkerOptions {
                clock,
                ..workers::fast()
            },
        );
        worker.run_once().await.expect("a worker pass");
        let messages = sent.lock().unwrap().clone();
        messages.iter().map(|m| m.formatted()).collect()
    }

    /// Sends every queued email now and returns the token of the link in the
    /// newest one to `recipient`.
    pub async fn link_token(&self, recipient: &str) -> String {
        token_in(&self.send_queued().await, recipient)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }
}

/// Captures every log line of the services this test binary runs (at
/// debug for the service's own code), and also prints them when `TEST_LOG`
/// is set. Tests read them with [`logs`].
pub fn init_test_logging() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::new(
            std::env::var("TEST_LOG")
                .ok()
                .filter(|f| !f.is_empty() && f != "1")
                .unwrap_or_else(|| "info,between_api=debug,domain=debug".into()),
        );
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_ansi(false)
            .with_writer(|| LogWriter)
            .try_init();
    });
}

static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut logs) = LOGS.lock() {
            logs.extend_from_slice(buf);
        }
        if std::env::var_os("TEST_LOG").is_some() {
            std::io::stderr().write_all(buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every secret the helpers handed to a test (the token of every email
/// read or left in an outbox, every access and refresh token of a login),
/// checked against everything the services of this test binary log: each
/// test app, when it is dropped, checks the secrets not yet checked against
/// the whole log and the others against what was logged since. The last
/// app dropped has checked every token of the run against the whole log.
static SECRETS: std::sync::Mutex<SecretWatch> = std::sync::Mutex::new(SecretWatch {
    secrets: Vec::new(),
    checked: 0,
    log_checked: 0,
});

struct SecretWatch {
    secrets: Vec<String>,
    /// How many of `secrets` have been looked for in the whole log...
    checked: usize,
    /// ...as far as this many bytes of it.
    log_checked: usize,
}

/// Adds a secret that must never be logged.
/// The token of the link in the newest of `sent` to `recipient`.
pub fn token_in(sent: &[Vec<u8>], recipient: &str) -> String {
    let raw = sent
        .iter()
        .rev()
        .find(|raw| String::from_utf8_lossy(raw).contains(&format!("To: {recipient}")))
        .unwrap_or_else(|| panic!("no email was sent to {recipient}"));
    let parsed = mail_parser::MessageParser::default()
        .parse(raw)
        .expect("a parseable email");
    let text = parsed.body_text(0).expect("a text part").into_owned();
    let start = text.find("token=").expect("a link with a token") + "token=".len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    remember_secret(&token);
    token
}

pub fn remember_secret(secret: &str) {
    assert!(secret.len() >= 16, "too short to be a secret: {secret}");
    if let Ok(mut watch) = SECRETS.lock() {
        watch.secrets.push(secret.to_owned());
    }
}

/// Remembers the `token` of an email payload (JSON), if it has one.
fn remember_secrets_in(payload: &str) {
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(payload) {
        if let Some(token) = value["token"].as_str() {
            remember_secret(token);
        }
    }
}

/// Panics when any remembered secret appears in the log.
pub fn assert_no_secret_logged() {
    let logs = LOGS.lock().map(|l| l.clone()).unwrap_or_default();
    let Ok(mut watch) = SECRETS.lock() else {
        return;
    };
    for (i, secret) in watch.secrets.iter().enumerate() {
        let from = if i < watch.checked {
            watch.log_checked.saturating_sub(secret.len())
        } else {
            0
        };
        if memchr::memmem::find(&logs[from..], secret.as_bytes()).is_some() {
            panic!("a token handed to a test reached the logs: {secret}");
        }
    }
    watch.checked = watch.secrets.len();
    watch.log_checked = logs.len();
}

/// Every log line written so far by any service in this test binary.
pub fn logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().map(|l| l.clone()).unwrap_or_default()).into_owned()
}

/// Asserts a problem+json response and returns its body.
pub async fn assert_problem(
    response: reqwest::Response,
    status: u16,
    code: &str,
) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "status");
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type was {content_type}"
    );
    let body: serde_json::Value = response.json().await.expect("a JSON problem body");
    assert_eq!(body["code"], code, "problem code in {body}");
    assert_eq!(body["status"], status, "problem status in {body}");
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "problem detail in {body}"
    );
    body
}

/// Waits until `check` holds, polling; fails the test after `limit`.
pub async fn eventually<F: FnMut() -> bool>(what: &str, limit: Duration, mut check: F) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if check() {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {limit:?} waiting for: {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The password every test person uses (strong enough for the estimator).
pub const PASSWORD: &str = "quiet harbour lantern 42";

/// Someone signed in through the real endpoints.
#[derive(Debug, Clone)]
pub struct Person {
    pub id: String,
    pub email: String,
    pub access: String,
    pub refresh: String,
}

impl TestApp {
    /// Sends a request with an optional bearer token and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.expect("request sent")
    }

    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: serde_json::Value,
    ) -> reqwest::Response {
        self.send(reqwest::Method::POST, path, token, Some(&body))
            .await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.send(reqwest::Method::GET, path, Some(token), None)
            .await
    }

    /// The payload of the newest email of `kind` to `recipient`, as the
    /// worker will render it (tokens included).
    pub fn email_data(&self, kind: &str, recipient: &str) -> serde_json::Value {
        let mut conn = self.pool.get().unwrap();
        let job = domain::outbox::list(&mut conn, None, 10_000)
            .unwrap()
            .into_iter()
            .find(|j| j.kind.as_str() == kind && j.recipient.contains(recipient))
            .unwrap_or_else(|| panic!("no {kind} email to {recipient}"));
        remember_secrets_in(&job.payload);
        serde_json::from_str(&job.payload).unwrap()
    }

    pub async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post(
            "/api/v1/auth/login",
            None,
            serde_json::json!({"email": email, "password": password}),
        )
        .await
    }

    pub async fn login_ok(&self, email: &str, id: &str) -> Person {
        let response = self.login(email, PASSWORD).await;
        assert_eq!(response.status(), 200, "login of {email}");
        let tokens: serde_json::Value = response.json().await.unwrap();
        for token in ["access_token", "refresh_token"] {
            remember_secret(tokens[token].as_str().unwrap());
        }
        Person {
            id: id.to_owned(),
            email: email.to_owned(),
            access: tokens["access_token"].as_str().unwrap().to_owned(),
            refresh: tokens["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    /// Signs up a therapist, verifies their email and logs them in.
    pub async fn therapist(&self, email: &str) -> Person {
        let response = self
            .post(
                "/api/v1/auth/signup",
                None,
                serde_json::json!({"email": email, "password": PASSWORD, "display_name": "Dr. Test", "time_zone": "Europe/Berlin"}),
            )
            .await;
        assert_eq!(response.status(), 202, "signup of {email}");
        let token = self.email_data("verify_email", email)["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let verified = self
            .post(
                "/api/v1/auth/verify-email",
                None,
                serde_json::json!({"token": token}),
            )
            .await;
        assert_eq!(verified.status(), 204);
        self.signed_in(email).await
    }

    /// Logs in with the test password and reads the person's id from `/me`.
    pub async fn signed_in(&self, email: &str) -> Person {
        let mut person = self.login_ok(email, "").await;
        let me: serde_json::Value = self
            .get_as("/api/v1/me", &person.access)
            .await
            .json()
            .await
            .unwrap();
        person.id = me["id"].as_str().unwrap().to_owned();
        person
    }

    /// Invites `email` as `therapist`'s client, accepts and logs them in.
    pub async fn client_of(&self, therapist: &Person, email: &str) -> Person {
        let invited = self
            .post(
                "/api/v1/invitations",
                Some(&therapist.access),
                serde_json::json!({"email": email}),
            )
            .await;
        assert_eq!(invited.status(), 201, "invitation of {email}");
        let token = self.email_data("invitation", email)["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let accepted = self
            .post(
                &format!("/api/v1/invitations/{token}/accept"),
                None,
                serde_json::json!({"password": PASSWORD, "display_name": "Client Test", "time_zone": "America/New_York"}),
            )
            .await;
        assert_eq!(accepted.status(), 201, "acceptance by {email}");
        let profile: serde_json::Value = accepted.json().await.unwrap();
        self.login_ok(email, profile["id"].as_str().unwrap()).await
    }

    /// Creates an admin the way `between admin create` does, and logs them in.
    pub async fn admin(&self, email: &str) -> Person {
        use domain::accounts::{self, DisplayName, EmailAddress};
        let id = {
            let mut conn = self.pool.get().unwrap();
            accounts::create_admin(
                &mut conn,
                &EmailAddress::parse("email", email).unwrap(),
                &DisplayName::parse("name", "Admin").unwrap(),
                &accounts::password::hash(PASSWORD).unwrap(),
            )
            .unwrap()
            .id
        };
        self.login_ok(email, &id.to_string()).await
    }
}

pub mod cast;

/// Booking set-ups the booking and reminder tests share.
pub mod booking {
    use reqwest::Method;
    use serde_json::{json, Value};

    use crate::{Person, TestApp};

    /// The same local range on every day of the week.
    pub fn every_day(start: &str, end: &str) -> Value {
        let day = json!([{"start": start, "end": end}]);
        json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day})
    }

    /// A therapist in `zone` who offers consultations every day in
    /// `start..end`, a year ahead.
    pub async fn offering(
        app: &TestApp,
        email: &str,
        slug: &str,
        zone: &str,
        start: &str,
        end: &str,
    ) -> Person {
        let therapist = app.therapist(email).await;
        let zoned = app
            .send(
                Method::PATCH,
                "/api/v1/me",
                Some(&therapist.access),
                Some(&json!({"time_zone": zone})),
            )
            .await;
        assert_eq!(zoned.status(), 200);
        let profile = app
            .send(
                Method::PUT,
                "/api/v1/me/booking-profile",
                Some(&therapist.access),
                Some(&json!({"slug": slug, "bio": "Free 15-minute calls.", "offers_consultations": true,
                    "settings": {"horizon_days": 365}, "weekly": every_day(start, end)})),
            )
            .await;
        assert!(
            profile.status().is_success(),
            "booking profile: {}",
            profile.status()
        );
        therapist
    }

    /// Books `start` as Sam Rivera of New York, with a note.
    pub async fn book(app: &TestApp, slug: &str, start: &str, email: &str) -> reqwest::Response {
        app.post(
            &format!("/api/v1/therapists/{slug}/consultations"),
            None,
            json!({"start": start, "name": "Sam Rivera", "email": email, "time_zone": "America/New_York",
                "note": "I would like to talk about sleep."}),
        )
        .await
    }

    /// Books and confirms `start` from the email; returns the hold as
    /// answered and the manage link's token from the confirmation.
    pub async fn confirmed(app: &TestApp, slug: &str, start: &str, email: &str) -> (Value, String) {
        let held = book(app, slug, start, email).await;
        assert_eq!(held.status(), 201, "booking {start}");
        let held: Value = held.json().await.unwrap();
        let token = app.link_token(email).await;
        let confirmed = app
            .post(
                "/api/v1/consultations/confirm",
                None,
                json!({"token": token}),
            )
            .await;
        assert_eq!(confirmed.status(), 200, "confirming {start}");
        (held, app.link_token(email).await)
    }
}

/// Outbox workers for tests that drive them directly.
pub mod workers {
    use std::sync::Arc;
    use std::time::Duration;

    use between_api::config::Secret;
    use between_api::jobs::WorkerOptions;
    use between_api::mail::Mailer;
    use domain::db::Pool;

    use crate::smtp::TestSmtp;
    use crate::{test_config, TestDatabase};

    /// Polls every 20 ms and retries within 50-200 ms.
    pub fn fast() -> WorkerOptions {
        WorkerOptions {
            poll_interval: Duration::from_millis(20),
            retry_base: chrono::Duration::milliseconds(50),
            retry_cap: chrono::Duration::milliseconds(200),
            ..WorkerOptions::default()
        }
    }

    /// A pool of its own, as another instance would have.
    pub fn pool(db: &TestDatabase) -> Pool {
        crate::init_test_logging();
        domain::db::connect_and_migrate(&db.url, &domain::db::PoolOptions::default()).unwrap()
    }

    /// Waits until `count` more jobs than `before` are sent; panics after
    /// `limit`. For benchmarks that time a drain.
    pub async fn until_sent(pool: &Pool, before: i64, count: i64, limit: Duration) {
        let started = std::time::Instant::now();
        loop {
            let sent = {
                let mut conn = pool.get().unwrap();
                domain::outbox::count_by_state(&mut conn, domain::outbox::JobState::Sent).unwrap()
            };
            if sent - before >= count {
                return;
            }
            assert!(
                started.elapsed() < limit,
                "only {} of {count} sent after {limit:?}",
                sent - before
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A mailer that sends to the test SMTP server.
    pub fn smtp_mailer(
        smtp: &TestSmtp,
        data_dir: &std::path::Path,
        db: &TestDatabase,
    ) -> Arc<Mailer> {
        let mut config = test_config(db, data_dir);
        config.smtp_url = Some(Secret::new(smtp.url()));
        Arc::new(Mailer::from_config(&config).unwrap())
    }
}
