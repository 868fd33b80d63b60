//! The pages behind the links in email and the booking page, over HTTP on
//! both databases: a GET never changes anything, a form is taken only with
//! its anti-forgery token, problems come back in plain words next to their
//! field, and each page does what its API operation does (checked through
//! the API). The browser suite (tests/browser) drives the same pages in
//! Chromium.

use between_tests::booking::offering;
use between_tests::{spawn_app, TestApp, PASSWORD};
use reqwest::header::{CONTENT_SECURITY_POLICY, COOKIE, REFERRER_POLICY, SET_COOKIE};
use serde_json::{json, Value};

/// A visitor's session with the pages: the form cookie they were given.
struct Visitor {
    cookie: Option<String>,
}

struct Page {
    status: u16,
    html: String,
}

impl Page {
    fn csrf(&self) -> String {
        field(&self.html, "csrf").expect("a form with its token")
    }

    fn title(&self) -> String {
        let start = self
            .html
            .find("<h1>")
            .unwrap_or_else(|| panic!("a heading in {}", self.html))
            + 4;
        let end = self.html[start..].find("</h1>").expect("a closed heading") + start;
        self.html[start..end].to_owned()
    }
}

/// The value of the first form field named `name`.
fn field(html: &str, name: &str) -> Option<String> {
    let at = html.find(&format!("name=\"{name}\""))?;
    let start = html[at..].find("value=\"")? + at + "value=\"".len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

impl Visitor {
    fn new() -> Self {
        Self { cookie: None }
    }

    async fn get(&mut self, app: &TestApp, path: &str) -> Page {
        let mut request = app.client.get(app.url(path));
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        let response = request.send().await.unwrap();
        let headers = response.headers().clone();
        if response.status().is_success() {
            assert!(headers[CONTENT_SECURITY_POLICY]
                .to_str()
                .unwrap()
                .starts_with("default-src 'none'"));
            assert_eq!(headers[REFERRER_POLICY], "no-referrer");
            assert_eq!(headers["cache-control"], "no-store");
        }
        if let Some(set) = headers.get(SET_COOKIE) {
            let set = set.to_str().unwrap();
            assert!(
                set.contains("HttpOnly") && set.contains("SameSite=Strict"),
                "{set}"
            );
            self.cookie = Some(set.split(';').next().unwrap().to_owned());
        }
        Page {
            status: response.status().as_u16(),
            html: response.text().await.unwrap(),
        }
    }

    async fn post(&self, app: &TestApp, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut request = app.client.post(app.url(path)).form(fields);
        if let Some(cookie) = &self.cookie {
            request = request.header(COOKIE, cookie);
        }
        let response = request.send().await.unwrap();
        Page {
            status: response.status().as_u16(),
            html: response.text().await.unwrap(),
        }
    }
}

async fn me(app: &TestApp, email: &str, password: &str) -> Option<Value> {
    let login = app.login(email, password).await;
    if login.status() != 200 {
        return None;
    }
    let tokens: Value = login.json().await.unwrap();
    let token = tokens["access_token"].as_str().unwrap();
    Some(app.get_as("/api/v1/me", token).await.json().await.unwrap())
}

#[tokio::test]
async fn a_verification_link_changes_nothing_until_its_form_comes_back_with_its_token() {
    let app = spawn_app().await;
    let email = "page.verify@example.org";
    let signup = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": email, "password": PASSWORD, "display_name": "Dr Page", "time_zone": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(signup.status(), 202);
    let token = app.email_data("verify_email", email)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/verify-email?token={token}");
    let mut visitor = Visitor::new();
    for _ in 0..2 {
        let page = visitor.get(&app, &path).await;
        assert_eq!(page.status, 200);
        assert_eq!(page.title(), "Confirm your email address");
        assert!(page.html.contains("<html lang=\"en\">"));
    }
    let unverified =
        || async { me(&app, email, PASSWORD).await.unwrap()["email_verified"].clone() };
    assert_eq!(unverified().await, json!(false), "a GET changes nothing");
    let csrf = visitor.get(&app, &path).await.csrf();

    // Refused, and nothing changes: no cookie, a token of another cookie,
    // a post from another site, a made-up token.
    let stranger = Visitor::new();
    let refused = stranger
        .post(&app, "/verify-email", &[("csrf", &csrf), ("token", &token)])
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.title(), "This form has expired");
    let other = Visitor {
        cookie: Some(format!("between_form={}", "ab".repeat(32))),
    };
    assert_eq!(
        other
            .post(&app, "/verify-email", &[("csrf", &csrf), ("token", &token)])
            .await
            .status,
        403
    );
    let cross = app
        .client
        .post(app.url("/verify-email"))
        .header(COOKIE, visitor.cookie.clone().unwrap())
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", csrf.as_str()), ("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert_eq!(
        visitor
            .post(
                &app,
                "/verify-email",
                &[("csrf", &"0".repeat(64)), ("token", &token)]
            )
            .await
            .status,
        403
    );
    assert_eq!(
        visitor
            .post(&app, "/verify-email", &[("nothing", "")])
            .await
            .status,
        403
    );
    assert_eq!(unverified().await, json!(false));

    let done = visitor
        .post(&app, "/verify-email", &[("csrf", &csrf), ("token", &token)])
        .await;
    assert_eq!(done.status, 200, "{}", done.html);
    assert_eq!(done.title(), "Your email address is confirmed");
    assert_eq!(unverified().await, json!(true));
    // Used: the link says so in plain words, as does a made-up one.
    for path in [path.as_str(), "/verify-email?token=nope", "/verify-email"] {
        let gone = visitor.get(&app, path).await;
        assert_eq!(gone.status, 404, "{path}");
        assert_eq!(gone.title(), "This link no longer works");
    }
}

#[tokio::test]
async fn the_invitation_page_says_what_the_api_says_and_creates_the_account() {
    let app = spawn_app().await;
    let therapist = app.therapist("page.therapist@example.org").await;
    let email = "page.client@example.org";
    let invited = app
        .post(
            "/api/v1/invitations",
            Some(&therapist.access),
            json!({"email": email}),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let token = app.email_data("invitation", email)["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut visitor = Visitor::new();
    let page = visitor
        .get(&app, &format!("/accept-invitation?token={token}"))
        .await;
    assert_eq!(page.status, 200);
    // minijinja writes `/` as `&#x2f;`, which a browser reads back as `/`.
    assert!(page
        .html
        .contains("<option value=\"America&#x2f;New_York\""));
    let csrf = page.csrf();
    // The API's words for a weak password are the page's.
    let api = app
        .post(
            &format!("/api/v1/invitations/{token}/accept"),
            None,
            json!({"password": "password", "display_name": "Sam", "time_zone": "America/New_York"}),
        )
        .await;
    assert_eq!(api.status(), 422);
    let api: Value = api.json().await.unwrap();
    let message = api["errors"][0]["message"].as_str().unwrap().to_owned();
    let weak = visitor
        .post(
            &app,
            "/accept-invitation",
            &[
                ("csrf", &csrf),
                ("token", &token),
                ("display_name", "Sam"),
                ("time_zone", "America/New_York"),
                ("password", "password"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert!(
        weak.html.contains(&format!("Password: {message}")),
        "{message}"
    );
    assert!(weak.html.contains("aria-invalid=\"true\""));
    assert!(weak.html.contains("value=\"Sam\""), "what was typed stays");
    assert!(
        me(&app, email, "password").await.is_none(),
        "no account yet"
    );

    let made = visitor
        .post(
            &app,
            "/accept-invitation",
            &[
                ("csrf", &csrf),
                ("token", &token),
                ("display_name", "Sam"),
                ("time_zone", "America/New_York"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(made.status, 200, "{}", made.html);
    assert_eq!(made.title(), "Your account is ready");
    let profile = me(&app, email, PASSWORD).await.unwrap();
    assert_eq!(profile["role"], "client");
    assert_eq!(profile["time_zone"], "America/New_York");
    let again = visitor
        .get(&app, &format!("/accept-invitation?token={token}"))
        .await;
    assert_eq!(again.status, 404);
}

#[tokio::test]
async fn the_reset_page_sets_the_new_password_once() {
    let app = spawn_app().await;
    let email = "page.reset@example.org";
    app.therapist(email).await;
    let asked = app
        .post("/api/v1/auth/password-reset", None, json!({"email": email}))
        .await;
    assert_eq!(asked.status(), 202);
    let token = app.link_token(email).await;
    let path = format!("/reset-password?token={token}");
    let mut visitor = Visitor::new();
    let csrf = visitor.get(&app, &path).await.csrf();
    let short = visitor
        .post(
            &app,
            "/reset-password",
            &[
                ("csrf", &csrf),
                ("token", &token),
                ("new_password", "short"),
            ],
        )
        .await;
    assert_eq!(short.status, 422);
    assert!(short.html.contains("New password: "));
    let fresh = "lantern quiet harbour 43";
    let done = visitor
        .post(
            &app,
            "/reset-password",
            &[("csrf", &csrf), ("token", &token), ("new_password", fresh)],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.html);
    assert!(me(&app, email, PASSWORD).await.is_none());
    assert!(me(&app, email, fresh).await.is_some());
    assert_eq!(visitor.get(&app, &path).await.status, 404);
}

#[tokio::test]
async fn the_booking_page_holds_a_time_and_the_links_confirm_move_and_cancel_it() {
    let app = spawn_app().await;
    let therapist = offering(
        &app,
        "page.book@example.org",
        "dr-page",
        "Europe/Berlin",
        "08:00",
        "20:00",
    )
    .await;
    let mut visitor = Visitor::new();
    assert_eq!(visitor.get(&app, "/book/nobody-here").await.status, 404);
    let bad_zone = visitor.get(&app, "/book/dr-page?zone=Nowhere%2FLand").await;
    assert_eq!(bad_zone.status, 422);
    assert!(bad_zone.html.contains("Time zone: "));
    let page = visitor
        .get(&app, "/book/dr-page?zone=America%2FNew_York")
        .await;
    assert_eq!(page.status, 200);
    assert!(page.html.contains("Open times (America&#x2f;New_York)"));
    // A week at a time; the next week is a link away.
    assert!(page.html.contains(">Later times</a>"));
    assert!(!page.html.contains(">Earlier times</a>"));
    let next = visitor
        .get(
            &app,
            "/book/dr-page?zone=America%2FNew_York&from=2099-01-01",
        )
        .await;
    assert_eq!(
        next.status, 200,
        "a day past the horizon shows its last week"
    );
    assert!(next.html.contains(">Earlier times</a>"));
    let start = field(&page.html, "start").expect("an open time");
    let csrf = page.csrf();
    let email = "page.booker@example.org";
    let missing = visitor
        .post(
            &app,
            "/book/dr-page",
            &[
                ("csrf", &csrf),
                ("time_zone", "America/New_York"),
                ("name", "Robin"),
                ("email", email),
            ],
        )
        .await;
    assert_eq!(missing.status, 422);
    assert!(missing.html.contains("Time: choose one of the open times"));
    let held = visitor
        .post(
            &app,
            "/book/dr-page",
            &[
                ("csrf", &csrf),
                ("time_zone", "America/New_York"),
                ("start", &start),
                ("name", "Robin"),
                ("email", email),
                ("note", "About sleep."),
            ],
        )
        .await;
    assert_eq!(held.status, 200, "{}", held.html);
    assert_eq!(held.title(), "Check your email to confirm");
    let taken = visitor
        .post(
            &app,
            "/book/dr-page",
            &[
                ("csrf", &csrf),
                ("time_zone", "America/New_York"),
                ("start", &start),
                ("name", "Other"),
                ("email", "page.other@example.org"),
            ],
        )
        .await;
    assert_eq!(taken.status, 409);
    assert!(taken.html.contains("that time was just taken"));

    let sent = app.send_queued().await;
    let confirm = between_tests::token_in(&sent, email);
    let page = visitor
        .get(&app, &format!("/consultations/confirm?token={confirm}"))
        .await;
    assert_eq!(page.title(), "Confirm your consultation");
    let booked = visitor
        .post(
            &app,
            "/consultations/confirm",
            &[("csrf", &page.csrf()), ("token", &confirm)],
        )
        .await;
    assert_eq!(booked.status, 200, "{}", booked.html);
    assert_eq!(booked.title(), "Your consultation is booked");
    let c = first_consultation(&app, &therapist.access).await;
    assert_eq!(c["status"], "confirmed");
    assert_eq!(c["email"], email);

    let manage = app.link_token(email).await;
    let page = visitor
        .get(&app, &format!("/consultations/manage?token={manage}"))
        .await;
    assert_eq!(page.status, 200, "{}", page.html);
    assert_eq!(page.title(), "Your consultation");
    let later = field(&page.html, "start").expect("another open time");
    let moved = visitor
        .post(
            &app,
            "/consultations/manage/reschedule",
            &[
                ("csrf", &page.csrf()),
                ("token", &manage),
                ("start", &later),
            ],
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.html);
    assert_eq!(moved.title(), "Your consultation is moved");
    let c = first_consultation(&app, &therapist.access).await;
    let moved_to = chrono::DateTime::parse_from_rfc3339(c["start"].as_str().unwrap()).unwrap();
    assert_eq!(
        moved_to,
        chrono::DateTime::parse_from_rfc3339(&later).unwrap()
    );
    let renewed = app.link_token(email).await;
    assert_ne!(renewed, manage);
    let page = visitor
        .get(&app, &format!("/consultations/manage?token={renewed}"))
        .await;
    let cancelled = visitor
        .post(
            &app,
            "/consultations/manage/cancel",
            &[("csrf", &page.csrf()), ("token", &renewed)],
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.html);
    assert_eq!(
        first_consultation(&app, &therapist.access).await["status"],
        "cancelled"
    );
    assert_eq!(
        visitor
            .get(&app, &format!("/consultations/manage?token={renewed}"))
            .await
            .status,
        404
    );
}

/// The therapist's soonest upcoming consultation, through the API.
async fn first_consultation(app: &TestApp, token: &str) -> Value {
    let list: Value = app
        .get_as("/api/v1/consultations?when=upcoming", token)
        .await
        .json()
        .await
        .unwrap();
    list["items"][0].clone()
}
