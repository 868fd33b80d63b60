//! One file per endpoint, grouped by area: `routes/<area>/<verb>_<thing>.rs`.

pub mod admin;
pub mod assignments;
pub mod auth;
pub mod booking;
pub mod clients;
pub mod daily_check_ins;
pub mod dashboard;
pub mod exercise_templates;
pub mod fallback;
pub mod habit_suggestions;
pub mod habits;
pub mod invitations;
pub mod journal;
pub mod me;
pub mod notifications;
pub mod ops;

use actix_web::{HttpMessage, HttpRequest};
use domain::page::PageRequest;
use domain::FieldError;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::middleware::RequestId;

/// Registers every documented endpoint.
pub fn configure(cfg: &mut ServiceConfig) {
    ops::configure(cfg);
    notifications::configure_pages(cfg);
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .configure(auth::configure)
            .configure(me::configure)
            .configure(invitations::configure)
            .configure(journal::configure)
            .configure(clients::configure)
            .configure(dashboard::configure)
            .configure(exercise_templates::configure)
            .configure(assignments::configure)
            .configure(habits::configure)
            .configure(habit_suggestions::configure)
            .configure(daily_check_ins::configure)
            .configure(booking::configure)
            .configure(notifications::configure)
            .configure(admin::configure),
    );
}

/// For PATCH fields that may be left out but never cleared: absent stays
/// `None` (with `#[serde(default)]`), and an explicit `null` is refused as
/// a body of the wrong shape (422) instead of meaning "unchanged".
pub fn non_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// For PATCH fields that can be cleared: absent stays `None`, an explicit
/// `null` becomes `Some(None)`.
pub fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `limit` and `cursor` of every list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(pattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn parse(&self) -> Result<PageRequest, ApiError> {
        page_request(self.limit, self.cursor.as_deref())
    }
}

/// `limit` and `cursor` of a list whose query has more parameters.
pub fn page_request(limit: Option<i64>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
    PageRequest::parse(limit, cursor).map_err(ApiError::Validation)
}

/// Collects per-field errors while parsing a body, so one response lists
/// every problem at once.
#[derive(Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    pub fn take<T>(&mut self, parsed: Result<T, FieldError>) -> Option<T> {
        parsed.map_err(|e| self.0.push(e)).ok()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn error(self) -> ApiError {
        ApiError::Validation(self.0)
    }
}

/// The id of the request, for the access and security logs.
pub fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|id| id.0.clone())
}

/// Who asked, for the security log: client address and request id.
pub fn origin(req: &HttpRequest) -> domain::audit::Origin {
    domain::audit::Origin {
        ip: req
            .app_data::<actix_web::web::Data<crate::state::AppState>>()
            .and_then(|state| state.auth.limits.client_ip(req))
            .map(|ip| ip.to_string()),
        request_id: request_id(req),
    }
}
