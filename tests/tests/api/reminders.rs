//! Reminders: habit nudges, exercises due, consultations, the therapist's
//! digest and the weekly summary, on the recipient's local clock across DST
//! and zone changes, around quiet hours, checked just before sending, and
//! stopped in one click. The service's clock is set by each test and moved
//! from one due job to the next; nothing sleeps through real hours.

use std::collections::{BTreeMap, HashSet};

use between_tests::booking::{confirmed, offering};
use between_tests::smtp::Received;
use between_tests::{assert_problem, instant, spawn_app_at, Person, TestApp, TEST_JWT_SECRET};
use chrono::{Duration, NaiveDate, TimeZone};
use domain::outbox::{self, JobState};
use domain::reminders::preferences::NotificationKind;
use domain::reminders::unsubscribe::{self, Subscriber, Subscription};
use domain::Timestamp;
use reqwest::Method;
use serde_json::{json, Value};

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {body}");
    body
}

async fn send(app: &TestApp, method: Method, person: &Person, path: &str, body: Value) -> Value {
    ok(app
        .send(method, path, Some(&person.access), Some(&body))
        .await)
    .await
}

/// One email as a test reads it.
struct Sent {
    /// The service's clock when it went out.
    at: Timestamp,
    to: String,
    mail: Received,
}

impl Sent {
    fn subject(&self) -> String {
        self.mail.header("Subject").unwrap_or_default()
    }

    fn kind_text(&self) -> String {
        let parsed = mail_parser::MessageParser::default()
            .parse(self.mail.raw.as_bytes())
            .unwrap();
        parsed.body_text(0).unwrap().into_owned()
    }

    /// The token of the one-click unsubscribe link.
    fn unsubscribe_token(&self) -> String {
        let header = self
            .mail
            .header("List-Unsubscribe")
            .expect("List-Unsubscribe");
        let token = header
            .trim_start_matches('<')
            .trim_end_matches('>')
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned();
        between_tests::remember_secret(&token);
        token
    }
}

fn to_of(raw: &str) -> String {
    Received {
        to: Vec::new(),
        raw: raw.to_owned(),
    }
    .header("To")
    .unwrap_or_default()
}

/// Moves the service's clock from one due job to the next until `until`,
/// sending what is due at each step (as a worker polling would), and
/// returns every email sent with the time it went out.
async fn drain_until(app: &TestApp, until: &str) -> Vec<Sent> {
    let until = instant(until);
    let mut out = Vec::new();
    for _ in 0..10_000 {
        let next = {
            let mut conn = app.pool.get().unwrap();
            outbox::list(&mut conn, Some(JobState::Queued), 1)
                .unwrap()
                .first()
                .map(|j| j.run_at)
        };
        let Some(at) = next.filter(|at| *at <= until) else {
            break;
        };
        if at > app.clock.now() {
            app.clock.set(at);
        }
        for raw in app.send_due().await {
            let raw = String::from_utf8(raw).unwrap();
            out.push(Sent {
                at: app.clock.now(),
                to: to_of(&raw),
                mail: Received {
                    to: Vec::new(),
                    raw,
                },
            });
        }
    }
    if until > app.clock.now() {
        app.clock.set(until);
    }
    out
}

fn reminders_to<'a>(sent: &'a [Sent], address: &str, subject_start: &str) -> Vec<&'a Sent> {
    sent.iter()
        .filter(|s| s.to.contains(address) && s.subject().starts_with(subject_start))
        .collect()
}

fn at(s: &str) -> Timestamp {
    instant(s)
}

/// The instant of 09:00 (or `time`) local on `date` in `zone`.
fn local(zone: chrono_tz::Tz, date: NaiveDate, time: &str) -> Timestamp {
    let naive = date.and_time(time.parse().unwrap());
    Timestamp(
        zone.from_local_datetime(&naive)
            .earliest()
            .unwrap()
            .to_utc(),
    )
}

fn jobs(app: &TestApp, kind: &str) -> Vec<outbox::Job> {
    jobs_of(&app.pool, kind)
}

fn queued(app: &TestApp, kind: &str) -> Vec<Timestamp> {
    let mut runs: Vec<Timestamp> = jobs(app, kind)
        .into_iter()
        .filter(|j| j.state == JobState::Queued)
        .map(|j| j.run_at)
        .collect();
    runs.sort();
    runs
}

async fn habit(app: &TestApp, client: &Person, name: &str, reminder: &str) -> String {
    let created = send(
        app,
        Method::POST,
        client,
        "/api/v1/habits",
        json!({"name": name, "kind": "yes_no", "frequency": {"type": "daily"}, "reminder_time": reminder}),
    )
    .await;
    created["id"].as_str().unwrap().to_owned()
}

async fn zone(app: &TestApp, person: &Person, zone: &str) {
    send(
        app,
        Method::PATCH,
        person,
        "/api/v1/me",
        json!({"time_zone": zone}),
    )
    .await;
}

#[tokio::test]
async fn a_nine_oclock_nudge_stays_at_nine_local_across_dst_in_london_and_new_york_and_skips_a_checked_in_day(
) {
    // Friday 12 March 2027: New York moves to EDT on Sunday the 14th,
    // London to BST on Sunday the 28th.
    let (app, _clock) = spawn_app_at("2027-03-12T12:00:00Z").await;
    let therapist = app.therapist("dst.t@example.org").await;
    let ny = app.client_of(&therapist, "dst.ny@example.org").await;
    let london = app.client_of(&therapist, "dst.london@example.org").await;
    zone(&app, &london, "Europe/London").await;
    habit(&app, &ny, "PLANTED-HABIT Morning pages", "09:00").await;
    let walk = habit(&app, &london, "PLANTED-HABIT Walk", "09:00").await;

    let mut sent = drain_until(&app, "2027-03-28T07:00:00Z").await;
    // 08:00 BST on the 28th: London checks in before the nudge.
    send(
        &app,
        Method::PUT,
        &london,
        &format!("/api/v1/habits/{walk}/check-ins/2027-03-28"),
        json!({"status": "done"}),
    )
    .await;
    sent.extend(drain_until(&app, "2027-03-30T12:00:00Z").await);

    let times = |address: &str| -> Vec<Timestamp> {
        reminders_to(&sent, address, "Reminder from")
            .iter()
            .map(|s| s.at)
            .collect()
    };
    let ny_zone = chrono_tz::America::New_York;
    let london_zone = chrono_tz::Europe::London;
    let day = |d: &str| d.parse::<NaiveDate>().unwrap();
    // New York: every day from the 12th (created at 07:00 EST) to the 29th
    // (09:00 EDT on the 30th is 13:00Z, after the end).
    let expected_ny: Vec<Timestamp> = (0..=17)
        .map(|i| local(ny_zone, day("2027-03-12") + Duration::days(i), "09:00"))
        .collect();
    assert_eq!(times("dst.ny@example.org"), expected_ny);
    // The Saturday before and the Monday after the change, by hand.
    assert!(expected_ny.contains(&at("2027-03-13T14:00:00Z")));
    assert!(expected_ny.contains(&at("2027-03-15T13:00:00Z")));
    // London: from the 13th (09:00 on the 12th had passed), never on the
    // 28th (checked in), 09:00 BST after the change.
    let expected_london: Vec<Timestamp> = (1..=18)
        .map(|i| day("2027-03-12") + Duration::days(i))
        .filter(|d| *d != day("2027-03-28"))
        .map(|d| local(london_zone, d, "09:00"))
        .collect();
    assert_eq!(times("dst.london@example.org"), expected_london);
    assert!(expected_london.contains(&at("2027-03-27T09:00:00Z")));
    assert!(expected_london.contains(&at("2027-03-29T08:00:00Z")));
    // The 28th's nudge was checked just before sending and skipped.
    let skipped: Vec<outbox::Job> = jobs(&app, "habit_reminder")
        .into_iter()
        .filter(|j| j.state == JobState::Skipped)
        .collect();
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(skipped[0].dedupe_key, format!("habit:{walk}/2027-03-28"));
    assert_eq!(
        skipped[0].last_error.as_deref(),
        Some("already checked in for that day")
    );
    // One nudge a day at most, and each is neutral.
    for s in reminders_to(&sent, "example.org", "Reminder from") {
        assert_eq!(s.subject(), "Reminder from Between");
        assert!(!s.mail.raw.contains("PLANTED"), "{}", s.mail.raw);
        assert_eq!(
            s.mail.header("List-Unsubscribe-Post").as_deref(),
            Some("List-Unsubscribe=One-Click")
        );
        assert!(s.kind_text().contains("one of your habits"));
    }
    // The chain goes on: one nudge waits for each.
    assert_eq!(queued(&app, "habit_reminder").len(), 2);
}

#[tokio::test]
async fn a_nudge_in_quiet_hours_waits_for_their_end_and_a_consultation_reminder_comes_before_them()
{
    // Monday 4 January 2027.
    let (app, _clock) = spawn_app_at("2027-01-04T12:00:00Z").await;
    let therapist = app.therapist("quiet.t@example.org").await;
    let client = app.client_of(&therapist, "quiet.c@example.org").await;
    habit(&app, &client, "Stretch", "22:30").await;
    // 22:30 EST is inside 21:00-08:00: it waits until 08:00 EST (13:00Z).
    assert_eq!(queued(&app, "habit_reminder"), [at("2027-01-05T13:00:00Z")]);
    let sent = drain_until(&app, "2027-01-05T14:00:00Z").await;
    let nudges = reminders_to(&sent, "quiet.c@example.org", "Reminder from");
    assert_eq!(nudges.len(), 1);
    assert_eq!(nudges[0].at, at("2027-01-05T13:00:00Z"));
    // Quiet hours off: 22:30 exactly (03:30Z); other hours: at their end.
    let prefs = set_prefs(&app, &client, json!({"quiet_hours": null})).await;
    assert_eq!(prefs["quiet_hours"], Value::Null);
    assert_eq!(queued(&app, "habit_reminder"), [at("2027-01-06T03:30:00Z")]);
    set_prefs(
        &app,
        &client,
        json!({"quiet_hours": {"start": "22:00", "end": "06:45"}}),
    )
    .await;
    assert_eq!(queued(&app, "habit_reminder"), [at("2027-01-06T11:45:00Z")]);

    // A consultation at 07:30 EST on Thursday: both of the booker's
    // reminders fall in quiet hours, so each comes at 20:30 the evening
    // before its time, never after it.
    offering(
        &app,
        "quiet.host@example.org",
        "quiet-host",
        "America/New_York",
        "07:00",
        "12:00",
    )
    .await;
    confirmed(
        &app,
        "quiet-host",
        "2027-01-07T12:30:00Z",
        "quiet.booker@example.org",
    )
    .await;
    let runs: BTreeMap<String, Timestamp> = jobs(&app, "consultation_reminder")
        .into_iter()
        .map(|j| (j.dedupe_key.split('/').nth(1).unwrap().to_owned(), j.run_at))
        .collect();
    assert_eq!(
        runs.keys()
            .map(|k| k.split('@').next().unwrap())
            .collect::<Vec<_>>(),
        ["booker-1440", "booker-60", "therapist-60"]
    );
    let run = |who: &str| {
        runs.iter()
            .find(|(k, _)| k.starts_with(who))
            .map(|(_, v)| *v)
            .unwrap()
    };
    assert_eq!(run("booker-1440"), at("2027-01-06T01:30:00Z")); // 20:30 EST on the 5th
    assert_eq!(run("booker-60"), at("2027-01-07T01:30:00Z")); // 20:30 EST on the 6th
                                                              // The therapist's hour before (06:30 EST) is quiet for them too.
    assert_eq!(run("therapist-60"), at("2027-01-07T01:30:00Z"));
    let sent = drain_until(&app, "2027-01-07T13:00:00Z").await;
    let booker: Vec<Timestamp> = reminders_to(&sent, "quiet.booker@example.org", "Reminder from")
        .iter()
        .map(|s| s.at)
        .collect();
    assert_eq!(
        booker,
        [at("2027-01-06T01:30:00Z"), at("2027-01-07T01:30:00Z")]
    );
    let to_host = reminders_to(&sent, "quiet.host@example.org", "Reminder from");
    assert_eq!(to_host.len(), 1);
    assert!(to_host[0].kind_text().contains("Sam Rivera"));
}

#[tokio::test]
async fn a_zone_change_moves_reminders_not_yet_sent_and_preferences_can_set_their_own_zone() {
    let (app, _clock) = spawn_app_at("2027-01-04T12:00:00Z").await;
    let therapist = app.therapist("zone.t@example.org").await;
    let client = app.client_of(&therapist, "zone.c@example.org").await;
    habit(&app, &client, "Read", "09:00").await;
    // 12:00Z is 07:00 in New York: today's 09:00 EST.
    assert_eq!(queued(&app, "habit_reminder"), [at("2027-01-04T14:00:00Z")]);
    zone(&app, &client, "Europe/London").await;
    // 12:00 in London: tomorrow's 09:00 GMT.
    assert_eq!(queued(&app, "habit_reminder"), [at("2027-01-05T09:00:00Z")]);
    let prefs = set_prefs(&app, &client, json!({"time_zone": "Asia/Tokyo"})).await;
    assert_eq!(prefs["time_zone"], "Asia/Tokyo");
    assert_eq!(prefs["effective_time_zone"], "Asia/Tokyo");
    // 21:00 in Tokyo: tomorrow's 09:00 JST.
    assert_eq!(queued(&app, "habit_reminder"), [at("2027-01-05T00:00:00Z")]);
    let prefs = set_prefs(&app, &client, json!({"time_zone": null})).await;
    assert_eq!(prefs["time_zone"], Value::Null);
    assert_eq!(prefs["effective_time_zone"], "Europe/London");
    assert_eq!(queued(&app, "habit_reminder"), [at("2027-01-05T09:00:00Z")]);
    // A new reminder time moves it too; archiving drops it.
    let id = jobs(&app, "habit_reminder")[0].dedupe_key.clone();
    let habit_id = id
        .trim_start_matches("habit:")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    send(
        &app,
        Method::PATCH,
        &client,
        &format!("/api/v1/habits/{habit_id}"),
        json!({"reminder_time": "07:15"}),
    )
    .await;
    assert_eq!(queued(&app, "habit_reminder"), [at("2027-01-05T08:00:00Z")]);
    send(
        &app,
        Method::PATCH,
        &client,
        &format!("/api/v1/habits/{habit_id}"),
        json!({"archived": true}),
    )
    .await;
    assert!(queued(&app, "habit_reminder").is_empty());
    // Deleting drops them too.
    let gone = habit(&app, &client, "Journal", "10:00").await;
    assert_eq!(queued(&app, "habit_reminder"), [at("2027-01-05T10:00:00Z")]);
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/v1/habits/{gone}"),
            Some(&client.access),
            None,
        )
        .await;
    assert_eq!(deleted.status(), 204);
    assert!(queued(&app, "habit_reminder").is_empty());
    let sent = drain_until(&app, "2027-01-08T00:00:00Z").await;
    assert!(reminders_to(&sent, "zone.c@example.org", "Reminder from").is_empty());
}

// --- Consultations ------------------------------------------------------

#[tokio::test]
async fn a_moved_booking_is_reminded_for_its_new_time_only_and_a_cancelled_one_never() {
    let (app, _clock) = spawn_app_at("2027-02-01T12:00:00Z").await;
    // 18:00Z is 13:00 for the booker in New York: outside quiet hours.
    offering(
        &app,
        "move.t@example.org",
        "move-host",
        "UTC",
        "09:00",
        "20:00",
    )
    .await;
    let manage = confirmed(
        &app,
        "move-host",
        "2027-02-10T18:00:00Z",
        "mover@example.org",
    )
    .await
    .1;
    let keys: Vec<String> = jobs(&app, "consultation_reminder")
        .iter()
        .map(|j| j.dedupe_key.split('/').nth(1).unwrap().to_owned())
        .collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    // Moved a day later with the manage link.
    ok(app
        .post(
            &format!("/api/v1/consultation-links/{manage}/reschedule"),
            None,
            json!({"start": "2027-02-11T18:00:00Z"}),
        )
        .await)
    .await;
    let waiting: Vec<(String, Timestamp)> = jobs(&app, "consultation_reminder")
        .into_iter()
        .filter(|j| j.state == JobState::Queued)
        .map(|j| (j.dedupe_key.split('/').nth(1).unwrap().to_owned(), j.run_at))
        .collect();
    assert_eq!(waiting.len(), 3, "{waiting:?}");
    assert!(
        waiting
            .iter()
            .all(|(k, _)| k.ends_with("@2027-02-11T18:00:00Z")),
        "{waiting:?}"
    );
    let manage = app.link_token("mover@example.org").await;
    // Another booking, cancelled: its reminders go with it.
    let other = confirmed(
        &app,
        "move-host",
        "2027-02-12T18:00:00Z",
        "canceller@example.org",
    )
    .await
    .1;
    ok(app
        .post(
            &format!("/api/v1/consultation-links/{other}/cancel"),
            None,
            json!({}),
        )
        .await)
    .await;

    // The first reminder carries a manage link of its own; the
    // confirmation's link still works beside it (until the start).
    let mut sent = drain_until(&app, "2027-02-10T19:00:00Z").await;
    let first = reminders_to(&sent, "mover@example.org", "Reminder from");
    assert_eq!(first.len(), 1);
    let reminded = first[0].kind_text();
    let start = reminded.find("token=").unwrap() + "token=".len();
    let own: String = reminded[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    between_tests::remember_secret(&own);
    assert_ne!(own, manage);
    for token in [&own, &manage] {
        let view = ok(app
            .get(&format!("/api/v1/consultation-links/{token}"))
            .await)
        .await;
        assert_eq!(view["start"], "2027-02-11T13:00:00-05:00");
    }
    sent.extend(drain_until(&app, "2027-02-12T19:00:00Z").await);
    let mover: Vec<&Sent> = reminders_to(&sent, "mover@example.org", "Reminder from");
    let times: Vec<Timestamp> = mover.iter().map(|s| s.at).collect();
    // 24 hours and 1 hour before the new time; never 24 hours before the old.
    assert_eq!(
        times,
        [at("2027-02-10T18:00:00Z"), at("2027-02-11T17:00:00Z")]
    );
    assert!(reminders_to(&sent, "canceller@example.org", "Reminder from").is_empty());
    let host: Vec<Timestamp> = reminders_to(&sent, "move.t@example.org", "Reminder from")
        .iter()
        .map(|s| s.at)
        .collect();
    assert_eq!(host, [at("2027-02-11T17:00:00Z")]);
    for s in &mover {
        let text = s.kind_text();
        assert!(text.contains("Thursday 11 February 2027, 13:00"), "{text}");
        assert!(!s.mail.raw.contains("PLANTED"));
        assert!(
            !s.mail.raw.contains("talk about sleep"),
            "the booker's note"
        );
    }
    // The booker turns consultation reminders off from the first one: the
    // hour-before reminder would have been skipped had it still waited.
    let token = mover[0].unsubscribe_token();
    let off = ok(app
        .post(
            &format!("/api/v1/notifications/unsubscribe/{token}"),
            None,
            json!({}),
        )
        .await)
    .await;
    assert_eq!(off["kind"], "consultation_reminders");
    assert_eq!(off["turned_off"], true);
}

#[tokio::test]
async fn a_booker_who_unsubscribed_gets_no_more_consultation_reminders() {
    let (app, _clock) = spawn_app_at("2027-02-01T12:00:00Z").await;
    offering(
        &app,
        "opt.t@example.org",
        "opt-host",
        "UTC",
        "09:00",
        "20:00",
    )
    .await;
    confirmed(&app, "opt-host", "2027-02-10T18:00:00Z", "opt@example.org").await;
    let sent = drain_until(&app, "2027-02-09T18:30:00Z").await;
    let first = reminders_to(&sent, "opt@example.org", "Reminder from");
    assert_eq!(first.len(), 1);
    let token = first[0].unsubscribe_token();
    let page = one_click(
        &app,
        &token,
        "application/x-www-form-urlencoded",
        "List-Unsubscribe=One-Click",
    )
    .await;
    assert_eq!(page.status(), 200);
    // The hour-before reminder no longer waits; the therapist's still does.
    let waiting: Vec<String> = jobs(&app, "consultation_reminder")
        .into_iter()
        .filter(|j| j.state == JobState::Queued)
        .map(|j| j.dedupe_key)
        .collect();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert!(waiting[0].contains("/therapist-60@"));
    // A second booking by the same address is not reminded either.
    confirmed(&app, "opt-host", "2027-02-20T18:00:00Z", "opt@example.org").await;
    let sent = drain_until(&app, "2027-02-21T00:00:00Z").await;
    assert!(reminders_to(&sent, "opt@example.org", "Reminder from").is_empty());
    assert_eq!(
        reminders_to(&sent, "opt.t@example.org", "Reminder from").len(),
        2
    );
}

// --- Exercises -----------------------------------------------------------

async fn assign(app: &TestApp, therapist: &Person, client: &Person, schedule: Value) -> String {
    let template = send(
        app,
        Method::POST,
        therapist,
        "/api/v1/exercise-templates",
        json!({"title": "PLANTED-TITLE Thought record", "category": "cognitive",
            "fields": [{"key": "thought", "label": "The thought", "input": {"type": "text"}}]}),
    )
    .await;
    let assignment = app
        .post(
            "/api/v1/assignments",
            Some(&therapist.access),
            json!({"client_id": client.id, "template_id": template["id"], "schedule": schedule}),
        )
        .await;
    assert_eq!(assignment.status(), 201);
    assignment.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn an_exercise_is_reminded_on_its_due_days_until_done_paused_or_ended_and_the_evening_before_a_one_off(
) {
    let (app, _clock) = spawn_app_at("2027-01-04T12:00:00Z").await;
    let therapist = app.therapist("ex.t@example.org").await;
    let client = app.client_of(&therapist, "ex.c@example.org").await;
    let daily = assign(
        &app,
        &therapist,
        &client,
        json!({"kind": "daily", "start_on": "2027-01-05"}),
    )
    .await;
    // 09:00 EST on the 5th.
    assert_eq!(
        queued(&app, "exercise_reminder"),
        [at("2027-01-05T14:00:00Z")]
    );
    let mut sent = drain_until(&app, "2027-01-06T13:00:00Z").await;
    // 08:00 EST on the 6th: done before the reminder.
    send(
        &app,
        Method::POST,
        &client,
        &format!("/api/v1/assignments/{daily}/responses"),
        json!({"answers": {"thought": "PLANTED-ANSWER I always fail"}}),
    )
    .await;
    sent.extend(drain_until(&app, "2027-01-07T15:00:00Z").await);
    // Paused: nothing more.
    send(
        &app,
        Method::PATCH,
        &therapist,
        &format!("/api/v1/assignments/{daily}"),
        json!({"status": "paused"}),
    )
    .await;
    assert!(queued(&app, "exercise_reminder").is_empty());
    // Another, ended before its first day: nothing either.
    let ended = assign(
        &app,
        &therapist,
        &client,
        json!({"kind": "daily", "start_on": "2027-01-08"}),
    )
    .await;
    assert_eq!(
        queued(&app, "exercise_reminder"),
        [at("2027-01-08T14:00:00Z")]
    );
    send(
        &app,
        Method::PATCH,
        &therapist,
        &format!("/api/v1/assignments/{ended}"),
        json!({"status": "ended"}),
    )
    .await;
    assert!(queued(&app, "exercise_reminder").is_empty());
    sent.extend(drain_until(&app, "2027-01-09T00:00:00Z").await);
    let times: Vec<Timestamp> = reminders_to(&sent, "ex.c@example.org", "Reminder from")
        .iter()
        .map(|s| s.at)
        .collect();
    assert_eq!(
        times,
        [at("2027-01-05T14:00:00Z"), at("2027-01-07T14:00:00Z")]
    );
    let skipped: Vec<String> = jobs(&app, "exercise_reminder")
        .into_iter()
        .filter(|j| j.state == JobState::Skipped)
        .map(|j| j.last_error.unwrap_or_default())
        .collect();
    assert_eq!(skipped, ["the exercise is done"]);

    // The evening before a one-off, when asked for, at 19:00 EST.
    set_prefs(
        &app,
        &client,
        json!({"exercise_reminders": {"enabled": true, "time": "08:30", "evening_before": true}}),
    )
    .await;
    assign(
        &app,
        &therapist,
        &client,
        json!({"kind": "once", "due_on": "2027-01-12"}),
    )
    .await;
    assert_eq!(
        queued(&app, "exercise_reminder"),
        [at("2027-01-12T00:00:00Z"), at("2027-01-12T13:30:00Z")]
    );
    let sent = drain_until(&app, "2027-01-13T00:00:00Z").await;
    let texts: Vec<String> = reminders_to(&sent, "ex.c@example.org", "Reminder from")
        .iter()
        .map(|s| s.kind_text())
        .collect();
    assert_eq!(texts.len(), 2);
    assert!(
        texts[0].contains("due tomorrow, Tuesday 12 January 2027"),
        "{}",
        texts[0]
    );
    assert!(
        texts[1].contains("due today, Tuesday 12 January 2027"),
        "{}",
        texts[1]
    );
    for s in &sent {
        assert!(!s.mail.raw.contains("PLANTED"), "{}", s.mail.raw);
    }
}

// --- Digest, weekly summary, and what no reminder ever carries ----------

#[tokio::test]
async fn the_digest_comes_only_when_something_is_new_and_no_reminder_carries_what_a_client_wrote() {
    // Monday 4 January 2027.
    let (app, _clock) = spawn_app_at("2027-01-04T12:00:00Z").await;
    let therapist = app.therapist("digest.t@example.org").await;
    zone(&app, &therapist, "America/New_York").await;
    let client = app.client_of(&therapist, "digest.c@example.org").await;
    // 08:00 EST today (it is 07:00 there).
    assert_eq!(
        queued(&app, "therapist_digest"),
        [at("2027-01-04T13:00:00Z")]
    );
    let sent = drain_until(&app, "2027-01-04T14:00:00Z").await;
    assert!(reminders_to(&sent, "digest.t@example.org", "Update from").is_empty());
    let skipped: Vec<String> = jobs(&app, "therapist_digest")
        .into_iter()
        .filter(|j| j.state == JobState::Skipped)
        .map(|j| j.last_error.unwrap_or_default())
        .collect();
    assert_eq!(skipped, ["nothing new was shared or submitted"]);

    // The client writes, tracks and shares, with text planted everywhere.
    let planted = "PLANTED-SECRET";
    let entry = send(
        &app,
        Method::POST,
        &client,
        "/api/v1/journal/entries",
        json!({"kind": "free", "title": format!("{planted} title"), "body": format!("{planted} journal body"), "mood": 1}),
    )
    .await;
    app.send(
        Method::PUT,
        &format!(
            "/api/v1/journal/entries/{}/share",
            entry["id"].as_str().unwrap()
        ),
        Some(&client.access),
        None,
    )
    .await;
    let walk = habit(&app, &client, &format!("{planted} habit"), "20:00").await;
    send(
        &app,
        Method::PUT,
        &client,
        &format!("/api/v1/habits/{walk}/check-ins/2027-01-04"),
        json!({"status": "done", "note": format!("{planted} check-in note")}),
    )
    .await;
    app.send(
        Method::PUT,
        &format!("/api/v1/habits/{walk}/share"),
        Some(&client.access),
        None,
    )
    .await;
    send(
        &app,
        Method::PUT,
        &client,
        "/api/v1/daily-check-ins/2027-01-04",
        json!({"mood": 1, "energy": 1, "tags": [planted], "note": format!("{planted} mood note")}),
    )
    .await;
    let exercise = assign(
        &app,
        &therapist,
        &client,
        json!({"kind": "daily", "start_on": "2027-01-04"}),
    )
    .await;
    send(
        &app,
        Method::POST,
        &client,
        &format!("/api/v1/assignments/{exercise}/responses"),
        json!({"answers": {"thought": format!("{planted} answer")}, "note": format!("{planted} response note")}),
    )
    .await;
    set_prefs(&app, &client, json!({"weekly_summary": {"enabled": true}})).await;
    // Sunday 10 January, 18:00 EST.
    assert_eq!(queued(&app, "weekly_summary"), [at("2027-01-10T23:00:00Z")]);

    let sent = drain_until(&app, "2027-01-11T12:00:00Z").await;
    let digests = reminders_to(&sent, "digest.t@example.org", "Update from");
    assert_eq!(digests.len(), 1, "one digest, the morning after");
    assert_eq!(digests[0].at, at("2027-01-05T13:00:00Z"));
    // The habit share and the response (the journal share counts by the
    // time it was made).
    let text = digests[0].kind_text();
    assert!(text.contains("1 client shared or submitted"), "{text}");
    let weekly = reminders_to(&sent, "digest.c@example.org", "Your week");
    assert_eq!(weekly.len(), 1);
    let text = weekly[0].kind_text();
    assert!(text.contains("checked in on 1 day"), "{text}");
    assert!(text.contains("completed 1 exercise"), "{text}");
    assert!(!sent.is_empty());
    for s in &sent {
        assert!(!s.mail.raw.contains(planted), "{}", s.mail.raw);
        assert!(
            !s.subject().to_lowercase().contains("therap"),
            "{}",
            s.subject()
        );
        assert!(!s.mail.raw.contains("Thought record"));
    }
    // Habit nudges, exercise reminders and the digest all went out.
    for subject in [
        "Reminder from Between",
        "Update from Between",
        "Your week, from Between",
    ] {
        assert!(sent.iter().any(|s| s.subject() == subject), "{subject}");
    }
}

// --- Preferences and one click ------------------------------------------

#[tokio::test]
async fn preferences_are_per_role_checked_and_private() {
    let (app, _clock) = spawn_app_at("2027-01-04T12:00:00Z").await;
    let therapist = app.therapist("prefs.t@example.org").await;
    let client = app.client_of(&therapist, "prefs.c@example.org").await;
    let mine = ok(app
        .get_as("/api/v1/me/notification-preferences", &client.access)
        .await)
    .await;
    assert_eq!(
        mine["quiet_hours"],
        json!({"start": "21:00", "end": "08:00"})
    );
    assert_eq!(mine["exercise_reminders"]["time"], "09:00");
    assert_eq!(mine["habit_reminders"]["enabled"], true);
    assert_eq!(mine["weekly_summary"]["enabled"], false);
    assert!(mine.get("therapist_digest").is_none());
    assert_eq!(mine["effective_time_zone"], "America/New_York");
    let theirs = ok(app
        .get_as("/api/v1/me/notification-preferences", &therapist.access)
        .await)
    .await;
    assert_eq!(theirs["consultation_reminders"]["minutes_before"], 60);
    assert_eq!(theirs["therapist_digest"]["time"], "08:00");
    assert!(theirs.get("habit_reminders").is_none());

    let refused = assert_problem(
        put_prefs(
            &app,
            &client,
            json!({"therapist_digest": {"enabled": false}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(refused["errors"][0]["code"], "not_allowed");
    assert_problem(
        put_prefs(&app, &client, json!({"time_zone": "Mars/Olympus"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        put_prefs(
            &app,
            &client,
            json!({"quiet_hours": {"start": "08:00", "end": "08:00"}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        put_prefs(
            &app,
            &therapist,
            json!({"consultation_reminders": {"enabled": true, "minutes_before": 5}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    // Quiet hours of more than 12 hours would hold a nudge past its day.
    let long = assert_problem(
        put_prefs(
            &app,
            &client,
            json!({"quiet_hours": {"start": "08:00", "end": "22:00"}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(long["errors"][0]["code"], "out_of_range");
    let bad_time = put_prefs(
        &app,
        &client,
        json!({"exercise_reminders": {"time": "25:00"}}),
    )
    .await;
    assert_eq!(bad_time.status(), 422);
    let unknown = put_prefs(&app, &client, json!({"sms": true})).await;
    assert_eq!(unknown.status(), 422);
    // Nothing of that changed anything.
    let again = ok(app
        .get_as("/api/v1/me/notification-preferences", &client.access)
        .await)
    .await;
    assert_eq!(again, mine);
    // One person's change is theirs alone.
    put_prefs(
        &app,
        &therapist,
        json!({"therapist_digest": {"enabled": false}}),
    )
    .await;
    let again = ok(app
        .get_as("/api/v1/me/notification-preferences", &client.access)
        .await)
    .await;
    assert_eq!(again, mine);
    for method in [Method::GET, Method::PUT] {
        let anonymous = app
            .send(
                method,
                "/api/v1/me/notification-preferences",
                None,
                Some(&json!({})),
            )
            .await;
        assert_problem(anonymous, 401, "missing_token").await;
    }
}

#[tokio::test]
async fn one_click_unsubscribe_turns_off_only_on_post_and_forged_tokens_are_not_found() {
    let (app, _clock) = spawn_app_at("2027-01-04T12:00:00Z").await;
    let therapist = app.therapist("click.t@example.org").await;
    let client = app.client_of(&therapist, "click.c@example.org").await;
    habit(&app, &client, "Water", "13:00").await;
    let sent = drain_until(&app, "2027-01-04T18:30:00Z").await;
    let nudge = reminders_to(&sent, "click.c@example.org", "Reminder from");
    assert_eq!(nudge.len(), 1);
    let header = nudge[0].mail.header("List-Unsubscribe").unwrap();
    // Served by the service itself, not the front end of APP_BASE_URL.
    assert!(
        header.starts_with("<http://127.0.0.1:0/unsubscribe/"),
        "{header}"
    );
    assert!(nudge[0].kind_text().contains("/unsubscribe/"));
    let token = nudge[0].unsubscribe_token();
    // A GET (what a mail scanner does) only shows the page.
    for _ in 0..2 {
        let page = app.get(&format!("/unsubscribe/{token}")).await;
        assert_eq!(page.status(), 200);
        assert_eq!(page.headers()["referrer-policy"], "no-referrer");
        assert!(page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'"));
        assert!(page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = page.text().await.unwrap();
        assert!(html.contains("habit reminders"), "{html}");
        assert!(html.contains("<form method=\"post\">"), "{html}");
        assert!(html.contains("name=\"List-Unsubscribe\" value=\"One-Click\""));
    }
    let view = ok(app
        .get(&format!("/api/v1/notifications/unsubscribe/{token}"))
        .await)
    .await;
    assert_eq!(
        view,
        json!({"kind": "habit_reminders", "description": "habit reminders", "turned_off": false})
    );
    assert!(enabled(&app, &client, "habit_reminders").await);
    assert_eq!(queued(&app, "habit_reminder").len(), 1);
    // A POST without the one-click body changes nothing.
    for (content_type, body) in [
        ("text/plain", "List-Unsubscribe=One-Click"),
        ("application/x-www-form-urlencoded", "List-Unsubscribe=Yes"),
        ("application/x-www-form-urlencoded", ""),
    ] {
        let refused = one_click(&app, &token, content_type, body).await;
        assert_problem(refused, 400, "invalid_body").await;
    }
    assert!(enabled(&app, &client, "habit_reminders").await);
    // The one-click POST, form-encoded, no cookies, no auth: 200, no redirect.
    let done = one_click(
        &app,
        &token,
        "application/x-www-form-urlencoded",
        "List-Unsubscribe=One-Click",
    )
    .await;
    assert_eq!(done.status(), 200);
    assert!(done
        .text()
        .await
        .unwrap()
        .contains("no longer get habit reminders"));
    assert!(!enabled(&app, &client, "habit_reminders").await);
    assert!(
        queued(&app, "habit_reminder").is_empty(),
        "the waiting nudge is dropped"
    );
    // Again: still 200, still off.
    let again = one_click(
        &app,
        &token,
        "application/x-www-form-urlencoded",
        "List-Unsubscribe=One-Click",
    )
    .await;
    assert_eq!(again.status(), 200);

    // Multipart, for another kind of the client's (a token as the service
    // signs them), and the JSON API for a third.
    let key = TEST_JWT_SECRET.as_bytes();
    let client_id = domain::ids::UserId(client.id.parse().unwrap());
    let exercise = unsubscribe::sign(
        key,
        &Subscription {
            subscriber: Subscriber::User(client_id),
            kind: NotificationKind::ExerciseReminders,
        },
    );
    let multipart = "--Bnd7\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--Bnd7--\r\n";
    let done = one_click(
        &app,
        &exercise,
        "multipart/form-data; boundary=Bnd7",
        multipart,
    )
    .await;
    assert_eq!(done.status(), 200);
    assert!(!enabled(&app, &client, "exercise_reminders").await);
    set_prefs(&app, &client, json!({"weekly_summary": {"enabled": true}})).await;
    let weekly = unsubscribe::sign(
        key,
        &Subscription {
            subscriber: Subscriber::User(client_id),
            kind: NotificationKind::WeeklySummary,
        },
    );
    assert_eq!(queued(&app, "weekly_summary").len(), 1);
    let off = ok(app
        .post(
            &format!("/api/v1/notifications/unsubscribe/{weekly}"),
            None,
            json!({}),
        )
        .await)
    .await;
    assert_eq!(off["turned_off"], true);
    assert!(queued(&app, "weekly_summary").is_empty());

    // Forged, altered, another service's, or a kind the person does not get: 404.
    let mut altered = token.clone().into_bytes();
    altered[40] = if altered[40] == b'a' { b'b' } else { b'a' };
    let altered = String::from_utf8(altered).unwrap();
    let therapist_id = domain::ids::UserId(therapist.id.parse().unwrap());
    let wrong_kind = unsubscribe::sign(
        key,
        &Subscription {
            subscriber: Subscriber::User(therapist_id),
            kind: NotificationKind::HabitReminders,
        },
    );
    let other_key = unsubscribe::sign(
        b"another service's secret, long enough",
        &Subscription {
            subscriber: Subscriber::User(client_id),
            kind: NotificationKind::HabitReminders,
        },
    );
    for forged in [
        altered,
        "0".repeat(70),
        "abc".to_owned(),
        wrong_kind,
        other_key,
    ] {
        assert_problem(
            app.get(&format!("/unsubscribe/{forged}")).await,
            404,
            "not_found",
        )
        .await;
        assert_problem(
            app.get(&format!("/api/v1/notifications/unsubscribe/{forged}"))
                .await,
            404,
            "not_found",
        )
        .await;
        assert_problem(
            app.post(
                &format!("/api/v1/notifications/unsubscribe/{forged}"),
                None,
                json!({}),
            )
            .await,
            404,
            "not_found",
        )
        .await;
        let page = one_click(
            &app,
            &forged,
            "application/x-www-form-urlencoded",
            "List-Unsubscribe=One-Click",
        )
        .await;
        assert_problem(page, 404, "not_found").await;
    }
    let theirs = ok(app
        .get_as("/api/v1/me/notification-preferences", &therapist.access)
        .await)
    .await;
    assert_eq!(theirs["therapist_digest"]["enabled"], true);
    // Account mail carries no unsubscribe link.
    let invitation = app
        .post(
            "/api/v1/invitations",
            Some(&therapist.access),
            json!({"email": "click.new@example.org"}),
        )
        .await;
    assert_eq!(invitation.status(), 201);
    let sent = app.send_queued().await;
    let raw = sent
        .iter()
        .map(|r| String::from_utf8_lossy(r).into_owned())
        .find(|r| r.contains("click.new@example.org"))
        .unwrap();
    assert!(!raw.contains("List-Unsubscribe"));
    between_tests::token_in(&sent, "click.new@example.org");
}

// --- Many reminders, two workers ----------------------------------------

#[tokio::test]
async fn two_workers_send_2000_reminders_due_in_the_same_minute_each_exactly_once() {
    use between_api::jobs::{Worker, WorkerOptions};
    use between_tests::smtp::TestSmtp;
    use between_tests::workers;

    let (app, clock) = spawn_app_at("2027-01-04T12:00:00Z").await;
    let therapist = app.therapist("many.t@example.org").await;
    let mut clients = Vec::new();
    for i in 0..20 {
        clients.push(
            app.client_of(&therapist, &format!("many{i}@example.org"))
                .await,
        );
    }
    // 100 habits each, every one at 13:00 in New York.
    let app_ref = &app;
    for client in &clients {
        futures_util::future::join_all(
            (0..100).map(|i| async move {
                habit(app_ref, client, &format!("Habit {i}"), "13:00").await
            }),
        )
        .await;
    }
    let due = at("2027-01-04T18:00:00Z");
    assert_eq!(queued(&app, "habit_reminder"), vec![due; 2000]);
    // Invitations and the like go first, by the real clock.
    app.send_queued().await;

    clock.set(due + Duration::seconds(30));
    let smtp = TestSmtp::start();
    let options = WorkerOptions {
        batch_size: 64,
        concurrency: 32,
        clock: clock.clone(),
        ..workers::fast()
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let pools = [workers::pool(&app.db), workers::pool(&app.db)];
    let running: Vec<_> = pools
        .iter()
        .map(|pool| {
            let worker = Worker::new(
                pool.clone(),
                workers::smtp_mailer(&smtp, &app.data_dir, &app.db),
                options.clone(),
            );
            tokio::spawn(worker.run(stopped.clone()))
        })
        .collect();
    let pool = app.pool.clone();
    let sent_count = move || {
        jobs_of(&pool, "habit_reminder")
            .iter()
            .filter(|j| j.state == JobState::Sent)
            .count()
    };
    between_tests::eventually(
        "all 2000 are sent",
        std::time::Duration::from_secs(240),
        || sent_count() == 2000,
    )
    .await;
    stop.send(true).unwrap();
    for worker in running {
        worker.await.unwrap();
    }
    let received = smtp.received();
    assert_eq!(received.len(), 2000, "each exactly once");
    let mut per_recipient: BTreeMap<String, usize> = BTreeMap::new();
    let mut ids = HashSet::new();
    for message in &received {
        *per_recipient.entry(message.to.join(",")).or_default() += 1;
        assert!(ids.insert(message.header("Message-ID").unwrap()));
    }
    assert_eq!(per_recipient.len(), 20);
    assert!(
        per_recipient.values().all(|n| *n == 100),
        "{per_recipient:?}"
    );
    let sent = jobs_of(&app.pool, "habit_reminder");
    assert!(sent
        .iter()
        .filter(|j| j.state == JobState::Sent)
        .all(|j| j.attempts == 1));
    // And each planned tomorrow's.
    assert_eq!(
        queued(&app, "habit_reminder"),
        vec![at("2027-01-05T18:00:00Z"); 2000]
    );
}

fn jobs_of(pool: &domain::db::Pool, kind: &str) -> Vec<outbox::Job> {
    let mut conn = pool.get().unwrap();
    outbox::list(&mut conn, None, 100_000)
        .unwrap()
        .into_iter()
        .filter(|j| j.kind.as_str() == kind)
        .collect()
}

async fn enabled(app: &TestApp, person: &Person, kind: &str) -> bool {
    ok(app
        .get_as("/api/v1/me/notification-preferences", &person.access)
        .await)
    .await[kind]["enabled"]
        .as_bool()
        .unwrap()
}

async fn put_prefs(app: &TestApp, person: &Person, body: Value) -> reqwest::Response {
    app.send(
        Method::PUT,
        "/api/v1/me/notification-preferences",
        Some(&person.access),
        Some(&body),
    )
    .await
}

async fn set_prefs(app: &TestApp, person: &Person, body: Value) -> Value {
    ok(put_prefs(app, person, body).await).await
}

/// A POST to the one-click target, as a mail client sends it.
async fn one_click(
    app: &TestApp,
    token: &str,
    content_type: &str,
    body: &str,
) -> reqwest::Response {
    app.client
        .post(app.url(&format!("/unsubscribe/{token}")))
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn reconciliation_plans_every_target_that_has_nothing_waiting() {
    let (app, clock) = spawn_app_at("2027-02-01T12:00:00Z").await;
    let host = offering(
        &app,
        "rec.t@example.org",
        "rec-host",
        "UTC",
        "09:00",
        "20:00",
    )
    .await;
    confirmed(&app, "rec-host", "2027-02-10T18:00:00Z", "rec@example.org").await;
    let client = app.client_of(&host, "rec.c@example.org").await;
    habit(&app, &client, "Walk", "09:00").await;
    assign(
        &app,
        &host,
        &client,
        json!({"kind": "daily", "start_on": "2027-02-02"}),
    )
    .await;
    set_prefs(&app, &client, json!({"weekly_summary": {"enabled": true}})).await;
    let kinds = [
        ("consultation_reminder", 3),
        ("habit_reminder", 1),
        ("exercise_reminder", 1),
        ("therapist_digest", 1),
        ("weekly_summary", 1),
    ];
    let planned: Vec<(&str, Vec<Timestamp>)> = kinds
        .iter()
        .map(|(kind, _)| (*kind, queued(&app, kind)))
        .collect();
    for ((kind, count), (_, runs)) in kinds.iter().zip(&planned) {
        assert_eq!(runs.len(), *count, "{kind}");
    }
    // Nothing waiting, as a broken chain or data from before reminders
    // would leave it; the reconciliation plans the same again.
    let mut conn = app.pool.get().unwrap();
    for job in outbox::list(&mut conn, Some(JobState::Queued), 1_000).unwrap() {
        if kinds.iter().any(|(kind, _)| job.kind.as_str() == *kind) {
            outbox::cancel(&mut conn, &job.dedupe_key).unwrap();
        }
    }
    drop(conn);
    for (kind, _) in &kinds {
        assert!(queued(&app, kind).is_empty(), "{kind}");
    }
    let looked_at = {
        let mut conn = app.pool.get().unwrap();
        domain::reminders::reconcile(&mut conn, clock.now()).unwrap()
    };
    assert_eq!(
        looked_at, 5,
        "one habit, assignment, consultation, digest and summary"
    );
    for (kind, runs) in &planned {
        assert_eq!(&queued(&app, kind), runs, "{kind}");
    }
    // Run again, it finds nothing to do.
    let mut conn = app.pool.get().unwrap();
    assert_eq!(
        domain::reminders::reconcile(&mut conn, clock.now()).unwrap(),
        0
    );
}

#[tokio::test]
async fn a_reminder_held_back_for_a_retry_is_kept_when_its_target_is_planned_again() {
    use diesel::RunQueryDsl;
    let (app, clock) = spawn_app_at("2027-01-04T12:00:00Z").await;
    let therapist = app.therapist("retry.t@example.org").await;
    let client = app.client_of(&therapist, "retry.c@example.org").await;
    let walk = habit(&app, &client, "Walk", "09:00").await;
    assert_eq!(queued(&app, "habit_reminder"), [at("2027-01-04T14:00:00Z")]);
    // Its first attempt failed at 09:00 EST; it waits five minutes to retry.
    clock.set(at("2027-01-04T14:00:10Z"));
    {
        let mut conn = app.pool.get().unwrap();
        diesel::sql_query(
            "UPDATE outbox SET attempts = 1, run_at = $1
              WHERE kind = 'habit_reminder' AND state = 'queued'",
        )
        .bind::<domain::db::sql::Instant, _>(at("2027-01-04T14:05:00Z"))
        .execute(&mut *conn)
        .unwrap();
    }
    // The habit changes meanwhile: the retry stays as it is.
    send(
        &app,
        Method::PATCH,
        &client,
        &format!("/api/v1/habits/{walk}"),
        json!({"name": "A longer walk"}),
    )
    .await;
    assert_eq!(queued(&app, "habit_reminder"), [at("2027-01-04T14:05:00Z")]);
    let sent = drain_until(&app, "2027-01-04T15:00:00Z").await;
    let nudges = reminders_to(&sent, "retry.c@example.org", "Reminder from");
    assert_eq!(nudges.len(), 1);
    assert_eq!(nudges[0].at, at("2027-01-04T14:05:00Z"));
    assert_eq!(queued(&app, "habit_reminder"), [at("2027-01-05T14:00:00Z")]);
}
