//! What an adversarial test of the service found, each pinned by a test.

use between_tests::{assert_problem, logs, spawn_app, spawn_app_with, Person, TestApp, PASSWORD};
use diesel::RunQueryDsl;
use reqwest::Method;
use serde_json::{json, Value};

async fn entry(app: &TestApp, client: &Person, body: &str) -> String {
    let created = app
        .post(
            "/api/v1/journal/entries",
            Some(&client.access),
            json!({"kind": "free", "body": body}),
        )
        .await;
    assert_eq!(created.status(), 201);
    created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn count(app: &TestApp, sql: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query(sql)
        .get_result::<Count>(&mut *conn)
        .unwrap()
        .n
}

#[tokio::test]
async fn deleting_an_entry_deletes_the_answer_kept_for_its_idempotency_key() {
    let app = spawn_app().await;
    let therapist = app.therapist("idem.delete@example.org").await;
    let client = app.client_of(&therapist, "writes.twice@example.org").await;
    let create = || {
        app.client
            .post(app.url("/api/v1/journal/entries"))
            .bearer_auth(&client.access)
            .header("idempotency-key", "the-one-key")
            .json(&json!({"kind": "free", "title": "quokkaridge", "body": "a very private sentence about zebrafinchq"}))
            .send()
    };
    let first: Value = create().await.unwrap().json().await.unwrap();
    let id = first["id"].as_str().unwrap();
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/v1/journal/entries/{id}"),
            Some(&client.access),
            None,
        )
        .await;
    assert_eq!(deleted.status(), 204);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM idempotency_keys WHERE body LIKE '%very private sentence%' OR body LIKE '%quokkaridge%'"
        ),
        0,
        "no copy of the deleted text is kept"
    );
    let again = create().await.unwrap();
    assert_eq!(again.status(), 201);
    assert!(again.headers().get("idempotent-replayed").is_none());
    let again: Value = again.json().await.unwrap();
    assert_ne!(again["id"], first["id"], "a new entry, not the deleted one");

    // On SQLite the bytes themselves are gone: deleted rows are overwritten
    // (secure_delete) and the search index forgets their words (FTS5
    // secure-delete), so not even the file keeps the text.
    let second = again["id"].as_str().unwrap();
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/v1/journal/entries/{second}"),
            Some(&client.access),
            None,
        )
        .await;
    assert_eq!(deleted.status(), 204);
    if let domain::db::DatabaseUrl::Sqlite(path) = &app.db.url {
        let mut conn = app.pool.get().unwrap();
        diesel::connection::SimpleConnection::batch_execute(
            &mut *conn,
            "PRAGMA wal_checkpoint(TRUNCATE)",
        )
        .unwrap();
        drop(conn);
        let dir = path.parent().unwrap();
        for file in std::fs::read_dir(dir).unwrap() {
            let file = file.unwrap().path();
            let bytes = std::fs::read(&file).unwrap();
            for word in ["zebrafinchq", "quokkaridge", "very private sentence"] {
                assert!(
                    memchr::memmem::find(&bytes, word.as_bytes()).is_none(),
                    "{word} is still in {}",
                    file.display()
                );
            }
        }
    }
}

#[tokio::test]
async fn secrets_carried_in_paths_and_links_never_reach_the_logs() {
    let app = spawn_app().await;
    let therapist = app.therapist("logs.therapist@example.org").await;
    let invited = app
        .post(
            "/api/v1/invitations",
            Some(&therapist.access),
            json!({"email": "logs.client@example.org"}),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let invitation = app.email_data("invitation", "logs.client@example.org")["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong_way = app
        .post(
            &format!("/api/v1/invitations/{invitation}/nope"),
            None,
            json!({}),
        )
        .await;
    assert_eq!(wrong_way.status(), 404);
    let accepted = app
        .post(
            &format!("/api/v1/invitations/{invitation}/accept"),
            None,
            json!({"password": PASSWORD, "display_name": "Logged", "time_zone": "UTC"}),
        )
        .await;
    assert_eq!(accepted.status(), 201);
    let client = app.login_ok("logs.client@example.org", "").await;
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": client.refresh}),
        )
        .await;
    assert_eq!(refreshed.status(), 200);
    let reset = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": "logs.client@example.org"}),
        )
        .await;
    assert_eq!(reset.status(), 202);
    let reset_token = app.link_token("logs.client@example.org").await;
    let confirmed = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": reset_token, "new_password": "lighthouse over gravel 31"}),
        )
        .await;
    assert_eq!(confirmed.status(), 204);

    let written = logs();
    assert!(
        written.contains("/api/v1/invitations/{token}/accept"),
        "the request was logged, with its token hidden"
    );
    for (what, secret) in [
        ("invitation token", invitation.as_str()),
        ("reset token", reset_token.as_str()),
        ("refresh token", client.refresh.as_str()),
        ("access token", client.access.as_str()),
    ] {
        assert!(!secret.is_empty());
        assert!(!written.contains(secret), "the {what} reached the logs");
    }
}

#[tokio::test]
async fn control_characters_are_refused_naming_the_field_and_nothing_is_stored() {
    let app = spawn_app().await;
    let therapist = app.therapist("controls@example.org").await;
    let client = app
        .client_of(&therapist, "controls.client@example.org")
        .await;
    let id = entry(&app, &client, "clean").await;
    let cases = [
        (
            Method::POST,
            "/api/v1/journal/entries".to_owned(),
            json!({"kind": "free", "body": "a\u{0}b"}),
            "body",
        ),
        (
            Method::POST,
            "/api/v1/journal/entries".to_owned(),
            json!({"kind": "free", "body": "ok", "title": "bell\u{7}"}),
            "title",
        ),
        (
            Method::PATCH,
            format!("/api/v1/journal/entries/{id}"),
            json!({"body": "esc\u{1b}[31m"}),
            "body",
        ),
        (
            Method::POST,
            "/api/v1/journal/entries".to_owned(),
            json!({"kind": "free", "body": "ok", "tags": ["a\u{0}"]}),
            "tags[0]",
        ),
    ];
    for (method, path, body, field) in cases {
        let response = app
            .send(method, &path, Some(&client.access), Some(&body))
            .await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{path} {body}");
    }
    let search = app
        .get_as("/api/v1/journal/entries?q=a%00b", &client.access)
        .await;
    let problem = assert_problem(search, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "q");

    let shared = app
        .send(
            Method::PUT,
            &format!("/api/v1/journal/entries/{id}/share"),
            Some(&client.access),
            Some(&json!({})),
        )
        .await;
    assert_eq!(shared.status(), 200);
    let reply = app
        .post(
            &format!("/api/v1/clients/{}/shared/{id}/replies", client.id),
            Some(&therapist.access),
            json!({"body": "nul\u{0}"}),
        )
        .await;
    let problem = assert_problem(reply, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "body");
    assert_eq!(count(&app, "SELECT count(*) AS n FROM journal_entries"), 1);
    assert_eq!(count(&app, "SELECT count(*) AS n FROM journal_replies"), 0);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM journal_entries WHERE version = 1"
        ),
        1
    );
}

#[tokio::test]
async fn tens_of_thousands_of_tags_are_refused_before_any_per_tag_work() {
    let app = spawn_app().await;
    let therapist = app.therapist("tags@example.org").await;
    let client = app.client_of(&therapist, "tags.client@example.org").await;
    // One-letter tags, so the body stays under the size limit and reaches the check.
    let tags = vec!["a"; 50_000];
    let response = app
        .post(
            "/api/v1/journal/entries",
            Some(&client.access),
            json!({"kind": "free", "body": "x", "tags": tags}),
        )
        .await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "tags");
    assert_eq!(problem["errors"][0]["code"], "too_many");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_shares_unshares_and_edits_of_one_entry_never_answer_5xx() {
    let app = spawn_app().await;
    let therapist = app.therapist("race@example.org").await;
    let client = app.client_of(&therapist, "race.client@example.org").await;
    let id = entry(&app, &client, "contended").await;
    let share = format!("/api/v1/journal/entries/{id}/share");
    let statuses = |requests: Vec<(Method, Option<Value>)>| {
        let (app, client, share) = (&app, &client, &share);
        async move {
            let sends = requests.into_iter().map(|(method, body)| async move {
                app.send(method, share, Some(&client.access), body.as_ref())
                    .await
                    .status()
                    .as_u16()
            });
            futures_util::future::join_all(sends).await
        }
    };
    let puts = statuses((0..20).map(|_| (Method::PUT, Some(json!({})))).collect()).await;
    assert!(puts.iter().all(|s| *s == 200), "{puts:?}");
    let mixed = statuses(
        (0..20)
            .map(|i| {
                if i % 2 == 0 {
                    (Method::PUT, Some(json!({})))
                } else {
                    (Method::DELETE, None)
                }
            })
            .collect(),
    )
    .await;
    assert!(
        mixed.iter().all(|s| [200, 204, 404].contains(s)),
        "{mixed:?}"
    );
    assert!(
        count(
            &app,
            "SELECT count(*) AS n FROM journal_shares WHERE revoked_at IS NULL"
        ) <= 1
    );

    // Edits without If-Match take turns; none is told the entry changed.
    let path = format!("/api/v1/journal/entries/{id}");
    let edits = (0..30).map(|i| {
        let (app, client, path) = (&app, &client, &path);
        async move {
            app.send(
                Method::PATCH,
                path,
                Some(&client.access),
                Some(&json!({"body": format!("edit {i}")})),
            )
            .await
            .status()
            .as_u16()
        }
    });
    let edits = futures_util::future::join_all(edits).await;
    assert!(edits.iter().all(|s| *s == 200), "{edits:?}");
    let now: Value = app
        .get_as(&path, &client.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(now["version"], 31);
}

#[tokio::test]
async fn a_password_reset_request_does_the_same_work_for_unknown_and_known_addresses() {
    let app = spawn_app().await;
    app.therapist("known.reset@example.org").await;
    let jobs_before = count(&app, "SELECT count(*) AS n FROM outbox");
    let events_before = count(&app, "SELECT count(*) AS n FROM security_events");
    for email in ["known.reset@example.org", "unknown.reset@example.org"] {
        let response = app
            .post("/api/v1/auth/password-reset", None, json!({"email": email}))
            .await;
        assert_eq!(response.status(), 202);
    }
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM outbox"),
        jobs_before + 2
    );
    assert_eq!(
        count(&app, "SELECT count(*) AS n FROM security_events"),
        events_before + 2
    );
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM outbox WHERE payload LIKE '%token%' AND kind = 'password_reset'"
        ),
        0,
        "no queued payload holds a reset link"
    );
    let token = app.link_token("known.reset@example.org").await;
    assert_eq!(token.len(), 64);
    assert_eq!(
        count(
            &app,
            "SELECT count(*) AS n FROM outbox WHERE recipient = 'unknown.reset@example.org' AND state = 'skipped'"
        ),
        1,
        "nothing is sent to an address without an account"
    );
}

#[tokio::test]
async fn two_tabs_refreshing_at_once_keep_the_session_and_a_late_reuse_ends_it() {
    let app = spawn_app().await;
    let person = app.therapist("tabs@example.org").await;
    let refresh = |token: String| {
        let app = &app;
        async move {
            app.post(
                "/api/v1/auth/refresh",
                None,
                json!({"refresh_token": token}),
            )
            .await
        }
    };
    let (a, b) = tokio::join!(
        refresh(person.refresh.clone()),
        refresh(person.refresh.clone())
    );
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (200, 200));
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    for tab in [&a, &b] {
        let me = app
            .get_as("/api/v1/me", tab["access_token"].as_str().unwrap())
            .await;
        assert_eq!(me.status(), 200);
    }
    assert_ne!(a["refresh_token"], b["refresh_token"]);

    // Long after its rotation, the old token is a copy: the session ends.
    let past = match between_tests::backend() {
        domain::db::Backend::Postgres => "now() - interval '1 minute'",
        domain::db::Backend::Sqlite => "'2000-01-01T00:00:00.000000Z'",
    };
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query(format!(
        "UPDATE refresh_tokens SET rotated_at = {past} WHERE rotated_at IS NOT NULL"
    ))
    .execute(&mut *conn)
    .unwrap();
    drop(conn);
    let reused = refresh(person.refresh.clone()).await;
    assert_problem(reused, 401, "invalid_refresh_token").await;
    let after = refresh(a["refresh_token"].as_str().unwrap().to_owned()).await;
    assert_problem(after, 401, "invalid_refresh_token").await;
}

#[tokio::test]
async fn an_address_the_mailer_cannot_parse_is_refused_where_it_enters() {
    let app = spawn_app().await;
    let therapist = app.therapist("parser@example.org").await;
    for email in ["x(y)@example.org", "a\"b@example.org"] {
        let response = app
            .post(
                "/api/v1/invitations",
                Some(&therapist.access),
                json!({"email": email}),
            )
            .await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "email");
        let signup = app
            .post(
                "/api/v1/auth/signup",
                None,
                json!({"email": email, "password": between_tests::PASSWORD, "display_name": "T", "time_zone": "UTC"}),
            )
            .await;
        let problem = assert_problem(signup, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "email");
    }
    let mut conn = app.pool.get().unwrap();
    let queued = domain::outbox::list(&mut conn, None, 100).unwrap();
    assert!(
        queued
            .iter()
            .all(|job| job.recipient.contains("parser@example.org")),
        "an email was queued to a refused address: {queued:?}"
    );
}

#[tokio::test]
async fn a_disabled_client_is_invisible_to_their_therapist_until_enabled_again() {
    let app = spawn_app().await;
    let therapist = app.therapist("frozen.therapist@example.org").await;
    let client = app.client_of(&therapist, "frozen@example.org").await;
    let admin = app.admin("frozen.admin@example.org").await;
    let id = entry(&app, &client, "shared then frozen").await;
    let shared = app
        .send(
            Method::PUT,
            &format!("/api/v1/journal/entries/{id}/share"),
            Some(&client.access),
            Some(&json!({})),
        )
        .await;
    assert_eq!(shared.status(), 200);
    let set = |disabled: bool| {
        let (app, admin, client) = (&app, &admin, &client);
        async move {
            let response = app
                .send(
                    Method::PATCH,
                    &format!("/api/v1/admin/users/{}", client.id),
                    Some(&admin.access),
                    Some(&json!({"disabled": disabled})),
                )
                .await;
            assert_eq!(response.status(), 200);
        }
    };
    let entry_path = format!("/api/v1/clients/{}/shared/{id}", client.id);
    assert_eq!(listed(&app, &therapist).await, 1);
    set(true).await;
    assert_eq!(listed(&app, &therapist).await, 0);
    for path in [
        format!("/api/v1/clients/{}", client.id),
        entry_path.clone(),
        format!("/api/v1/clients/{}/shared", client.id),
    ] {
        assert_problem(app.get_as(&path, &therapist.access).await, 404, "not_found").await;
    }
    set(false).await;
    assert_eq!(
        app.get_as(&entry_path, &therapist.access).await.status(),
        200
    );
}

async fn listed(app: &TestApp, therapist: &Person) -> usize {
    let page: Value = app
        .get_as("/api/v1/clients", &therapist.access)
        .await
        .json()
        .await
        .unwrap();
    page["items"].as_array().unwrap().len()
}

#[tokio::test]
async fn data_files_are_the_owners_only_metrics_take_a_token_and_docs_cannot_be_framed() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_app_with(|config| {
        config.metrics_token = Some(between_api::config::Secret::new(
            "metrics-token-metrics-token".into(),
        ));
        config.run_worker = true;
        config.worker = between_tests::workers::fast();
    })
    .await;
    if let domain::db::DatabaseUrl::Sqlite(path) = &app.db.url {
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "the database file");
    }
    let therapist = app.therapist("files@example.org").await;
    let invited = app
        .post(
            "/api/v1/invitations",
            Some(&therapist.access),
            json!({"email": "file.client@example.org"}),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let outbox = app.data_dir.join("outbox");
    between_tests::eventually("an email file", std::time::Duration::from_secs(10), || {
        std::fs::read_dir(&outbox).is_ok_and(|mut d| d.next().is_some())
    })
    .await;
    assert_eq!(
        std::fs::metadata(&outbox).unwrap().permissions().mode() & 0o777,
        0o700
    );
    for file in std::fs::read_dir(&outbox).unwrap() {
        let mode = file.unwrap().metadata().unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "an email file");
    }

    assert_problem(app.get("/metrics").await, 401, "metrics_token_required").await;
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("metrics-token-metrics-token")
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);

    let docs = app.get("/docs/").await;
    assert_eq!(docs.headers()["x-frame-options"], "DENY");
    let csp = docs.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"));

    let production = spawn_app_with(|config| {
        config.environment = between_api::config::Environment::Production;
    })
    .await;
    assert_problem(production.get("/metrics").await, 404, "not_found").await;
}

#[tokio::test]
async fn a_refused_cors_preflight_is_not_labelled_gzip() {
    let app = spawn_app().await;
    let response = app
        .client
        .request(Method::OPTIONS, app.url("/api/v1/auth/login"))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_client_error());
    let encoding = response
        .headers()
        .get("content-encoding")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.bytes().await.unwrap();
    match encoding.as_deref() {
        None | Some("identity") => {
            let body: Value = serde_json::from_slice(&bytes).expect("a plain JSON problem");
            assert!(body["code"].is_string());
        }
        Some(other) => panic!("labelled {other}: {bytes:?}"),
    }
}

#[tokio::test]
async fn refresh_and_email_verification_are_rate_limited_and_wait_is_rounded_up() {
    let app = spawn_app_with(|config| config.rate_limit_per_minute = 2).await;
    let statuses = [
        app.post("/api/v1/auth/refresh", None, json!({"refresh_token": "x"}))
            .await
            .status()
            .as_u16(),
        app.post("/api/v1/auth/refresh", None, json!({"refresh_token": "y"}))
            .await
            .status()
            .as_u16(),
    ];
    assert_eq!(statuses, [401, 401]);
    let limited = app
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": "z"}))
        .await;
    assert_problem(limited, 429, "rate_limited").await;
    for _ in 0..2 {
        app.post("/api/v1/auth/verify-email", None, json!({"token": "t"}))
            .await;
    }
    let limited = app
        .post("/api/v1/auth/verify-email", None, json!({"token": "t"}))
        .await;
    assert_problem(limited, 429, "rate_limited").await;
    assert_eq!(
        between_api::auth::retry_after(std::time::Duration::from_millis(1200)),
        2
    );
    assert_eq!(
        between_api::auth::retry_after(std::time::Duration::from_secs(3)),
        3
    );
    assert_eq!(between_api::auth::retry_after(std::time::Duration::ZERO), 1);
}

#[tokio::test]
async fn two_instances_on_one_database_share_the_login_limit() {
    let limited = |config: &mut between_api::config::Config| {
        config.rate_limit_per_minute = 3;
        config.rate_limit_store = between_api::auth::RateLimitStore::Database;
    };
    let a = spawn_app_with(limited).await;
    let b = a.sibling(limited).await;
    let mut statuses = Vec::new();
    for app in [&a, &b, &a, &b] {
        statuses.push(
            app.login("nobody.here@example.org", "whatever it is 1")
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(
        statuses,
        [401, 401, 401, 429],
        "the fourth attempt, on either instance"
    );
    let limited = b.login("nobody.here@example.org", "whatever it is 1").await;
    let wait: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
}
