//! Anti-forgery for the pages' forms: a signed double-submit token.
//!
//! A page that shows a form sets a random cookie (HttpOnly, SameSite=Strict,
//! Secure when the service is on https) once, and puts the HMAC of its value
//! (keyed with the service's secret) in the form. A POST is taken only when
//! the form's token is the HMAC of the cookie it came with, and the browser
//! does not say it came from another site (`Sec-Fetch-Site`). Another site
//! can neither read the cookie nor forge the HMAC, and a strict cookie is
//! not sent with its requests at all.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;

use crate::error::ApiError;
use crate::state::AppState;

pub const COOKIE: &str = "between_form";
const PURPOSE: &str = "between page form";

/// The form token of this visitor, and the cookie to set when they had
/// none (or a malformed one).
pub fn issue(state: &AppState, req: &HttpRequest) -> (String, Option<Cookie<'static>>) {
    let existing = req
        .cookie(COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| well_formed(v));
    let (value, fresh) = match existing {
        Some(value) => (value, None),
        None => {
            let value = domain::secret::random_hex(32);
            (value.clone(), Some(cookie(state, value)))
        }
    };
    (token_of(state, &value), fresh)
}

/// The refusal of a form that did not come from one of the pages (403,
/// with a page that says to reload).
pub fn refused() -> ApiError {
    ApiError::Forbidden {
        code: "form_expired",
        detail: "The form did not come from this page; reload it and try again.".into(),
    }
}

/// Refuses a form that did not come from one of the pages.
pub fn check(state: &AppState, req: &HttpRequest, sent: &str) -> Result<(), ApiError> {
    let forbidden = refused;
    let cross_site = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site.eq_ignore_ascii_case("cross-site"));
    if cross_site {
        return Err(forbidden());
    }
    let Some(value) = req
        .cookie(COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| well_formed(v))
    else {
        return Err(forbidden());
    };
    if domain::secret::same(&token_of(state, &value), sent) {
        Ok(())
    } else {
        Err(forbidden())
    }
}

fn well_formed(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

fn token_of(state: &AppState, value: &str) -> String {
    domain::secret::keyed_digest(state.config.jwt_secret.expose().as_bytes(), PURPOSE, value)
}

fn cookie(state: &AppState, value: String) -> Cookie<'static> {
    Cookie::build(COOKIE, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.public_base_url.starts_with("https://"))
        .finish()
}
