//! Every error the API sends, in one place, as `application/problem+json`
//! (RFC 9457).
//!
//! Handlers return [`ApiError`]. Errors raised outside handlers (unknown
//! routes, wrong methods, bodies too large, malformed JSON) are turned into
//! the same [`Problem`] shape by [`problem_for_status`] and the extractor
//! configs in [`crate::startup`]. Causes are logged; clients get the detail.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use domain::{DomainError, FieldError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// Every `code` a problem can carry (the document lists them as an enum; a
/// test finds every code in the source and checks it is here).
pub const PROBLEM_CODES: &[&str] = &[
    "bad_request",
    "malformed_json",
    "invalid_query",
    "invalid_body",
    "invalid_idempotency_key",
    "invalid_if_match",
    "invalid_token",
    "unauthorized",
    "missing_token",
    "session_ended",
    "invalid_credentials",
    "invalid_refresh_token",
    "metrics_token_required",
    "forbidden",
    "wrong_role",
    "signup_disabled",
    "email_not_verified",
    "not_found",
    "method_not_allowed",
    "not_acceptable",
    "email_taken",
    "no_therapist",
    "not_a_question",
    "invitation_not_pending",
    "cannot_disable_self",
    "starter_template",
    "template_archived",
    "assignment_ended",
    "assignment_not_active",
    "already_decided",
    "slug_taken",
    "slot_taken",
    "hold_pending",
    "consultations_not_offered",
    "consultation_not_live",
    "consultation_changed",
    "idempotency_key_reused",
    "version_mismatch",
    "payload_too_large",
    "unsupported_media_type",
    "uri_too_long",
    "headers_too_large",
    "validation_failed",
    "form_expired",
    "rate_limited",
    "internal_error",
    "unavailable",
    "database_unavailable",
    "not_ready",
    "error",
];

/// Every `code` of a per-field message.
pub const FIELD_ERROR_CODES: &[&str] = &[
    "required",
    "invalid",
    "too_short",
    "too_long",
    "too_weak",
    "too_many",
    "out_of_range",
    "in_past",
    "in_future",
    "expired",
    "not_allowed",
    "wrong",
];

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type.
    #[serde(rename = "type")]
    #[schema(example = "about:blank")]
    pub kind: String,
    /// A short summary of the problem type.
    #[schema(example = "Not Found")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 404)]
    pub status: u16,
    /// A stable machine-readable code; switch on this, not on `title` or `detail`.
    #[schema(example = "not_found")]
    pub code: String,
    /// A human-readable explanation of this occurrence.
    #[schema(example = "No resource at this address.")]
    pub detail: String,
    /// One message per invalid field (validation failures only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(status: StatusCode, code: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            code: code.into(),
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn response(&self) -> HttpResponse {
        HttpResponse::build(self.status())
            .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
            .json(self)
    }
}

/// The problem for an error response that no handler described: used for
/// routing, method, size and media-type errors raised by the framework.
pub fn problem_for_status(status: StatusCode) -> Problem {
    let (code, detail) = match status {
        StatusCode::BAD_REQUEST => ("bad_request", "The request could not be understood."),
        StatusCode::UNAUTHORIZED => ("unauthorized", "Authentication is required."),
        StatusCode::FORBIDDEN => ("forbidden", "You may not do this."),
        StatusCode::NOT_FOUND => ("not_found", "No resource at this address."),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "This resource does not support this method; see the Allow header.",
        ),
        StatusCode::NOT_ACCEPTABLE => ("not_acceptable", "This resource answers in JSON only."),
        StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "The request body is too large."),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "Send the body as application/json.",
        ),
        StatusCode::URI_TOO_LONG => ("uri_too_long", "The request URI is too long."),
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
            ("headers_too_large", "The request headers are too large.")
        }
        StatusCode::SERVICE_UNAVAILABLE => (
            "unavailable",
            "The service is unavailable; try again shortly.",
        ),
        s if s.is_server_error() => ("internal_error", "Something went wrong on our side."),
        _ => ("error", "The request failed."),
    };
    Problem::new(status, code, detail)
}

/// The error type of every handler.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String },
    #[error("{detail}")]
    Unavailable { code: &'static str, detail: String },
    /// No, a malformed, expired or revoked token: 401 with `WWW-Authenticate`.
    #[error("{detail}")]
    Unauthorized { code: &'static str, detail: String },
    /// A write against a version that is no longer current (`If-Match`).
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn problem(&self) -> Problem {
        match self {
            Self::NotFound => problem_for_status(StatusCode::NOT_FOUND),
            Self::Validation(errors) => Problem {
                errors: errors.clone(),
                ..Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "validation_failed",
                    "Some fields are invalid; see `errors`.",
                )
            },
            Self::BadRequest { code, detail } => {
                Problem::new(StatusCode::BAD_REQUEST, *code, detail)
            }
            Self::Conflict { code, detail } => Problem::new(StatusCode::CONFLICT, *code, detail),
            Self::Forbidden { code, detail } => Problem::new(StatusCode::FORBIDDEN, *code, detail),
            Self::Unavailable { code, detail } => {
                Problem::new(StatusCode::SERVICE_UNAVAILABLE, *code, detail)
            }
            Self::Unauthorized { code, detail } => {
                Problem::new(StatusCode::UNAUTHORIZED, *code, detail)
            }
            Self::PreconditionFailed => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "version_mismatch",
                "The resource changed since you read it; fetch it again and reapply your change.",
            ),
            Self::TooManyRequests { retry_after_secs } => Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("Too many attempts; try again in {retry_after_secs} seconds."),
            ),
            Self::Internal(_) => problem_for_status(StatusCode::INTERNAL_SERVER_ERROR),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(err: DomainError) -> Self {
        match err {
            DomainError::NotFound => Self::NotFound,
            DomainError::Validation(errors) => Self::Validation(errors),
            DomainError::BadRequest { code, detail } => Self::BadRequest { code, detail },
            DomainError::Conflict { code, detail } => Self::Conflict { code, detail },
            DomainError::PreconditionFailed => Self::PreconditionFailed,
            DomainError::Forbidden { code, detail } => Self::Forbidden { code, detail },
            DomainError::Pool(e) => {
                tracing::warn!(error = %e, "no database connection available");
                Self::Unavailable {
                    code: "database_unavailable",
                    detail: "The database is unavailable; try again shortly.".into(),
                }
            }
            other => Self::Internal(anyhow::Error::new(other)),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        DomainError::from(err).into()
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.problem().status()
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            // The chain goes to the log only; the client gets a plain detail.
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let mut response = self.problem().response();
        match self {
            Self::Forbidden { code, .. } => {
                tracing::warn!(target: "security", code, "request denied");
            }
            Self::Unauthorized { code, .. } => {
                let challenge = if *code == "missing_token" {
                    "Bearer realm=\"between\"".to_owned()
                } else {
                    format!("Bearer realm=\"between\", error=\"invalid_token\", error_description=\"{code}\"")
                };
                if let Ok(value) = header::HeaderValue::from_str(&challenge) {
                    response
                        .headers_mut()
                        .insert(header::WWW_AUTHENTICATE, value);
                }
            }
            Self::TooManyRequests { retry_after_secs } => {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    header::HeaderValue::from(*retry_after_secs),
                );
            }
            _ => {}
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The string arguments at `position` of every call to `function` in `code`.
    fn literal_arguments(code: &str, function: &str, position: usize) -> Vec<String> {
        let mut found = Vec::new();
        let mut rest = code;
        while let Some(at) = rest.find(function) {
            rest = &rest[at + function.len()..];
            let (mut depth, mut args, mut current) = (1, Vec::new(), String::new());
            let mut in_string = false;
            for c in rest.chars() {
                match c {
                    '"' => in_string = !in_string,
                    '(' if !in_string => depth += 1,
                    ')' if !in_string => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if !in_string && depth == 1 => {
                        args.push(std::mem::take(&mut current));
                        continue;
                    }
                    _ => {}
                }
                current.push(c);
            }
            args.push(current);
            if let Some(arg) = args.get(position).map(|a| a.trim()) {
                if let Some(literal) = arg.strip_prefix('"').and_then(|a| a.strip_suffix('"')) {
                    found.push(literal.to_owned());
                }
            }
        }
        found
    }

    fn sources() -> String {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut all = String::new();
        let mut stack = vec![root.join("api/src"), root.join("domain/src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    all.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
                }
            }
        }
        all
    }

    #[test]
    fn every_code_in_the_source_is_in_the_published_lists() {
        let code = sources();
        // Codes that never leave the service: replaced before answering, or
        // used by the command line only.
        let internal = ["idempotency_race", "job_not_retryable"];
        let mut problems: Vec<String> = code
            .match_indices("code: \"")
            .map(|(at, _)| {
                code[at + 7..]
                    .split('"')
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect();
        problems.extend(literal_arguments(&code, "Problem::new(", 1));
        for status in 100..600 {
            if let Ok(status) = StatusCode::from_u16(status) {
                problems.push(problem_for_status(status).code);
            }
        }
        problems.retain(|c| !internal.contains(&c.as_str()) && !c.is_empty());
        for problem in &problems {
            assert!(PROBLEM_CODES.contains(&problem.as_str()), "{problem}");
        }
        assert!(
            problems.len() > 20,
            "the scan finds the codes: {problems:?}"
        );
        let mut fields = literal_arguments(&code, "FieldError::new(", 1);
        fields.extend(literal_arguments(&code, "DomainError::invalid(", 1));
        for field in &fields {
            assert!(FIELD_ERROR_CODES.contains(&field.as_str()), "{field}");
        }
        assert!(
            fields.len() > 10,
            "the scan finds the field codes: {fields:?}"
        );
    }
}
