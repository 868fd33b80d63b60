use between_tests::cast::{Cast, Expect};
use between_tests::{assert_problem, spawn_app, Person, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn write(app: &TestApp, client: &Person, body: Value) -> Value {
    let response = app
        .post("/api/v1/journal/entries", Some(&client.access), body)
        .await;
    assert_eq!(response.status(), 201, "create entry");
    response.json().await.unwrap()
}

async fn json_of(response: reqwest::Response) -> Value {
    assert!(
        response.status().is_success(),
        "status {}",
        response.status()
    );
    response.json().await.unwrap()
}

fn run_sql(app: &TestApp, sql: &str) {
    use diesel::RunQueryDsl;
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query(sql).execute(&mut *conn).unwrap();
}

/// Only the owner may touch an entry; therapists and admins have no journal.
fn owner_only(ok: u16) -> Expect {
    Expect {
        anonymous: 401,
        admin: 403,
        client_b: 404,
        therapist_b: 403,
        client_a: ok,
        therapist_a: 403,
    }
}

#[tokio::test]
async fn the_access_matrix_of_every_journal_route_holds_through_share_revoke_expiry_and_link_end() {
    let app = spawn_app().await;
    let cast = Cast::new(&app).await;
    let (a, therapist_a) = (&cast.client_a, &cast.therapist_a);
    let entry = write(
        &app,
        a,
        json!({"kind": "question_for_session", "body": "Why do Sundays feel heavy?", "mood": 2}),
    )
    .await;
    let id = entry["id"].as_str().unwrap().to_owned();
    let mine = format!("/api/v1/journal/entries/{id}");
    let shared = format!("/api/v1/clients/{}/shared/{id}", a.id);
    let inbox = format!("/api/v1/clients/{}/shared", a.id);
    let agenda = format!("/api/v1/clients/{}/agenda", a.id);
    let replies = format!("{shared}/replies");

    // The owner's routes.
    let clients_only = Expect {
        client_b: 200,
        ..owner_only(200)
    };
    cast.check(
        &app,
        Method::GET,
        "/api/v1/journal/entries",
        None,
        clients_only,
    )
    .await;
    cast.check(
        &app,
        Method::POST,
        "/api/v1/journal/entries",
        Some(json!({"kind": "free", "body": "x"})),
        Expect {
            client_b: 201,
            ..owner_only(201)
        },
    )
    .await;
    cast.check(&app, Method::GET, &mine, None, owner_only(200))
        .await;
    cast.check(
        &app,
        Method::PATCH,
        &mine,
        Some(json!({"mood": 3})),
        owner_only(200),
    )
    .await;
    let others: Value = json_of(
        app.get_as("/api/v1/journal/entries", &cast.client_b.access)
            .await,
    )
    .await;
    assert!(others["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["id"] != id.as_str()));

    // Private: the linked therapist sees nothing.
    let therapist_reads = |ok: u16| Expect::therapist_a_only(ok);
    cast.check(&app, Method::GET, &shared, None, therapist_reads(404))
        .await;
    cast.check(
        &app,
        Method::POST,
        &replies,
        Some(json!({"body": "hi"})),
        therapist_reads(404),
    )
    .await;
    let empty: Value = json_of(app.get_as(&inbox, &therapist_a.access).await).await;
    assert!(empty["items"].as_array().unwrap().is_empty());
    let none: Value = json_of(app.get_as(&agenda, &therapist_a.access).await).await;
    assert!(none["items"].as_array().unwrap().is_empty());
    cast.check(&app, Method::GET, &inbox, None, therapist_reads(200))
        .await;

    // Shared: the linked therapist, and only they, sees it.
    cast.check(
        &app,
        Method::PUT,
        &format!("{mine}/share"),
        Some(json!({})),
        owner_only(200),
    )
    .await;
    cast.check(&app, Method::GET, &shared, None, therapist_reads(200))
        .await;
    cast.check(&app, Method::GET, &agenda, None, therapist_reads(200))
        .await;
    cast.check(
        &app,
        Method::POST,
        &replies,
        Some(json!({"body": "Let's start with this."})),
        therapist_reads(201),
    )
    .await;
    let listed: Value = json_of(app.get_as(&inbox, &therapist_a.access).await).await;
    assert_eq!(listed["items"][0]["entry_id"], id.as_str());
    assert_eq!(listed["items"][0]["body"], "Why do Sundays feel heavy?");
    let b_inbox: Value = json_of(
        app.get_as(
            &format!("/api/v1/clients/{}/shared", cast.client_b.id),
            &cast.therapist_b.access,
        )
        .await,
    )
    .await;
    assert!(b_inbox["items"].as_array().unwrap().is_empty());

    // Revoked: gone at once.
    cast.check(
        &app,
        Method::DELETE,
        &format!("{mine}/share"),
        None,
        owner_only(204),
    )
    .await;
    cast.check(&app, Method::GET, &shared, None, therapist_reads(404))
        .await;
    let after: Value = json_of(app.get_as(&inbox, &therapist_a.access).await).await;
    assert!(after["items"].as_array().unwrap().is_empty());
    assert_problem(
        app.send(
            Method::DELETE,
            &format!("{mine}/share"),
            Some(&a.access),
            None,
        )
        .await,
        404,
        "not_found",
    )
    .await;

    // Expired: invisible.
    let reshared = app
        .send(
            Method::PUT,
            &format!("{mine}/share"),
            Some(&a.access),
            Some(&json!({"expires_at": "2999-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(reshared.status(), 200);
    assert_eq!(app.get_as(&shared, &therapist_a.access).await.status(), 200);
    let past = match between_tests::backend() {
        domain::db::Backend::Postgres => "now() - interval '1 minute'",
        domain::db::Backend::Sqlite => "'2000-01-01T00:00:00.000000Z'",
    };
    run_sql(
        &app,
        &format!("UPDATE journal_shares SET expires_at = {past} WHERE revoked_at IS NULL"),
    );
    cast.check(&app, Method::GET, &shared, None, therapist_reads(404))
        .await;
    let mine_now: Value = json_of(app.get_as(&mine, &a.access).await).await;
    assert!(
        mine_now["share"].is_null(),
        "an expired share shows as not shared"
    );
    let past_share = app
        .send(
            Method::PUT,
            &format!("{mine}/share"),
            Some(&a.access),
            Some(&json!({"expires_at": "2001-01-01T00:00:00Z"})),
        )
        .await;
    assert_problem(past_share, 422, "validation_failed").await;

    // The link ends: every share ends with it.
    let shared_again = app
        .send(Method::PUT, &format!("{mine}/share"), Some(&a.access), None)
        .await;
    assert_eq!(shared_again.status(), 200);
    assert_eq!(app.get_as(&shared, &therapist_a.access).await.status(), 200);
    let left = app
        .send(
            Method::DELETE,
            "/api/v1/me/therapist",
            Some(&a.access),
            None,
        )
        .await;
    assert_eq!(left.status(), 204);
    cast.check(&app, Method::GET, &shared, None, therapist_reads(404))
        .await;
    cast.check(&app, Method::GET, &inbox, None, therapist_reads(404))
        .await;
    cast.check(&app, Method::GET, &agenda, None, therapist_reads(404))
        .await;
    let unlinked: Value = json_of(app.get_as(&mine, &a.access).await).await;
    assert!(unlinked["share"].is_null());
    let no_one = app
        .send(Method::PUT, &format!("{mine}/share"), Some(&a.access), None)
        .await;
    assert_problem(no_one, 409, "no_therapist").await;

    // The reply stays on the client's entry; the client can delete it all.
    assert_eq!(unlinked["replies"][0]["body"], "Let's start with this.");
    cast.check(&app, Method::DELETE, &mine, None, owner_only(204))
        .await;
    assert_problem(app.get_as(&mine, &a.access).await, 404, "not_found").await;
}

#[tokio::test]
async fn therapist_reads_of_shared_entries_are_logged_marked_read_and_answerable() {
    let app = spawn_app().await;
    let therapist = app.therapist("inbox@example.org").await;
    let client = app.client_of(&therapist, "writer@example.org").await;
    let first = write(
        &app,
        &client,
        json!({"kind": "trigger", "body": "Crowded train", "tags": ["Commute"]}),
    )
    .await;
    let second = write(
        &app,
        &client,
        json!({"kind": "question_for_session", "body": "Can we talk about sleep?"}),
    )
    .await;
    write(
        &app,
        &client,
        json!({"kind": "free", "body": "Private, never shared"}),
    )
    .await;
    for entry in [&first, &second] {
        let path = format!(
            "/api/v1/journal/entries/{}/share",
            entry["id"].as_str().unwrap()
        );
        assert_eq!(
            app.send(Method::PUT, &path, Some(&client.access), None)
                .await
                .status(),
            200
        );
    }
    let inbox = format!("/api/v1/clients/{}/shared", client.id);
    let unread: Value = json_of(
        app.get_as(&format!("{inbox}?unread=true"), &therapist.access)
            .await,
    )
    .await;
    assert_eq!(unread["items"].as_array().unwrap().len(), 2);
    assert!(unread["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["read_at"].is_null()));

    let open = format!("{inbox}/{}", first["id"].as_str().unwrap());
    let opened: Value = json_of(app.get_as(&open, &therapist.access).await).await;
    assert_eq!(opened["tags"], json!(["commute"]));
    assert!(opened["read_at"].is_string());
    let unread: Value = json_of(
        app.get_as(&format!("{inbox}?unread=true"), &therapist.access)
            .await,
    )
    .await;
    assert_eq!(unread["items"].as_array().unwrap().len(), 1);

    let reply = app
        .post(
            &format!("{open}/replies"),
            Some(&therapist.access),
            json!({"body": "Noted — we'll practise the grounding exercise."}),
        )
        .await;
    assert_eq!(reply.status(), 201);
    let seen: Value = json_of(
        app.get_as(
            &format!("/api/v1/journal/entries/{}", first["id"].as_str().unwrap()),
            &client.access,
        )
        .await,
    )
    .await;
    assert_eq!(
        seen["replies"][0]["body"],
        "Noted — we'll practise the grounding exercise."
    );
    assert!(
        seen["share"]["read_at"].is_string(),
        "the client sees it was read"
    );
    let empty = app
        .post(
            &format!("{open}/replies"),
            Some(&therapist.access),
            json!({"body": "  "}),
        )
        .await;
    assert_problem(empty, 422, "validation_failed").await;

    // The agenda holds the open question until it is discussed.
    let agenda_path = format!("/api/v1/clients/{}/agenda", client.id);
    let agenda: Value = json_of(app.get_as(&agenda_path, &therapist.access).await).await;
    assert_eq!(agenda["items"].as_array().unwrap().len(), 1);
    assert_eq!(agenda["items"][0]["body"], "Can we talk about sleep?");
    assert!(agenda["next_cursor"].is_null());
    let discussed = app
        .send(
            Method::POST,
            &format!(
                "/api/v1/clients/{}/agenda/{}/discussed",
                client.id,
                second["id"].as_str().unwrap()
            ),
            Some(&therapist.access),
            None,
        )
        .await;
    assert_eq!(discussed.status(), 204);
    let not_question = app
        .send(
            Method::POST,
            &format!(
                "/api/v1/clients/{}/agenda/{}/discussed",
                client.id,
                first["id"].as_str().unwrap()
            ),
            Some(&therapist.access),
            None,
        )
        .await;
    assert_problem(not_question, 409, "not_a_question").await;
    let agenda: Value = json_of(app.get_as(&agenda_path, &therapist.access).await).await;
    assert!(agenda["items"].as_array().unwrap().is_empty());

    // Every read is in the client's access log, never the content.
    let log: Value = json_of(
        app.get_as("/api/v1/me/access-log?limit=100", &client.access)
            .await,
    )
    .await;
    let actions: Vec<(&str, &str)> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["resource"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("journal_entry", "discussed"),
            ("journal_entry", "agenda"),
            ("journal_entry", "reply"),
            ("journal_entry", "list"),
            ("journal_entry", "read"),
            ("journal_entry", "list"),
            ("journal_entry", "list"),
        ],
        "newest first; the refused `discussed` on a trigger left no row"
    );
    assert!(!log.to_string().contains("Crowded train"));
}

#[tokio::test]
async fn paging_over_47_entries_returns_each_once_and_filters_and_search_work() {
    let app = spawn_app().await;
    let therapist = app.therapist("pages@example.org").await;
    let client = app.client_of(&therapist, "many@example.org").await;
    let mut ids = Vec::new();
    for i in 0..47 {
        let kind = if i % 3 == 0 { "trigger" } else { "free" };
        let tags = if i % 5 == 0 {
            json!(["Sleep"])
        } else {
            json!([])
        };
        let body = if i == 7 {
            "A calm walk by the river at dusk".to_owned()
        } else {
            format!("Entry number {i}")
        };
        let entry = write(
            &app,
            &client,
            json!({"kind": kind, "body": body, "mood": i % 5 + 1, "tags": tags}),
        )
        .await;
        ids.push(entry["id"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/journal/entries?limit=10".to_owned();
    loop {
        let page: Value = json_of(app.get_as(&path, &client.access).await).await;
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/journal/entries?limit=10&cursor={cursor}"),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids, "newest first, each exactly once");

    let count = |query: &'static str| {
        let app = &app;
        let token = client.access.clone();
        async move {
            let page: Value = json_of(
                app.get_as(
                    &format!("/api/v1/journal/entries?limit=100&{query}"),
                    &token,
                )
                .await,
            )
            .await;
            page["items"].as_array().unwrap().len()
        }
    };
    assert_eq!(count("kind=trigger").await, 16);
    assert_eq!(count("tag=sleep").await, 10);
    assert_eq!(
        count("tag=SLEEP").await,
        10,
        "tag filters are normalised too"
    );
    assert_eq!(count("mood_min=4").await, 18);
    assert_eq!(count("mood_min=2&mood_max=3").await, 19);
    assert_eq!(count("kind=trigger&tag=sleep").await, 4);
    assert_eq!(count("q=river").await, 1);
    assert_eq!(count("q=calm%20dusk").await, 1);
    assert_eq!(count("q=calm%20nowhere").await, 0);
    assert_eq!(count("q=number").await, 46);
    assert_eq!(count("from=2000-01-01T00:00:00Z").await, 47);
    assert_eq!(count("to=2000-01-01T00:00:00Z").await, 0);
    assert_eq!(count("from=2999-01-01T00:00:00%2B02:00").await, 0);

    let bad = app
        .get_as(
            "/api/v1/journal/entries?kind=diary&mood_min=9&from=yesterday",
            &client.access,
        )
        .await;
    let body = assert_problem(bad, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["kind", "from", "mood_min"]);
}

#[tokio::test]
async fn a_stale_if_match_gets_412_and_changes_nothing() {
    let app = spawn_app().await;
    let therapist = app.therapist("etag@example.org").await;
    let client = app.client_of(&therapist, "two.devices@example.org").await;
    let entry = write(
        &app,
        &client,
        json!({"kind": "free", "title": "Draft", "body": "first words", "tags": ["a"]}),
    )
    .await;
    let path = format!("/api/v1/journal/entries/{}", entry["id"].as_str().unwrap());
    let read = app.get_as(&path, &client.access).await;
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, "\"1\"");

    let patch = |if_match: &str, body: Value| {
        let app = &app;
        let token = client.access.clone();
        let path = path.clone();
        let if_match = if_match.to_owned();
        async move {
            app.client
                .patch(app.url(&path))
                .bearer_auth(token)
                .header("if-match", if_match)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let first = patch(
        &etag,
        json!({"body": "second device words", "title": null, "tags": ["b", "c"]}),
    )
    .await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["etag"], "\"2\"");
    let stale = patch(&etag, json!({"body": "first device overwrites"})).await;
    assert_problem(stale, 412, "version_mismatch").await;
    let now: Value = json_of(app.get_as(&path, &client.access).await).await;
    assert_eq!(now["body"], "second device words");
    assert!(now["title"].is_null());
    assert_eq!(now["tags"], json!(["b", "c"]));
    assert_eq!(now["version"], 2);

    let stale_delete = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&client.access)
        .header("if-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_problem(stale_delete, 412, "version_mismatch").await;
    let invalid = patch("\"2\"", json!({"mood": 9, "body": ""})).await;
    let body = assert_problem(invalid, 422, "validation_failed").await;
    assert_eq!(body["errors"].as_array().unwrap().len(), 2);
    assert_eq!(
        json_of(app.get_as(&path, &client.access).await).await["version"],
        2
    );
}

#[tokio::test]
async fn a_repeated_idempotency_key_creates_one_entry() {
    let app = spawn_app().await;
    let therapist = app.therapist("idem@example.org").await;
    let client = app.client_of(&therapist, "retry@example.org").await;
    let send = |key: &str, body: Value| {
        let app = &app;
        let token = client.access.clone();
        let key = key.to_owned();
        async move {
            app.client
                .post(app.url("/api/v1/journal/entries"))
                .bearer_auth(token)
                .header("idempotency-key", key)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let body = json!({"kind": "free", "body": "Written on a train with bad signal"});
    let first = send("key-1", body.clone()).await;
    assert_eq!(first.status(), 201);
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    let first: Value = first.json().await.unwrap();
    let again = send("key-1", body.clone()).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["location"].to_str().unwrap(), location);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again, first);

    // Concurrent retries still make one entry.
    let racing = futures_join(&send, "key-2", &body).await;
    assert!(racing.iter().all(|s| *s == 201), "{racing:?}");

    let other = send("key-1", json!({"kind": "free", "body": "Something else"})).await;
    assert_problem(other, 409, "idempotency_key_reused").await;
    let list: Value = json_of(app.get_as("/api/v1/journal/entries", &client.access).await).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
}

async fn futures_join<'a, F, Fut>(send: &'a F, key: &'a str, body: &'a Value) -> Vec<u16>
where
    F: Fn(&str, Value) -> Fut,
    Fut: std::future::Future<Output = reqwest::Response>,
{
    let (a, b, c) = tokio::join!(
        send(key, body.clone()),
        send(key, body.clone()),
        send(key, body.clone())
    );
    vec![
        a.status().as_u16(),
        b.status().as_u16(),
        c.status().as_u16(),
    ]
}

#[tokio::test]
async fn entries_are_validated_at_the_boundary() {
    let app = spawn_app().await;
    let therapist = app.therapist("valid@example.org").await;
    let client = app.client_of(&therapist, "checks@example.org").await;
    let too_long = "x".repeat(20_001);
    let response = app
        .post(
            "/api/v1/journal/entries",
            Some(&client.access),
            json!({"kind": "free", "body": too_long, "mood": 0, "tags": ["ok", "not ok!"], "title": "t".repeat(201)}),
        )
        .await;
    let body = assert_problem(response, 422, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "body", "mood", "tags[1]"]);
    let kind = app
        .post(
            "/api/v1/journal/entries",
            Some(&client.access),
            json!({"kind": "diary", "body": "x"}),
        )
        .await;
    assert_problem(kind, 422, "invalid_body").await;
    let exactly = app
        .post(
            "/api/v1/journal/entries",
            Some(&client.access),
            json!({"kind": "free", "body": "é".repeat(20_000)}),
        )
        .await;
    assert_eq!(exactly.status(), 201);
    let list: Value = json_of(app.get_as("/api/v1/journal/entries", &client.access).await).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "nothing half-written"
    );
}
