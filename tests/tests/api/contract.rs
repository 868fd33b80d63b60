//! The document says exactly what the service does: bodies are parsed
//! strictly, HEAD answers like GET, and every operation lists every status
//! and header it can send.

use between_tests::{assert_problem, spawn_app, Person, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn entry(app: &TestApp, client: &Person) -> String {
    let created = app
        .post(
            "/api/v1/journal/entries",
            Some(&client.access),
            json!({"kind": "free", "title": "Title", "body": "words", "mood": 3, "tags": ["a"]}),
        )
        .await;
    assert_eq!(created.status(), 201);
    created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn raw(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: &str,
) -> reqwest::Response {
    app.client
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_share_body_that_does_not_parse_shares_nothing() {
    let app = spawn_app().await;
    let therapist = app.therapist("body.therapist@example.org").await;
    let client = app.client_of(&therapist, "body.client@example.org").await;
    let id = entry(&app, &client).await;
    let share = format!("/api/v1/journal/entries/{id}/share");
    let shown = format!("/api/v1/clients/{}/shared/{id}", client.id);
    for (body, status, code) in [
        (r#"{"expires_at":"2030-01-01"}"#, 422, "invalid_body"),
        (
            r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#,
            422,
            "invalid_body",
        ),
        (r#"{"expires_at":5}"#, 422, "invalid_body"),
        (r#"null"#, 422, "invalid_body"),
        ("not json", 400, "malformed_json"),
    ] {
        let response = raw(&app, Method::PUT, &share, &client.access, body).await;
        assert_problem(response, status, code).await;
        assert_eq!(
            app.get_as(&shown, &therapist.access).await.status(),
            404,
            "{body} shared the entry"
        );
        let mine: Value = app
            .get_as(&format!("/api/v1/journal/entries/{id}"), &client.access)
            .await
            .json()
            .await
            .unwrap();
        assert!(mine["share"].is_null(), "{body}");
    }
    // No body at all is the documented "until you take it back".
    let shared = app
        .send(Method::PUT, &share, Some(&client.access), None)
        .await;
    assert_eq!(shared.status(), 200);
    let shared: Value = shared.json().await.unwrap();
    assert!(shared["expires_at"].is_null());
    assert_eq!(app.get_as(&shown, &therapist.access).await.status(), 200);
}

#[tokio::test]
async fn a_patch_cannot_null_what_cannot_be_cleared() {
    let app = spawn_app().await;
    let therapist = app.therapist("nulls@example.org").await;
    let client = app.client_of(&therapist, "nulls.client@example.org").await;
    let id = entry(&app, &client).await;
    let path = format!("/api/v1/journal/entries/{id}");
    for body in [
        json!({"kind": null}),
        json!({"body": null}),
        json!({"tags": null}),
    ] {
        let response = app
            .send(Method::PATCH, &path, Some(&client.access), Some(&body))
            .await;
        assert_problem(response, 422, "invalid_body").await;
    }
    let unchanged: Value = app
        .get_as(&path, &client.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unchanged["version"], 1);
    let cleared = app
        .send(
            Method::PATCH,
            &path,
            Some(&client.access),
            Some(&json!({"title": null, "mood": null})),
        )
        .await;
    assert_eq!(cleared.status(), 200);
    let cleared: Value = cleared.json().await.unwrap();
    assert!(cleared["title"].is_null() && cleared["mood"].is_null());
    assert_eq!(cleared["body"], "words");
    let profile = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&client.access),
            Some(&json!({"time_zone": null})),
        )
        .await;
    assert_problem(profile, 422, "invalid_body").await;
}

#[tokio::test]
async fn head_answers_like_get_without_a_body() {
    let app = spawn_app().await;
    let therapist = app.therapist("head@example.org").await;
    let client = app.client_of(&therapist, "head.client@example.org").await;
    let id = entry(&app, &client).await;
    let path = format!("/api/v1/journal/entries/{id}");
    let get = app.get_as(&path, &client.access).await;
    let length = get.headers()["content-length"].clone();
    let etag = get.headers()["etag"].clone();
    let head = app
        .client
        .head(app.url(&path))
        .bearer_auth(&client.access)
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["etag"], etag);
    assert_eq!(head.headers()["content-length"], length);
    assert!(head.headers().contains_key("x-request-id"));
    assert!(head.bytes().await.unwrap().is_empty());
    let missing = app
        .client
        .head(app.url("/api/v1/journal/entries/00000000-0000-7000-8000-000000000000"))
        .bearer_auth(&client.access)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    let health = app.client.head(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
}

fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    match value["$ref"].as_str() {
        Some(reference) => {
            let path = reference.trim_start_matches("#/").split('/');
            path.fold(doc, |node, part| &node[part])
        }
        None => value,
    }
}

#[test]
fn every_operation_lists_the_statuses_and_headers_it_can_send() {
    let doc = between_api::openapi::contract().unwrap();
    assert_eq!(doc["servers"][0]["url"], "/");
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if item.get("get").is_some() {
            assert!(item.get("head").is_some(), "HEAD {path}");
        }
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let id = op["operationId"].as_str().unwrap();
            let responses = op["responses"].as_object().unwrap();
            assert!(
                op["description"].as_str().is_some_and(|d| !d.is_empty()),
                "{id} has a description"
            );
            assert!(responses.contains_key("500"), "{id} lists 500");
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{id} lists {status}");
                }
            }
            let public = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().all(|r| r.as_object().unwrap().is_empty()));
            if !public {
                assert!(responses.contains_key("401"), "{id} lists 401");
            }
            for (status, response) in responses {
                let response = resolve(&doc, response);
                if status == "400" && response.get("content").is_none() {
                    continue;
                }
                assert!(
                    response["headers"].get("X-Request-Id").is_some(),
                    "{method} {path} {status} documents X-Request-Id"
                );
                if status == "429" {
                    assert!(response["headers"].get("Retry-After").is_some(), "{id}");
                }
                if status == "401" {
                    assert!(
                        response["headers"].get("WWW-Authenticate").is_some(),
                        "{id}"
                    );
                }
            }
        }
    }
    assert!(operations > 40, "{operations}");
    let entry = &doc["paths"]["/api/v1/journal/entries/{id}"]["get"]["responses"]["200"];
    assert!(entry["headers"].get("ETag").is_some());
    let created = &doc["paths"]["/api/v1/journal/entries"]["post"]["responses"]["201"];
    assert!(created["headers"].get("Location").is_some());
    assert!(created["headers"].get("Idempotent-Replayed").is_some());
}

#[test]
fn always_sent_fields_are_required_and_closed_sets_are_enums() {
    let doc = between_api::openapi::contract().unwrap();
    let schemas = &doc["components"]["schemas"];
    let required = |schema: &str| -> Vec<String> {
        schemas[schema]["required"]
            .as_array()
            .unwrap_or(&Vec::new())
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    for (schema, field) in [
        ("Page_EntryView", "next_cursor"),
        ("EntryView", "title"),
        ("EntryView", "share"),
        ("ShareView", "expires_at"),
        ("SharedEntryView", "read_at"),
        ("InvitationView", "client_id"),
        ("AccessEntry", "actor_id"),
    ] {
        assert!(
            required(schema).contains(&field.to_owned()),
            "{schema}.{field}"
        );
    }
    assert!(!required("EntryView").contains(&"replies".to_owned()));
    assert!(!required("Problem").contains(&"errors".to_owned()));
    assert!(
        !required("EntryPatch").contains(&"body".to_owned()),
        "requests stay optional"
    );
    assert_eq!(
        schemas["Page_EntryView"]["properties"]["items"]["items"]["$ref"],
        "#/components/schemas/EntryView"
    );
    let codes = schemas["Problem"]["properties"]["code"]["enum"]
        .as_array()
        .unwrap();
    for code in [
        "validation_failed",
        "rate_limited",
        "database_unavailable",
        "wrong_role",
    ] {
        assert!(codes.iter().any(|c| c == code), "{code}");
    }
    assert!(schemas["FieldError"]["properties"]["code"]["enum"].is_array());
    assert_eq!(
        schemas["TokenPair"]["properties"]["token_type"]["enum"],
        json!(["Bearer"])
    );
    assert!(schemas["TimeZone"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .any(|z| z == "Europe/Berlin"));
    for kind in ["kind", "body", "tags"] {
        let property = &schemas["EntryPatch"]["properties"][kind];
        assert!(
            !property.to_string().contains("null"),
            "{kind} is not nullable"
        );
    }
}

#[tokio::test]
async fn malformed_headers_queries_and_addresses_are_refused_not_guessed_at() {
    let app = spawn_app().await;
    let therapist = app.therapist("strict@example.org").await;
    let client = app.client_of(&therapist, "strict.client@example.org").await;
    let id = entry(&app, &client).await;
    let path = format!("/api/v1/journal/entries/{id}");
    for (method, value) in [
        (Method::PATCH, "3"),
        (Method::PATCH, "{}"),
        (Method::PATCH, "\"1"),
        (Method::PATCH, "W/1"),
        (Method::PATCH, ""),
        (Method::DELETE, ""),
        (Method::DELETE, "1"),
    ] {
        let response = app
            .client
            .request(method, app.url(&path))
            .bearer_auth(&client.access)
            .header("if-match", value)
            .json(&json!({"mood": 4}))
            .send()
            .await
            .unwrap();
        assert_problem(response, 400, "invalid_if_match").await;
    }
    let weak = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&client.access)
        .header("if-match", "W/\"1\"")
        .json(&json!({"mood": 4}))
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 200, "a weak ETag as sent is understood");
    for cursor in [
        "",
        "ABCDEF00-0000-7000-8000-000000000000",
        "abcdef0000007000800000000000000",
    ] {
        let response = app
            .get_as(
                &format!("/api/v1/journal/entries?cursor={cursor}"),
                &client.access,
            )
            .await;
        let problem = assert_problem(response, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "cursor");
    }
    let reset = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": " nobody@example.org"}),
        )
        .await;
    assert_problem(reset, 422, "validation_failed").await;
}

/// serde's derived structs also take a JSON array of their fields in order:
/// `[]` would be "no fields given" and `[true]` would set the first one (on
/// the admin's account update, `disabled`). Every request body is an object.
#[tokio::test]
async fn every_body_that_is_not_an_object_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin("shape.admin@example.org").await;
    let therapist = app.therapist("shape.therapist@example.org").await;
    let client = app.client_of(&therapist, "shape.client@example.org").await;
    let mine = entry(&app, &client).await;
    let shared = entry(&app, &client).await;
    let share = format!("/api/v1/journal/entries/{shared}/share");
    let put = app
        .send(Method::PUT, &share, Some(&client.access), None)
        .await;
    assert_eq!(put.status(), 200);
    let invited = app
        .post(
            "/api/v1/invitations",
            Some(&therapist.access),
            json!({"email": "shape.invited@example.org"}),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let invitation = app.email_data("invitation", "shape.invited@example.org")["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // An exercise of the therapist's, assigned to the client and answered.
    let template: Value = app
        .post(
            "/api/v1/exercise-templates",
            Some(&therapist.access),
            json!({"title": "Breathe", "category": "grounding", "fields": [{"key": "how", "label": "How", "input": {"type": "text"}}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let today = between_tests::today_in(chrono_tz::America::New_York);
    let assignment: Value = app
        .post(
            "/api/v1/assignments",
            Some(&therapist.access),
            json!({"client_id": client.id, "template_id": template["id"], "schedule": {"kind": "daily", "start_on": today}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let response: Value = app
        .post(
            &format!(
                "/api/v1/assignments/{}/responses",
                assignment["id"].as_str().unwrap()
            ),
            Some(&client.access),
            json!({"answers": {"how": "slowly"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let (template_id, assignment_id, response_id) = (
        template["id"].as_str().unwrap().to_owned(),
        assignment["id"].as_str().unwrap().to_owned(),
        response["id"].as_str().unwrap().to_owned(),
    );

    let habit: Value = app
        .post(
            "/api/v1/habits",
            Some(&client.access),
            json!({"name": "Walk", "kind": "yes_no", "frequency": {"type": "daily"}}),
        )
        .await
        .json()
        .await
        .unwrap();
    let habit_id = habit["id"].as_str().unwrap().to_owned();

    let doc = between_api::openapi::contract().unwrap();
    let mut tried = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            // JSON bodies only (the one-click unsubscribe target takes a form).
            if op["requestBody"]["content"]
                .get("application/json")
                .is_none()
            {
                continue;
            }
            let id = op["operationId"].as_str().unwrap();
            let tag = op["tags"][0].as_str().unwrap();
            let (token, path) = match tag {
                "admin" => (Some(&admin.access), template.replace("{id}", &client.id)),
                "practice" => (
                    Some(&therapist.access),
                    template
                        .replace("{id}", &client.id)
                        .replace("{entry_id}", &shared),
                ),
                "invitations" if template.contains("{token}") => {
                    (None, template.replace("{token}", &invitation))
                }
                "invitations" => (Some(&therapist.access), template.clone()),
                "journal" => (Some(&client.access), template.replace("{id}", &mine)),
                "me" | "auth" => (Some(&client.access), template.clone()),
                "exercises" => {
                    let who = match id {
                        "create_assignment_response"
                        | "save_assignment_draft"
                        | "update_assignment_response" => &client.access,
                        _ => &therapist.access,
                    };
                    let object = if template.starts_with("/api/v1/exercise-templates") {
                        &template_id
                    } else {
                        &assignment_id
                    };
                    (
                        Some(who),
                        template
                            .replace("{id}", object)
                            .replace("{response_id}", &response_id),
                    )
                }
                "habits" if id == "suggest_habit" => (Some(&therapist.access), template.clone()),
                "notifications" => (Some(&client.access), template.clone()),
                "booking" => (
                    Some(&therapist.access),
                    template
                        .replace("{date}", &today)
                        .replace("{id}", &uuid::Uuid::new_v4().to_string()),
                ),
                "habits" | "daily check-ins" => (
                    Some(&client.access),
                    template
                        .replace("{id}", &habit_id)
                        .replace("{date}", &today),
                ),
                other => panic!("{id}: choose a caller for the {other} tag"),
            };
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for body in [
                "[]",
                "[null]",
                "[true]",
                "[\"x\", \"y\"]",
                "null",
                "\"x\"",
                "5",
            ] {
                let mut request = app
                    .client
                    .request(method.clone(), app.url(&path))
                    .header("content-type", "application/json")
                    .body(body);
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), 422, "{id} took {body}");
                assert_problem(response, 422, "invalid_body").await;
                tried += 1;
            }
        }
    }
    assert!(tried >= 22 * 7, "{tried}");
    let kept: Value = app
        .get_as(
            &format!("/api/v1/exercise-templates/{template_id}"),
            &therapist.access,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kept["version"], 1);
    let kept: Value = app
        .get_as(
            &format!("/api/v1/assignments/{assignment_id}/responses"),
            &client.access,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(kept["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(kept["items"][0]["private"], false);
    assert!(kept["items"][0]["comments"].as_array().unwrap().is_empty());
    let draft = app
        .get_as(
            &format!("/api/v1/assignments/{assignment_id}/draft"),
            &client.access,
        )
        .await;
    assert_eq!(draft.status(), 404);

    // Nothing changed: the client is still enabled and signed in, the
    // entries are as they were, the invitation still opens.
    let me: Value = app
        .get_as("/api/v1/me", &client.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["display_name"], "Client Test");
    assert_eq!(me["time_zone"], "America/New_York");
    assert_eq!(
        app.login(&client.email, between_tests::PASSWORD)
            .await
            .status(),
        200
    );
    let unshared: Value = app
        .get_as(&format!("/api/v1/journal/entries/{mine}"), &client.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(unshared["version"], 1);
    assert!(unshared["share"].is_null());
    let replies = format!("/api/v1/clients/{}/shared/{shared}", client.id);
    let seen: Value = app
        .get_as(&replies, &therapist.access)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen["replies"].as_array().map(Vec::len), Some(0), "{seen}");
    let accepted = app
        .post(
            &format!("/api/v1/invitations/{invitation}/accept"),
            None,
            json!({"password": between_tests::PASSWORD, "display_name": "Invited", "time_zone": "UTC"}),
        )
        .await;
    assert_eq!(accepted.status(), 201);
}
