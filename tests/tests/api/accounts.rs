use std::time::Duration;

use between_api::config::Secret;
use between_tests::cast::{Cast, Expect};
use between_tests::smtp::TestSmtp;
use between_tests::{assert_problem, eventually, spawn_app, spawn_app_with, PASSWORD};
use reqwest::Method;
use serde_json::json;

/// Undoes quoted-printable soft breaks and `=3D`, enough to read links.
fn readable(raw: &str) -> String {
    raw.replace("=\r\n", "").replace("=3D", "=")
}

fn token_in(text: &str, path: &str) -> String {
    let marker = format!("{path}?token=");
    let start = text
        .find(&marker)
        .unwrap_or_else(|| panic!("no {marker} link in:\n{text}"))
        + marker.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect()
}

#[tokio::test]
async fn the_whole_account_flow_works_over_http_and_real_smtp() {
    let smtp = TestSmtp::start();
    let app = spawn_app_with(|config| {
        config.smtp_url = Some(Secret::new(smtp.url()));
        config.run_worker = true;
        config.worker.poll_interval = Duration::from_millis(20);
    })
    .await;

    // Sign up; the verification email arrives over SMTP.
    let response = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "Dr.Rivera@Example.org", "password": PASSWORD, "display_name": "Dr. Sam Rivera", "time_zone": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(response.status(), 202);
    eventually("the verification email", Duration::from_secs(20), || {
        smtp.count() == 1
    })
    .await;
    let mail = &smtp.received()[0];
    assert_eq!(mail.to, vec!["dr.rivera@example.org".to_owned()]);
    let verify_token = token_in(
        &readable(&mail.raw),
        "https://app.between.test/verify-email",
    );

    // Logged in but unverified: no invitations yet.
    let therapist = app.signed_in("dr.rivera@example.org").await;
    let access = therapist.access.clone();
    let me: serde_json::Value = app
        .get_as("/api/v1/me", &access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["email"], "dr.rivera@example.org");
    assert_eq!(me["role"], "therapist");
    assert_eq!(me["email_verified"], false);
    let therapist = json!({"id": therapist.id});
    let refused = app
        .post(
            "/api/v1/invitations",
            Some(&access),
            json!({"email": "ada@example.org"}),
        )
        .await;
    assert_problem(refused, 403, "email_not_verified").await;

    let verified = app
        .post(
            "/api/v1/auth/verify-email",
            None,
            json!({"token": verify_token}),
        )
        .await;
    assert_eq!(verified.status(), 204);
    let again = app
        .post(
            "/api/v1/auth/verify-email",
            None,
            json!({"token": verify_token}),
        )
        .await;
    assert_problem(again, 400, "invalid_token").await;

    // Invite; the invitation email arrives; accept it.
    let invited = app
        .post(
            "/api/v1/invitations",
            Some(&access),
            json!({"email": "Ada@example.org"}),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let invitation: serde_json::Value = invited.json().await.unwrap();
    assert_eq!(invitation["status"], "pending");
    eventually("the invitation email", Duration::from_secs(20), || {
        smtp.count() == 2
    })
    .await;
    let mail = &smtp.received()[1];
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Dr. Sam Rivera invited you to Between")
    );
    let invite_token = token_in(
        &readable(&mail.raw),
        "https://app.between.test/accept-invitation",
    );
    let accepted = app
        .post(
            &format!("/api/v1/invitations/{invite_token}/accept"),
            None,
            json!({"password": "a different fine passphrase 7", "display_name": "Ada", "time_zone": "America/New_York"}),
        )
        .await;
    assert_eq!(accepted.status(), 201);
    let client: serde_json::Value = accepted.json().await.unwrap();
    assert_eq!(client["role"], "client");
    assert_eq!(client["email_verified"], true);
    let client_id = client["id"].as_str().unwrap().to_owned();

    // The client logs in.
    let response = app
        .login("ada@example.org", "a different fine passphrase 7")
        .await;
    assert_eq!(response.status(), 200);
    let tokens: serde_json::Value = response.json().await.unwrap();
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let client_access = tokens["access_token"].as_str().unwrap().to_owned();

    // The therapist lists and opens the client.
    let list: serde_json::Value = app
        .get_as("/api/v1/clients", &access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], client_id.as_str());
    assert!(list["next_cursor"].is_null());
    let opened = app
        .get_as(&format!("/api/v1/clients/{client_id}"), &access)
        .await;
    let request_id = opened.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(opened.status(), 200);

    // The client sees that read.
    let log: serde_json::Value = app
        .get_as("/api/v1/me/access-log", &client_access)
        .await
        .json()
        .await
        .unwrap();
    // Newest first: the open, then the list that showed the client.
    let entries = log["items"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{log}");
    assert_eq!(entries[0]["actor_id"], therapist["id"]);
    assert_eq!(entries[0]["actor_role"], "therapist");
    assert_eq!(entries[0]["resource"], "client_profile");
    assert_eq!(entries[0]["action"], "read");
    assert_eq!(entries[0]["request_id"], request_id.as_str());
    assert_eq!(entries[1]["resource"], "client_profile");
    assert_eq!(entries[1]["action"], "list");
    // The therapist's own log of reads of them is empty.
    let theirs: serde_json::Value = app
        .get_as("/api/v1/me/access-log", &access)
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn without_smtp_the_verification_email_is_an_eml_file_in_the_outbox_folder() {
    let app = spawn_app_with(|config| {
        config.run_worker = true;
        config.worker.poll_interval = Duration::from_millis(20);
    })
    .await;
    let response = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "files@example.org", "password": PASSWORD, "display_name": "Dr. Files", "time_zone": "UTC"}),
        )
        .await;
    assert_eq!(response.status(), 202);
    let outbox = app.data_dir.join("outbox");
    eventually("an .eml file", Duration::from_secs(20), || {
        std::fs::read_dir(&outbox)
            .map(|d| {
                d.flatten()
                    .any(|e| e.file_name().to_string_lossy().ends_with(".eml"))
            })
            .unwrap_or(false)
    })
    .await;
    let file = std::fs::read_dir(&outbox)
        .unwrap()
        .flatten()
        .next()
        .unwrap()
        .path();
    let eml = readable(&std::fs::read_to_string(file).unwrap());
    assert!(eml.contains("Subject: Confirm your email address for Between"));
    assert!(eml.contains("https://app.between.test/verify-email?token="));
}

fn forge(
    header: serde_json::Value,
    claims: serde_json::Value,
    key: &[u8],
    alg: jsonwebtoken::Algorithm,
) -> String {
    let mut head = jsonwebtoken::Header::new(alg);
    if let Some(typ) = header.get("typ").and_then(|t| t.as_str()) {
        head.typ = Some(typ.to_owned());
    }
    jsonwebtoken::encode(&head, &claims, &jsonwebtoken::EncodingKey::from_secret(key)).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[tokio::test]
async fn forged_and_foreign_tokens_are_all_refused_with_401() {
    let app = spawn_app().await;
    let therapist = app.therapist("forge@example.org").await;
    let me = app.get_as("/api/v1/me", &therapist.access).await;
    assert_eq!(me.status(), 200);

    // The real token's claims, to alter one at a time.
    let payload = therapist.access.split('.').nth(1).unwrap().to_owned();
    let claims: serde_json::Value = {
        let text = payload.replace('-', "+").replace('_', "/");
        let padded = format!("{text}{}", "=".repeat((4 - text.len() % 4) % 4));
        let bytes = base64_decode(&padded);
        serde_json::from_slice(&bytes).unwrap()
    };
    let key = between_tests::TEST_JWT_SECRET.as_bytes();
    let now = chrono::Utc::now().timestamp();
    let with = |field: &str, value: serde_json::Value| {
        let mut c = claims.clone();
        c[field] = value;
        c
    };
    let without = |field: &str| {
        let mut c = claims.clone();
        c.as_object_mut().unwrap().remove(field);
        c
    };
    let hs256 = jsonwebtoken::Algorithm::HS256;
    let alg_none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    );
    let cases = [
        ("alg none", alg_none),
        (
            "HS512 with the right key",
            forge(
                json!({}),
                claims.clone(),
                key,
                jsonwebtoken::Algorithm::HS512,
            ),
        ),
        (
            "a wrong key",
            forge(
                json!({}),
                claims.clone(),
                b"another-secret-another-secret-0000",
                hs256,
            ),
        ),
        (
            "expired",
            forge(json!({}), with("exp", json!(now - 60)), key, hs256),
        ),
        (
            "wrong aud",
            forge(json!({}), with("aud", json!("someone-else")), key, hs256),
        ),
        (
            "wrong iss",
            forge(
                json!({}),
                with("iss", json!("https://evil.example")),
                key,
                hs256,
            ),
        ),
        ("no sub", forge(json!({}), without("sub"), key, hs256)),
        ("no exp", forge(json!({}), without("exp"), key, hs256)),
        ("a refresh token as access token", therapist.refresh.clone()),
        ("garbage", "not.a.token".to_owned()),
    ];
    for (what, token) in cases {
        let response = app.get_as("/api/v1/me", &token).await;
        assert_eq!(response.status(), 401, "{what}");
        assert!(
            response.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer"),
            "{what}"
        );
        assert_problem(response, 401, "invalid_token").await;
    }
    // A correctly signed token for a session that does not exist.
    let token = forge(
        json!({}),
        with("sid", json!(uuid::Uuid::now_v7())),
        key,
        hs256,
    );
    assert_problem(app.get_as("/api/v1/me", &token).await, 401, "session_ended").await;
    // No token at all.
    let response = app.get("/api/v1/me").await;
    assert_eq!(
        response.headers()["www-authenticate"],
        "Bearer realm=\"between\""
    );
    assert_problem(response, 401, "missing_token").await;
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => 0,
        }
    };
    let mut out = Vec::new();
    for chunk in s.as_bytes().chunks(4) {
        let n = chunk.iter().fold(0u32, |acc, c| (acc << 6) | value(*c));
        let pad = chunk.iter().filter(|c| **c == b'=').count();
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    out
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_ends_the_session() {
    // No grace: any reuse of a rotated token counts (the grace for
    // concurrent refreshes has a test of its own).
    let app = spawn_app_with(|config| config.sessions.reuse_grace = chrono::Duration::zero()).await;
    let person = app.therapist("rotate@example.org").await;
    let first = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": person.refresh}),
        )
        .await;
    assert_eq!(first.status(), 200);
    let rotated: serde_json::Value = first.json().await.unwrap();
    let (new_access, new_refresh) = (
        rotated["access_token"].as_str().unwrap().to_owned(),
        rotated["refresh_token"].as_str().unwrap().to_owned(),
    );
    assert_ne!(new_refresh, person.refresh);
    assert_eq!(app.get_as("/api/v1/me", &new_access).await.status(), 200);

    // The old one again: reuse. The whole session ends.
    let reused = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": person.refresh}),
        )
        .await;
    assert_problem(reused, 401, "invalid_refresh_token").await;
    let after = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": new_refresh}),
        )
        .await;
    assert_problem(after, 401, "invalid_refresh_token").await;
    assert_problem(
        app.get_as("/api/v1/me", &new_access).await,
        401,
        "session_ended",
    )
    .await;
    assert_problem(
        app.get_as("/api/v1/me", &person.access).await,
        401,
        "session_ended",
    )
    .await;

    let mut conn = app.pool.get().unwrap();
    assert_eq!(
        domain::audit::count_security_events(
            &mut conn,
            domain::audit::SecurityKind::RefreshTokenReuse
        )
        .unwrap(),
        1
    );
}

#[tokio::test]
async fn logout_ends_the_access_token_at_once_and_only_that_session() {
    let app = spawn_app().await;
    let person = app.therapist("logout@example.org").await;
    let other = app.login_ok(&person.email, &person.id).await;
    let response = app
        .send(
            Method::POST,
            "/api/v1/auth/logout",
            Some(&person.access),
            None,
        )
        .await;
    assert_eq!(response.status(), 204);
    assert_problem(
        app.get_as("/api/v1/me", &person.access).await,
        401,
        "session_ended",
    )
    .await;
    let refresh = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": person.refresh}),
        )
        .await;
    assert_eq!(refresh.status(), 401);
    assert_eq!(app.get_as("/api/v1/me", &other.access).await.status(), 200);
}

#[tokio::test]
async fn changing_the_password_ends_every_other_session_at_once() {
    let app = spawn_app().await;
    let here = app.therapist("change@example.org").await;
    let elsewhere = app.login_ok(&here.email, &here.id).await;
    let wrong = app
        .post(
            "/api/v1/auth/password",
            Some(&here.access),
            json!({"current_password": "not it at all 123", "new_password": "brand new river stones 9"}),
        )
        .await;
    let body = assert_problem(wrong, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "current_password");
    let weak = app
        .post(
            "/api/v1/auth/password",
            Some(&here.access),
            json!({"current_password": PASSWORD, "new_password": "password1234"}),
        )
        .await;
    let body = assert_problem(weak, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["code"], "too_weak");

    let changed = app
        .post(
            "/api/v1/auth/password",
            Some(&here.access),
            json!({"current_password": PASSWORD, "new_password": "brand new river stones 9"}),
        )
        .await;
    assert_eq!(changed.status(), 204);
    assert_problem(
        app.get_as("/api/v1/me", &elsewhere.access).await,
        401,
        "session_ended",
    )
    .await;
    assert_eq!(app.get_as("/api/v1/me", &here.access).await.status(), 200);
    assert_eq!(app.login(&here.email, PASSWORD).await.status(), 401);
    assert_eq!(
        app.login(&here.email, "brand new river stones 9")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn password_reset_reveals_nothing_and_its_token_works_once_and_ends_all_sessions() {
    let app = spawn_app().await;
    let person = app.therapist("reset@example.org").await;
    let unknown = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": "nobody@example.org"}),
        )
        .await;
    let (unknown_status, unknown_body) = (unknown.status(), unknown.text().await.unwrap());
    let known = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": "reset@example.org"}),
        )
        .await;
    assert_eq!(unknown_status, 202);
    assert_eq!(known.status(), 202);
    assert_eq!(known.text().await.unwrap(), unknown_body);

    // The reset link is made when its email goes out.
    let token = app.link_token("reset@example.org").await;
    let weak = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "new_password": "reset@example.org"}),
        )
        .await;
    assert_problem(weak, 422, "validation_failed").await;
    let confirmed = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "new_password": "lighthouse over gravel 31"}),
        )
        .await;
    assert_eq!(
        confirmed.status(),
        204,
        "a weak attempt does not use the token up"
    );
    let twice = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "new_password": "another strong phrase 88"}),
        )
        .await;
    assert_problem(twice, 400, "invalid_token").await;
    assert_problem(
        app.get_as("/api/v1/me", &person.access).await,
        401,
        "session_ended",
    )
    .await;
    assert_eq!(
        app.login(&person.email, "lighthouse over gravel 31")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn login_answers_alike_for_unknown_emails_wrong_passwords_and_disabled_accounts() {
    let app = spawn_app().await;
    let person = app.therapist("alike@example.org").await;
    let admin = app.admin("root@example.org").await;
    let unknown = app.login("nobody@example.org", PASSWORD).await;
    let unknown = (unknown.status(), unknown.text().await.unwrap());
    let wrong = app.login("alike@example.org", "not the password 42").await;
    let wrong = (wrong.status(), wrong.text().await.unwrap());
    let malformed = app.login("not an email", PASSWORD).await;
    let malformed = (malformed.status(), malformed.text().await.unwrap());
    let disabled = app
        .send(
            Method::PATCH,
            &format!("/api/v1/admin/users/{}", person.id),
            Some(&admin.access),
            Some(&json!({"disabled": true})),
        )
        .await;
    assert_eq!(disabled.status(), 200);
    // Disabling ends the person's sessions at once.
    assert_problem(
        app.get_as("/api/v1/me", &person.access).await,
        401,
        "session_ended",
    )
    .await;
    let locked = app.login("alike@example.org", PASSWORD).await;
    let locked = (locked.status(), locked.text().await.unwrap());
    assert_eq!(unknown.0, 401);
    assert_eq!(unknown, wrong);
    assert_eq!(unknown, malformed);
    assert_eq!(unknown, locked);
}

#[tokio::test]
async fn too_many_logins_from_one_address_get_429_with_retry_after() {
    let app = spawn_app_with(|config| {
        config.rate_limit_per_minute = 3;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            app.login("someone@example.org", "whatever it is 1")
                .await
                .status(),
            401
        );
    }
    let limited = app.login("someone@example.org", "whatever it is 1").await;
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry_after));
    assert_problem(limited, 429, "rate_limited").await;
}

#[tokio::test]
async fn signup_checks_every_field_and_can_be_turned_off() {
    let app = spawn_app().await;
    let response = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "not-an-email", "password": "password1234", "display_name": " ", "time_zone": "Mars/Olympus"}),
        )
        .await;
    let body = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "display_name", "time_zone", "password"]);

    // An address with an account gets the same answer as a new one; its
    // owner is told by email, and nothing else changes.
    app.therapist("taken@example.org").await;
    let fresh = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "fresh@example.org", "password": PASSWORD, "display_name": "New", "time_zone": "UTC"}),
        )
        .await;
    let (fresh_status, fresh_body) = (fresh.status(), fresh.bytes().await.unwrap());
    let taken = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "TAKEN@example.org", "password": PASSWORD, "display_name": "Again", "time_zone": "UTC"}),
        )
        .await;
    assert_eq!(
        (taken.status(), taken.bytes().await.unwrap()),
        (fresh_status, fresh_body)
    );
    assert_eq!(fresh_status, 202);
    let told = app.email_data("account_exists", "taken@example.org");
    assert_eq!(told["display_name"], "Dr. Test");
    assert_eq!(
        app.login("taken@example.org", PASSWORD).await.status(),
        200,
        "the account is as it was"
    );

    let missing = app
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "x@example.org"}),
        )
        .await;
    assert_problem(missing, 422, "invalid_body").await;
    let malformed = app
        .client
        .post(app.url("/api/v1/auth/signup"))
        .header("content-type", "application/json")
        .body("{\"email\": ")
        .send()
        .await
        .unwrap();
    assert_problem(malformed, 400, "malformed_json").await;

    let closed = spawn_app_with(|config| config.allow_signup = false).await;
    let response = closed
        .post(
            "/api/v1/auth/signup",
            None,
            json!({"email": "a@example.org", "password": PASSWORD, "display_name": "A", "time_zone": "UTC"}),
        )
        .await;
    assert_problem(response, 403, "signup_disabled").await;
}

#[tokio::test]
async fn an_invitation_works_once_and_not_after_revocation_or_expiry() {
    let app = spawn_app().await;
    let therapist = app.therapist("inviter@example.org").await;
    let accept = |token: String| {
        let app = &app;
        async move {
            app.post(
                &format!("/api/v1/invitations/{token}/accept"),
                None,
                json!({"password": PASSWORD, "display_name": "Invitee", "time_zone": "UTC"}),
            )
            .await
        }
    };
    let invite = |email: &'static str| {
        let app = &app;
        let access = therapist.access.clone();
        async move {
            let response = app
                .post(
                    "/api/v1/invitations",
                    Some(&access),
                    json!({"email": email}),
                )
                .await;
            assert_eq!(response.status(), 201);
            let view: serde_json::Value = response.json().await.unwrap();
            let token = app.email_data("invitation", email)["token"]
                .as_str()
                .unwrap()
                .to_owned();
            (view["id"].as_str().unwrap().to_owned(), token)
        }
    };

    let (_, token) = invite("once@example.org").await;
    assert_eq!(accept(token.clone()).await.status(), 201);
    assert_problem(accept(token).await, 404, "not_found").await;

    let (id, token) = invite("revoked@example.org").await;
    let revoked = app
        .send(
            Method::DELETE,
            &format!("/api/v1/invitations/{id}"),
            Some(&therapist.access),
            None,
        )
        .await;
    assert_eq!(revoked.status(), 204);
    assert_problem(accept(token).await, 404, "not_found").await;
    let again = app
        .send(
            Method::DELETE,
            &format!("/api/v1/invitations/{id}"),
            Some(&therapist.access),
            None,
        )
        .await;
    assert_problem(again, 409, "invitation_not_pending").await;

    let (_, token) = invite("late@example.org").await;
    {
        use diesel::RunQueryDsl;
        let mut conn = app.pool.get().unwrap();
        diesel::sql_query(
            "UPDATE invitations SET expires_at = created_at WHERE email = 'late@example.org'",
        )
        .execute(&mut *conn)
        .unwrap();
    }
    assert_problem(accept(token).await, 404, "not_found").await;

    let list: serde_json::Value = app
        .get_as("/api/v1/invitations", &therapist.access)
        .await
        .json()
        .await
        .unwrap();
    let statuses: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["expired", "revoked", "accepted"]);
    assert_problem(accept("0".repeat(64)).await, 404, "not_found").await;
}

#[tokio::test]
async fn either_side_can_end_the_link_and_the_therapist_loses_access_at_once() {
    let app = spawn_app().await;
    let therapist = app.therapist("ends@example.org").await;
    let first = app.client_of(&therapist, "first@example.org").await;
    let second = app.client_of(&therapist, "second@example.org").await;
    let path = |c: &between_tests::Person| format!("/api/v1/clients/{}", c.id);

    assert_eq!(
        app.get_as(&path(&first), &therapist.access).await.status(),
        200
    );
    let ended = app
        .send(Method::DELETE, &path(&first), Some(&therapist.access), None)
        .await;
    assert_eq!(ended.status(), 204);
    assert_problem(
        app.get_as(&path(&first), &therapist.access).await,
        404,
        "not_found",
    )
    .await;

    let left = app
        .send(
            Method::DELETE,
            "/api/v1/me/therapist",
            Some(&second.access),
            None,
        )
        .await;
    assert_eq!(left.status(), 204);
    assert_problem(
        app.get_as(&path(&second), &therapist.access).await,
        404,
        "not_found",
    )
    .await;
    let again = app
        .send(
            Method::DELETE,
            "/api/v1/me/therapist",
            Some(&second.access),
            None,
        )
        .await;
    assert_problem(again, 404, "not_found").await;

    let list: serde_json::Value = app
        .get_as("/api/v1/clients", &therapist.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(list["items"].as_array().unwrap().is_empty());
    // The clients keep their accounts.
    assert_eq!(app.get_as("/api/v1/me", &first.access).await.status(), 200);
}

#[tokio::test]
async fn lists_page_through_every_item_exactly_once() {
    let app = spawn_app().await;
    let therapist = app.therapist("pager@example.org").await;
    for i in 0..7 {
        let r = app
            .post(
                "/api/v1/invitations",
                Some(&therapist.access),
                json!({"email": format!("p{i}@example.org")}),
            )
            .await;
        assert_eq!(r.status(), 201);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/invitations?limit=3&cursor={c}"),
            None => "/api/v1/invitations?limit=3".to_owned(),
        };
        let page: serde_json::Value = app
            .get_as(&path, &therapist.access)
            .await
            .json()
            .await
            .unwrap();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["email"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).rev().map(|i| format!("p{i}@example.org")).collect();
    assert_eq!(seen, expected);
    let bad = app
        .get_as("/api/v1/invitations?limit=0&cursor=nope", &therapist.access)
        .await;
    let body = assert_problem(bad, 422, "validation_failed").await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_access_matrix_of_every_account_endpoint_holds() {
    let app = spawn_app().await;
    let cast = Cast::new(&app).await;
    let a = cast.client_a.id.clone();
    let b = cast.client_b.id.clone();

    cast.check(
        &app,
        Method::GET,
        "/api/v1/me",
        None,
        Expect::anyone_signed_in(200),
    )
    .await;
    cast.check(
        &app,
        Method::PATCH,
        "/api/v1/me",
        Some(json!({"time_zone": "Europe/Berlin"})),
        Expect::anyone_signed_in(200),
    )
    .await;
    cast.check(
        &app,
        Method::GET,
        "/api/v1/me/access-log",
        None,
        Expect::anyone_signed_in(200),
    )
    .await;
    let therapists_only = |ok: u16| Expect {
        therapist_b: ok,
        ..Expect::therapist_a_only(ok)
    };
    cast.check(
        &app,
        Method::GET,
        "/api/v1/clients",
        None,
        therapists_only(200),
    )
    .await;
    cast.check(
        &app,
        Method::GET,
        "/api/v1/invitations",
        None,
        therapists_only(200),
    )
    .await;
    cast.check(
        &app,
        Method::POST,
        "/api/v1/invitations",
        Some(json!({"email": "new@example.org"})),
        therapists_only(201),
    )
    .await;
    cast.check(
        &app,
        Method::GET,
        &format!("/api/v1/clients/{a}"),
        None,
        Expect::therapist_a_only(200),
    )
    .await;

    // Therapist B's list holds client B only; A's holds client A only.
    for (therapist, client) in [(&cast.therapist_a, &a), (&cast.therapist_b, &b)] {
        let list: serde_json::Value = app
            .get_as("/api/v1/clients", &therapist.access)
            .await
            .json()
            .await
            .unwrap();
        let ids: Vec<&str> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [client.as_str()]);
    }

    let invitation = {
        let r = app
            .post(
                "/api/v1/invitations",
                Some(&cast.therapist_a.access),
                json!({"email": "gone@example.org"}),
            )
            .await;
        let v: serde_json::Value = r.json().await.unwrap();
        v["id"].as_str().unwrap().to_owned()
    };
    cast.check(
        &app,
        Method::DELETE,
        &format!("/api/v1/invitations/{invitation}"),
        None,
        Expect::therapist_a_only(204),
    )
    .await;

    let admins_only = |ok: u16| Expect {
        anonymous: 401,
        admin: ok,
        client_b: 403,
        therapist_b: 403,
        client_a: 403,
        therapist_a: 403,
    };
    cast.check(
        &app,
        Method::GET,
        "/api/v1/admin/users",
        None,
        admins_only(200),
    )
    .await;
    cast.check(
        &app,
        Method::PATCH,
        &format!("/api/v1/admin/users/{b}"),
        Some(json!({"disabled": false})),
        admins_only(200),
    )
    .await;

    // The admin reads accounts, never client content: no access-log rows
    // (the rows there are therapist B listing their clients).
    let log: serde_json::Value = app
        .get_as("/api/v1/me/access-log?limit=100", &cast.client_b.access)
        .await
        .json()
        .await
        .unwrap();
    let rows = log["items"].as_array().unwrap();
    assert!(!rows.is_empty(), "{log}");
    assert!(
        rows.iter()
            .all(|r| r["actor_id"] == cast.therapist_b.id.as_str() && r["action"] == "list"),
        "{log}"
    );

    cast.check(
        &app,
        Method::DELETE,
        &format!("/api/v1/clients/{a}"),
        None,
        Expect::therapist_a_only(204),
    )
    .await;
    cast.check(
        &app,
        Method::DELETE,
        "/api/v1/me/therapist",
        None,
        Expect {
            anonymous: 401,
            admin: 403,
            client_b: 204,
            therapist_b: 403,
            client_a: 404,
            therapist_a: 403,
        },
    )
    .await;
    cast.check(
        &app,
        Method::POST,
        "/api/v1/auth/password",
        Some(json!({})),
        Expect::anyone_signed_in(422),
    )
    .await;
    cast.check(
        &app,
        Method::POST,
        "/api/v1/auth/logout",
        None,
        Expect::anyone_signed_in(204),
    )
    .await;
}

async fn login_from(app: &between_tests::TestApp, forwarded_for: &str) -> u16 {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&json!({"email": "x@example.org", "password": "whatever it is 1"}))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn forwarded_addresses_key_the_limit_only_behind_a_trusted_proxy() {
    let direct = spawn_app_with(|config| config.rate_limit_per_minute = 2).await;
    // Untrusted: a client cannot dodge the limit by inventing addresses.
    let statuses = [
        login_from(&direct, "203.0.113.1").await,
        login_from(&direct, "203.0.113.2").await,
        login_from(&direct, "203.0.113.3").await,
    ];
    assert_eq!(statuses, [401, 401, 429]);

    let proxied = spawn_app_with(|config| {
        config.rate_limit_per_minute = 2;
        config.trust_forwarded_for = true;
    })
    .await;
    let statuses = [
        login_from(&proxied, "203.0.113.1").await,
        login_from(&proxied, "203.0.113.1").await,
        login_from(&proxied, "203.0.113.1").await,
        login_from(&proxied, "198.51.100.7").await,
    ];
    assert_eq!(
        statuses,
        [401, 401, 429, 401],
        "one client's attempts do not lock out another"
    );
}
