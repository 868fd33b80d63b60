//! The booking pages: the therapist's public booking page, the hold's
//! confirmation and the booker's manage page (view, move, cancel). Each
//! POST calls the function its API operation calls.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;
use domain::accounts::TimeZoneName;
use domain::booking::consultations;
use domain::booking::slots::Slot;
use domain::Timestamp;
use serde::Deserialize;
use serde_json::{json, Value};

use super::account::{answer, button_page, expired, form, link_token, posted_token, query_token};
use super::{csrf, zones, Pages, Problems};
use crate::auth::Bucket;
use crate::error::ApiError;
use crate::routes::booking::post_consultation::{self, ConsultationRequest};
use crate::routes::booking::{manage, post_confirm, ManageView};
use crate::state::AppState;

/// Days of open times a page lists at once; links page through the rest.
const SPAN_DAYS: i64 = 7;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/consultations/confirm", web::get().to(confirm_page))
        .route("/consultations/confirm", web::post().to(confirm_submit))
        .route("/consultations/manage", web::get().to(manage_page))
        .route(
            "/consultations/manage/cancel",
            web::post().to(cancel_submit),
        )
        .route(
            "/consultations/manage/reschedule",
            web::post().to(reschedule_submit),
        )
        .route("/book/{slug}", web::get().to(book_page))
        .route("/book/{slug}", web::post().to(book_submit));
}

/// A moment as a person reads it, in `zone`: "Monday 30 March 2026, 09:00".
fn spoken(at: Timestamp, zone: Tz) -> String {
    at.0.with_timezone(&zone)
        .format("%A %-d %B %Y, %H:%M")
        .to_string()
}

/// A time the views give in the booker's zone (RFC 3339 with its offset),
/// spoken as it reads there.
fn spoken_local(rfc3339: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .map(|at| at.format("%A %-d %B %Y, %H:%M").to_string())
        .unwrap_or_else(|_| rfc3339.to_owned())
}

/// Open times grouped by local day, as the slot picker shows them.
fn days_of(days: BTreeMap<NaiveDate, Vec<Slot>>, zone: Tz) -> Vec<Value> {
    days.into_iter()
        .filter(|(_, slots)| !slots.is_empty())
        .map(|(date, slots)| {
            let slots: Vec<Value> = slots
                .into_iter()
                .map(|s| {
                    json!({
                        "value": s.start.0.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        "label": s.start.0.with_timezone(&zone).format("%H:%M").to_string(),
                    })
                })
                .collect();
            json!({"label": date.format("%A %-d %B").to_string(), "slots": slots})
        })
        .collect()
}

/// Open times of `profile` for [`SPAN_DAYS`] days in `zone` from `from`
/// (today at the earliest), and the first days of the pages before and
/// after (within the booking horizon).
fn open_days(
    conn: &mut domain::db::DbConnection,
    profile: &domain::booking::Profile,
    zone: Tz,
    from: Option<NaiveDate>,
    now: Timestamp,
) -> Result<(Vec<Value>, Paging), ApiError> {
    let today = domain::time::local_date(now, zone);
    let last = today + Duration::days(i64::from(profile.settings.horizon_days));
    let from = from.unwrap_or(today).clamp(today, last);
    let days = domain::booking::open_slots(
        conn,
        profile,
        from,
        from + Duration::days(SPAN_DAYS - 1),
        zone,
        now,
    )?;
    let paging = Paging {
        earlier: (from > today).then(|| (from - Duration::days(SPAN_DAYS)).max(today)),
        later: Some(from + Duration::days(SPAN_DAYS)).filter(|d| *d <= last),
    };
    Ok((days_of(days, zone), paging))
}

/// The first days of the pages of open times before and after this one.
struct Paging {
    earlier: Option<NaiveDate>,
    later: Option<NaiveDate>,
}

impl Paging {
    /// Links to them: `base` with `&from=` (or `?from=`) the day.
    fn links(&self, base: &str) -> Value {
        let join = if base.contains('?') { '&' } else { '?' };
        let link = |d: Option<NaiveDate>| d.map(|d| format!("{base}{join}from={d}"));
        json!({"earlier": link(self.earlier), "later": link(self.later)})
    }
}

/// A `from` day asked for in the query (anything else shows today's).
fn asked_from(req: &HttpRequest) -> Option<NaiveDate> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string()).ok()?;
    pairs
        .into_iter()
        .find(|(k, _)| k == "from")
        .and_then(|(_, v)| v.parse().ok())
}

/// A time picked in a form: an RFC 3339 instant.
fn picked(raw: &str) -> Option<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(raw)
        .ok()
        .map(|at| Timestamp(at.to_utc()))
}

fn pick_a_time() -> ApiError {
    ApiError::Validation(vec![domain::FieldError::new(
        "start",
        "required",
        "choose one of the open times",
    )])
}

async fn confirm_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let token = query_token(&req).ok_or_else(expired)?;
        button_page(
            &state,
            &req,
            &pages,
            "pages/confirm_consultation.html",
            "Confirm your consultation",
            &token,
        )
    }
    .await;
    answer(&pages, result)
}

async fn confirm_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let token = posted_token(&state, &req, &body)?;
        let held = post_confirm::confirm(&state, &req, token).await?;
        pages.message(
            StatusCode::OK,
            "Your consultation is booked",
            &["We emailed you a confirmation with a calendar invitation and a link to move or cancel it."],
            &[("When", spoken_local(&held.start))],
        )
    }
    .await;
    answer(&pages, result)
}

#[allow(clippy::too_many_arguments)]
fn manage_form(
    state: &AppState,
    req: &HttpRequest,
    pages: &Pages,
    status: StatusCode,
    token: &str,
    view: &ManageView,
    (days, paging): (Vec<Value>, Paging),
    problems: Problems,
) -> Result<HttpResponse, ApiError> {
    let zone: Tz = view.time_zone.parse().unwrap_or(chrono_tz::UTC);
    let paging = paging.links(&format!("/consultations/manage?token={token}"));
    let (csrf, cookie) = csrf::issue(state, req);
    pages.render(
        status,
        "pages/manage_consultation.html",
        "Your consultation",
        json!({
            "csrf": csrf, "token": token, "view": view, "days": days, "values": {},
            "when": format!("{} to {}", spoken_local(&view.start),
                chrono::DateTime::parse_from_rfc3339(&view.end)
                    .map(|at| at.format("%H:%M").to_string())
                    .unwrap_or_default()),
            "changes_until": spoken(view.changes_until, zone),
            "span_days": SPAN_DAYS, "paging": paging, "errors": problems.by_field,
            "problems": problems.summary,
        }),
        cookie,
    )
}

/// The managed consultation and the open times it may move to.
async fn managed(
    state: &AppState,
    req: &HttpRequest,
    token: &str,
) -> Result<(ManageView, (Vec<Value>, Paging)), ApiError> {
    let from = asked_from(req);
    let view = manage::view(state, req, token.to_owned()).await?;
    let now = state.config.clock.now();
    let lookup = token.to_owned();
    let days = state
        .db(move |conn| {
            let c = consultations::by_manage_token(conn, &lookup, now)?;
            let profile = domain::booking::by_id(conn, c.therapist_id)?;
            let zone: Tz = c.time_zone.parse().unwrap_or(profile.zone);
            open_days(conn, &profile, zone, from, now)
        })
        .await?;
    Ok((view, days))
}

async fn manage_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let token = query_token(&req).ok_or_else(expired)?;
        let (view, days) = managed(&state, &req, &token).await?;
        manage_form(
            &state,
            &req,
            &pages,
            StatusCode::OK,
            &token,
            &view,
            days,
            Problems::default(),
        )
    }
    .await;
    answer(&pages, result)
}

async fn cancel_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let token = posted_token(&state, &req, &body)?;
        match manage::cancel(&state, &req, token.clone()).await {
            Ok(view) => pages.message(
                StatusCode::OK,
                "Your consultation is cancelled",
                &["The time is free again. Your calendar gets the cancellation by email."],
                &[("It was", spoken_local(&view.start))],
            ),
            Err(ApiError::Validation(errors)) => {
                let (view, days) = managed(&state, &req, &token).await?;
                manage_form(
                    &state,
                    &req,
                    &pages,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &token,
                    &view,
                    days,
                    Problems::of(&errors, &[]),
                )
            }
            Err(e) => Err(e),
        }
    }
    .await;
    answer(&pages, result)
}

#[derive(Deserialize)]
struct RescheduleForm {
    csrf: String,
    token: String,
    #[serde(default)]
    start: String,
}

async fn reschedule_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let result = async {
        let sent: RescheduleForm = form(&body).ok_or_else(csrf::refused)?;
        csrf::check(&state, &req, &sent.csrf)?;
        let token = link_token(Some(&sent.token)).ok_or_else(expired)?;
        let moved = match picked(&sent.start) {
            Some(start) => manage::reschedule(&state, &req, token.clone(), start).await,
            None => Err(pick_a_time()),
        };
        match moved {
            Ok(view) => pages.message(
                StatusCode::OK,
                "Your consultation is moved",
                &["We emailed you the new time with an updated calendar invitation and a new link to manage it; this page's link no longer works."],
                &[("Now", spoken_local(&view.start))],
            ),
            Err(
                error @ (ApiError::Validation(_)
                | ApiError::Conflict {
                    code: "slot_taken", ..
                }),
            ) => {
                let errors = match error {
                    ApiError::Validation(errors) => errors,
                    _ => vec![domain::FieldError::new(
                        "start",
                        "invalid",
                        "that time was just taken; choose another",
                    )],
                };
                let (view, days) = managed(&state, &req, &token).await?;
                manage_form(
                    &state,
                    &req,
                    &pages,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &token,
                    &view,
                    days,
                    Problems::of(&errors, &[("start", "New time")]),
                )
            }
            Err(e) => Err(e),
        }
    }
    .await;
    answer(&pages, result)
}

const BOOK_LABELS: &[(&str, &str)] = &[
    ("start", "Time"),
    ("name", "Your name"),
    ("email", "Your email address"),
    ("note", "Note"),
    ("time_zone", "Time zone"),
];

#[allow(clippy::too_many_arguments)]
async fn book_form(
    state: &AppState,
    req: &HttpRequest,
    pages: &Pages,
    status: StatusCode,
    slug: String,
    zone: Option<Tz>,
    values: Value,
    problems: Problems,
) -> Result<HttpResponse, ApiError> {
    let now = state.config.clock.now();
    let from = asked_from(req);
    let (profile, zone, days) = state
        .db(move |conn| {
            let profile = domain::booking::by_slug(conn, &slug)?;
            let zone = zone.unwrap_or(profile.zone);
            let days = if profile.offers_consultations {
                Some(open_days(conn, &profile, zone, from, now)?)
            } else {
                None
            };
            Ok((profile, zone, days))
        })
        .await?;
    let Some((days, paging)) = days else {
        return pages.message(
            StatusCode::OK,
            &profile.display_name,
            &["Free consultations are not offered at the moment."],
            &[],
        );
    };
    let base = format!(
        "/book/{}?zone={}",
        profile.slug,
        serde_urlencoded::to_string([("", zone.name())])
            .unwrap_or_default()
            .trim_start_matches('=')
    );
    let paging = paging.links(&base);
    let (csrf, cookie) = csrf::issue(state, req);
    pages.render(
        status,
        "pages/book.html",
        &format!("Book a free consultation with {}", profile.display_name),
        json!({
            "csrf": csrf, "profile": {"slug": profile.slug, "display_name": profile.display_name, "bio": profile.bio},
            "duration": profile.settings.duration_minutes, "zone": zone.name(), "zones": zones(),
            "default_zone": profile.zone.name(), "days": days, "values": values, "span_days": SPAN_DAYS,
            "paging": paging,
            "errors": problems.by_field, "problems": problems.summary,
        }),
        cookie,
    )
}

fn slug_of(raw: &str) -> Option<String> {
    let ok = (3..=40).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    ok.then(|| raw.to_owned())
}

fn no_such_page(pages: &Pages) -> Result<HttpResponse, ApiError> {
    pages.message(
        StatusCode::NOT_FOUND,
        "There is no booking page here",
        &["Check the address, or ask the practice for its booking link."],
        &[],
    )
}

async fn book_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let Some(slug) = slug_of(&slug) else {
        return no_such_page(&pages);
    };
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(req.query_string()).unwrap_or_default();
    let asked = pairs.into_iter().find(|(k, _)| k == "zone").map(|(_, v)| v);
    let (zone, problems) = match asked.as_deref().map(|z| TimeZoneName::parse("zone", z)) {
        None => (None, Problems::default()),
        Some(Ok(zone)) => (Some(zone.tz()), Problems::default()),
        Some(Err(e)) => (None, Problems::of(&[e], &[("zone", "Time zone")])),
    };
    let status = if problems.summary.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // A zone the visitor chose is kept; without one, the page's script
    // fills in the browser's.
    let values = match zone {
        Some(zone) => json!({"zone": zone.name()}),
        None => json!({}),
    };
    match book_form(&state, &req, &pages, status, slug, zone, values, problems).await {
        Err(ApiError::NotFound) => no_such_page(&pages),
        other => answer(&pages, other),
    }
}

#[derive(Deserialize)]
struct BookForm {
    csrf: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    start: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    note: String,
}

async fn book_submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    pages: web::Data<Pages>,
    slug: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let Some(slug) = slug_of(&slug) else {
        return no_such_page(&pages);
    };
    let result = async {
        let sent: BookForm = form(&body).ok_or_else(csrf::refused)?;
        csrf::check(&state, &req, &sent.csrf)?;
        // Kept for the form if it comes back.
        let zone = TimeZoneName::parse("time_zone", &sent.time_zone)
            .ok()
            .map(|z| z.tz());
        let values = json!({"start": sent.start, "name": sent.name, "email": sent.email,
            "note": sent.note, "zone": zone.map(|z| z.name())});
        let again = |status, errors: Vec<domain::FieldError>| {
            book_form(
                &state,
                &req,
                &pages,
                status,
                slug.clone(),
                zone,
                values.clone(),
                Problems::of(&errors, BOOK_LABELS),
            )
        };
        match hold(&state, &req, slug.clone(), &sent).await {
            Ok(held) => pages.message(
                StatusCode::OK,
                "Check your email to confirm",
                &["We sent a link to the address below. Open it within 15 minutes to confirm the consultation; until then the time is held for you."],
                &[
                    ("Time", spoken(held.starts_at, zone.unwrap_or(chrono_tz::UTC))),
                    ("Email address", held.email),
                ],
            ),
            Err(ApiError::Validation(errors)) => {
                again(StatusCode::UNPROCESSABLE_ENTITY, errors).await
            }
            Err(ApiError::Conflict {
                code: "slot_taken", ..
            }) => {
                again(
                    StatusCode::CONFLICT,
                    vec![domain::FieldError::new(
                        "start",
                        "invalid",
                        "that time was just taken; choose another",
                    )],
                )
                .await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    answer(&pages, result)
}

/// Holds the time the form names, or says why not.
async fn hold(
    state: &AppState,
    req: &HttpRequest,
    slug: String,
    sent: &BookForm,
) -> Result<consultations::Consultation, ApiError> {
    let start = picked(&sent.start).ok_or_else(pick_a_time)?;
    let request = post_consultation::checked(ConsultationRequest {
        start,
        name: sent.name.clone(),
        email: sent.email.clone(),
        time_zone: sent.time_zone.clone(),
        note: Some(sent.note.clone()),
    })?;
    state.limit(Bucket::Booking, req).await?;
    let now = state.config.clock.now();
    state
        .tx(move |conn| Ok(consultations::hold(conn, &slug, &request, now)?))
        .await
}
