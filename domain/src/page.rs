//! The list envelope every list endpoint answers with.

use serde::Serialize;
use utoipa::ToSchema;

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
pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;
