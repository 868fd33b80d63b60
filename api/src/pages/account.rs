//! The account pages: verify an address, accept an invitation, reset a
//! password. Each POST calls the function its API operation calls.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::accounts::tokens::{self, Purpose};
use serde::Deserialize;
use serde_json::json;

use super::{csrf, zones, Pages, Problems};
use crate::error::ApiError;
use crate::routes::auth::post_password_reset_confirm;
use crate::routes::auth::post_verify_email;
use crate::routes::invitations::post_invitation_accept::{self, AcceptInvitation};
use crate::state::AppState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/verify-email", web::get().to(verify_page))
        .route("/verify-email", web::post().to(verify_submit))
        .route("/accept-invitation", web::get().to(accept_page))
        .route("/accept-invitation", web::post().to(accept_submit))
        .route("/reset-password", web::get().to(reset_page))
        .route("/reset-password", web::post().to(reset_submit));
}

/// The `token` of a link, if it has the shape of one.
pub(super) fn link_token(raw: Option<&str>) -> Option<String> {
    raw.filter(|t| t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_owned)
}

/// The `token` query parameter of the request.
pub(super) fn query_token(req: &HttpRequest) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).ok()?;
    let token = pairs
        .into_iter()
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v);
    link_token(token.as_deref())
}

/// A form body, or `None` when it does not have the form's shape.
pub(super) fn form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    serde_urlencoded::from_bytes(body).ok()
}

/// Runs a page handler; an error no form can fix becomes its plain page.
pub(super) fn answer(
    pages: &Pages,
    result: Result<HttpResponse, ApiError>,
) -> Result<HttpResponse, ApiError> {
    match result {
        Ok(page) => Ok(page),
        Err(ApiError::Internal(e)) => {
            tracing::error!(error = %e, "a page failed");
            pages.failure(&ApiError::Internal(e))
        }
        Err(e) => pages.failure(&e),
    }
}

/// A link that does not (or no longer) opens anything.
pub(super) fn expired() -> ApiError {
    ApiError::NotFound
}

#[derive(Deserialize)]
struct TokenForm {
    csrf: String,
    token: String,
}

/// The link's token from a form that holds nothing else, once the form is
/// known to come from the page that showed it.
pub(super) fn posted_token(
    state: &AppState,
    req: &HttpRequest,
    body: &[u8],
) -> Result<String, ApiError> {
    let sent: TokenForm = form(body).ok_or_else(csrf::refused)?;
    csrf::check(state, req, &sent.csrf)?;
    link_token(Some(&sent.token)).ok_or_else(expired)
}

/// A page whose form is one button that posts the link's token back.
pub(super) fn button_page(
    state: &AppState,
    req: &HttpRequest,
    pages: &Pages,
    template: &str,
    title: &str,
    token: &str,
) -> Result<HttpResponse, ApiError> {
    let (csrf, cookie) = csrf::issue(state, req);
    pages.render(
        StatusCode::OK,
        template,
        title,
        json!({"csrf": csrf, "token": token}),
        cookie,
    )
}

async fn verify_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let token = query_token(&req).ok_or_else(expired)?;
        let lookup = token.clone();
        state
            .db(move |conn| tokens::peek(conn, &lookup, Purpose::VerifyEmail)?.ok_or_else(expired))
            .await?;
        button_page(
            &state,
            &req,
            &pages,
            "pages/verify_email.html",
            "Confirm your email address",
            &token,
        )
    }
    .await;
    answer(&pages, result)
}

async fn verify_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let token = posted_token(&state, &req, &body)?;
        post_verify_email::verify(&state, &req, token).await?;
        pages.message(
            StatusCode::OK,
            "Your email address is confirmed",
            &["Thank you. You can close this page and sign in."],
            &[],
        )
    }
    .await;
    answer(&pages, result)
}

const ACCEPT_LABELS: &[(&str, &str)] = &[
    ("display_name", "Your name"),
    ("time_zone", "Your time zone"),
    ("password", "Password"),
];

fn accept_form(
    state: &AppState,
    req: &HttpRequest,
    pages: &Pages,
    status: StatusCode,
    token: &str,
    values: serde_json::Value,
    problems: Problems,
) -> Result<HttpResponse, ApiError> {
    let (csrf, cookie) = csrf::issue(state, req);
    pages.render(
        status,
        "pages/accept_invitation.html",
        "Create your account",
        json!({
            "csrf": csrf, "token": token, "values": values, "zones": zones(),
            "default_zone": "UTC", "errors": problems.by_field, "problems": problems.summary,
        }),
        cookie,
    )
}

async fn accept_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let token = query_token(&req).ok_or_else(expired)?;
        let lookup = token.clone();
        state
            .db(move |conn| {
                domain::accounts::invitations::pending_email(conn, &lookup)?.ok_or_else(expired)
            })
            .await?;
        accept_form(
            &state,
            &req,
            &pages,
            StatusCode::OK,
            &token,
            json!({}),
            Problems::default(),
        )
    }
    .await;
    answer(&pages, result)
}

#[derive(Deserialize)]
struct AcceptForm {
    csrf: String,
    token: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    password: String,
}

async fn accept_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let sent: AcceptForm = form(&body).ok_or_else(csrf::refused)?;
        csrf::check(&state, &req, &sent.csrf)?;
        let token = link_token(Some(&sent.token)).ok_or_else(expired)?;
        // Kept for the form if it comes back; never the password.
        let values = json!({"display_name": sent.display_name, "time_zone": sent.time_zone});
        let acceptance = AcceptInvitation {
            password: sent.password,
            display_name: sent.display_name,
            time_zone: sent.time_zone,
        };
        match post_invitation_accept::accept(&state, &req, token.clone(), acceptance).await {
            Ok(user) => pages.message(
                StatusCode::OK,
                "Your account is ready",
                &["Sign in to the app with this email address and the password you chose."],
                &[("Email address", user.email)],
            ),
            Err(ApiError::Validation(errors)) => accept_form(
                &state,
                &req,
                &pages,
                StatusCode::UNPROCESSABLE_ENTITY,
                &token,
                values,
                Problems::of(&errors, ACCEPT_LABELS),
            ),
            Err(ApiError::Conflict { .. }) => pages.message(
                StatusCode::CONFLICT,
                "You already have an account",
                &["This email address has an account already. Sign in to the app, or reset your password if you forgot it."],
                &[],
            ),
            Err(e) => Err(e),
        }
    }
    .await;
    answer(&pages, result)
}

fn reset_form(
    state: &AppState,
    req: &HttpRequest,
    pages: &Pages,
    status: StatusCode,
    token: &str,
    problems: Problems,
) -> Result<HttpResponse, ApiError> {
    let (csrf, cookie) = csrf::issue(state, req);
    pages.render(
        status,
        "pages/reset_password.html",
        "Choose a new password",
        json!({"csrf": csrf, "token": token, "errors": problems.by_field, "problems": problems.summary}),
        cookie,
    )
}

async fn reset_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let token = query_token(&req).ok_or_else(expired)?;
        let lookup = token.clone();
        state
            .db(move |conn| Ok(domain::accounts::reset_target(conn, &lookup)?))
            .await?;
        reset_form(
            &state,
            &req,
            &pages,
            StatusCode::OK,
            &token,
            Problems::default(),
        )
    }
    .await;
    answer(&pages, result)
}

#[derive(Deserialize)]
struct ResetForm {
    csrf: String,
    token: String,
    #[serde(default)]
    new_password: String,
}

async fn reset_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let sent: ResetForm = form(&body).ok_or_else(csrf::refused)?;
        csrf::check(&state, &req, &sent.csrf)?;
        let token = link_token(Some(&sent.token)).ok_or_else(expired)?;
        match post_password_reset_confirm::reset(&state, &req, token.clone(), sent.new_password)
            .await
        {
            Ok(()) => pages.message(
                StatusCode::OK,
                "Your new password is set",
                &["Every device signed in to your account was signed out. Sign in again with your new password."],
                &[],
            ),
            Err(ApiError::Validation(errors)) => reset_form(
                &state,
                &req,
                &pages,
                StatusCode::UNPROCESSABLE_ENTITY,
                &token,
                Problems::of(&errors, &[("new_password", "New password")]),
            ),
            Err(e) => Err(e),
        }
    }
    .await;
    answer(&pages, result)
}
