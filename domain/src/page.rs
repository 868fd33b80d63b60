//! The list envelope every list endpoint answers with, and cursor paging.
//!
//! Lists are ordered by id (UUIDv7, so by creation time), newest first; the
//! cursor is the id of the last item of the page.

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::FieldError;

/// One page of a list in a stable order.
///
/// Pass `next_cursor` back as `cursor` to get the next page; it is `null` on
/// the last page. Cursors are opaque: do not build or parse them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    #[schema(example = json!(null))]
    pub next_cursor: Option<String>,
}

/// The default and the largest `limit` a list accepts.
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// A parsed `limit` and `cursor`.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: i64,
    pub after: Option<uuid::Uuid>,
}

impl PageRequest {
    pub fn parse(limit: Option<i64>, cursor: Option<&str>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                "out_of_range",
                format!("must be from 1 to {MAX_LIMIT}"),
            ));
        }
        // Only cursors this service hands out: lower-case hyphenated ids.
        let canonical = |c: &str| {
            uuid::Uuid::parse_str(c)
                .ok()
                .filter(|id| id.hyphenated().to_string() == c)
        };
        let after = match cursor {
            None => None,
            Some(c) => match canonical(c) {
                Some(id) => Some(id),
                None => {
                    errors.push(FieldError::new(
                        "cursor",
                        "invalid",
                        "is not a cursor from this list",
                    ));
                    None
                }
            },
        };
        if errors.is_empty() {
            Ok(Self { limit, after })
        } else {
            Err(errors)
        }
    }

    /// How many rows to fetch: one more than the page, to know if more follow.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The rows a page shows: all but the look-ahead row.
    pub fn shown<'a, R>(&self, rows: &'a [R]) -> &'a [R] {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        &rows[..rows.len().min(limit)]
    }

    /// Builds the page from up to `fetch()` rows in list order.
    pub fn page<R, T>(
        &self,
        mut rows: Vec<R>,
        id: impl Fn(&R) -> uuid::Uuid,
        map: impl FnMut(R) -> T,
    ) -> Page<T> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let next_cursor = if rows.len() > limit {
            rows.truncate(limit);
            rows.last().map(|r| id(r).to_string())
        } else {
            None
        };
        Page {
            items: rows.into_iter().map(map).collect(),
            next_cursor,
        }
    }
}
