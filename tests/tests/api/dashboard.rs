//! The therapist's dashboard and a client's summary: figures on a
//! hand-computed caseload, only from what is shared now, in a fixed number
//! of queries, and who may read them.

use between_tests::cast::{Cast, Expect};
use between_tests::{assert_problem, instant, spawn_app, spawn_app_at, Person, TestApp};
use chrono::{Duration, NaiveDate, Utc};
use futures_util::stream::{self, StreamExt};
use reqwest::Method;
use serde_json::{json, Value};

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {body}");
    body
}

async fn put(app: &TestApp, person: &Person, path: &str, body: Value) -> Value {
    ok(app
        .send(Method::PUT, path, Some(&person.access), Some(&body))
        .await)
    .await
}

async fn rename(app: &TestApp, person: &Person, name: &str) {
    ok(app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&person.access),
            Some(&json!({"display_name": name})),
        )
        .await)
    .await;
}

async fn template(app: &TestApp, therapist: &Person) -> String {
    let created = ok(app
        .post(
            "/api/v1/exercise-templates",
            Some(&therapist.access),
            json!({"title": "Evening notes", "purpose": "Notice the day.", "instructions": "Write a line.",
                "category": "reflection",
                "fields": [{"key": "what", "label": "What happened", "required": true,
                    "input": {"type": "text", "max_length": 200}}]}),
        )
        .await)
    .await;
    created["id"].as_str().unwrap().to_owned()
}

async fn assign_daily(
    app: &TestApp,
    therapist: &Person,
    client: &Person,
    template: &str,
    from: NaiveDate,
) -> String {
    let created = ok(app
        .post(
            "/api/v1/assignments",
            Some(&therapist.access),
            json!({"client_id": client.id, "template_id": template, "instructions": "Each evening.",
                "schedule": {"kind": "daily", "start_on": from}}),
        )
        .await)
    .await;
    created["id"].as_str().unwrap().to_owned()
}

async fn respond(app: &TestApp, client: &Person, assignment: &str, private: bool) -> Value {
    ok(app
        .post(
            &format!("/api/v1/assignments/{assignment}/responses"),
            Some(&client.access),
            json!({"answers": {"what": "PLANTED-SECRET answer"}, "private": private}),
        )
        .await)
    .await
}

async fn entry(app: &TestApp, client: &Person, kind: &str, mood: Option<i32>) -> String {
    let mut body = json!({"kind": kind, "body": "PLANTED-SECRET body"});
    if let Some(mood) = mood {
        body["mood"] = json!(mood);
    }
    let created = ok(app
        .post("/api/v1/journal/entries", Some(&client.access), body)
        .await)
    .await;
    created["id"].as_str().unwrap().to_owned()
}

async fn share_entry(app: &TestApp, client: &Person, id: &str, body: Value) {
    put(
        app,
        client,
        &format!("/api/v1/journal/entries/{id}/share"),
        body,
    )
    .await;
}

async fn habit(app: &TestApp, client: &Person, name: &str) -> String {
    let created = ok(app
        .post(
            "/api/v1/habits",
            Some(&client.access),
            json!({"name": name, "kind": "yes_no", "frequency": {"type": "daily"}}),
        )
        .await)
    .await;
    created["id"].as_str().unwrap().to_owned()
}

async fn dashboard(app: &TestApp, therapist: &Person, query: &str) -> Value {
    ok(app
        .get_as(&format!("/api/v1/dashboard{query}"), &therapist.access)
        .await)
    .await
}

async fn summary(app: &TestApp, therapist: &Person, client: &Person) -> Value {
    ok(app
        .get_as(
            &format!("/api/v1/clients/{}/summary", client.id),
            &therapist.access,
        )
        .await)
    .await
}

fn names(board: &Value) -> Vec<String> {
    board["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["display_name"].as_str().unwrap().to_owned())
        .collect()
}

fn line<'a>(board: &'a Value, name: &str) -> &'a Value {
    board["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["display_name"] == name)
        .unwrap_or_else(|| panic!("{name} is not on the dashboard: {board}"))
}

/// A period of adherence as the API writes it.
fn period(from: NaiveDate, to: NaiveDate, figures: [u32; 5], rate: Option<f64>) -> Value {
    let [due, on_time, late, missed, pending] = figures;
    json!({"from": from, "to": to, "due": due, "completed_on_time": on_time, "completed_late": late,
        "missed": missed, "pending": pending, "completion_rate": rate})
}

#[tokio::test]
async fn the_dashboard_counts_only_what_is_shared_now_on_a_hand_computed_caseload() {
    // Four local days in New York, two weeks from now: day 0 at 07:00
    // local (12:00Z). Shares with an expiry are checked against the
    // service's clock, so an expiry between the real now and day 0 has
    // passed for the dashboard.
    let d0 = (Utc::now() + Duration::days(14)).date_naive();
    let day = |n: i64| d0 + Duration::days(n);
    let at = |n: i64, time: &str| instant(&format!("{}T{time}Z", day(n)));
    let (app, clock) = spawn_app_at(&format!("{d0}T12:00:00Z")).await;
    let therapist = between_tests::booking::offering(
        &app,
        "board@example.org",
        "board",
        "Europe/Berlin",
        "09:00",
        "17:00",
    )
    .await;
    let ann = app.client_of(&therapist, "ann@example.org").await;
    let bea = app.client_of(&therapist, "bea@example.org").await;
    let cy = app.client_of(&therapist, "cy@example.org").await;
    let dee = app.client_of(&therapist, "dee@example.org").await;
    for (person, name) in [(&ann, "Ann"), (&bea, "Bea"), (&cy, "Cy"), (&dee, "Ada")] {
        rename(&app, person, name).await;
    }
    let other = app.therapist("other.board@example.org").await;
    let eve = app.client_of(&other, "eve@example.org").await;
    rename(&app, &eve, "Eve").await;
    let tpl = template(&app, &therapist).await;
    // Consultations, booked now: on day 3 (later that day), day 6, day 12.
    let book = |n: i64, time: &str| format!("{}T{time}Z", day(n));
    for (start, email) in [
        (book(3, "14:00:00"), "sam.today@example.org"),
        (book(6, "10:00:00"), "sam.week@example.org"),
        (book(12, "10:00:00"), "sam.later@example.org"),
    ] {
        between_tests::booking::confirmed(&app, "board", &start, email).await;
    }

    // Ann: a daily exercise answered on day 0, privately on day 1, not on
    // day 2; day 3 is open. Two entries shared (one a question), one
    // shared with an expiry that passes, one shared and taken back, and a
    // shared habit.
    let ann_daily = assign_daily(&app, &therapist, &ann, &tpl, d0).await;
    let walk = habit(&app, &ann, "Walk").await;
    put(
        &app,
        &ann,
        &format!("/api/v1/habits/{walk}/share"),
        json!({}),
    )
    .await;
    let free = entry(&app, &ann, "free", Some(3)).await;
    share_entry(&app, &ann, &free, json!({})).await;
    let question = entry(&app, &ann, "question_for_session", None).await;
    share_entry(&app, &ann, &question, json!({})).await;
    let expiring = entry(&app, &ann, "trigger", Some(2)).await;
    let soon = (Utc::now() + Duration::days(1)).to_rfc3339();
    share_entry(&app, &ann, &expiring, json!({"expires_at": soon})).await;
    let revoked = entry(&app, &ann, "free", Some(5)).await;
    share_entry(&app, &ann, &revoked, json!({})).await;
    assert_eq!(
        app.send(
            Method::DELETE,
            &format!("/api/v1/journal/entries/{revoked}/share"),
            Some(&ann.access),
            None
        )
        .await
        .status(),
        204
    );
    // Bea: shares her daily check-ins; no exercises.
    put(&app, &bea, "/api/v1/daily-check-ins/share", json!({})).await;
    // Cy: a daily exercise answered each day; one shared entry, read.
    let cy_daily = assign_daily(&app, &therapist, &cy, &tpl, d0).await;
    let cy_entry = entry(&app, &cy, "session_takeaway", None).await;
    share_entry(&app, &cy, &cy_entry, json!({})).await;
    ok(app
        .get_as(
            &format!("/api/v1/clients/{}/shared/{cy_entry}", cy.id),
            &therapist.access,
        )
        .await)
    .await;
    // Dee shares an entry and will leave.
    let dee_entry = entry(&app, &dee, "free", None).await;
    share_entry(&app, &dee, &dee_entry, json!({})).await;

    clock.set(at(0, "20:00:00"));
    let ann_first = respond(&app, &ann, &ann_daily, false).await;
    let cy_first = respond(&app, &cy, &cy_daily, false).await;
    clock.set(at(1, "20:00:00"));
    respond(&app, &ann, &ann_daily, true).await;
    respond(&app, &cy, &cy_daily, false).await;
    put(
        &app,
        &bea,
        &format!("/api/v1/daily-check-ins/{}", day(1)),
        json!({"mood": 4, "energy": 3, "note": "PLANTED-SECRET"}),
    )
    .await;
    clock.set(at(2, "20:00:00"));
    respond(&app, &cy, &cy_daily, false).await;
    put(
        &app,
        &bea,
        &format!("/api/v1/daily-check-ins/{}", day(2)),
        json!({"mood": 2}),
    )
    .await;
    // Day 3, 07:00 in New York, 13:00 in Berlin.
    clock.set(at(3, "12:00:00"));
    // The therapist opens Cy's first response: it is read.
    let opened = ok(app
        .get_as(
            &format!(
                "/api/v1/assignments/{cy_daily}/responses/{}",
                cy_first["id"].as_str().unwrap()
            ),
            &therapist.access,
        )
        .await)
    .await;
    assert!(opened["read_at"].is_string());
    let board = dashboard(&app, &therapist, "").await;
    assert_eq!(board["total"], 4, "{board}");
    assert_eq!(board["as_of"], json!(day(3)));
    assert_eq!(board["time_zone"], "Europe/Berlin");
    // Needs attention: Ann is overdue; then Cy (2 unread), Bea (1), Ada
    // (Dee's new name: 1, shared before Bea's last check-in).
    assert_eq!(names(&board), ["Ann", "Cy", "Bea", "Ada"]);

    let week = |from: i64| (day(3) - Duration::days(from), day(3));
    let (f7, t7) = week(6);
    let (f30, t30) = week(29);
    let a = line(&board, "Ann");
    assert_eq!(a["id"], json!(ann.id));
    assert_eq!(
        a["unread"],
        json!({"entries": 2, "habits": 1, "daily_check_ins": 0, "responses": 1, "total": 4})
    );
    assert_eq!(a["agenda_questions"], 1);
    // Day 0 on time, day 1 private but done, day 2 missed, day 3 open.
    assert_eq!(
        a["exercises"],
        json!({"as_of": day(3), "due_today": 1, "overdue": 1,
            "last_7_days": period(f7, t7, [4, 2, 0, 1, 1], Some(2.0 / 3.0)),
            "last_30_days": period(f30, t30, [4, 2, 0, 1, 1], Some(2.0 / 3.0))})
    );
    // The private response of day 1 is not activity; the visible one is.
    assert_eq!(
        a["last_activity"],
        json!({"at": ann_first["submitted_at"], "kind": "exercise_response"})
    );

    let c = line(&board, "Cy");
    assert_eq!(
        c["unread"],
        json!({"entries": 0, "habits": 0, "daily_check_ins": 0, "responses": 2, "total": 2})
    );
    assert_eq!(
        c["exercises"],
        json!({"as_of": day(3), "due_today": 1, "overdue": 0,
            "last_7_days": period(f7, t7, [4, 3, 0, 0, 1], Some(1.0)),
            "last_30_days": period(f30, t30, [4, 3, 0, 0, 1], Some(1.0))})
    );
    assert_eq!(
        c["last_activity"],
        json!({"at": at(2, "20:00:00"), "kind": "exercise_response"})
    );

    let b = line(&board, "Bea");
    assert_eq!(
        b["unread"],
        json!({"entries": 0, "habits": 0, "daily_check_ins": 1, "responses": 0, "total": 1})
    );
    assert_eq!(b["agenda_questions"], 0);
    assert_eq!(
        b["exercises"],
        json!({"as_of": day(3), "due_today": 0, "overdue": 0,
            "last_7_days": period(f7, t7, [0, 0, 0, 0, 0], None),
            "last_30_days": period(f30, t30, [0, 0, 0, 0, 0], None)})
    );
    assert_eq!(
        b["last_activity"],
        json!({"at": at(2, "20:00:00"), "kind": "daily_check_ins"})
    );

    // Consultations in Berlin days: today, and the next six days.
    let today: Vec<&Value> = board["consultations"]["today"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(today.len(), 1, "{board}");
    assert_eq!(today[0]["start"], json!(book(3, "14:00:00")));
    assert_eq!(today[0]["email"], "sam.today@example.org");
    let later = board["consultations"]["this_week"].as_array().unwrap();
    assert_eq!(later.len(), 1, "{board}");
    assert_eq!(later[0]["start"], json!(book(6, "10:00:00")));

    // By name, two to a page; the cursor carries on where the page ended.
    let first = dashboard(&app, &therapist, "?sort=name&limit=2").await;
    assert_eq!(names(&first), ["Ada", "Ann"]);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let second = dashboard(
        &app,
        &therapist,
        &format!("?sort=name&limit=2&cursor={cursor}"),
    )
    .await;
    assert_eq!(names(&second), ["Bea", "Cy"]);
    assert!(second["next_cursor"].is_null());
    // Attention order pages the same way.
    let first = dashboard(&app, &therapist, "?limit=3").await;
    assert_eq!(names(&first), ["Ann", "Cy", "Bea"]);
    let cursor = first["next_cursor"].as_str().unwrap().to_owned();
    let rest = dashboard(&app, &therapist, &format!("?limit=3&cursor={cursor}")).await;
    assert_eq!(names(&rest), ["Ada"]);
    let at_dee = dashboard(&app, &therapist, "?sort=name&limit=1").await["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    // A cursor of one order is refused by the other; a made-up one too.
    assert_problem(
        app.get_as(
            &format!("/api/v1/dashboard?sort=name&cursor={cursor}"),
            &therapist.access,
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    for bad in [
        "?cursor=nope",
        "?limit=0",
        "?limit=101",
        "?sort=mood",
        "?name=%20%20",
        "?colour=red",
    ] {
        let refused = app
            .get_as(&format!("/api/v1/dashboard{bad}"), &therapist.access)
            .await;
        assert!(
            [400, 422].contains(&refused.status().as_u16()),
            "{bad}: {}",
            refused.status()
        );
    }
    // The name filter: part of a name or an address, any case.
    let found = dashboard(&app, &therapist, "?name=BE").await;
    assert_eq!(names(&found), ["Bea"]);
    assert_eq!(found["total"], 1);
    let found = dashboard(&app, &therapist, "?name=cy%40example").await;
    assert_eq!(names(&found), ["Cy"]);

    // Ann's summary: adherence and the visible response only; the agenda;
    // the shared habit; no mood (her check-ins are not shared).
    let s = summary(&app, &therapist, &ann).await;
    assert_eq!(s["client"]["display_name"], "Ann");
    assert_eq!(s["unread"], a["unread"]);
    assert_eq!(s["last_activity"], a["last_activity"]);
    assert_eq!(s["exercises"]["last_7_days"], a["exercises"]["last_7_days"]);
    let assignment = &s["exercises"]["assignments"][0];
    assert_eq!(assignment["assignment_id"], json!(ann_daily));
    assert_eq!(assignment["next_due"]["due_on"], json!(day(3)));
    let responses = assignment["latest_responses"].as_array().unwrap();
    assert_eq!(responses.len(), 1, "the private response is not listed");
    assert_eq!(responses[0]["id"], ann_first["id"]);
    assert_eq!(responses[0]["answers"]["what"], "PLANTED-SECRET answer");
    assert_eq!(s["agenda_questions"], 1);
    assert_eq!(s["agenda"][0]["entry_id"], json!(question));
    assert!(s["mood"].is_null());
    let habits = s["habits"].as_array().unwrap();
    assert_eq!(habits.len(), 1);
    assert_eq!(habits[0]["id"], json!(walk));
    // The week ahead: the daily exercise from today to six days on.
    let upcoming = s["upcoming"].as_array().unwrap();
    assert_eq!(upcoming.len(), 7);
    assert_eq!(upcoming[0]["occurrence"]["due_on"], json!(day(3)));
    assert_eq!(upcoming[0]["occurrence"]["state"], "open");
    assert_eq!(upcoming[6]["occurrence"]["due_on"], json!(day(9)));

    // Bea's summary: her shared mood, day by day and by week.
    let s = summary(&app, &therapist, &bea).await;
    let mood = &s["mood"];
    assert_eq!(mood["to"], json!(day(3)));
    assert_eq!(
        mood["days"],
        json!([{"date": day(1), "mood": 4, "energy": 3}, {"date": day(2), "mood": 2, "energy": null}])
    );
    let weeks = mood["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 4);
    let recorded: u64 = weeks
        .iter()
        .map(|w| w["days_recorded"].as_u64().unwrap())
        .sum();
    assert_eq!(recorded, 2);
    let moods: Vec<f64> = weeks
        .iter()
        .filter_map(|w| w["mood_average"].as_f64())
        .collect();
    // Day 1 and day 2 fall in one week or two.
    assert!(moods == [3.0] || moods == [4.0, 2.0], "{moods:?}");
    assert!(!s.to_string().contains("PLANTED-SECRET"), "no note: {s}");

    // Planted: Ann's unshared mood of 1, an unshared habit checked in, an
    // unshared entry of mood 1, all made now. No figure moves.
    let board_before = dashboard(&app, &therapist, "").await;
    let summary_before = summary(&app, &therapist, &ann).await;
    put(
        &app,
        &ann,
        &format!("/api/v1/daily-check-ins/{}", day(3)),
        json!({"mood": 1, "energy": 1}),
    )
    .await;
    let hidden = habit(&app, &ann, "Hidden").await;
    put(
        &app,
        &ann,
        &format!("/api/v1/habits/{hidden}/check-ins/{}", day(3)),
        json!({"status": "done"}),
    )
    .await;
    entry(&app, &ann, "free", Some(1)).await;
    assert_eq!(dashboard(&app, &therapist, "").await, board_before);
    assert_eq!(summary(&app, &therapist, &ann).await, summary_before);

    // Reading the summary wrote the access log, named by what was shown.
    let log = ok(app
        .get_as("/api/v1/me/access-log?limit=100", &ann.access)
        .await)
    .await;
    let rows = log["items"].as_array().unwrap();
    let has = |resource: &str, action: &str, id: &str| {
        rows.iter()
            .any(|r| r["resource"] == resource && r["action"] == action && r["resource_id"] == id)
    };
    assert!(has("client_profile", "summary", &ann.id));
    assert!(has("client_profile", "dashboard", &ann.id));
    assert!(has("assignment", "summary", &ann_daily));
    assert!(has(
        "exercise_response",
        "summary",
        ann_first["id"].as_str().unwrap()
    ));
    assert!(has("journal_entry", "agenda", &question));
    assert!(has("habit", "list", &walk));
    assert!(!rows.iter().any(|r| r["resource_id"] == json!(hidden)));

    // Dee (Ada) leaves: gone from the dashboard at once; her summary is 404.
    assert_eq!(
        app.send(
            Method::DELETE,
            "/api/v1/me/therapist",
            Some(&dee.access),
            None
        )
        .await
        .status(),
        204
    );
    let board = dashboard(&app, &therapist, "").await;
    assert_eq!(names(&board), ["Ann", "Cy", "Bea"]);
    assert_eq!(board["total"], 3);
    assert_problem(
        app.get_as(
            &format!("/api/v1/clients/{}/summary", dee.id),
            &therapist.access,
        )
        .await,
        404,
        "not_found",
    )
    .await;
    // A cursor pointing at the client who left is refused, not guessed at.
    assert_problem(
        app.get_as(
            &format!("/api/v1/dashboard?sort=name&limit=1&cursor={at_dee}"),
            &therapist.access,
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    // The other therapist sees only their own client, with nothing shared.
    let others = dashboard(&app, &other, "").await;
    assert_eq!(names(&others), ["Eve"]);
    let e = line(&others, "Eve");
    assert_eq!(e["unread"]["total"], 0);
    assert!(e["last_activity"].is_null());
    assert!(others["consultations"]["today"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(!board.to_string().contains("PLANTED-SECRET"));
    assert!(!board.to_string().contains("Eve"));
}

#[tokio::test]
async fn only_therapists_read_the_dashboard_and_only_their_current_clients_summaries() {
    let app = spawn_app().await;
    let cast = Cast::new(&app).await;
    cast.check(
        &app,
        Method::GET,
        "/api/v1/dashboard",
        None,
        Expect {
            anonymous: 401,
            admin: 403,
            client_b: 403,
            therapist_b: 200,
            client_a: 403,
            therapist_a: 200,
        },
    )
    .await;
    let path = format!("/api/v1/clients/{}/summary", cast.client_a.id);
    cast.check(
        &app,
        Method::GET,
        &path,
        None,
        Expect::therapist_a_only(200),
    )
    .await;
    // The linked therapist, with nothing shared: figures of nothing.
    let s = summary(&app, &cast.therapist_a, &cast.client_a).await;
    assert_eq!(s["unread"]["total"], 0);
    assert!(s["mood"].is_null());
    assert_eq!(s["habits"], json!([]));
    assert_eq!(s["agenda"], json!([]));
    assert!(s["last_activity"].is_null());
    // A client of another therapist, and an unknown id: 404 alike.
    for id in [cast.client_b.id.clone(), uuid::Uuid::now_v7().to_string()] {
        assert_problem(
            app.get_as(
                &format!("/api/v1/clients/{id}/summary"),
                &cast.therapist_a.access,
            )
            .await,
            404,
            "not_found",
        )
        .await;
    }
    // Each therapist's dashboard holds their own client only.
    let a = dashboard(&app, &cast.therapist_a, "").await;
    assert_eq!(a["items"].as_array().unwrap().len(), 1);
    assert_eq!(a["items"][0]["id"], json!(cast.client_a.id));
    let b = dashboard(&app, &cast.therapist_b, "").await;
    assert_eq!(b["items"][0]["id"], json!(cast.client_b.id));
}

/// The sum of the queries the dashboard's requests sent so far, from the
/// service's own metrics.
async fn dashboard_queries(app: &TestApp) -> (u64, u64) {
    let text = app.get("/metrics").await.text().await.unwrap();
    let value = |series: &str| -> u64 {
        text.lines()
            .find(|l| {
                l.starts_with(&format!("between_db_queries_per_request_{series}{{"))
                    && l.contains("route=\"/api/v1/dashboard\"")
                    && l.contains("method=\"GET\"")
            })
            .and_then(|l| l.rsplit(' ').next())
            .map(|v| v.parse::<f64>().unwrap() as u64)
            .unwrap_or(0)
    };
    (value("sum"), value("count"))
}

/// A client with one of everything the dashboard counts: an answered
/// exercise, a shared entry, a shared habit and the shared series.
async fn busy_client(app: &TestApp, therapist: &Person, template: &str, n: usize) {
    let client = app
        .client_of(therapist, &format!("caseload.{n}@example.org"))
        .await;
    let today = between_tests::today_in(chrono_tz::America::New_York);
    let assignment = assign_daily(app, therapist, &client, template, today.parse().unwrap()).await;
    respond(app, &client, &assignment, false).await;
    let id = entry(app, &client, "question_for_session", Some(3)).await;
    share_entry(app, &client, &id, json!({})).await;
    let walk = habit(app, &client, "Walk").await;
    put(
        app,
        &client,
        &format!("/api/v1/habits/{walk}/check-ins/{today}"),
        json!({"status": "done"}),
    )
    .await;
    put(
        app,
        &client,
        &format!("/api/v1/habits/{walk}/share"),
        json!({}),
    )
    .await;
    put(
        app,
        &client,
        &format!("/api/v1/daily-check-ins/{today}"),
        json!({"mood": 3}),
    )
    .await;
    put(app, &client, "/api/v1/daily-check-ins/share", json!({})).await;
}

#[tokio::test]
async fn the_dashboard_sends_the_same_number_of_queries_for_5_and_200_clients() {
    let app = spawn_app().await;
    let therapist = app.therapist("caseload@example.org").await;
    let tpl = template(&app, &therapist).await;
    let add = |from: usize, to: usize| {
        let (app, therapist, tpl) = (&app, &therapist, &tpl);
        stream::iter(from..to).for_each_concurrent(4, move |n| busy_client(app, therapist, tpl, n))
    };
    add(0, 5).await;
    let board = dashboard(&app, &therapist, "?limit=100").await;
    assert_eq!(board["total"], 5);
    assert_eq!(board["items"][0]["unread"]["total"], 4);
    let (five, count) = dashboard_queries(&app).await;
    assert_eq!(count, 1);

    add(5, 200).await;
    let board = dashboard(&app, &therapist, "?limit=100").await;
    assert_eq!(board["total"], 200);
    assert_eq!(board["items"].as_array().unwrap().len(), 100);
    let (both, count) = dashboard_queries(&app).await;
    assert_eq!(count, 2);
    let two_hundred = both - five;
    assert_eq!(
        five, two_hundred,
        "5 clients: {five}, 200 clients: {two_hundred}"
    );
    assert_eq!(five, DASHBOARD_QUERIES, "the count its doc comment states");
}

/// Queries of one dashboard request: the transaction's begin, the session
/// check, the eight `domain::dashboard::caseload` documents, the commit.
const DASHBOARD_QUERIES: u64 = 11;
