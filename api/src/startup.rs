//! Builds the application; tests call the same code on port 0.

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::Server;
use actix_web::error::{InternalError, JsonPayloadError};
use actix_web::http::StatusCode;
use actix_web::{middleware, web, App, HttpRequest, HttpServer};
use anyhow::Context;
use domain::db::Pool;
use tokio::sync::watch;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::{AuthKit, JwtKeys, PasswordHasher, RateLimits};
use crate::config::Config;
use crate::error::Problem;
use crate::jobs::Worker;
use crate::mail::Mailer;
use crate::metrics::Metrics;
use crate::routes::fallback::{fallback, RouteTable};
use crate::state::AppState;

/// The largest JSON body accepted (journal entries are up to 20,000 characters).
pub const JSON_LIMIT_BYTES: usize = 256 * 1024;

pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    mailer: Arc<Mailer>,
}

impl Application {
    /// Connects to the database (running migrations) and binds the listener.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let pool = connect(&config).await?;
        Self::build_with_pool(config, pool)
    }

    pub fn build_with_pool(config: Config, pool: Pool) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(config.bind_addr)
            .with_context(|| format!("cannot listen on BIND_ADDR {}", config.bind_addr))?;
        let port = listener.local_addr()?.port();
        let auth = AuthKit {
            jwt: JwtKeys::new(
                config.jwt_secret.expose(),
                &config.public_base_url,
                config.access_token_ttl,
            ),
            passwords: PasswordHasher::new(
                std::thread::available_parallelism().map_or(2, |n| n.get()),
            ),
            limits: RateLimits::new(
                config.rate_limit_per_minute,
                config.trust_forwarded_for,
                config.rate_limit_store,
            ),
            sessions: config.sessions,
            allow_signup: config.allow_signup,
        };
        let state = AppState::new(pool, config, auth);
        let mailer = Arc::new(Mailer::from_config(&state.config)?);
        let server = run(listener, state.clone())?;
        Ok(Self {
            port,
            server,
            state,
            mailer,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or SIGINT, then drains open requests and stops
    /// the outbox worker (which finishes its sends in flight).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (stop, stopped) = watch::channel(false);
        let worker = self.state.config.run_worker.then(|| {
            let options = crate::jobs::WorkerOptions {
                clock: self.state.config.clock.clone(),
                ..self.state.config.worker.clone()
            };
            let worker = Worker::new(self.state.pool.clone(), self.mailer.clone(), options);
            tokio::spawn(worker.run(stopped))
        });
        let result = self.server.await;
        let _ = stop.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        result
    }
}

/// Connects to the configured database and migrates it.
pub async fn connect(config: &Config) -> anyhow::Result<Pool> {
    let url = config.database_url.clone();
    let options = config.pool.clone();
    let pool = tokio::task::spawn_blocking(move || -> anyhow::Result<Pool> {
        let pool = domain::db::connect_and_migrate(&url, &options)?;
        // The starter library ships with the service: templates new in
        // this release are added, none is changed.
        let added = domain::exercises::templates::install_starter(&mut *pool.get()?)
            .map_err(|e| anyhow::anyhow!("cannot install the starter exercise library: {e}"))?;
        if added > 0 {
            tracing::info!(added, "starter exercise templates installed");
        }
        Ok(pool)
    })
    .await??;
    tracing::info!(database = %config.database_url, "database ready");
    Ok(pool)
}

fn run(listener: TcpListener, state: AppState) -> anyhow::Result<Server> {
    let metrics = web::Data::new(Metrics::new().context("cannot create the metrics registry")?);
    let pages = web::Data::new(
        crate::pages::Pages::new(&state.config.practice_name, &state.config.accent_color)
            .context("cannot load the page templates")?,
    );
    let doc = crate::openapi::document();
    let routes = web::Data::new(RouteTable::from_openapi(&doc));
    let contract = crate::openapi::contract().context("cannot build the OpenAPI document")?;
    let shutdown_timeout = state.config.shutdown_timeout.as_secs();
    let workers = state.config.http_workers;
    let state = web::Data::new(state);
    let server = HttpServer::new(move || {
        let cors = cors(&state.config.cors_origins);
        // The document and docs come first: the `/api/v1` scope would
        // otherwise claim `/api/v1/openapi.json` and answer 404.
        let (app, _) = App::new()
            .service(
                SwaggerUi::new("/docs/{_:.*}")
                    .external_url_unchecked("/api/v1/openapi.json", contract.clone()),
            )
            .into_utoipa_app()
            .configure(crate::routes::configure)
            .split_for_parts();
        app.app_data(state.clone())
            .app_data(metrics.clone())
            .app_data(pages.clone())
            .app_data(routes.clone())
            .app_data(json_config())
            .app_data(web::QueryConfig::default().error_handler(|err, _| {
                let problem =
                    Problem::new(StatusCode::BAD_REQUEST, "invalid_query", err.to_string());
                InternalError::from_response(err, problem.response()).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|err, req| {
                // A malformed id cannot name anything: same answer as a missing one.
                InternalError::from_response(err, crate::routes::fallback::unparsed_path(req))
                    .into()
            }))
            .service(web::redirect("/docs", "/docs/").permanent())
            .configure(crate::pages::configure)
            .default_service(web::to(fallback))
            .wrap(cors)
            .wrap(middleware::Compress::default())
            .wrap(middleware::from_fn(crate::middleware::observe))
    })
    .workers(workers)
    .listen(listener)?
    .shutdown_timeout(shutdown_timeout)
    .run();
    Ok(server)
}

fn json_config() -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(JSON_LIMIT_BYTES)
        .error_handler(|err: JsonPayloadError, _req: &HttpRequest| {
            let problem = match &err {
                JsonPayloadError::ContentType => Problem::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "Send the body as application/json.",
                ),
                JsonPayloadError::Overflow { limit }
                | JsonPayloadError::OverflowKnownLength { limit, .. } => Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!("The request body is larger than {limit} bytes."),
                ),
                JsonPayloadError::Deserialize(e) if e.is_data() => Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_body",
                    format!("The body does not match the expected shape: {e}"),
                ),
                JsonPayloadError::Deserialize(e) => Problem::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_json",
                    format!("The body is not valid JSON: {e}"),
                ),
                other => Problem::new(StatusCode::BAD_REQUEST, "bad_request", other.to_string()),
            };
            InternalError::from_response(err, problem.response()).into()
        })
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            actix_web::http::header::AUTHORIZATION,
            actix_web::http::header::CONTENT_TYPE,
            actix_web::http::header::IF_MATCH,
            actix_web::http::header::HeaderName::from_static("idempotency-key"),
            crate::middleware::REQUEST_ID,
        ])
        .expose_headers([
            actix_web::http::header::ETAG,
            actix_web::http::header::LOCATION,
            actix_web::http::header::RETRY_AFTER,
            crate::middleware::REQUEST_ID,
            actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
        ])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use actix_web::test::{call_service, init_service, read_body_json, TestRequest};
    use actix_web::HttpResponse;

    #[derive(serde::Deserialize)]
    struct Named {
        #[allow(dead_code)]
        name: String,
    }

    async fn echo(_: crate::extract::Json<Named>) -> HttpResponse {
        HttpResponse::NoContent().finish()
    }

    #[actix_web::test]
    async fn json_body_errors_are_problems_with_stable_codes() {
        let app = init_service(
            App::new()
                .app_data(json_config())
                .wrap(middleware::from_fn(crate::middleware::observe))
                .route("/echo", web::post().to(echo)),
        )
        .await;
        let cases: [(TestRequest, u16, &str); 6] = [
            (
                TestRequest::post()
                    .uri("/echo")
                    .insert_header(("content-type", "application/json"))
                    .set_payload("{bad"),
                400,
                "malformed_json",
            ),
            (
                TestRequest::post()
                    .uri("/echo")
                    .insert_header(("content-type", "application/json"))
                    .set_payload("{}"),
                422,
                "invalid_body",
            ),
            // serde would take an array as the struct's fields in order.
            (
                TestRequest::post()
                    .uri("/echo")
                    .insert_header(("content-type", "application/json"))
                    .set_payload(r#"["x"]"#),
                422,
                "invalid_body",
            ),
            (
                TestRequest::post()
                    .uri("/echo")
                    .insert_header(("content-type", "application/json"))
                    .set_payload("null"),
                422,
                "invalid_body",
            ),
            (
                TestRequest::post()
                    .uri("/echo")
                    .insert_header(("content-type", "text/plain"))
                    .set_payload("{}"),
                415,
                "unsupported_media_type",
            ),
            (
                TestRequest::post()
                    .uri("/echo")
                    .insert_header(("content-type", "application/json"))
                    .set_payload(format!("{{\"name\":\"{}\"}}", "x".repeat(JSON_LIMIT_BYTES))),
                413,
                "payload_too_large",
            ),
        ];
        for (request, status, code) in cases {
            let response = call_service(&app, request.to_request()).await;
            assert_eq!(response.status().as_u16(), status, "{code}");
            assert_eq!(
                response.headers().get("content-type").unwrap(),
                crate::error::PROBLEM_JSON
            );
            let body: serde_json::Value = read_body_json(response).await;
            assert_eq!(body["code"], code);
            assert_eq!(body["status"], status);
        }
    }
}
