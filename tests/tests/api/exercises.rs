//! Between-session exercises: templates, assignments on a schedule in the
//! client's zone, responses, drafts, comments and adherence.

use between_tests::cast::{Cast, Expect};
use between_tests::{assert_problem, instant, spawn_app, spawn_app_at, Person, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// A template with one field of every type.
fn every_field() -> Value {
    json!({
        "title": "Evening check",
        "purpose": "Notice the day.",
        "instructions": "Fill this in **before bed**.",
        "duration_minutes": 10,
        "category": "reflection",
        "fields": [
            {"key": "what", "label": "What happened", "required": true, "input": {"type": "text", "max_length": 20}},
            {"key": "story", "label": "Tell it", "input": {"type": "long_text"}},
            {"key": "level", "label": "How strong", "required": true, "input": {"type": "scale", "min": 0, "max": 100, "min_label": "barely", "max_label": "overwhelming"}},
            {"key": "one", "label": "Pick one", "input": {"type": "single_choice", "options": ["calm", "tense"]}},
            {"key": "many", "label": "Pick any", "input": {"type": "multi_choice", "options": ["work", "home", "friends"]}},
            {"key": "done", "label": "Tick", "input": {"type": "checklist", "items": ["water", "walk"]}},
            {"key": "glasses", "label": "Glasses", "input": {"type": "number", "unit": "glasses", "min": 0.0, "max": 30.0}},
            {"key": "walked", "label": "Walked for", "input": {"type": "duration", "max_minutes": 300}},
            {"key": "bed", "label": "Bed at", "input": {"type": "time_of_day"}},
            {"key": "log", "label": "Log", "input": {"type": "rows", "max_rows": 3, "fields": [
                {"key": "feeling", "label": "Feeling", "required": true, "input": {"type": "text", "max_length": 50}},
                {"key": "strength", "label": "Strength", "input": {"type": "scale", "min": 0, "max": 10}}
            ]}}
        ]
    })
}

async fn create_template(app: &TestApp, therapist: &Person, body: Value) -> Value {
    let created = app
        .post("/api/v1/exercise-templates", Some(&therapist.access), body)
        .await;
    assert_eq!(created.status(), 201, "template");
    created.json().await.unwrap()
}

async fn assign(
    app: &TestApp,
    therapist: &Person,
    client: &Person,
    template: &str,
    schedule: Value,
) -> Value {
    let created = app
        .post(
            "/api/v1/assignments",
            Some(&therapist.access),
            json!({"client_id": client.id, "template_id": template, "instructions": "Take your time.", "schedule": schedule}),
        )
        .await;
    let status = created.status();
    let body: Value = created.json().await.unwrap();
    assert_eq!(status, 201, "assignment: {body}");
    body
}

/// A therapist, a client of theirs and a template with every field type.
async fn practice(app: &TestApp, therapist: &str, client: &str) -> (Person, Person, Value) {
    let therapist = app.therapist(therapist).await;
    let client = app.client_of(&therapist, client).await;
    let template = create_template(app, &therapist, every_field()).await;
    (therapist, client, template)
}

async fn respond(
    app: &TestApp,
    client: &Person,
    assignment: &str,
    body: Value,
) -> reqwest::Response {
    app.post(
        &format!("/api/v1/assignments/{assignment}/responses"),
        Some(&client.access),
        body,
    )
    .await
}

async fn json_of(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success(), "{status}: {body}");
    body
}

async fn set_zone(app: &TestApp, person: &Person, zone: &str) {
    let changed = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&person.access),
            Some(&json!({"time_zone": zone})),
        )
        .await;
    assert_eq!(changed.status(), 200);
}

fn good_answers() -> Value {
    json!({"what": "a walk", "level": 40, "one": "calm", "many": ["work"], "done": ["water"],
        "glasses": 6, "walked": 30, "bed": "22:30", "log": [{"feeling": "tired", "strength": 3}]})
}

#[tokio::test]
async fn the_starter_library_ships_on_a_fresh_database_and_every_template_can_be_copied_and_assigned(
) {
    let app = spawn_app().await;
    let therapist = app.therapist("library@example.org").await;
    let client = app
        .client_of(&therapist, "library.client@example.org")
        .await;
    let starter = json_of(
        app.get_as(
            "/api/v1/exercise-templates?source=starter&limit=100",
            &therapist.access,
        )
        .await,
    )
    .await;
    let items = starter["items"].as_array().unwrap();
    assert_eq!(items.len(), 12);
    assert!(items
        .iter()
        .all(|t| t["source"] == "starter" && t["version"] == 1));
    let titles: Vec<&str> = items.iter().map(|t| t["title"].as_str().unwrap()).collect();
    for title in [
        "Thought record",
        "Sleep diary",
        "5-4-3-2-1 grounding",
        "Worry log",
    ] {
        assert!(titles.contains(&title), "{title} ships");
    }
    let today = between_tests::today_in(chrono_tz::America::New_York);
    for template in items {
        let id = template["id"].as_str().unwrap();
        // Starter templates are read-only.
        let changed = app
            .send(
                Method::PATCH,
                &format!("/api/v1/exercise-templates/{id}"),
                Some(&therapist.access),
                Some(&json!({"title": "Mine now"})),
            )
            .await;
        assert_problem(changed, 403, "starter_template").await;
        let copy = json_of(
            app.post(
                &format!("/api/v1/exercise-templates/{id}/copy"),
                Some(&therapist.access),
                json!({}),
            )
            .await,
        )
        .await;
        assert_eq!(copy["source"], "mine");
        assert_eq!(copy["copied_from"], template["id"]);
        assert_eq!(copy["fields"], template["fields"]);
        assign(
            &app,
            &therapist,
            &client,
            id,
            json!({"kind": "daily", "start_on": today, "count": 3}),
        )
        .await;
    }
    let mine = json_of(
        app.get_as(
            "/api/v1/exercise-templates?source=mine&limit=100",
            &therapist.access,
        )
        .await,
    )
    .await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 12);
    // Restarting installs nothing twice.
    let again = app.sibling(|_| {}).await;
    let starter = json_of(
        again
            .get_as(
                "/api/v1/exercise-templates?source=starter&limit=100",
                &therapist.access,
            )
            .await,
    )
    .await;
    assert_eq!(starter["items"].as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn template_fields_are_checked_and_every_problem_is_named_where_it_is() {
    let app = spawn_app().await;
    let therapist = app.therapist("fields@example.org").await;
    let mut bad = every_field();
    bad["fields"][0]["key"] = json!("What!");
    bad["fields"][2]["input"]["max"] = json!(-5);
    bad["fields"][3]["input"]["options"] = json!(["calm", "calm"]);
    bad["fields"][9]["input"]["fields"][0]["input"] = json!({"type": "rows", "fields": []});
    bad["title"] = json!("");
    let refused = app
        .post("/api/v1/exercise-templates", Some(&therapist.access), bad)
        .await;
    let problem = assert_problem(refused, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "title",
            "fields[0].key",
            "fields[2].input.max",
            "fields[3].input.options[1]",
            "fields[9].input.fields[0].input.type"
        ]
    );
    // An unknown input type or property is a body of the wrong shape.
    let mut unknown = every_field();
    unknown["fields"][0]["input"] = json!({"type": "essay"});
    let refused = app
        .post(
            "/api/v1/exercise-templates",
            Some(&therapist.access),
            unknown,
        )
        .await;
    assert_problem(refused, 422, "invalid_body").await;
    let created = create_template(&app, &therapist, every_field()).await;
    // Kept as sent, with the defaults filled in.
    fn with_defaults(fields: &mut Value) {
        for field in fields.as_array_mut().unwrap() {
            if field.get("required").is_none() {
                field["required"] = json!(false);
            }
            if field["input"]["type"] == "long_text" && field["input"].get("max_length").is_none() {
                field["input"]["max_length"] = json!(10000);
            }
            if field["input"]["type"] == "rows" {
                with_defaults(&mut field["input"]["fields"]);
            }
        }
    }
    let mut expected = every_field()["fields"].clone();
    with_defaults(&mut expected);
    assert_eq!(created["fields"], expected);
}

#[tokio::test]
async fn answers_are_checked_against_each_field_type_and_nothing_partial_is_kept() {
    let (app, _clock) = spawn_app_at("2026-06-01T12:00:00Z").await;
    let (therapist, client, template) =
        practice(&app, "answers@example.org", "answers.client@example.org").await;
    let assignment = assign(
        &app,
        &therapist,
        &client,
        template["id"].as_str().unwrap(),
        json!({"kind": "daily", "start_on": "2026-06-01"}),
    )
    .await;
    let id = assignment["id"].as_str().unwrap();
    let bad = json!({"answers": {"what": "far too long for twenty", "level": 101, "one": "angry",
        "many": ["work", "work"], "done": "water", "glasses": 31, "walked": 1.5, "bed": "7:30",
        "log": [{"strength": 3}], "extra": true}});
    let refused = respond(&app, &client, id, bad).await;
    let problem = assert_problem(refused, 422, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "answers.extra",
            "answers.what",
            "answers.level",
            "answers.one",
            "answers.many[1]",
            "answers.done",
            "answers.glasses",
            "answers.walked",
            "answers.bed",
            "answers.log[0].feeling",
        ]
    );
    let missing = respond(
        &app,
        &client,
        id,
        json!({"answers": {"story": "only this"}}),
    )
    .await;
    let problem = assert_problem(missing, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "answers.what");
    assert_eq!(problem["errors"][1]["field"], "answers.level");
    let extras = respond(
        &app,
        &client,
        id,
        json!({"answers": good_answers(), "helpfulness": 6, "note": "a\u{0}b"}),
    )
    .await;
    let problem = assert_problem(extras, 422, "validation_failed").await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2);
    let listed = json_of(
        app.get_as(
            &format!("/api/v1/assignments/{id}/responses"),
            &client.access,
        )
        .await,
    )
    .await;
    assert!(
        listed["items"].as_array().unwrap().is_empty(),
        "nothing kept"
    );

    let saved = json_of(
        app.send(
            Method::PUT,
            &format!("/api/v1/assignments/{id}/draft"),
            Some(&client.access),
            Some(&json!({"answers": {"story": "half way"}})),
        )
        .await,
    )
    .await;
    assert_eq!(saved["answers"]["story"], "half way");
    let bad_draft = app
        .send(
            Method::PUT,
            &format!("/api/v1/assignments/{id}/draft"),
            Some(&client.access),
            Some(&json!({"answers": {"level": "high"}})),
        )
        .await;
    assert_problem(bad_draft, 422, "validation_failed").await;

    let accepted = json_of(
        respond(
            &app,
            &client,
            id,
            json!({"answers": good_answers(), "helpfulness": 4, "note": "for me"}),
        )
        .await,
    )
    .await;
    assert_eq!(accepted["answers"], good_answers());
    assert_eq!(accepted["occurrence_on"], "2026-06-01");
    assert_eq!(accepted["on_time"], true);
    let draft = app
        .get_as(&format!("/api/v1/assignments/{id}/draft"), &client.access)
        .await;
    assert_eq!(draft.status(), 404, "submitting removes the draft");
}

#[tokio::test]
async fn editing_an_assigned_template_makes_a_new_version_and_old_answers_keep_theirs() {
    let app = spawn_app().await;
    let (therapist, client, template) =
        practice(&app, "versions@example.org", "versions.client@example.org").await;
    let tid = template["id"].as_str().unwrap();
    let today = between_tests::today_in(chrono_tz::America::New_York);
    let first = assign(
        &app,
        &therapist,
        &client,
        tid,
        json!({"kind": "daily", "start_on": today}),
    )
    .await;
    let aid = first["id"].as_str().unwrap();
    json_of(respond(&app, &client, aid, json!({"answers": good_answers()})).await).await;

    let changed = json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/exercise-templates/{tid}"),
            Some(&therapist.access),
            Some(&json!({"fields": [{"key": "only", "label": "Only this", "required": true, "input": {"type": "long_text"}}]})),
        )
        .await,
    )
    .await;
    assert_eq!(
        (
            changed["version"].clone(),
            changed["current_version"].clone()
        ),
        (json!(2), json!(2))
    );
    let old = json_of(
        app.get_as(
            &format!("/api/v1/exercise-templates/{tid}?version=1"),
            &therapist.access,
        )
        .await,
    )
    .await;
    assert_eq!(old["fields"], template["fields"]);

    // The assignment keeps version 1 and its answers still fit it.
    let kept = json_of(
        app.get_as(&format!("/api/v1/assignments/{aid}"), &client.access)
            .await,
    )
    .await;
    assert_eq!(kept["template"]["version"], 1);
    assert_eq!(kept["template"]["fields"], template["fields"]);
    let responses = json_of(
        app.get_as(
            &format!("/api/v1/assignments/{aid}/responses"),
            &client.access,
        )
        .await,
    )
    .await;
    assert_eq!(responses["items"][0]["template_version"], 1);
    json_of(respond(&app, &client, aid, json!({"answers": good_answers()})).await).await;

    // A new assignment gets version 2, and answers to it follow version 2.
    let second = assign(
        &app,
        &therapist,
        &client,
        tid,
        json!({"kind": "daily", "start_on": today}),
    )
    .await;
    assert_eq!(second["template"]["version"], 2);
    let sid = second["id"].as_str().unwrap();
    assert_problem(
        respond(&app, &client, sid, json!({"answers": good_answers()})).await,
        422,
        "validation_failed",
    )
    .await;
    json_of(respond(&app, &client, sid, json!({"answers": {"only": "yes"}})).await).await;

    // Archived: not listed, not assignable, still readable.
    let archived = app
        .send(
            Method::DELETE,
            &format!("/api/v1/exercise-templates/{tid}"),
            Some(&therapist.access),
            None,
        )
        .await;
    assert_eq!(archived.status(), 204);
    let mine = json_of(
        app.get_as("/api/v1/exercise-templates?source=mine", &therapist.access)
            .await,
    )
    .await;
    assert!(mine["items"].as_array().unwrap().is_empty());
    let refused = app
        .post(
            "/api/v1/assignments",
            Some(&therapist.access),
            json!({"client_id": client.id, "template_id": tid, "schedule": {"kind": "daily", "start_on": today}}),
        )
        .await;
    assert_problem(refused, 409, "template_archived").await;
    assert_eq!(
        app.get_as(
            &format!("/api/v1/exercise-templates/{tid}"),
            &therapist.access
        )
        .await
        .status(),
        200
    );
}

/// What `GET /assignments/{id}` says is due first, at a clock time.
async fn next_due(app: &TestApp, client: &Person, id: &str) -> (String, String, u64) {
    let a = json_of(
        app.get_as(&format!("/api/v1/assignments/{id}"), &client.access)
            .await,
    )
    .await;
    let next = &a["next_due"];
    (
        next["due_on"].as_str().unwrap().to_owned(),
        next["due_at"].as_str().unwrap().to_owned(),
        next["required"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn each_schedule_kind_follows_local_dates_across_dst_in_new_york_sydney_and_kolkata() {
    // (zone, the day before a change, the change day, its end as UTC,
    //  02:30 that day as UTC)
    let cases = [
        // New York springs forward on Sunday 2026-03-08 at 02:00.
        (
            "America/New_York",
            "2026-03-07",
            "2026-03-08",
            "2026-03-09T04:00:00Z",
            "2026-03-08T07:30:00Z",
        ),
        // New York falls back on Sunday 2026-11-01 at 02:00.
        (
            "America/New_York",
            "2026-10-31",
            "2026-11-01",
            "2026-11-02T05:00:00Z",
            "2026-11-01T07:30:00Z",
        ),
        // Sydney falls back on Sunday 2026-04-05 at 03:00.
        (
            "Australia/Sydney",
            "2026-04-04",
            "2026-04-05",
            "2026-04-05T14:00:00Z",
            "2026-04-04T15:30:00Z",
        ),
        // Sydney springs forward on Sunday 2026-10-04 at 02:00.
        (
            "Australia/Sydney",
            "2026-10-03",
            "2026-10-04",
            "2026-10-04T13:00:00Z",
            "2026-10-03T16:30:00Z",
        ),
        // Kolkata keeps +05:30 all year.
        (
            "Asia/Kolkata",
            "2026-03-07",
            "2026-03-08",
            "2026-03-08T18:30:00Z",
            "2026-03-07T21:00:00Z",
        ),
    ];
    for (zone, before, day, end_of_day, half_past_two) in cases {
        let (app, clock) = spawn_app_at("2026-01-01T00:00:00Z").await;
        let (therapist, client, template) =
            practice(&app, "dst@example.org", "dst.client@example.org").await;
        set_zone(&app, &client, zone).await;
        let tid = template["id"].as_str().unwrap();
        // Noon UTC the day before the change is that day, locally, in all three.
        clock.set(instant(&format!("{before}T01:00:00Z")));
        let before_date: chrono::NaiveDate = before.parse().unwrap();
        let weekday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][chrono::Datelike::weekday(
            &(before_date + chrono::Duration::days(1)),
        )
        .num_days_from_monday()
            as usize];
        let once = assign(
            &app,
            &therapist,
            &client,
            tid,
            json!({"kind": "once", "due_on": day, "due_time": "02:30"}),
        )
        .await;
        let daily = assign(
            &app,
            &therapist,
            &client,
            tid,
            json!({"kind": "daily", "start_on": day, "count": 2}),
        )
        .await;
        let weekdays = assign(
            &app,
            &therapist,
            &client,
            tid,
            json!({"kind": "weekdays", "weekdays": [weekday], "start_on": before}),
        )
        .await;
        let weekly = assign(
            &app,
            &therapist,
            &client,
            tid,
            json!({"kind": "times_per_week", "times": 3, "start_on": before}),
        )
        .await;
        for (name, a, due_at) in [
            ("once", &once, half_past_two),
            ("daily", &daily, end_of_day),
            ("weekdays", &weekdays, end_of_day),
        ] {
            let (due_on, at, required) = next_due(&app, &client, a["id"].as_str().unwrap()).await;
            assert_eq!((due_on.as_str(), required), (day, 1), "{zone} {name}");
            assert_eq!(instant(&at), instant(due_at), "{zone} {name}");
        }
        // The week runs Monday to Sunday; it started on the day before
        // a Sunday change, so it has two days and needs two responses.
        let (due_on, at, required) = next_due(&app, &client, weekly["id"].as_str().unwrap()).await;
        assert_eq!(
            chrono::Datelike::weekday(&before_date),
            chrono::Weekday::Sat
        );
        assert_eq!(due_on, day, "{zone} weekly");
        assert_eq!(
            (instant(&at), required),
            (instant(end_of_day), 2),
            "{zone} weekly"
        );

        // On the change day itself, "today" is that local date all day.
        for local_hour in ["00:30", "23:30"] {
            let naive = chrono::NaiveDateTime::parse_from_str(
                &format!("{day} {local_hour}"),
                "%Y-%m-%d %H:%M",
            )
            .unwrap();
            let tz: chrono_tz::Tz = zone.parse().unwrap();
            let at = chrono::TimeZone::from_local_datetime(&tz, &naive)
                .earliest()
                .unwrap()
                .to_utc();
            clock.set(domain::Timestamp(at));
            let due = json_of(
                app.get_as("/api/v1/assignments?due=today", &client.access)
                    .await,
            )
            .await;
            let daily_due: Vec<&Value> = due["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|a| a["id"] == daily["id"])
                .collect();
            assert_eq!(daily_due.len(), 1, "{zone} {day} {local_hour}");
            assert_eq!(daily_due[0]["due"][0]["due_on"], day, "{zone} {local_hour}");
        }
    }
}

#[tokio::test]
async fn due_today_turns_over_at_local_midnight_and_a_zone_change_moves_future_occurrences() {
    // 23:30 in New York on Friday 2026-06-05 is 03:30 UTC on Saturday.
    let (app, clock) = spawn_app_at("2026-06-05T12:00:00Z").await;
    let (therapist, client, template) =
        practice(&app, "midnight@example.org", "midnight.client@example.org").await;
    let tid = template["id"].as_str().unwrap();
    let fridays = assign(
        &app,
        &therapist,
        &client,
        tid,
        json!({"kind": "weekdays", "weekdays": ["fri"], "start_on": "2026-06-05"}),
    )
    .await;
    let saturdays = assign(
        &app,
        &therapist,
        &client,
        tid,
        json!({"kind": "weekdays", "weekdays": ["sat"], "start_on": "2026-06-05"}),
    )
    .await;
    let due_ids = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_owned())
            .collect()
    };
    clock.set(instant("2026-06-06T03:30:00Z")); // Friday 23:30 in New York
    let due = json_of(
        app.get_as("/api/v1/assignments?due=today", &client.access)
            .await,
    )
    .await;
    assert_eq!(due_ids(&due), [fridays["id"].as_str().unwrap()]);
    assert_eq!(due["items"][0]["due"][0]["state"], "open");
    clock.set(instant("2026-06-06T04:30:00Z")); // Saturday 00:30 in New York
    let due = json_of(
        app.get_as("/api/v1/assignments?due=today", &client.access)
            .await,
    )
    .await;
    assert_eq!(due_ids(&due), [saturdays["id"].as_str().unwrap()]);
    // The Friday occurrence passed without a response.
    let friday = json_of(
        app.get_as(
            &format!(
                "/api/v1/assignments/{}/adherence",
                fridays["id"].as_str().unwrap()
            ),
            &client.access,
        )
        .await,
    )
    .await;
    assert_eq!(friday["last_7_days"]["missed"], 1);
    // In Tokyo it is already Saturday: the Saturday one is due there instead.
    set_zone(&app, &client, "Asia/Tokyo").await;
    clock.set(instant("2026-06-06T00:30:00Z")); // Friday 20:30 in New York, Saturday 09:30 in Tokyo
    let due = json_of(
        app.get_as("/api/v1/assignments?due=today", &client.access)
            .await,
    )
    .await;
    assert_eq!(due_ids(&due), [saturdays["id"].as_str().unwrap()]);
    assert_eq!(due["items"][0]["time_zone"], "Asia/Tokyo");
    assert_eq!(due["items"][0]["due"][0]["due_at"], "2026-06-06T15:00:00Z");
}

#[tokio::test]
async fn adherence_matches_a_hand_computed_fortnight() {
    // Daily from Monday 2026-06-01 in New York; responses are made as the
    // clock moves through the days.
    let (app, clock) = spawn_app_at("2026-06-01T13:00:00Z").await;
    let (therapist, client, template) = practice(
        &app,
        "adherence@example.org",
        "adherence.client@example.org",
    )
    .await;
    let tid = template["id"].as_str().unwrap();
    let daily = assign(
        &app,
        &therapist,
        &client,
        tid,
        json!({"kind": "daily", "start_on": "2026-06-01"}),
    )
    .await;
    let twice = assign(
        &app,
        &therapist,
        &client,
        tid,
        json!({"kind": "times_per_week", "times": 2, "start_on": "2026-06-01"}),
    )
    .await;
    let (d, w) = (daily["id"].as_str().unwrap(), twice["id"].as_str().unwrap());
    let answer = |date: Option<&str>| {
        let mut body = json!({"answers": good_answers()});
        if let Some(date) = date {
            body["occurrence_on"] = json!(date);
        }
        body
    };
    // Week 1: Mon, Tue on time; Thu answered late on Fri; Sat on time.
    // The weekly one: once on Wednesday.
    for (at, id, date) in [
        ("2026-06-01T20:00:00Z", d, None),
        ("2026-06-02T20:00:00Z", d, None),
        ("2026-06-03T20:00:00Z", w, None),
        ("2026-06-05T20:00:00Z", d, Some("2026-06-04")),
        ("2026-06-06T20:00:00Z", d, None),
        // Week 2: Monday, and the weekly one twice.
        ("2026-06-08T20:00:00Z", d, None),
        ("2026-06-09T20:00:00Z", w, None),
        ("2026-06-10T20:00:00Z", w, None),
    ] {
        clock.set(instant(at));
        let r = json_of(respond(&app, &client, id, answer(date)).await).await;
        assert_eq!(r["on_time"], date.is_none(), "{at}");
    }
    // Friday 2026-06-12, 09:00 in New York.
    clock.set(instant("2026-06-12T13:00:00Z"));
    let a = json_of(
        app.get_as(
            &format!("/api/v1/assignments/{d}/adherence"),
            &client.access,
        )
        .await,
    )
    .await;
    // Last 7 days: Sat 6 .. Fri 12. Sat, Mon on time; Sun, Tue, Wed, Thu
    // missed; Fri pending.
    assert_eq!(
        a["last_7_days"],
        json!({"from": "2026-06-06", "to": "2026-06-12", "due": 7, "completed_on_time": 2,
            "completed_late": 0, "missed": 4, "pending": 1, "completion_rate": 2.0 / 6.0})
    );
    // Last 30 days (from May 14): only June 1-12 are due.
    assert_eq!(a["last_30_days"]["due"], 12);
    // On time: 1st, 2nd, 6th, 8th; late: the 4th; missed: 3rd, 5th, 7th,
    // 9th, 10th, 11th; pending: the 12th.
    assert_eq!(a["last_30_days"]["completed_on_time"], 4);
    assert_eq!(a["last_30_days"]["completed_late"], 1);
    assert_eq!(a["last_30_days"]["missed"], 6);
    assert_eq!(a["last_30_days"]["pending"], 1);
    let weekly = json_of(
        app.get_as(
            &format!("/api/v1/assignments/{w}/adherence"),
            &client.access,
        )
        .await,
    )
    .await;
    // Week 1 (Mon 1st to Sun 7th, overlapping the 7 days): 1 of 2 done on
    // time, 1 missed; week 2 (under way): both done on time.
    assert_eq!(
        weekly["last_7_days"],
        json!({"from": "2026-06-06", "to": "2026-06-12", "due": 4, "completed_on_time": 3,
            "completed_late": 0, "missed": 1, "pending": 0, "completion_rate": 0.75})
    );
    // The therapist sees the same figures, summed per client.
    let per_client = json_of(
        app.get_as(
            &format!("/api/v1/clients/{}/adherence", client.id),
            &therapist.access,
        )
        .await,
    )
    .await;
    assert_eq!(per_client["last_7_days"]["due"], 11);
    assert_eq!(per_client["last_7_days"]["completed_on_time"], 5);
    assert_eq!(per_client["last_7_days"]["missed"], 5);
    assert_eq!(per_client["last_7_days"]["pending"], 1);
    assert_eq!(per_client["assignments"].as_array().unwrap().len(), 2);

    // Pausing from today stops what is due; the past stays.
    let paused = json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/assignments/{d}"),
            Some(&therapist.access),
            Some(&json!({"status": "paused"})),
        )
        .await,
    )
    .await;
    assert_eq!(paused["status"], "paused");
    assert_eq!(paused["next_due"], Value::Null);
    let a = json_of(
        app.get_as(
            &format!("/api/v1/assignments/{d}/adherence"),
            &client.access,
        )
        .await,
    )
    .await;
    assert_eq!(
        (
            a["last_7_days"]["due"].clone(),
            a["last_7_days"]["pending"].clone()
        ),
        (json!(6), json!(0))
    );
    assert_problem(
        respond(&app, &client, d, answer(None)).await,
        409,
        "assignment_not_active",
    )
    .await;
    clock.set(instant("2026-06-15T13:00:00Z"));
    let resumed = json_of(
        app.send(Method::PATCH, &format!("/api/v1/assignments/{d}"), Some(&therapist.access), Some(&json!({"status": "active", "schedule": {"kind": "weekdays", "weekdays": ["mon"], "start_on": "2026-06-15"}})))
            .await,
    )
    .await;
    assert_eq!(resumed["next_due"]["due_on"], "2026-06-15");
    let a = json_of(
        app.get_as(
            &format!("/api/v1/assignments/{d}/adherence"),
            &client.access,
        )
        .await,
    )
    .await;
    // 9..12 daily (paused from the 12th: 9, 10, 11 due), nothing 12-14, Monday 15th pending.
    assert_eq!(a["last_7_days"]["due"], 4);
    assert_eq!(a["last_7_days"]["pending"], 1);
}

#[tokio::test]
async fn a_private_response_shows_the_therapist_only_that_it_was_done() {
    let app = spawn_app().await;
    let (therapist, client, template) =
        practice(&app, "private@example.org", "private.client@example.org").await;
    let today = between_tests::today_in(chrono_tz::America::New_York);
    let a = assign(
        &app,
        &therapist,
        &client,
        template["id"].as_str().unwrap(),
        json!({"kind": "daily", "start_on": today}),
    )
    .await;
    let id = a["id"].as_str().unwrap();
    let open = json_of(
        respond(
            &app,
            &client,
            id,
            json!({"answers": good_answers(), "helpfulness": 5, "note": "mine alone"}),
        )
        .await,
    )
    .await;
    let hidden = json_of(
        respond(
            &app,
            &client,
            id,
            json!({"answers": good_answers(), "helpfulness": 2, "private": true}),
        )
        .await,
    )
    .await;
    assert_eq!(
        hidden["answers"],
        good_answers(),
        "the client sees their own"
    );
    assert_eq!(hidden["answers_visible_to_therapist"], false);

    let seen = json_of(
        app.get_as(
            &format!("/api/v1/assignments/{id}/responses"),
            &therapist.access,
        )
        .await,
    )
    .await;
    let items = seen["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let by_id = |rid: &Value| items.iter().find(|r| r["id"] == *rid).unwrap().clone();
    let p = by_id(&hidden["id"]);
    assert_eq!(
        (
            p["answers"].clone(),
            p["helpfulness"].clone(),
            p["private"].clone()
        ),
        (Value::Null, Value::Null, json!(true))
    );
    assert!(p["submitted_at"].is_string());
    let o = by_id(&open["id"]);
    assert_eq!(o["answers"], good_answers());
    assert_eq!(
        (o["helpfulness"].clone(), o["note"].clone()),
        (json!(5), Value::Null),
        "the note stays the client's"
    );
    let one = json_of(
        app.get_as(
            &format!(
                "/api/v1/assignments/{id}/responses/{}",
                hidden["id"].as_str().unwrap()
            ),
            &therapist.access,
        )
        .await,
    )
    .await;
    assert_eq!(one["answers"], Value::Null);

    // The client opens it up again; the therapist comments; the client sees it.
    let rid = hidden["id"].as_str().unwrap();
    json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/assignments/{id}/responses/{rid}"),
            Some(&client.access),
            Some(&json!({"private": false})),
        )
        .await,
    )
    .await;
    let one = json_of(
        app.get_as(
            &format!("/api/v1/assignments/{id}/responses/{rid}"),
            &therapist.access,
        )
        .await,
    )
    .await;
    assert_eq!(one["answers"], good_answers());
    json_of(
        app.post(
            &format!("/api/v1/assignments/{id}/responses/{rid}/comments"),
            Some(&therapist.access),
            json!({"body": "Well noticed."}),
        )
        .await,
    )
    .await;
    let mine = json_of(
        app.get_as(
            &format!("/api/v1/assignments/{id}/responses/{rid}"),
            &client.access,
        )
        .await,
    )
    .await;
    assert_eq!(mine["comments"][0]["body"], "Well noticed.");
    // A draft is never the therapist's.
    json_of(
        app.send(
            Method::PUT,
            &format!("/api/v1/assignments/{id}/draft"),
            Some(&client.access),
            Some(&json!({"answers": {"story": "secret"}})),
        )
        .await,
    )
    .await;
    assert_problem(
        app.get_as(
            &format!("/api/v1/assignments/{id}/draft"),
            &therapist.access,
        )
        .await,
        403,
        "wrong_role",
    )
    .await;
}

#[tokio::test]
async fn ending_the_link_ends_every_assignment_and_the_responses_stay_the_clients() {
    let app = spawn_app().await;
    let (therapist, client, template) =
        practice(&app, "ending@example.org", "ending.client@example.org").await;
    let today = between_tests::today_in(chrono_tz::America::New_York);
    let a = assign(
        &app,
        &therapist,
        &client,
        template["id"].as_str().unwrap(),
        json!({"kind": "daily", "start_on": today}),
    )
    .await;
    let id = a["id"].as_str().unwrap();
    json_of(respond(&app, &client, id, json!({"answers": good_answers()})).await).await;
    // The therapist's list across clients shows it, and the client's log says so.
    let all = json_of(app.get_as("/api/v1/assignments", &therapist.access).await).await;
    assert_eq!(all["items"][0]["id"], a["id"]);
    // A misspelt filter is refused, not read as "no filter".
    let typo = app
        .get_as(
            &format!("/api/v1/assignments?clientid={}", client.id),
            &therapist.access,
        )
        .await;
    assert_eq!(typo.status(), 400);
    assert_eq!(typo.json::<Value>().await.unwrap()["code"], "invalid_query");
    let log = json_of(app.get_as("/api/v1/me/access-log", &client.access).await).await;
    assert_eq!(
        (
            log["items"][0]["resource"].clone(),
            log["items"][0]["action"].clone(),
            log["items"][0]["resource_id"].clone()
        ),
        (json!("assignment"), json!("list"), a["id"].clone())
    );
    let left = app
        .send(
            Method::DELETE,
            "/api/v1/me/therapist",
            Some(&client.access),
            None,
        )
        .await;
    assert_eq!(left.status(), 204);
    let mine = json_of(
        app.get_as(&format!("/api/v1/assignments/{id}"), &client.access)
            .await,
    )
    .await;
    assert_eq!(mine["status"], "ended");
    assert!(mine["ended_at"].is_string());
    assert!(mine["due"].as_array().unwrap().is_empty());
    let responses = json_of(
        app.get_as(
            &format!("/api/v1/assignments/{id}/responses"),
            &client.access,
        )
        .await,
    )
    .await;
    assert_eq!(
        responses["items"].as_array().unwrap().len(),
        1,
        "still the client's"
    );
    assert_problem(
        respond(&app, &client, id, json!({"answers": good_answers()})).await,
        409,
        "assignment_not_active",
    )
    .await;
    for path in [
        format!("/api/v1/assignments/{id}"),
        format!("/api/v1/assignments/{id}/responses"),
        format!("/api/v1/assignments/{id}/adherence"),
        format!("/api/v1/clients/{}/adherence", client.id),
        format!("/api/v1/assignments?client_id={}", client.id),
    ] {
        assert_problem(app.get_as(&path, &therapist.access).await, 404, "not_found").await;
    }
    let due = json_of(
        app.get_as("/api/v1/assignments?due=today", &client.access)
            .await,
    )
    .await;
    assert!(due["items"].as_array().unwrap().is_empty());
    let all = json_of(app.get_as("/api/v1/assignments", &therapist.access).await).await;
    assert!(
        all["items"].as_array().unwrap().is_empty(),
        "a former client's are gone"
    );
}

#[tokio::test]
async fn a_journal_entry_answers_only_one_of_its_authors_assignments() {
    let app = spawn_app().await;
    let cast = Cast::new(&app).await;
    let template = create_template(&app, &cast.therapist_a, every_field()).await;
    let today = between_tests::today_in(chrono_tz::America::New_York);
    let own = assign(
        &app,
        &cast.therapist_a,
        &cast.client_a,
        template["id"].as_str().unwrap(),
        json!({"kind": "daily", "start_on": today}),
    )
    .await;
    let other_template = create_template(&app, &cast.therapist_b, every_field()).await;
    let other = assign(
        &app,
        &cast.therapist_b,
        &cast.client_b,
        other_template["id"].as_str().unwrap(),
        json!({"kind": "daily", "start_on": today}),
    )
    .await;
    for foreign in [other["id"].clone(), json!(uuid::Uuid::new_v4().to_string())] {
        let refused = app
            .post(
                "/api/v1/journal/entries",
                Some(&cast.client_a.access),
                json!({"kind": "free", "body": "x", "assignment_id": foreign}),
            )
            .await;
        let problem = assert_problem(refused, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "assignment_id");
    }
    let entry = json_of(
        app.post(
            "/api/v1/journal/entries",
            Some(&cast.client_a.access),
            json!({"kind": "free", "body": "x", "assignment_id": own["id"]}),
        )
        .await,
    )
    .await;
    assert_eq!(entry["assignment_id"], own["id"]);
    let refused = app
        .send(
            Method::PATCH,
            &format!("/api/v1/journal/entries/{}", entry["id"].as_str().unwrap()),
            Some(&cast.client_a.access),
            Some(&json!({"assignment_id": other["id"]})),
        )
        .await;
    assert_problem(refused, 422, "validation_failed").await;
}

#[tokio::test]
async fn no_exercise_route_shows_anything_across_clients_or_therapists() {
    let app = spawn_app().await;
    let cast = Cast::new(&app).await;
    let (ta, ca) = (&cast.therapist_a, &cast.client_a);
    let template = create_template(&app, ta, every_field()).await;
    let t = template["id"].as_str().unwrap().to_owned();
    let today = between_tests::today_in(chrono_tz::America::New_York);
    let a = assign(
        &app,
        ta,
        ca,
        &t,
        json!({"kind": "daily", "start_on": today}),
    )
    .await;
    let a = a["id"].as_str().unwrap().to_owned();
    let r = json_of(respond(&app, ca, &a, json!({"answers": good_answers()})).await).await;
    let r = r["id"].as_str().unwrap().to_owned();
    json_of(
        app.send(
            Method::PUT,
            &format!("/api/v1/assignments/{a}/draft"),
            Some(&ca.access),
            Some(&json!({"answers": {}})),
        )
        .await,
    )
    .await;

    let therapists = |ok: u16| Expect {
        anonymous: 401,
        admin: 403,
        client_b: 403,
        therapist_b: ok,
        client_a: 403,
        therapist_a: ok,
    };
    let clients_own = |ok: u16| Expect {
        anonymous: 401,
        admin: 403,
        client_b: 404,
        therapist_b: 403,
        client_a: ok,
        therapist_a: 403,
    };
    let both = |ok: u16| Expect {
        anonymous: 401,
        admin: 403,
        client_b: 404,
        therapist_b: 404,
        client_a: ok,
        therapist_a: ok,
    };
    let new_assignment = json!({"client_id": ca.id, "template_id": t, "schedule": {"kind": "daily", "start_on": today}});
    let checks: Vec<(Method, String, Option<Value>, Expect)> = vec![
        (
            Method::GET,
            "/api/v1/exercise-templates".into(),
            None,
            therapists(200),
        ),
        (
            Method::POST,
            "/api/v1/exercise-templates".into(),
            Some(every_field()),
            therapists(201),
        ),
        (
            Method::GET,
            format!("/api/v1/exercise-templates/{t}"),
            None,
            Expect::therapist_a_only(200),
        ),
        (
            Method::PATCH,
            format!("/api/v1/exercise-templates/{t}"),
            Some(json!({"purpose": "changed"})),
            Expect::therapist_a_only(200),
        ),
        (
            Method::POST,
            format!("/api/v1/exercise-templates/{t}/copy"),
            Some(json!({})),
            Expect::therapist_a_only(201),
        ),
        (
            Method::POST,
            "/api/v1/assignments".into(),
            Some(new_assignment),
            Expect::therapist_a_only(201),
        ),
        (
            Method::GET,
            "/api/v1/assignments".into(),
            None,
            Expect::anyone_signed_in(200).but_admin(403),
        ),
        (
            Method::GET,
            format!("/api/v1/assignments?client_id={}", ca.id),
            None,
            both(200),
        ),
        (
            Method::GET,
            format!("/api/v1/assignments/{a}"),
            None,
            both(200),
        ),
        (
            Method::PATCH,
            format!("/api/v1/assignments/{a}"),
            Some(json!({"instructions": "Gently."})),
            Expect::therapist_a_only(200),
        ),
        (
            Method::GET,
            format!("/api/v1/assignments/{a}/responses"),
            None,
            both(200),
        ),
        (
            Method::GET,
            format!("/api/v1/assignments/{a}/responses/{r}"),
            None,
            both(200),
        ),
        (
            Method::PATCH,
            format!("/api/v1/assignments/{a}/responses/{r}"),
            Some(json!({"private": true})),
            clients_own(200),
        ),
        (
            Method::POST,
            format!("/api/v1/assignments/{a}/responses/{r}/comments"),
            Some(json!({"body": "Thanks."})),
            Expect::therapist_a_only(201),
        ),
        (
            Method::GET,
            format!("/api/v1/assignments/{a}/adherence"),
            None,
            both(200),
        ),
        (
            Method::GET,
            format!("/api/v1/clients/{}/adherence", ca.id),
            None,
            Expect::therapist_a_only(200),
        ),
        (
            Method::GET,
            format!("/api/v1/assignments/{a}/draft"),
            None,
            clients_own(200),
        ),
        (
            Method::PUT,
            format!("/api/v1/assignments/{a}/draft"),
            Some(json!({"answers": {"story": "x"}})),
            clients_own(200),
        ),
        (
            Method::DELETE,
            format!("/api/v1/assignments/{a}/draft"),
            None,
            clients_own(204),
        ),
        (
            Method::POST,
            format!("/api/v1/assignments/{a}/responses"),
            Some(json!({"answers": good_answers()})),
            clients_own(201),
        ),
        (
            Method::DELETE,
            format!("/api/v1/exercise-templates/{t}"),
            None,
            Expect::therapist_a_only(204),
        ),
    ];
    for (method, path, body, expect) in checks {
        cast.check(&app, method, &path, body, expect).await;
    }
    // Client B's own list, and therapist B's, hold nothing of A's.
    for other in [&cast.client_b, &cast.therapist_b] {
        let theirs = json_of(app.get_as("/api/v1/assignments", &other.access).await).await;
        assert!(theirs["items"].as_array().unwrap().is_empty());
    }
    let b_library = json_of(
        app.get_as(
            "/api/v1/exercise-templates?source=mine",
            &cast.therapist_b.access,
        )
        .await,
    )
    .await;
    assert_eq!(
        b_library["items"].as_array().unwrap().len(),
        1,
        "only B's own (made by the check above)"
    );
}
