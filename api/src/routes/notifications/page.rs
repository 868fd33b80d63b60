//! The page behind a reminder's unsubscribe link, and the RFC 8058
//! one-click target. A GET only shows what would be turned off (mail
//! scanners follow links; a GET never unsubscribes); the button, and a mail
//! client's one-click, POST `List-Unsubscribe=One-Click` (form-encoded or
//! multipart, no cookies, no auth) and get 200 without a redirect. That
//! form has no anti-forgery token, unlike the other pages': RFC 8058 has
//! the target take cookie-less posts, and the signed token in the URL is
//! what authorises it. The pages share one layout and stylesheet
//! ([`crate::pages`]).

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde_json::json;

use super::UnsubscribeView;
use crate::error::{ApiError, Problem};
use crate::pages::Pages;
use crate::state::AppState;

/// The one-click body (RFC 8058): `List-Unsubscribe=One-Click`.
pub struct OneClickForm;

impl utoipa::PartialSchema for OneClickForm {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .property(
                "List-Unsubscribe",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["One-Click"])),
            )
            .required("List-Unsubscribe")
            .description(Some(
                "RFC 8058's one-click body; multipart/form-data with the same field is accepted too.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for OneClickForm {}

/// The unsubscribe page: what the link would turn off, and a button.
///
/// Shows; never changes anything (mail scanners follow links). The button
/// POSTs `List-Unsubscribe=One-Click` to this same URL.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "get_unsubscribe_page",
    params(("token" = String, Path, description = "The token of the unsubscribe link", pattern = "^[0-9a-f]{70}$")),
    responses(
        (status = 200, description = "An HTML page with a button that turns the reminders off", content_type = "text/html", body = String),
        (status = 404, description = "No such link", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/unsubscribe/{token}")]
pub async fn get_page(
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = super::unsubscribe_by(&state, &token, false).await?;
    if view.turned_off {
        let line = format!("You no longer get {}.", view.description);
        return pages.message(StatusCode::OK, "Already turned off", &[line.as_str()], &[]);
    }
    pages.render(
        StatusCode::OK,
        "pages/unsubscribe.html",
        "Turn off these emails?",
        json!({"description": view.description}),
        None,
    )
}

/// One-click unsubscribe (RFC 8058).
///
/// The body must be `List-Unsubscribe=One-Click`, form-encoded or as a
/// multipart form field; anything else is refused (`invalid_body`) and
/// changes nothing. Answers 200 with a short HTML page, never a redirect.
#[utoipa::path(
    tag = super::TAG,
    operation_id = "post_unsubscribe_page",
    params(("token" = String, Path, description = "The token of the unsubscribe link", pattern = "^[0-9a-f]{70}$")),
    request_body(content = OneClickForm, content_type = "application/x-www-form-urlencoded", description = "`List-Unsubscribe=One-Click` (multipart/form-data with that field is accepted too)"),
    responses(
        (status = 200, description = "Turned off; a short HTML page", content_type = "text/html", body = String),
        (status = 400, description = "The body is not `List-Unsubscribe=One-Click` (`invalid_body`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such link", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/unsubscribe/{token}")]
pub async fn post_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    token: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !is_one_click(content_type, &body) {
        return Err(ApiError::BadRequest {
            code: "invalid_body",
            detail: "The body must be List-Unsubscribe=One-Click (form-encoded or multipart)."
                .into(),
        });
    }
    let view: UnsubscribeView = super::unsubscribe_by(&state, &token, true).await?;
    let line = format!(
        "You will no longer get {}. You can turn it back on in your settings.",
        view.description
    );
    pages.message(StatusCode::OK, "Turned off", &[line.as_str()], &[])
}

/// Whether a body says `List-Unsubscribe=One-Click`.
fn is_one_click(content_type: &str, body: &[u8]) -> bool {
    let media = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match media.as_str() {
        "application/x-www-form-urlencoded" => {
            serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).is_ok_and(|pairs| {
                pairs
                    .iter()
                    .any(|(k, v)| k == "List-Unsubscribe" && v == "One-Click")
            })
        }
        "multipart/form-data" => {
            boundary(content_type).is_some_and(|b| multipart_has_one_click(body, &b))
        }
        _ => false,
    }
}

fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty() && b.len() <= 200)
    })
}

/// Whether a multipart body has a field `List-Unsubscribe` whose value is
/// `One-Click`.
fn multipart_has_one_click(body: &[u8], boundary: &str) -> bool {
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    let delimiter = format!("--{boundary}");
    text.split(delimiter.as_str()).any(|part| {
        let Some((headers, value)) = part
            .split_once("\r\n\r\n")
            .or_else(|| part.split_once("\n\n"))
        else {
            return false;
        };
        let named = headers.lines().any(|line| {
            let line = line.to_ascii_lowercase();
            line.starts_with("content-disposition:")
                && line.contains("form-data")
                && line.contains("name=\"list-unsubscribe\"")
        });
        named && value.trim_end_matches(['\r', '\n', '-']).trim() == "One-Click"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_click_bodies_are_recognised_and_nothing_else() {
        let form = "application/x-www-form-urlencoded";
        assert!(is_one_click(form, b"List-Unsubscribe=One-Click"));
        assert!(is_one_click(
            "application/x-www-form-urlencoded; charset=utf-8",
            b"List-Unsubscribe=One-Click"
        ));
        assert!(!is_one_click(form, b"List-Unsubscribe=No"));
        assert!(!is_one_click(form, b""));
        assert!(!is_one_click("text/plain", b"List-Unsubscribe=One-Click"));
        let multipart = "multipart/form-data; boundary=XyZ";
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        assert!(is_one_click(multipart, body.as_bytes()));
        let other = "--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nOne-Click\r\n--XyZ--\r\n";
        assert!(!is_one_click(multipart, other.as_bytes()));
        assert!(!is_one_click("multipart/form-data", body.as_bytes()));
    }
}
