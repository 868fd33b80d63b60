//! Small server-rendered pages behind the links the service emails (verify
//! an address, accept an invitation, reset a password, confirm, manage a
//! consultation) and the therapist's public booking page, so an install
//! without a front end works end to end.
//!
//! Each page calls the very function its API operation calls (no rule is
//! written twice) and answers problems in plain language, next to the
//! field they concern. Forms carry an anti-forgery token ([`csrf`]); every
//! page is sent with a strict Content-Security-Policy (its own stylesheet
//! and script only), `Referrer-Policy: no-referrer` (tokens travel in
//! these URLs) and `no-store`. A GET never changes anything: mail scanners
//! follow links.

mod account;
mod booking;
pub mod csrf;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use minijinja::Environment;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::ApiError;

/// The pages' policy: their own stylesheet, script and forms, nothing else.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const TEMPLATES: &[(&str, &str)] = &[
    (
        "pages/layout.html",
        include_str!("../mail/templates/pages/layout.html"),
    ),
    (
        "pages/message.html",
        include_str!("../mail/templates/pages/message.html"),
    ),
    (
        "pages/zone_field.html",
        include_str!("../mail/templates/pages/zone_field.html"),
    ),
    (
        "pages/slots.html",
        include_str!("../mail/templates/pages/slots.html"),
    ),
    (
        "pages/verify_email.html",
        include_str!("../mail/templates/pages/verify_email.html"),
    ),
    (
        "pages/accept_invitation.html",
        include_str!("../mail/templates/pages/accept_invitation.html"),
    ),
    (
        "pages/reset_password.html",
        include_str!("../mail/templates/pages/reset_password.html"),
    ),
    (
        "pages/confirm_consultation.html",
        include_str!("../mail/templates/pages/confirm_consultation.html"),
    ),
    (
        "pages/manage_consultation.html",
        include_str!("../mail/templates/pages/manage_consultation.html"),
    ),
    (
        "pages/book.html",
        include_str!("../mail/templates/pages/book.html"),
    ),
    (
        "pages/unsubscribe.html",
        include_str!("../mail/templates/pages/unsubscribe.html"),
    ),
];

const STYLESHEET: &str = include_str!("../mail/templates/pages/pages.css");
const SCRIPT: &str = include_str!("../mail/templates/pages/pages.js");

/// The rendered pages: templates, the practice's name and the stylesheet
/// in its accent colour.
pub struct Pages {
    env: Environment<'static>,
    practice_name: String,
    stylesheet: String,
    icon: String,
}

impl Pages {
    pub fn new(practice_name: &str, accent: &str) -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        let stylesheet = STYLESHEET.replace("{{ accent }}", accent);
        let icon = format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="14" fill="{accent}"/></svg>"#
        );
        Ok(Self {
            env,
            practice_name: practice_name.to_owned(),
            stylesheet,
            icon,
        })
    }

    /// Renders `template` with `context` (plus the practice's name) as a
    /// page with `status`.
    pub fn render(
        &self,
        status: StatusCode,
        template: &str,
        title: &str,
        mut context: Value,
        cookie: Option<actix_web::cookie::Cookie<'static>>,
    ) -> Result<HttpResponse, ApiError> {
        context["title"] = json!(title);
        context["practice_name"] = json!(self.practice_name);
        let html = self
            .env
            .get_template(template)
            .and_then(|t| t.render(&context))
            .map_err(|e| {
                // Not `{e:#}`: its debug view lists the values the template
                // saw, a link's token among them.
                ApiError::Internal(anyhow::anyhow!("page {template}: {e}"))
            })?;
        let mut response = HttpResponse::build(status);
        response
            .insert_header((header::CONTENT_TYPE, "text/html; charset=utf-8"))
            .insert_header((header::CONTENT_SECURITY_POLICY, PAGE_CSP))
            .insert_header((header::REFERRER_POLICY, "no-referrer"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::X_FRAME_OPTIONS, "DENY"));
        if let Some(cookie) = cookie {
            response.cookie(cookie);
        }
        Ok(response.body(html))
    }

    /// A page of a few sentences (and optional details).
    pub fn message(
        &self,
        status: StatusCode,
        title: &str,
        lines: &[&str],
        details: &[(&str, String)],
    ) -> Result<HttpResponse, ApiError> {
        let details: Vec<Value> = details
            .iter()
            .map(|(label, value)| json!({"label": label, "value": value}))
            .collect();
        self.render(
            status,
            "pages/message.html",
            title,
            json!({"lines": lines, "details": details}),
            None,
        )
    }

    /// The page for an error no form can fix, in plain language.
    pub fn failure(&self, error: &ApiError) -> Result<HttpResponse, ApiError> {
        let (status, title, line) = plain(error);
        self.message(status, title, &[line], &[])
    }
}

/// What a problem means to someone who followed a link.
fn plain(error: &ApiError) -> (StatusCode, &'static str, &'static str) {
    match error {
        ApiError::NotFound | ApiError::BadRequest { .. } => (
            StatusCode::NOT_FOUND,
            "This link no longer works",
            "It may have been used already, or it has expired. Ask for a new email, or open the newest one you have.",
        ),
        ApiError::TooManyRequests { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            "Please wait a moment",
            "There were too many attempts from your network. Wait a minute, then try again.",
        ),
        ApiError::Conflict { code: "slot_taken", .. } => (
            StatusCode::CONFLICT,
            "That time was just taken",
            "Someone else booked it a moment ago. Go back and choose another time.",
        ),
        ApiError::Conflict { code: "consultations_not_offered", .. } => (
            StatusCode::CONFLICT,
            "No consultations right now",
            "This practice does not offer free consultations at the moment.",
        ),
        ApiError::Conflict { .. } => (
            StatusCode::CONFLICT,
            "That did not work",
            "Something changed while you were on this page. Go back, reload it and try again.",
        ),
        ApiError::Forbidden { .. } => (
            StatusCode::FORBIDDEN,
            "This form has expired",
            "For your safety, forms work only from the page that showed them. Go back, reload the page and try again.",
        ),
        ApiError::Unavailable { .. } => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Please try again shortly",
            "The service is busy or being updated. Try again in a minute.",
        ),
        _ => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong on our side",
            "Nothing was changed. Please try again in a moment.",
        ),
    }
}

/// Field problems as a page shows them: a summary at the top (each one a
/// link to its field) and the same message under the field.
#[derive(Debug, Default, Serialize)]
pub struct Problems {
    pub summary: Vec<Value>,
    pub by_field: serde_json::Map<String, Value>,
}

impl Problems {
    /// From the API's field errors; `labels` names each field as the page
    /// does ("Your name: must not be empty").
    pub fn of(errors: &[domain::FieldError], labels: &[(&str, &str)]) -> Self {
        let mut problems = Self::default();
        for e in errors {
            let label = labels
                .iter()
                .find(|(field, _)| *field == e.field)
                .map(|(_, label)| *label);
            let message = match label {
                Some(label) => format!("{label}: {}", e.message),
                None => e.message.clone(),
            };
            let field = label.map(|_| e.field.clone());
            if let Some(field) = &field {
                problems
                    .by_field
                    .entry(field.clone())
                    .or_insert_with(|| json!(message));
            }
            problems
                .summary
                .push(json!({"field": field, "message": message}));
        }
        problems
    }
}

/// Every IANA zone name, for the zone pickers.
pub fn zones() -> Vec<&'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect()
}

/// Where the pages and their assets are served.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/assets/pages.css", web::get().to(stylesheet))
        .route("/assets/pages.js", web::get().to(script))
        .route("/assets/icon.svg", web::get().to(icon));
    account::configure(cfg);
    booking::configure(cfg);
}

async fn stylesheet(pages: web::Data<Pages>) -> HttpResponse {
    asset("text/css; charset=utf-8", pages.stylesheet.clone())
}

async fn icon(pages: web::Data<Pages>) -> HttpResponse {
    asset("image/svg+xml", pages.icon.clone())
}

async fn script() -> HttpResponse {
    asset("text/javascript; charset=utf-8", SCRIPT.to_owned())
}

fn asset(content_type: &'static str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, content_type))
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(body)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_page_renders_and_escapes_what_it_is_given() {
        let pages = Pages::new("Harbour <Practice>", "#2f6f5e").unwrap();
        let evil = "<script>alert(1)</script>";
        for (template, _) in TEMPLATES {
            if template.ends_with("layout.html")
                || template.ends_with("zone_field.html")
                || template.ends_with("slots.html")
            {
                continue;
            }
            let context = json!({
                "csrf": evil, "token": evil, "therapist_name": evil, "zones": ["Europe/Berlin"],
                "default_zone": "Europe/Berlin", "zone": "Europe/Berlin", "values": {"name": evil},
                "errors": {}, "problems": [{"field": "name", "message": evil}], "lines": [evil],
                "details": [], "days": [{"label": "Monday", "slots": [{"value": "v", "label": "09:00"}]}],
                "profile": {"slug": "dr-a", "display_name": evil, "bio": evil}, "duration": 15,
                "view": {"therapist_name": evil, "time_zone": "Europe/Berlin"}, "when": evil,
                "changes_until": evil, "span_days": 7, "legend": "Open times",
                "paging": {"earlier": null, "later": "/book/dr-a?from=2026-12-14"},
            });
            let page = pages
                .render(StatusCode::OK, template, evil, context, None)
                .unwrap();
            let body = actix_web::body::to_bytes(page.into_body());
            let body = futures_util::FutureExt::now_or_never(body)
                .unwrap()
                .unwrap();
            let html = String::from_utf8(body.to_vec()).unwrap();
            assert!(!html.contains("<script>alert"), "{template} escapes");
            assert!(html.contains("Harbour &lt;Practice&gt;"), "{template}");
            assert!(html.contains("lang=\"en\""), "{template}");
        }
    }

    #[test]
    fn field_problems_name_their_field_and_link_to_it() {
        let errors = vec![
            domain::FieldError::new("password", "too_short", "must be at least 10 characters"),
            domain::FieldError::new("other", "invalid", "is odd"),
        ];
        let problems = Problems::of(&errors, &[("password", "Password")]);
        assert_eq!(
            problems.by_field["password"],
            "Password: must be at least 10 characters"
        );
        assert_eq!(problems.summary[0]["field"], "password");
        assert!(problems.summary[1]["field"].is_null());
    }
}
