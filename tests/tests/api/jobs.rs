//! Typed, schedulable jobs through real workers: `run_at`, cancel, replace,
//! the last wish-check, calendar invites, and the retention pass.

use std::str::FromStr;
use std::time::Duration;

use between_api::jobs::Worker;
use between_tests::smtp::TestSmtp;
use between_tests::workers::{fast, pool as worker_pool, smtp_mailer};
use between_tests::{assert_problem, eventually, spawn_app, temp_dir, TestApp};
use diesel::RunQueryDsl;
use domain::outbox::{
    self, CalendarEvent, CalendarMethod, EmailKind, Job, JobState, Outgoing, Party, TestEmail,
};
use domain::Timestamp;
use icalendar::Component;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(20);

fn all_jobs(app: &TestApp) -> Vec<Job> {
    let mut conn = app.pool.get().unwrap();
    outbox::list(&mut conn, None, 10_000).unwrap()
}

fn job_to(app: &TestApp, recipient: &str) -> Job {
    all_jobs(app)
        .into_iter()
        .find(|j| j.recipient == recipient)
        .unwrap_or_else(|| panic!("no job to {recipient}"))
}

/// Two workers, each with a pool of its own, as two instances would run.
fn start_two_workers(
    app: &TestApp,
    smtp: &TestSmtp,
) -> (
    tokio::sync::watch::Sender<bool>,
    Vec<tokio::task::JoinHandle<()>>,
) {
    let data_dir = temp_dir("jobs");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let worker = Worker::new(
                worker_pool(&app.db),
                smtp_mailer(smtp, &data_dir, &app.db),
                fast(),
            );
            tokio::spawn(worker.run(stopped.clone()))
        })
        .collect();
    (stop, workers)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_wait_for_run_at_and_cancelled_replaced_or_unwanted_ones_are_never_sent() {
    let app = spawn_app().await;
    let therapist = app.therapist("scheduler@example.org").await;
    // An invitation revoked before any worker looked at its email.
    let invited = app
        .post(
            "/api/v1/invitations",
            Some(&therapist.access),
            json!({"email": "revoked@example.org"}),
        )
        .await;
    assert_eq!(invited.status(), 201);
    let invitation: serde_json::Value = invited.json().await.unwrap();
    let revoked = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/v1/invitations/{}", invitation["id"].as_str().unwrap()),
            Some(&therapist.access),
            None,
        )
        .await;
    assert_eq!(revoked.status(), 204);

    let run_at = Timestamp::now() + chrono::Duration::seconds(3);
    {
        let mut conn = app.pool.get().unwrap();
        let later = Outgoing::now("later@example.org", "sched:later", TestEmail::default());
        assert!(outbox::enqueue(&mut conn, &later.at(run_at)).unwrap());

        let doomed = Outgoing::now(
            "cancelled@example.org",
            "sched:cancel",
            TestEmail::default(),
        );
        assert!(outbox::enqueue(&mut conn, &doomed.at(run_at)).unwrap());
        assert_eq!(outbox::cancel(&mut conn, "sched:cancel").unwrap(), 1);

        let old = Outgoing::now("old@example.org", "sched:move", TestEmail::default());
        assert!(outbox::enqueue(&mut conn, &old.at(run_at)).unwrap());
        let new = Outgoing::now("new@example.org", "sched:move", TestEmail::default());
        outbox::replace(&mut conn, &new).unwrap();
        assert!(
            !outbox::enqueue(&mut conn, &new).unwrap(),
            "the key is held by the replacement"
        );
    }

    let smtp = TestSmtp::start();
    let (stop, workers) = start_two_workers(&app, &smtp);
    let to = |address: &str| {
        smtp.received()
            .iter()
            .filter(|m| m.to.iter().any(|t| t == address))
            .count()
    };
    eventually("the replacement arrives", WAIT, || {
        to("new@example.org") == 1
    })
    .await;
    eventually("the revoked invitation's email is skipped", WAIT, || {
        job_to(&app, "revoked@example.org").state == JobState::Skipped
    })
    .await;
    let checked_at = Timestamp::now();
    let early = to("later@example.org");
    eventually("the scheduled email arrives", WAIT, || {
        to("later@example.org") == 1
    })
    .await;
    stop.send(true).unwrap();
    for worker in workers {
        worker.await.unwrap();
    }

    if checked_at < run_at {
        assert_eq!(early, 0, "nothing is sent before its run_at");
    }
    let later = job_to(&app, "later@example.org");
    assert_eq!(later.state, JobState::Sent);
    assert!(
        later.sent_at.unwrap() >= run_at,
        "sent {:?}, due {run_at}",
        later.sent_at
    );

    // Once sent, skipped or cancelled, a job keeps no link secret.
    assert_eq!(later.payload, outbox::CLEARED_PAYLOAD);
    let cancelled = job_to(&app, "cancelled@example.org");
    assert_eq!(cancelled.state, JobState::Cancelled);
    assert_eq!(cancelled.payload, outbox::CLEARED_PAYLOAD);
    assert_eq!(job_to(&app, "old@example.org").state, JobState::Cancelled);
    assert_eq!(job_to(&app, "new@example.org").state, JobState::Sent);
    let invitation_job = job_to(&app, "revoked@example.org");
    assert_eq!(invitation_job.kind, EmailKind::Invitation);
    assert_eq!(
        invitation_job.payload,
        outbox::CLEARED_PAYLOAD,
        "no invitation link kept"
    );
    assert!(invitation_job
        .last_error
        .as_deref()
        .unwrap_or_default()
        .contains("revoked"));
    // The therapist's verification link was used before the worker ran.
    // (The worker also planned the therapist's daily digest when it started.)
    let verification = all_jobs(&app)
        .into_iter()
        .find(|j| j.recipient == "scheduler@example.org" && j.kind == EmailKind::VerifyEmail)
        .expect("the verification email");
    assert_eq!(verification.state, JobState::Skipped);

    let mut recipients: Vec<String> = smtp.received().into_iter().flat_map(|m| m.to).collect();
    recipients.sort();
    assert_eq!(recipients, ["later@example.org", "new@example.org"]);
}

fn sample_invite(attendee: &str) -> CalendarEvent {
    let starts_at = Timestamp(
        chrono::DateTime::parse_from_rfc3339("2026-10-25T00:45:00Z")
            .unwrap()
            .to_utc(),
    );
    CalendarEvent {
        method: CalendarMethod::Request,
        uid: "consultation-42@between.test".into(),
        sequence: 3,
        starts_at,
        ends_at: starts_at + chrono::Duration::minutes(15),
        summary: format!("Free consultation with {attendee}"),
        description: "15 minutes by phone.\nManage it with the link in this email.".into(),
        url: Some("https://app.between.test/consultations/manage?token=secret".into()),
        organizer: Party {
            name: "Dr. Sam Rivera".into(),
            email: "rivera@example.org".into(),
        },
        attendee: Party {
            name: attendee.into(),
            email: "ada@example.org".into(),
        },
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calendar_invite_arrives_as_a_text_calendar_part_that_parsers_read_and_names_cannot_inject(
) {
    let app = spawn_app().await;
    let evil = "Eve\r\nATTENDEE;CN=x:mailto:x@evil.example";
    {
        let mut conn = app.pool.get().unwrap();
        let email = TestEmail {
            invite: Some(sample_invite(evil)),
        };
        outbox::enqueue(
            &mut conn,
            &Outgoing::now("ada@example.org", "invite:1", email),
        )
        .unwrap();
    }
    let smtp = TestSmtp::start();
    let (stop, workers) = start_two_workers(&app, &smtp);
    eventually("the invite arrives", WAIT, || smtp.count() == 1).await;
    stop.send(true).unwrap();
    for worker in workers {
        worker.await.unwrap();
    }

    let raw = smtp.received()[0].raw.clone();
    let message = mail_parser::MessageParser::default()
        .parse(raw.as_bytes())
        .expect("a parseable message");
    use mail_parser::MimeHeaders;
    let top = message.content_type().expect("a content type");
    assert_eq!(
        (top.ctype(), top.subtype()),
        ("multipart", Some("alternative"))
    );
    let calendar_part = message
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
        })
        .expect("a text/calendar part");
    let content_type = calendar_part.content_type().unwrap();
    assert_eq!(content_type.attribute("method"), Some("REQUEST"));
    assert!(content_type
        .attribute("charset")
        .is_some_and(|c| c.eq_ignore_ascii_case("utf-8")));
    let ics = calendar_part.text_contents().expect("calendar text");

    let calendar = icalendar::Calendar::from_str(ics).expect("RFC 5545 the parser reads");
    assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
    let events: Vec<_> = calendar.events().collect();
    assert_eq!(events.len(), 1);
    let event = events[0];
    assert_eq!(event.get_uid(), Some("consultation-42@between.test"));
    assert_eq!(event.property_value("SEQUENCE"), Some("3"));
    assert_eq!(event.property_value("DTSTART"), Some("20261025T004500Z"));
    assert_eq!(event.property_value("DTEND"), Some("20261025T010000Z"));
    assert!(event
        .get_summary()
        .is_some_and(|s| s.starts_with("Free consultation with Eve")));
    let attendees = event.multi_properties().get("ATTENDEE").map_or(0, Vec::len);
    assert_eq!(attendees, 1, "a name cannot add an attendee:\n{ics}");
    let lines: Vec<String> = ics
        .replace("\r\n ", "")
        .split("\r\n")
        .map(str::to_owned)
        .collect();
    assert!(
        !lines.iter().any(|l| l.starts_with("ATTENDEE;CN=x")),
        "the injected attendee is not a line of its own:\n{ics}"
    );
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("ATTENDEE")).count(),
        1
    );
    let text = message.body_text(0).expect("a text part");
    assert!(text.contains("Between"), "{text}");
}

#[tokio::test]
async fn the_retention_pass_clears_sent_payloads_and_trims_old_audit_rows() {
    let app = spawn_app().await;
    let therapist = app.therapist("retention@example.org").await;
    let client = app.client_of(&therapist, "kept@example.org").await;
    let opened = app
        .get_as(&format!("/api/v1/clients/{}", client.id), &therapist.access)
        .await;
    assert_eq!(opened.status(), 200);
    let mut conn = app.pool.get().unwrap();
    diesel::sql_query("UPDATE outbox SET state = 'sent'")
        .execute(&mut *conn)
        .unwrap();
    let jobs_before = outbox::list(&mut conn, None, 100).unwrap();
    assert!(jobs_before.iter().any(|j| j.payload.contains("token")));

    let retention = domain::maintenance::Retention::default();
    let soon = Timestamp::now() + chrono::Duration::days(1);
    let report = domain::maintenance::run(&mut conn, &retention, soon).unwrap();
    assert_eq!(report.payloads_cleared, 0, "a day is within retention");

    let week_later = Timestamp::now() + chrono::Duration::days(8);
    let report = domain::maintenance::run(&mut conn, &retention, week_later).unwrap();
    assert_eq!(report.payloads_cleared, jobs_before.len());
    assert_eq!(report.audit_rows_deleted, 0, "audit rows stay six years");
    let jobs_after = outbox::list(&mut conn, None, 100).unwrap();
    assert!(jobs_after
        .iter()
        .all(|j| j.payload == outbox::CLEARED_PAYLOAD && !j.recipient.is_empty()));
    assert!(outbox::retry(&mut conn, jobs_after[0].id).is_err());

    let years_later = Timestamp::now() + chrono::Duration::days(2191);
    let report = domain::maintenance::run(&mut conn, &retention, years_later).unwrap();
    assert!(report.audit_rows_deleted >= 2, "{report:?}");
    drop(conn);
    let log: serde_json::Value = app
        .get_as("/api/v1/me/access-log", &client.access)
        .await
        .json()
        .await
        .unwrap();
    assert!(log["items"].as_array().unwrap().is_empty(), "{log}");
}

#[tokio::test]
async fn an_unknown_stored_value_is_a_500_never_a_default() {
    let app = spawn_app().await;
    let therapist = app.therapist("enum@example.org").await;
    let client = app.client_of(&therapist, "strict@example.org").await;
    let opened = app
        .get_as(&format!("/api/v1/clients/{}", client.id), &therapist.access)
        .await;
    assert_eq!(opened.status(), 200);
    {
        let mut conn = app.pool.get().unwrap();
        diesel::sql_query("UPDATE access_log SET action = 'peeked'")
            .execute(&mut *conn)
            .unwrap();
        diesel::sql_query("UPDATE outbox SET kind = 'newsletter'")
            .execute(&mut *conn)
            .unwrap();
        let listed = outbox::list(&mut conn, None, 10);
        assert!(listed.is_err(), "an unknown kind does not load");
    }
    let response = app.get_as("/api/v1/me/access-log", &client.access).await;
    assert_problem(response, 500, "internal_error").await;
}
