//! The one door to a client's data: every route on which a therapist reads
//! (or acts on) client data writes exactly one access-log row per item it
//! shows, in the same request, and no other practice route exists.

use std::collections::BTreeSet;

use between_tests::{spawn_app, Person, TestApp};
use domain::audit::AccessEntry;
use domain::ids::UserId;
use reqwest::Method;
use serde_json::{json, Value};

fn log_of(app: &TestApp, clients: &[&Person]) -> Vec<AccessEntry> {
    let mut conn = app.pool.get().unwrap();
    clients
        .iter()
        .flat_map(|c| {
            domain::audit::for_client(&mut conn, c.id.parse::<UserId>().unwrap(), None, 10_000)
                .unwrap()
        })
        .collect()
}

async fn write(app: &TestApp, client: &Person, kind: &str, body: &str) -> String {
    let created = app
        .post(
            "/api/v1/journal/entries",
            Some(&client.access),
            json!({"kind": kind, "body": body}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let id = created.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let shared = app
        .send(
            Method::PUT,
            &format!("/api/v1/journal/entries/{id}/share"),
            Some(&client.access),
            Some(&json!({})),
        )
        .await;
    assert_eq!(shared.status(), 200);
    id
}

fn ids(values: &[Value], field: &str) -> Vec<String> {
    values
        .iter()
        .map(|v| v[field].as_str().unwrap().to_owned())
        .collect()
}

/// Every operation the document marks `x-access-logged` (a therapist
/// reaches client data through the care access), as (METHOD, path
/// template). Every practice operation is one of them.
fn access_logged_routes() -> BTreeSet<(String, String)> {
    let doc = serde_json::to_value(between_api::openapi::contract().unwrap()).unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if method == "head" || !operation.is_object() {
                continue;
            }
            let tags = operation["tags"].as_array().cloned().unwrap_or_default();
            let logged = operation["x-access-logged"] == json!(true);
            if tags.iter().any(|t| t == "practice") {
                assert!(
                    logged,
                    "{method} {path} is a practice route without x-access-logged"
                );
            }
            if logged {
                routes.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes
}

#[tokio::test]
async fn every_route_where_a_therapist_reads_client_data_logs_one_row_per_item_shown() {
    let app = spawn_app().await;
    let therapist = app.therapist("door@example.org").await;
    let client = app.client_of(&therapist, "walked@example.org").await;
    let other = app.client_of(&therapist, "second@example.org").await;
    let trigger = write(&app, &client, "trigger", "Crowded train").await;
    let question = write(&app, &client, "question_for_session", "Sleep?").await;
    let second_question = write(&app, &client, "question_for_session", "Work?").await;
    let c = &client.id;
    // An exercise assigned to the client, answered twice.
    let today = between_tests::today_in(chrono_tz::America::New_York);
    let template = app
        .post(
            "/api/v1/exercise-templates",
            Some(&therapist.access),
            json!({"title": "Breathe", "category": "grounding", "fields": [{"key": "how", "label": "How", "input": {"type": "text"}}]}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let new_assignment = json!({"client_id": c, "template_id": template["id"], "schedule": {"kind": "daily", "start_on": today}});
    let assignment = app
        .post(
            "/api/v1/assignments",
            Some(&therapist.access),
            new_assignment.clone(),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let a = assignment["id"].as_str().unwrap().to_owned();
    let mut answers = Vec::new();
    for how in ["slowly", "again"] {
        let r = app
            .post(
                &format!("/api/v1/assignments/{a}/responses"),
                Some(&client.access),
                json!({"answers": {"how": how}}),
            )
            .await
            .json::<Value>()
            .await
            .unwrap();
        answers.push(r["id"].as_str().unwrap().to_owned());
    }
    let r = answers[0].clone();
    // A habit and the daily series, shared.
    let habit = app
        .post(
            "/api/v1/habits",
            Some(&client.access),
            json!({"name": "Walk", "kind": "yes_no", "frequency": {"type": "daily"}}),
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let h = habit["id"].as_str().unwrap().to_owned();
    for path in [
        format!("/api/v1/habits/{h}/share"),
        "/api/v1/daily-check-ins/share".into(),
    ] {
        let shared = app
            .send(Method::PUT, &path, Some(&client.access), Some(&json!({})))
            .await;
        assert_eq!(shared.status(), 200, "{path}");
    }

    // What each route must log: the ids of the items it shows.
    type Shown = fn(&Value) -> Vec<String>;
    let walk: Vec<(Method, &str, String, Option<Value>, Shown)> = vec![
        (
            Method::GET,
            "/api/v1/clients",
            "/api/v1/clients?limit=1".into(),
            None,
            |v| ids(v["items"].as_array().unwrap(), "id"),
        ),
        (
            Method::GET,
            "/api/v1/clients/{id}",
            format!("/api/v1/clients/{c}"),
            None,
            |v| vec![v["id"].as_str().unwrap().to_owned()],
        ),
        (
            Method::GET,
            "/api/v1/clients/{id}/shared",
            format!("/api/v1/clients/{c}/shared?limit=2"),
            None,
            |v| ids(v["items"].as_array().unwrap(), "entry_id"),
        ),
        (
            Method::GET,
            "/api/v1/clients/{id}/shared/{entry_id}",
            format!("/api/v1/clients/{c}/shared/{trigger}"),
            None,
            |v| vec![v["entry_id"].as_str().unwrap().to_owned()],
        ),
        (
            Method::POST,
            "/api/v1/clients/{id}/shared/{entry_id}/replies",
            format!("/api/v1/clients/{c}/shared/{trigger}/replies"),
            Some(json!({"body": "Thank you."})),
            |_| Vec::new(),
        ),
        (
            Method::GET,
            "/api/v1/clients/{id}/agenda",
            format!("/api/v1/clients/{c}/agenda"),
            None,
            |v| ids(v["items"].as_array().unwrap(), "entry_id"),
        ),
        (
            Method::POST,
            "/api/v1/clients/{id}/agenda/{entry_id}/discussed",
            format!("/api/v1/clients/{c}/agenda/{question}/discussed"),
            None,
            |_| Vec::new(),
        ),
        (
            Method::POST,
            "/api/v1/assignments",
            "/api/v1/assignments".into(),
            Some(new_assignment),
            |v| vec![v["id"].as_str().unwrap().to_owned()],
        ),
        (
            Method::GET,
            "/api/v1/assignments",
            format!("/api/v1/assignments?client_id={c}&limit=1"),
            None,
            |v| ids(v["items"].as_array().unwrap(), "id"),
        ),
        (
            Method::GET,
            "/api/v1/assignments/{id}",
            format!("/api/v1/assignments/{a}"),
            None,
            |v| vec![v["id"].as_str().unwrap().to_owned()],
        ),
        (
            Method::PATCH,
            "/api/v1/assignments/{id}",
            format!("/api/v1/assignments/{a}"),
            Some(json!({"instructions": "Slowly."})),
            |v| vec![v["id"].as_str().unwrap().to_owned()],
        ),
        (
            Method::GET,
            "/api/v1/assignments/{id}/responses",
            format!("/api/v1/assignments/{a}/responses"),
            None,
            |v| ids(v["items"].as_array().unwrap(), "id"),
        ),
        (
            Method::GET,
            "/api/v1/assignments/{id}/responses/{response_id}",
            format!("/api/v1/assignments/{a}/responses/{r}"),
            None,
            |v| vec![v["id"].as_str().unwrap().to_owned()],
        ),
        (
            Method::POST,
            "/api/v1/assignments/{id}/responses/{response_id}/comments",
            format!("/api/v1/assignments/{a}/responses/{r}/comments"),
            Some(json!({"body": "Good."})),
            |v| vec![v["response_id"].as_str().unwrap().to_owned()],
        ),
        (
            Method::GET,
            "/api/v1/assignments/{id}/adherence",
            format!("/api/v1/assignments/{a}/adherence"),
            None,
            |v| vec![v["assignment_id"].as_str().unwrap().to_owned()],
        ),
        (
            Method::GET,
            "/api/v1/clients/{id}/adherence",
            format!("/api/v1/clients/{c}/adherence"),
            None,
            |v| ids(v["assignments"].as_array().unwrap(), "assignment_id"),
        ),
        (
            Method::POST,
            "/api/v1/habit-suggestions",
            "/api/v1/habit-suggestions".into(),
            Some(
                json!({"client_id": c, "habit": {"name": "Water", "kind": "yes_no", "frequency": {"type": "daily"}}}),
            ),
            |v| vec![v["id"].as_str().unwrap().to_owned()],
        ),
        (
            Method::GET,
            "/api/v1/clients/{id}/habits",
            format!("/api/v1/clients/{c}/habits"),
            None,
            |v| ids(v.as_array().unwrap(), "id"),
        ),
        (
            Method::GET,
            "/api/v1/clients/{id}/habits/{habit_id}/stats",
            format!("/api/v1/clients/{c}/habits/{h}/stats"),
            None,
            |v| vec![v["habit_id"].as_str().unwrap().to_owned()],
        ),
        (
            Method::GET,
            "/api/v1/clients/{id}/daily-check-ins",
            format!("/api/v1/clients/{c}/daily-check-ins"),
            None,
            |_| Vec::new(),
        ),
        (
            Method::GET,
            "/api/v1/dashboard",
            "/api/v1/dashboard?limit=1".into(),
            None,
            |v| ids(v["items"].as_array().unwrap(), "id"),
        ),
        (
            Method::GET,
            "/api/v1/clients/{id}/summary",
            format!("/api/v1/clients/{c}/summary"),
            None,
            |v| {
                let client = v["client"]["id"].as_str().unwrap().to_owned();
                let mut shown = vec![client.clone()];
                for a in v["exercises"]["assignments"].as_array().unwrap() {
                    shown.push(a["assignment_id"].as_str().unwrap().to_owned());
                    shown.extend(ids(a["latest_responses"].as_array().unwrap(), "id"));
                }
                shown.extend(ids(v["agenda"].as_array().unwrap(), "entry_id"));
                shown.extend(ids(v["habits"].as_array().unwrap(), "id"));
                // The shared series is one item, named by its client.
                if !v["mood"].is_null() {
                    shown.push(client);
                }
                shown
            },
        ),
        (
            Method::DELETE,
            "/api/v1/clients/{id}",
            format!("/api/v1/clients/{c}"),
            None,
            |_| Vec::new(),
        ),
    ];
    let walked: BTreeSet<(String, String)> = walk
        .iter()
        .map(|(m, template, ..)| (m.to_string(), template.to_string()))
        .collect();
    assert_eq!(
        walked,
        access_logged_routes(),
        "every access-logged route is walked here; add a new one to this table"
    );

    // Writes on an item log that item; ending the link reads nothing.
    let acted_on = |template: &str| -> Vec<String> {
        match template {
            "/api/v1/clients/{id}/shared/{entry_id}/replies" => vec![trigger.clone()],
            "/api/v1/clients/{id}/agenda/{entry_id}/discussed" => vec![question.clone()],
            // The daily series is one item, named by its client.
            "/api/v1/clients/{id}/daily-check-ins" => vec![c.clone()],
            _ => Vec::new(),
        }
    };
    for (method, template, path, body, shown) in &walk {
        let before: BTreeSet<_> = log_of(&app, &[&client, &other])
            .into_iter()
            .map(|r| r.id)
            .collect();
        let response = app
            .send(method.clone(), path, Some(&therapist.access), body.as_ref())
            .await;
        assert!(response.status().is_success(), "{method} {path}");
        let request_id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let json: Value = if response.status() == 204 {
            Value::Null
        } else {
            response.json().await.unwrap()
        };
        let mut expected = shown(&json);
        expected.extend(acted_on(template));
        expected.sort();
        let new_rows: Vec<AccessEntry> = log_of(&app, &[&client, &other])
            .into_iter()
            .filter(|r| !before.contains(&r.id))
            .collect();
        let mut logged: Vec<String> = new_rows
            .iter()
            .map(|r| r.resource_id.unwrap().to_string())
            .collect();
        logged.sort();
        assert_eq!(logged, expected, "{method} {template}");
        assert!(
            new_rows
                .iter()
                .all(|r| r.request_id.as_deref() == Some(request_id.as_str())
                    && r.actor_id.map(|a| a.to_string()) == Some(therapist.id.clone())),
            "{method} {template}: {new_rows:?}"
        );
        match *template {
            "/api/v1/clients" => assert_eq!(expected.len(), 1, "the look-ahead row is not logged"),
            "/api/v1/clients/{id}/shared" => assert_eq!(expected.len(), 2),
            "/api/v1/assignments/{id}/responses" => assert_eq!(expected.len(), 2),
            "/api/v1/clients/{id}/adherence" => assert_eq!(expected.len(), 2),
            "/api/v1/clients/{id}/habits" => assert_eq!(expected, vec![h.clone()]),
            // Profile, 2 assignments, 2 responses, 1 question, 1 habit, the series.
            "/api/v1/clients/{id}/summary" => assert_eq!(expected.len(), 8, "{json}"),
            "/api/v1/clients/{id}/agenda" => {
                assert_eq!(expected, {
                    let mut q = vec![question.clone(), second_question.clone()];
                    q.sort();
                    q
                })
            }
            _ => {}
        }
    }

    // After the link ended, the door is shut: 404 and no row.
    let before = log_of(&app, &[&client]).len();
    let shut = app
        .get_as(&format!("/api/v1/clients/{c}/shared"), &therapist.access)
        .await;
    assert_eq!(shut.status(), 404);
    assert_eq!(log_of(&app, &[&client]).len(), before);
}
