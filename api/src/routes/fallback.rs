//! The route table: the answer for a request no route took (405 with
//! `Allow` when the path exists under other methods, else 404), and the
//! one place that hides secrets carried in paths (a `{token}` segment)
//! before a path reaches a log line.
//!
//! Handlers registered one per method become separate actix resources, so
//! actix alone would answer a wrong method with 404. The route table is built
//! from the OpenAPI document, which lists every path and method we serve.

use std::borrow::Cow;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::openapi::OpenApi;

use crate::error::problem_for_status;

pub struct RouteTable {
    routes: Vec<(Vec<Segment>, Vec<&'static str>)>,
}

enum Segment {
    Literal(String),
    Param,
    /// A secret: a link's token.
    Secret,
}

/// How a secret path segment is written in logs.
pub const REDACTED: &str = "{token}";

impl RouteTable {
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let segments = path
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        if s == "{token}" {
                            Segment::Secret
                        } else if s.starts_with('{') && s.ends_with('}') {
                            Segment::Param
                        } else {
                            Segment::Literal(s.to_owned())
                        }
                    })
                    .collect();
                let mut methods = Vec::new();
                for (present, name) in [
                    (item.get.is_some(), "GET"),
                    (item.post.is_some(), "POST"),
                    (item.put.is_some(), "PUT"),
                    (item.patch.is_some(), "PATCH"),
                    (item.delete.is_some(), "DELETE"),
                ] {
                    if present {
                        methods.push(name);
                        if name == "GET" {
                            // HEAD is answered by the GET route.
                            methods.push("HEAD");
                        }
                    }
                }
                (segments, methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods served at `path`, or `None` when no route has that shape.
    /// A route whose every segment is literal takes the path alone
    /// (`/daily-check-ins/summary` is not `/daily-check-ins/{date}`).
    pub fn allowed(&self, path: &str) -> Option<Vec<&'static str>> {
        if let Some(methods) = self.literal(path) {
            return Some(methods);
        }
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut found: Option<Vec<&'static str>> = None;
        for (segments, methods) in &self.routes {
            let matches = segments.len() == parts.len()
                && segments.iter().zip(&parts).all(|(seg, part)| match seg {
                    Segment::Param | Segment::Secret => true,
                    Segment::Literal(lit) => lit == part,
                });
            if matches {
                let all = found.get_or_insert_with(Vec::new);
                for m in methods {
                    if !all.contains(m) {
                        all.push(m);
                    }
                }
            }
        }
        found
    }

    /// The methods of the route whose every segment is literally `path`
    /// (`/daily-check-ins/summary`, not `/daily-check-ins/{date}`).
    pub fn literal(&self, path: &str) -> Option<Vec<&'static str>> {
        let parts: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        self.routes
            .iter()
            .find(|(segments, _)| {
                segments.len() == parts.len()
                    && segments.iter().zip(&parts).all(|(seg, part)| match seg {
                        Segment::Literal(lit) => lit == part,
                        _ => false,
                    })
            })
            .map(|(_, methods)| methods.clone())
    }
}

impl RouteTable {
    /// `path` as it may be logged: the segments a route declares as
    /// `{token}` are replaced, and so is any segment that looks like a
    /// secret (32 or more hex digits) on a path no route takes.
    pub fn redact<'a>(&self, path: &'a str) -> Cow<'a, str> {
        let parts: Vec<&str> = path.split('/').collect();
        let nonempty: Vec<usize> = (0..parts.len()).filter(|i| !parts[*i].is_empty()).collect();
        let secret_positions: Vec<usize> = self
            .routes
            .iter()
            .find(|(segments, _)| {
                segments.len() == nonempty.len()
                    && segments.iter().zip(&nonempty).all(|(seg, i)| match seg {
                        Segment::Param | Segment::Secret => true,
                        Segment::Literal(lit) => lit == parts[*i],
                    })
            })
            .map(|(segments, _)| {
                segments
                    .iter()
                    .zip(&nonempty)
                    .filter(|(seg, _)| matches!(seg, Segment::Secret))
                    .map(|(_, i)| *i)
                    .collect()
            })
            .unwrap_or_else(|| {
                nonempty
                    .iter()
                    .copied()
                    .filter(|i| looks_secret(parts[*i]))
                    .collect()
            });
        if secret_positions.is_empty() {
            return Cow::Borrowed(path);
        }
        let redacted: Vec<&str> = parts
            .iter()
            .enumerate()
            .map(|(i, part)| {
                if secret_positions.contains(&i) {
                    REDACTED
                } else {
                    part
                }
            })
            .collect();
        Cow::Owned(redacted.join("/"))
    }
}

fn looks_secret(segment: &str) -> bool {
    segment.len() >= 32 && segment.bytes().all(|b| b.is_ascii_hexdigit())
}

pub async fn fallback(req: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    match routes.allowed(req.path()) {
        Some(methods) => method_not_allowed(&methods),
        None => problem_for_status(actix_web::http::StatusCode::NOT_FOUND).response(),
    }
}

/// 405 with `Allow`.
pub fn method_not_allowed(methods: &[&str]) -> HttpResponse {
    let mut res = problem_for_status(actix_web::http::StatusCode::METHOD_NOT_ALLOWED).response();
    if let Ok(value) = header::HeaderValue::from_str(&methods.join(", ")) {
        res.headers_mut().insert(header::ALLOW, value);
    }
    res
}

/// The answer when a route took the request but its path parameters do
/// not parse: 404 (a malformed id names nothing), except on a path that is
/// another route's literal path under other methods (`PUT
/// /daily-check-ins/summary` reached `PUT /daily-check-ins/{date}`): 405.
pub fn unparsed_path(req: &HttpRequest) -> HttpResponse {
    let literal = req
        .app_data::<web::Data<RouteTable>>()
        .and_then(|routes| routes.literal(req.path()));
    match literal {
        Some(methods) if !methods.contains(&req.method().as_str()) => method_not_allowed(&methods),
        _ => problem_for_status(actix_web::http::StatusCode::NOT_FOUND).response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_segments_are_redacted_in_every_path_that_carries_one() {
        let table = RouteTable::from_openapi(&crate::openapi::document());
        let token = "ab".repeat(32);
        assert_eq!(
            table.redact(&format!("/api/v1/invitations/{token}/accept")),
            "/api/v1/invitations/{token}/accept"
        );
        assert_eq!(
            table.redact(&format!("/api/v1/invitations/{token}/elsewhere")),
            "/api/v1/invitations/{token}/elsewhere"
        );
        let entry = "/api/v1/journal/entries/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
        assert_eq!(table.redact(entry), entry);
        assert_eq!(table.redact("/healthz"), "/healthz");
    }
}
