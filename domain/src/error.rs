//! The one error type of the domain.
//!
//! Use [`DomainError::NotFound`] both for "does not exist" and "not yours":
//! callers must not be able to tell the two apart. Validation failures carry
//! one message per field so front ends can show them next to the input.

use serde::Serialize;
use utoipa::ToSchema;

/// A message about one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as named in the request body or query (dotted for nested fields).
    #[schema(example = "email")]
    pub field: String,
    /// A stable machine-readable reason.
    #[schema(example = "invalid")]
    pub code: String,
    /// A human-readable message.
    #[schema(example = "must be an email address")]
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("not found")]
    NotFound,
    #[error("invalid input")]
    Validation(Vec<FieldError>),
    /// The request cannot be honoured as sent (e.g. a used or expired link).
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("{detail}")]
    Forbidden { code: &'static str, detail: String },
    /// The object changed since the caller read it (optimistic concurrency).
    #[error("stale version")]
    PreconditionFailed,
    #[error("database error")]
    Database(#[from] diesel::result::Error),
    #[error("no database connection available")]
    Pool(#[from] r2d2::Error),
    #[error("{0}")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
