//! Configuration from the environment.
//!
//! Every variable is read here and nowhere else; a bad value is a start-up
//! error that names the variable and says what is wrong with it.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use domain::db::{DatabaseUrl, PoolOptions};

#[derive(Debug, thiserror::Error)]
#[error("{name}: {message}")]
pub struct ConfigError {
    pub name: &'static str,
    pub message: String,
}

fn bad(name: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        name,
        message: message.into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// A secret that never shows up in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub environment: Environment,
    pub bind_addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: DatabaseUrl,
    /// The pool for background work (the outbox worker).
    pub pool: PoolOptions,
    /// HTTP worker threads; each keeps one database connection.
    pub http_workers: usize,
    /// The service's own public URL, without a trailing slash.
    pub public_base_url: String,
    /// Where links in emails point, without a trailing slash.
    pub app_base_url: String,
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
    /// The practice's display name: emails are signed with it and reminders
    /// name it in their (otherwise neutral) subject.
    pub practice_name: String,
    /// The pages' accent colour (`#rrggbb`, at least 4.5:1 against white).
    pub accent_color: String,
    pub jwt_secret: Secret,
    pub cors_origins: Vec<String>,
    /// `/metrics` answers only to `Authorization: Bearer <this>` when set;
    /// unset, it is open in development and off in production.
    pub metrics_token: Option<Secret>,
    pub log_format: LogFormat,
    /// Whether `serve` also runs the outbox worker.
    pub run_worker: bool,
    pub worker: crate::jobs::WorkerOptions,
    /// Time the server gives open requests after SIGTERM.
    pub shutdown_timeout: Duration,
    /// Whether anyone may sign up as a therapist.
    pub allow_signup: bool,
    /// Access token lifetime; at most 15 minutes.
    pub access_token_ttl: chrono::Duration,
    pub sessions: domain::accounts::sessions::SessionPolicy,
    /// Attempts per minute per IP on login, signup, password reset and invitation accept.
    pub rate_limit_per_minute: u32,
    /// Where rate-limit counters live.
    pub rate_limit_store: crate::auth::RateLimitStore,
    /// Whether the client address comes from `Forwarded`/`X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// Where "now" comes from for schedules (the system clock; tests set it).
    pub clock: domain::time::Clock,
}

/// Where a variable comes from: the process environment, or a map in tests.
pub trait Source {
    fn get(&self, name: &str) -> Option<String>;
}

pub struct ProcessEnv;

impl Source for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Source for HashMap<&str, &str> {
    fn get(&self, name: &str) -> Option<String> {
        HashMap::get(self, name).map(|v| (*v).to_owned())
    }
}

/// The name of the file that holds the generated development JWT secret.
pub const JWT_SECRET_FILE: &str = "jwt-secret";
const MIN_JWT_SECRET_BYTES: usize = 32;

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::load(&ProcessEnv)
    }

    /// The log format alone, read before anything else so that start-up
    /// errors are logged in the format the operator asked for.
    pub fn log_format(source: &dyn Source) -> Result<LogFormat, ConfigError> {
        match source.get("LOG_FORMAT").as_deref() {
            None | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(bad(
                "LOG_FORMAT",
                format!("must be `text` or `json`, not `{other}`"),
            )),
        }
    }

    pub fn load(source: &dyn Source) -> Result<Self, ConfigError> {
        let log_format = Self::log_format(source)?;
        let environment = match source.get("BETWEEN_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(bad(
                    "BETWEEN_ENV",
                    format!("must be `development` or `production`, not `{other}`"),
                ))
            }
        };
        let bind_addr: SocketAddr = source
            .get("BIND_ADDR")
            .unwrap_or_else(|| "127.0.0.1:8080".into())
            .parse()
            .map_err(|e| {
                bad(
                    "BIND_ADDR",
                    format!("must be an address such as 127.0.0.1:8080 ({e})"),
                )
            })?;
        let data_dir = PathBuf::from(source.get("DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = match source.get("DATABASE_URL") {
            Some(raw) => DatabaseUrl::parse(&raw).map_err(|m| bad("DATABASE_URL", m))?,
            None => DatabaseUrl::sqlite_file(&data_dir.join("between.db")),
        };
        let pool = PoolOptions {
            max_size: parse_number(source, "DATABASE_POOL_SIZE", 10, 1, 1000)?,
            ..PoolOptions::default()
        };
        // One per core (at least two) suits a database on the same host or
        // network; more hide a slower network (see the README).
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let default_workers = u32::try_from(cores).unwrap_or(2).clamp(2, 256);
        let http_workers = parse_number(source, "HTTP_WORKERS", default_workers, 1, 256)? as usize;
        let public_base_url = match source.get("PUBLIC_BASE_URL") {
            Some(url) => base_url("PUBLIC_BASE_URL", &url)?,
            None => format!("http://{bind_addr}"),
        };
        let app_base_url = match source.get("APP_BASE_URL") {
            Some(url) => base_url("APP_BASE_URL", &url)?,
            None => public_base_url.clone(),
        };
        let smtp_url = source.get("SMTP_URL");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(bad("SMTP_URL", "must start with smtp:// or smtps://"));
            }
        }
        let mail_from = source
            .get("MAIL_FROM")
            .unwrap_or_else(|| "Between <no-reply@localhost>".into());
        if !mail_from.contains('@') {
            return Err(bad(
                "MAIL_FROM",
                "must be an address such as `Between <care@example.org>`",
            ));
        }
        let jwt_secret = match source.get("JWT_SECRET") {
            Some(secret) if secret.len() >= MIN_JWT_SECRET_BYTES => Secret::new(secret),
            Some(_) => {
                return Err(bad(
                    "JWT_SECRET",
                    format!("must be at least {MIN_JWT_SECRET_BYTES} characters"),
                ))
            }
            None if environment == Environment::Production => {
                return Err(bad("JWT_SECRET", "is required when BETWEEN_ENV=production"))
            }
            None => development_jwt_secret(&data_dir)?,
        };
        let metrics_token = match source.get("METRICS_TOKEN") {
            Some(token) if token.trim().len() < 16 => {
                return Err(bad("METRICS_TOKEN", "must be at least 16 characters"))
            }
            Some(token) => Some(Secret::new(token.trim().to_owned())),
            None => None,
        };
        let cors_origins = source
            .get("CORS_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().trim_end_matches('/').to_owned())
                    .filter(|o| !o.is_empty())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        for origin in &cors_origins {
            if origin != "*" && !(origin.starts_with("http://") || origin.starts_with("https://")) {
                return Err(bad(
                    "CORS_ORIGINS",
                    format!("`{origin}` is not an origin such as https://app.example.org"),
                ));
            }
        }
        let practice_name = source
            .get("PRACTICE_NAME")
            .map(|n| n.trim().to_owned())
            .unwrap_or_else(|| "Between".into());
        if practice_name.chars().count() > 100 || practice_name.chars().any(char::is_control) {
            return Err(bad(
                "PRACTICE_NAME",
                "must be at most 100 characters on one line",
            ));
        }
        let accent_color = source
            .get("ACCENT_COLOR")
            .map(|c| c.trim().to_ascii_lowercase())
            .unwrap_or_else(|| "#2f6f5e".into());
        match contrast_with_white(&accent_color) {
            None => return Err(bad("ACCENT_COLOR", "must be a colour such as #2f6f5e")),
            Some(ratio) if ratio < 4.5 => {
                return Err(bad(
                    "ACCENT_COLOR",
                    format!(
                    "has {ratio:.1}:1 contrast with white text; at least 4.5:1 is needed (WCAG AA)"
                ),
                ))
            }
            Some(_) => {}
        }
        let run_worker = parse_bool(source, "RUN_WORKER", true)?;
        let worker = crate::jobs::WorkerOptions {
            concurrency: parse_number(source, "WORKER_CONCURRENCY", 16, 1, 256)? as usize,
            poll_interval: Duration::from_millis(
                parse_number(source, "WORKER_POLL_MS", 1000, 10, 600_000)?.into(),
            ),
            retention: domain::maintenance::Retention {
                jobs: chrono::Duration::days(
                    parse_number(source, "JOB_RETENTION_DAYS", 7, 1, 3650)?.into(),
                ),
                audit: chrono::Duration::days(
                    parse_number(source, "AUDIT_RETENTION_DAYS", 2190, 1, 36500)?.into(),
                ),
                ..Default::default()
            },
            ..Default::default()
        };
        let shutdown_timeout =
            Duration::from_secs(parse_number(source, "SHUTDOWN_TIMEOUT_SECS", 30, 0, 3600)?.into());
        let allow_signup = parse_bool(source, "ALLOW_SIGNUP", true)?;
        let access_token_ttl = chrono::Duration::seconds(
            parse_number(source, "ACCESS_TOKEN_TTL_SECS", 900, 60, 900)?.into(),
        );
        let sessions = domain::accounts::sessions::SessionPolicy {
            idle: chrono::Duration::days(
                parse_number(source, "SESSION_IDLE_DAYS", 14, 1, 365)?.into(),
            ),
            absolute: chrono::Duration::days(
                parse_number(source, "SESSION_ABSOLUTE_DAYS", 90, 1, 3650)?.into(),
            ),
            ..Default::default()
        };
        let rate_limit_per_minute =
            parse_number(source, "RATE_LIMIT_PER_MINUTE", 10, 1, 1_000_000)?;
        // Several instances share a PostgreSQL database, so they share its
        // counters; an embedded SQLite service is one instance.
        let rate_limit_store = match source.get("RATE_LIMIT_STORE").as_deref().map(str::trim) {
            None | Some("") => match database_url.backend() {
                domain::db::Backend::Postgres => crate::auth::RateLimitStore::Database,
                domain::db::Backend::Sqlite => crate::auth::RateLimitStore::Memory,
            },
            Some("memory") => crate::auth::RateLimitStore::Memory,
            Some("database") => crate::auth::RateLimitStore::Database,
            Some(other) => {
                return Err(bad(
                    "RATE_LIMIT_STORE",
                    format!("`{other}` is not one of memory, database"),
                ))
            }
        };
        let trust_forwarded_for = parse_bool(source, "TRUST_FORWARDED_FOR", false)?;
        Ok(Self {
            allow_signup,
            access_token_ttl,
            sessions,
            rate_limit_per_minute,
            rate_limit_store,
            trust_forwarded_for,
            environment,
            bind_addr,
            data_dir,
            database_url,
            pool,
            http_workers,
            public_base_url,
            app_base_url,
            smtp_url: smtp_url.map(Secret::new),
            mail_from,
            practice_name,
            accent_color,
            jwt_secret,
            cors_origins,
            metrics_token,
            log_format,
            run_worker,
            worker,
            shutdown_timeout,
            clock: domain::time::Clock::default(),
        })
    }
}

fn base_url(name: &'static str, raw: &str) -> Result<String, ConfigError> {
    let url = raw.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| bad(name, "must start with http:// or https://"))?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(bad(
            name,
            "must be a URL such as https://between.example.org",
        ));
    }
    Ok(url.to_owned())
}

fn parse_number(
    source: &dyn Source,
    name: &'static str,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, ConfigError> {
    match source.get(name) {
        None => Ok(default),
        Some(raw) => raw
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| {
                bad(
                    name,
                    format!("must be a whole number from {min} to {max}, not `{raw}`"),
                )
            }),
    }
}

fn parse_bool(source: &dyn Source, name: &'static str, default: bool) -> Result<bool, ConfigError> {
    match source
        .get(name)
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(bad(name, format!("must be true or false, not `{other}`"))),
    }
}

/// In development a missing JWT_SECRET is generated once and kept in
/// DATA_DIR, readable by the owner only, so tokens survive a restart.
fn development_jwt_secret(data_dir: &Path) -> Result<Secret, ConfigError> {
    let path = data_dir.join(JWT_SECRET_FILE);
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        if existing.len() >= MIN_JWT_SECRET_BYTES {
            return Ok(Secret::new(existing));
        }
    }
    domain::db::private_dir(data_dir).map_err(|e| {
        bad(
            "DATA_DIR",
            format!("cannot create {}: {e}", data_dir.display()),
        )
    })?;
    let secret = domain::secret::random_hex(48);
    write_private_file(&path, &secret).map_err(|e| {
        bad(
            "JWT_SECRET",
            format!(
                "unset, and cannot store a generated one in {}: {e}",
                path.display()
            ),
        )
    })?;
    tracing::warn!(
        path = %path.display(),
        "JWT_SECRET is unset: generated one for development; set JWT_SECRET in production"
    );
    Ok(Secret::new(secret))
}

#[cfg(unix)]
fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private_file(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}

/// The contrast ratio of white text on a `#rrggbb` colour (WCAG 2.2's
/// relative luminance), or `None` for anything else.
fn contrast_with_white(colour: &str) -> Option<f64> {
    let hex = colour.strip_prefix('#').filter(|h| h.len() == 6)?;
    let channel = |i: usize| -> Option<f64> {
        let v = f64::from(u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()?) / 255.0;
        Some(if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        })
    };
    let luminance = 0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?;
    Some(1.05 / (luminance + 0.05))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accent_colour_must_read_against_white() {
        assert!(contrast_with_white("#2f6f5e").is_some_and(|r| r >= 4.5));
        assert!(contrast_with_white("#000000").is_some_and(|r| (r - 21.0).abs() < 0.01));
        assert!(contrast_with_white("#ffffff").is_some_and(|r| (r - 1.0).abs() < 0.01));
        assert!(contrast_with_white("#ffcc00").is_some_and(|r| r < 4.5));
        for bad in ["2f6f5e", "#2f6f5", "#2f6f5g", "red", "#2f6f5e00", ""] {
            assert_eq!(contrast_with_white(bad), None, "{bad}");
        }
    }

    fn load(vars: &[(&'static str, &'static str)]) -> Result<Config, ConfigError> {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        Config::load(&map)
    }

    #[test]
    fn a_bad_value_names_its_variable() {
        let err = load(&[("BIND_ADDR", "nowhere"), ("JWT_SECRET", "x")]).err();
        assert_eq!(err.map(|e| e.name), Some("BIND_ADDR"));
        let err = load(&[("DATABASE_URL", "host=db dbname=between")]).err();
        assert_eq!(err.map(|e| e.name), Some("DATABASE_URL"));
        let err = load(&[("LOG_FORMAT", "xml")]).err();
        assert_eq!(err.map(|e| e.name), Some("LOG_FORMAT"));
    }

    #[test]
    fn production_requires_a_jwt_secret() {
        let err = load(&[("BETWEEN_ENV", "production"), ("DATA_DIR", "/nonexistent")]).err();
        assert_eq!(err.map(|e| e.name), Some("JWT_SECRET"));
    }

    #[test]
    fn defaults_follow_the_bind_address() -> Result<(), ConfigError> {
        let config = load(&[
            ("BIND_ADDR", "127.0.0.1:9000"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ])?;
        assert_eq!(config.public_base_url, "http://127.0.0.1:9000");
        assert_eq!(config.app_base_url, "http://127.0.0.1:9000");
        assert_eq!(
            config.database_url,
            DatabaseUrl::Sqlite(PathBuf::from("./data/between.db"))
        );
        Ok(())
    }

    #[test]
    fn a_generated_secret_is_kept_private_and_reused() -> Result<(), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("between-config-{}", uuid::Uuid::new_v4()));
        let first = development_jwt_secret(&dir)?;
        let second = development_jwt_secret(&dir)?;
        assert_eq!(first.expose(), second.expose());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(JWT_SECRET_FILE))?
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir)?;
        Ok(())
    }
}
