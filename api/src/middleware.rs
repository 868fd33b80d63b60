//! The middleware every request passes through: request id, structured
//! request log, metrics, security headers, and problem+json for every error
//! the framework raised without a body of ours.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};
use tracing::Instrument;

use crate::error::{problem_for_status, PROBLEM_JSON};
use crate::metrics::Metrics;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Swagger UI sets style attributes on what it draws and shows data: icons.
pub const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The id of the current request, in request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// An incoming id is kept when it is short and plain; otherwise a new one is made.
fn accept_request_id(value: Option<&HeaderValue>) -> String {
    value
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 128
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
        })
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

pub async fn observe(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = accept_request_id(req.headers().get(&REQUEST_ID));
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let method = req.method().to_string();
    // HEAD is answered by the GET route: the HTTP codec remembers the
    // request was HEAD and sends the headers (Content-Length included)
    // without the body.
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let path = match req.app_data::<web::Data<crate::routes::fallback::RouteTable>>() {
        Some(routes) => routes.redact(req.path()).into_owned(),
        None => crate::routes::fallback::REDACTED.to_owned(),
    };
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %method,
        path = %path,
    );
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    // Handlers and extractors turn their errors into responses; an `Err` here
    // comes from a middleware (CORS) and is rendered by actix itself.
    let (res, queries) =
        crate::metrics::counting_queries(next.call(req).instrument(span.clone())).await;
    let res = res?;
    let mut res = problem_if_bare_error(res.map_into_boxed_body());

    let is_api = res.request().path().starts_with("/api/");
    let is_docs = res.request().path().starts_with("/docs");
    let headers = res.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        headers.insert(REQUEST_ID, value);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if is_docs {
        // The docs load their scripts and styles from here only, and no
        // other site may frame them.
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }

    let status = res.status().as_u16();
    let elapsed = started.elapsed();
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    if let Some(metrics) = metrics {
        metrics.observe(&method, &route, status, elapsed.as_secs_f64(), queries);
    }
    span.in_scope(|| {
        tracing::info!(
            status,
            route = %route,
            latency_ms = elapsed.as_secs_f64() * 1000.0,
            queries,
            "request finished"
        );
    });
    Ok(res)
}

/// Rewrites an error response that does not already carry a problem document
/// (404 for an unknown route, 405, 413, 415 …) into one, keeping its headers
/// such as `Allow` and `Retry-After`.
fn problem_if_bare_error(res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON));
    // A page's own answer (a plain-language error page for a person).
    let is_page = res
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .is_some_and(|v| v == crate::pages::PAGE_CSP);
    if is_problem || is_page {
        return res;
    }
    if let Some(err) = res.response().error() {
        tracing::debug!(error = %err, "framework error answered as problem+json");
    }
    let mut problem = problem_for_status(status).response();
    // Headers that describe the old body (its type, length, encoding) do
    // not describe the new one.
    let describes_body = [
        header::CONTENT_TYPE,
        header::CONTENT_LENGTH,
        header::CONTENT_ENCODING,
        header::TRANSFER_ENCODING,
    ];
    for (name, value) in res.headers() {
        if !describes_body.contains(name) {
            problem.headers_mut().append(name.clone(), value.clone());
        }
    }
    res.into_response(problem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_request_ids_are_kept_and_others_replaced() {
        let kept = HeaderValue::from_static("abc-123_x.y");
        assert_eq!(accept_request_id(Some(&kept)), "abc-123_x.y");
        let hostile = HeaderValue::from_static("abc def\"<script>");
        assert_ne!(accept_request_id(Some(&hostile)), "abc def\"<script>");
        assert_eq!(accept_request_id(None).len(), 36);
    }
}
