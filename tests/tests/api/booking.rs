//! The free consultation, first part: a therapist's booking profile,
//! settings and availability, and the public profile and open slots, on
//! both sides of DST changes and seen from other zones.

use std::str::FromStr;

use icalendar::Component;

use between_tests::booking::{book, confirmed, every_day, offering};
use between_tests::cast::{Cast, Expect};
use between_tests::{assert_problem, spawn_app_at, Person, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {body}");
    body
}

async fn put(app: &TestApp, person: &Person, path: &str, body: Value) -> reqwest::Response {
    app.send(Method::PUT, path, Some(&person.access), Some(&body))
        .await
}

async fn slots(app: &TestApp, slug: &str, date: &str, zone: &str) -> Vec<(String, Vec<String>)> {
    let body = ok(app
        .get(&format!(
            "/api/v1/therapists/{slug}/slots?from={date}&to={date}&time_zone={zone}"
        ))
        .await)
    .await;
    assert_eq!(body["time_zone"], zone);
    body["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_owned(),
                d["slots"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["start"].as_str().unwrap().to_owned())
                    .collect(),
            )
        })
        .collect()
}

#[tokio::test]
async fn berlin_nine_to_five_keeps_its_hours_across_dst_seen_from_three_other_zones() {
    let (app, _clock) = spawn_app_at("2026-03-01T12:00:00Z").await;
    offering(
        &app,
        "berlin@example.org",
        "berlin-ada",
        "Europe/Berlin",
        "09:00",
        "17:00",
    )
    .await;
    for (date, zone, first, last) in [
        // 29 March: Berlin moves to CEST (+02:00).
        (
            "2026-03-29",
            "America/New_York",
            "2026-03-29T03:00:00-04:00",
            "2026-03-29T10:45:00-04:00",
        ),
        (
            "2026-03-29",
            "Asia/Kolkata",
            "2026-03-29T12:30:00+05:30",
            "2026-03-29T20:15:00+05:30",
        ),
        // 25 October: back to CET (+01:00); New York is still on EDT.
        (
            "2026-10-25",
            "America/New_York",
            "2026-10-25T04:00:00-04:00",
            "2026-10-25T11:45:00-04:00",
        ),
        (
            "2026-10-25",
            "Asia/Kolkata",
            "2026-10-25T13:30:00+05:30",
            "2026-10-25T21:15:00+05:30",
        ),
    ] {
        let days = slots(&app, "berlin-ada", date, zone).await;
        assert_eq!(days.len(), 1, "{date} in {zone}");
        let (day, starts) = &days[0];
        assert_eq!(day, date);
        assert_eq!(
            starts.len(),
            32,
            "{date} in {zone}: eight hours of 15 minutes"
        );
        assert_eq!(starts[0], first, "{date} in {zone}");
        assert_eq!(starts[31], last, "{date} in {zone}");
    }
    // Sydney sees the evening of Berlin's day on the same date, and the
    // tail of Berlin's day before after its midnight.
    for (date, starts_at) in [
        ("2026-03-29", "2026-03-29T18:00:00+11:00"),
        ("2026-10-25", "2026-10-25T19:00:00+11:00"),
    ] {
        let days = slots(&app, "berlin-ada", date, "Australia/Sydney").await;
        assert!(
            days[0].1.contains(&starts_at.to_owned()),
            "{date}: {days:?}"
        );
        assert!(days[0].1.iter().all(|s| s.starts_with(date)));
    }
    // The therapist's own zone by default.
    let own = ok(app
        .get("/api/v1/therapists/berlin-ada/slots?from=2026-03-29&to=2026-03-29")
        .await)
    .await;
    assert_eq!(own["time_zone"], "Europe/Berlin");
    assert_eq!(
        own["days"][0]["slots"][0]["start"],
        "2026-03-29T09:00:00+02:00"
    );
    assert_eq!(
        own["days"][0]["slots"][0]["end"],
        "2026-03-29T09:15:00+02:00"
    );
}

#[tokio::test]
async fn a_one_to_four_rule_skips_the_missing_hour_and_offers_the_doubled_one_once() {
    let (app, _clock) = spawn_app_at("2026-03-01T12:00:00Z").await;
    offering(
        &app,
        "ny@example.org",
        "ny-grace",
        "America/New_York",
        "01:00",
        "04:00",
    )
    .await;
    let days = slots(&app, "ny-grace", "2026-03-08", "America/New_York").await;
    assert_eq!(
        days[0].1,
        [
            "2026-03-08T01:00:00-05:00",
            "2026-03-08T01:15:00-05:00",
            "2026-03-08T01:30:00-05:00",
            "2026-03-08T01:45:00-05:00",
            "2026-03-08T03:00:00-04:00",
            "2026-03-08T03:15:00-04:00",
            "2026-03-08T03:30:00-04:00",
            "2026-03-08T03:45:00-04:00",
        ]
    );
    let days = slots(&app, "ny-grace", "2026-11-01", "America/New_York").await;
    let starts = &days[0].1;
    assert_eq!(starts.len(), 12);
    assert_eq!(starts[0], "2026-11-01T01:00:00-04:00");
    assert_eq!(starts[3], "2026-11-01T01:45:00-04:00");
    assert_eq!(starts[4], "2026-11-01T02:00:00-05:00");
    assert!(!starts
        .iter()
        .any(|s| s.starts_with("2026-11-01T01:") && s.ends_with("-05:00")));
}

#[tokio::test]
async fn overrides_notice_and_settings_shape_the_slots_and_bad_setups_are_refused() {
    let (app, _clock) = spawn_app_at("2026-03-02T00:00:00Z").await;
    let therapist = offering(
        &app,
        "rules@example.org",
        "rules-amy",
        "UTC",
        "09:00",
        "11:00",
    )
    .await;
    // The 2nd: 09:00 is inside the 12-hour notice. A holiday on the 3rd.
    assert!(slots(&app, "rules-amy", "2026-03-02", "UTC")
        .await
        .is_empty());
    let holiday = ok(put(
        &app,
        &therapist,
        "/api/v1/me/booking-profile/overrides/2026-03-03",
        json!({"ranges": []}),
    )
    .await)
    .await;
    assert_eq!(holiday["ranges"], json!([]));
    assert!(slots(&app, "rules-amy", "2026-03-03", "UTC")
        .await
        .is_empty());
    // A short day on the 4th.
    ok(put(
        &app,
        &therapist,
        "/api/v1/me/booking-profile/overrides/2026-03-04",
        json!({"ranges": [{"start": "14:00", "end": "14:30"}]}),
    )
    .await)
    .await;
    assert_eq!(
        slots(&app, "rules-amy", "2026-03-04", "UTC").await[0].1,
        ["2026-03-04T14:00:00+00:00", "2026-03-04T14:15:00+00:00"]
    );
    let listed = ok(app
        .get_as(
            "/api/v1/me/booking-profile/overrides?from=2026-03-01&to=2026-03-31",
            &therapist.access,
        )
        .await)
    .await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let gone = app
        .send(
            Method::DELETE,
            "/api/v1/me/booking-profile/overrides/2026-03-03",
            Some(&therapist.access),
            None,
        )
        .await;
    assert_eq!(gone.status(), 204);
    assert_eq!(
        slots(&app, "rules-amy", "2026-03-03", "UTC").await[0]
            .1
            .len(),
        8
    );
    // Longer consultations every 30 minutes.
    ok(put(&app, &therapist, "/api/v1/me/booking-profile", json!({"slug": "rules-amy", "offers_consultations": true,
        "settings": {"duration_minutes": 30, "interval_minutes": 30}, "weekly": every_day("09:00", "11:00")})).await).await;
    assert_eq!(
        slots(&app, "rules-amy", "2026-03-05", "UTC").await[0]
            .1
            .len(),
        4
    );
    // The default horizon (30 days) ends offers in April.
    assert!(slots(&app, "rules-amy", "2026-04-05", "UTC")
        .await
        .is_empty());
    // Not offering: the profile stays, no slots.
    let me = ok(put(
        &app,
        &therapist,
        "/api/v1/me/booking-profile",
        json!({"slug": "rules-amy"}),
    )
    .await)
    .await;
    assert_eq!(me["offers_consultations"], false);
    assert_eq!(me["settings"]["daily_cap"], 4);
    assert!(slots(&app, "rules-amy", "2026-03-05", "UTC")
        .await
        .is_empty());

    for bad in [
        json!({"slug": "A"}),
        json!({"slug": "-amy"}),
        json!({"slug": "rules-amy", "settings": {"duration_minutes": 5}}),
        json!({"slug": "rules-amy", "settings": {"daily_cap": 0}}),
        json!({"slug": "rules-amy", "weekly": {"mon": [{"start": "10:00", "end": "09:00"}]}}),
        json!({"slug": "rules-amy", "weekly": {"mon": [{"start": "09:00", "end": "11:00"}, {"start": "10:00", "end": "12:00"}]}}),
    ] {
        let refused = put(&app, &therapist, "/api/v1/me/booking-profile", bad.clone()).await;
        assert_problem(refused, 422, "validation_failed").await;
    }
    let unknown = put(
        &app,
        &therapist,
        "/api/v1/me/booking-profile",
        json!({"slug": "rules-amy", "weekly": {"someday": []}}),
    )
    .await;
    assert_problem(unknown, 422, "invalid_body").await;
    let other = app.therapist("other@example.org").await;
    let taken = put(
        &app,
        &other,
        "/api/v1/me/booking-profile",
        json!({"slug": "rules-amy"}),
    )
    .await;
    assert_problem(taken, 409, "slug_taken").await;
    for (path, status, code) in [
        ("/api/v1/therapists/rules-amy/slots?from=2026-03-01&to=2026-04-01", 422, "validation_failed"),
        ("/api/v1/therapists/rules-amy/slots?from=2026-03-05&to=2026-03-01", 422, "validation_failed"),
        ("/api/v1/therapists/rules-amy/slots?from=2026-03-01&to=2026-03-02&time_zone=Mars/Olympus", 422, "validation_failed"),
        ("/api/v1/therapists/rules-amy/slots?from=0001-01-01&to=0001-01-02", 422, "validation_failed"),
        ("/api/v1/therapists/rules-amy/slots?from=2026-03-01", 400, "invalid_query"),
        ("/api/v1/therapists/nobody-here/slots?from=2026-03-01&to=2026-03-02", 404, "not_found"),
        ("/api/v1/therapists/nobody-here", 404, "not_found"),
    ] {
        assert_problem(app.get(path).await, status, code).await;
    }
}

#[tokio::test]
async fn the_public_profile_shows_the_profile_and_nothing_else_and_setup_is_the_therapists_alone() {
    let (app, _clock) = spawn_app_at("2026-03-01T12:00:00Z").await;
    let cast = Cast::new(&app).await;
    let own = Expect::therapist_a_only(200);
    // Before a profile exists: 404 for the therapist, 403 for the rest.
    cast.check(
        &app,
        Method::GET,
        "/api/v1/me/booking-profile",
        None,
        Expect {
            therapist_b: 404,
            ..Expect::therapist_a_only(404)
        },
    )
    .await;
    let body = json!({"slug": "cast-a", "offers_consultations": true, "weekly": every_day("09:00", "10:00")});
    ok(put(
        &app,
        &cast.therapist_a,
        "/api/v1/me/booking-profile",
        body.clone(),
    )
    .await)
    .await;
    // Therapist B may not take A's slug; A replaces their own.
    cast.check(
        &app,
        Method::PUT,
        "/api/v1/me/booking-profile",
        Some(body),
        Expect {
            therapist_b: 409,
            ..own
        },
    )
    .await;
    cast.check(
        &app,
        Method::GET,
        "/api/v1/me/booking-profile",
        None,
        Expect {
            therapist_b: 404,
            ..own
        },
    )
    .await;
    cast.check(
        &app,
        Method::PUT,
        "/api/v1/me/booking-profile/overrides/2026-03-10",
        Some(json!({"ranges": []})),
        Expect {
            therapist_b: 200,
            ..own
        },
    )
    .await;
    cast.check(
        &app,
        Method::GET,
        "/api/v1/me/booking-profile/overrides?from=2026-03-01&to=2026-03-31",
        None,
        Expect {
            therapist_b: 200,
            ..own
        },
    )
    .await;
    let open_to_all = Expect {
        anonymous: 200,
        admin: 200,
        client_b: 200,
        therapist_b: 200,
        client_a: 200,
        therapist_a: 200,
    };
    cast.check(
        &app,
        Method::GET,
        "/api/v1/therapists/cast-a",
        None,
        open_to_all,
    )
    .await;
    cast.check(
        &app,
        Method::GET,
        "/api/v1/therapists/cast-a/slots?from=2026-03-05&to=2026-03-05",
        None,
        open_to_all,
    )
    .await;
    cast.check(
        &app,
        Method::DELETE,
        "/api/v1/me/booking-profile/overrides/2026-03-10",
        None,
        Expect {
            therapist_b: 204,
            therapist_a: 204,
            ..own
        },
    )
    .await;

    let public = ok(app.get("/api/v1/therapists/cast-a").await).await;
    let mut keys: Vec<&str> = public
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "bio",
            "display_name",
            "duration_minutes",
            "horizon_days",
            "notice_minutes",
            "offers_consultations",
            "slug",
            "time_zone"
        ]
    );
    assert!(
        !public.to_string().contains("example.org"),
        "no email: {public}"
    );
    // A disabled account's profile is gone.
    let disabled = app
        .send(
            Method::PATCH,
            &format!("/api/v1/admin/users/{}", cast.therapist_a.id),
            Some(&cast.admin.access),
            Some(&json!({"disabled": true})),
        )
        .await;
    assert_eq!(disabled.status(), 200);
    assert_problem(app.get("/api/v1/therapists/cast-a").await, 404, "not_found").await;
}

/// The first open start of a date, as the slots list gives it (in UTC).
async fn first_slot(app: &TestApp, slug: &str, date: &str) -> String {
    slots(app, slug, date, "UTC").await[0].1[0].clone()
}

#[tokio::test]
async fn a_booking_is_held_confirmed_once_from_its_email_and_carries_a_calendar_invite() {
    let (app, clock) = spawn_app_at("2026-03-27T12:00:00Z").await;
    let therapist = offering(
        &app,
        "held@example.org",
        "held-bea",
        "Europe/Berlin",
        "09:00",
        "17:00",
    )
    .await;
    // Seen from New York on Berlin's DST day: the slot shown is the instant booked.
    let shown = slots(&app, "held-bea", "2026-03-29", "America/New_York").await;
    let start = shown[0].1[0].clone();
    assert_eq!(start, "2026-03-29T03:00:00-04:00");
    let held = book(&app, "held-bea", &start, "Sam@Example.org").await;
    assert_eq!(held.status(), 201);
    let held: Value = held.json().await.unwrap();
    assert_eq!(held["status"], "held");
    assert_eq!(held["start"], start);
    assert_eq!(held["end"], "2026-03-29T03:15:00-04:00");
    assert_eq!(held["hold_expires_at"], "2026-03-27T12:15:00Z");
    // The slot is no longer open, for anyone.
    let after = slots(&app, "held-bea", "2026-03-29", "America/New_York").await;
    assert_eq!(
        after[0].1[0], "2026-03-29T03:30:00-04:00",
        "09:00 and its 5-minute buffer are taken"
    );

    let token = app.link_token("sam@example.org").await;
    let confirmed = ok(app
        .post(
            "/api/v1/consultations/confirm",
            None,
            json!({"token": token}),
        )
        .await)
    .await;
    assert_eq!(confirmed["status"], "confirmed");
    assert!(confirmed["hold_expires_at"].is_null());
    let again = app
        .post(
            "/api/v1/consultations/confirm",
            None,
            json!({"token": token}),
        )
        .await;
    assert_problem(again, 400, "invalid_token").await;

    let sent = app.send_queued().await;
    let find = |to: &str| {
        sent.iter()
            .map(|raw| String::from_utf8_lossy(raw).into_owned())
            .find(|raw| raw.contains(&format!("To: {to}")))
            .unwrap_or_else(|| panic!("no email to {to}"))
    };
    let to_booker = find("sam@example.org");
    let message = mail_parser::MessageParser::default()
        .parse(to_booker.as_bytes())
        .unwrap();
    use mail_parser::MimeHeaders;
    let part = message
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
        })
        .expect("a text/calendar part");
    assert_eq!(
        part.content_type().unwrap().attribute("method"),
        Some("REQUEST")
    );
    let calendar = icalendar::Calendar::from_str(part.text_contents().unwrap()).expect("RFC 5545");
    assert_eq!(calendar.property_value("METHOD"), Some("REQUEST"));
    let event = calendar.events().next().expect("one event");
    assert_eq!(
        event.get_uid(),
        Some(format!("consultation-{}@between", held["id"].as_str().unwrap()).as_str())
    );
    assert_eq!(event.property_value("SEQUENCE"), Some("0"));
    assert_eq!(event.property_value("DTSTART"), Some("20260329T070000Z"));
    assert_eq!(event.property_value("DTEND"), Some("20260329T071500Z"));
    let text = message.body_text(0).unwrap();
    assert!(
        text.contains("Sunday 29 March 2026, 03:00") && text.contains("America/New_York"),
        "{text}"
    );
    // The therapist learns of it in their zone, without the note.
    let to_therapist = find("held@example.org");
    assert!(to_therapist.contains("09:00") && to_therapist.contains("Europe/Berlin"));
    assert!(!to_therapist.contains("sleep"), "no note in the email");
    let _ = (therapist, clock);
}

#[tokio::test]
async fn every_rule_is_checked_again_on_the_server_and_an_unconfirmed_hold_frees_its_slot() {
    let (app, clock) = spawn_app_at("2026-03-02T00:00:00Z").await;
    let therapist = offering(
        &app,
        "strict@example.org",
        "strict-cy",
        "UTC",
        "09:00",
        "11:00",
    )
    .await;
    ok(put(
        &app,
        &therapist,
        "/api/v1/me/booking-profile",
        json!({"slug": "strict-cy", "offers_consultations": true,
        "settings": {"daily_cap": 2, "horizon_days": 10}, "weekly": every_day("09:00", "11:00")}),
    )
    .await)
    .await;
    for (start, field_code) in [
        ("2026-03-03T08:00:00Z", "invalid"),      // outside availability
        ("2026-03-03T09:07:00Z", "invalid"),      // not on the slot grid
        ("2026-03-02T09:00:00Z", "out_of_range"), // inside the 12-hour notice
        ("2026-03-13T09:00:00Z", "out_of_range"), // beyond the 10-day horizon
    ] {
        let refused = assert_problem(
            book(&app, "strict-cy", start, "rules@example.org").await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(refused["errors"][0]["field"], "start", "{start}");
        assert_eq!(refused["errors"][0]["code"], field_code, "{start}");
    }
    // Two on the 4th fill the day (cap 2); a start inside a buffer is taken.
    assert_eq!(
        book(&app, "strict-cy", "2026-03-04T09:00:00Z", "one@example.org")
            .await
            .status(),
        201
    );
    assert_problem(
        book(&app, "strict-cy", "2026-03-04T09:15:00Z", "two@example.org").await,
        409,
        "slot_taken",
    )
    .await;
    assert_eq!(
        book(&app, "strict-cy", "2026-03-04T10:00:00Z", "two@example.org")
            .await
            .status(),
        201
    );
    let full = assert_problem(
        book(
            &app,
            "strict-cy",
            "2026-03-04T10:30:00Z",
            "three@example.org",
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(full["errors"][0]["code"], "too_many");
    assert!(
        slots(&app, "strict-cy", "2026-03-04", "UTC")
            .await
            .is_empty(),
        "a full day shows no slots"
    );

    // A hold not confirmed in 15 minutes frees the slot; its link is dead.
    let first = first_slot(&app, "strict-cy", "2026-03-05").await;
    assert_eq!(
        book(&app, "strict-cy", &first, "slow@example.org")
            .await
            .status(),
        201
    );
    let token = app.link_token("slow@example.org").await;
    assert_problem(
        book(&app, "strict-cy", &first, "fast@example.org").await,
        409,
        "slot_taken",
    )
    .await;
    clock.set(between_tests::instant("2026-03-02T00:15:01Z"));
    assert_eq!(
        first_slot(&app, "strict-cy", "2026-03-05").await,
        first,
        "free again"
    );
    assert_eq!(
        book(&app, "strict-cy", &first, "fast@example.org")
            .await
            .status(),
        201
    );
    let late = app
        .post(
            "/api/v1/consultations/confirm",
            None,
            json!({"token": token}),
        )
        .await;
    assert_problem(late, 400, "invalid_token").await;
    // Not offering any more: nothing can be booked.
    ok(put(
        &app,
        &therapist,
        "/api/v1/me/booking-profile",
        json!({"slug": "strict-cy"}),
    )
    .await)
    .await;
    assert_problem(
        book(
            &app,
            "strict-cy",
            "2026-03-06T09:00:00Z",
            "late@example.org",
        )
        .await,
        409,
        "consultations_not_offered",
    )
    .await;
    for bad in [
        json!({"start": "2026-03-06T09:00:00Z", "name": "", "email": "a@example.org", "time_zone": "UTC"}),
        // A line break in a name could start a new line of the invite.
        json!({"start": "2026-03-06T09:00:00Z", "name": "Eve\r\nATTENDEE:mailto:x@evil.example", "email": "a@example.org", "time_zone": "UTC"}),
        json!({"start": "2026-03-06T09:00:00Z", "name": "A", "email": "not an address", "time_zone": "UTC"}),
        json!({"start": "2026-03-06T09:00:00Z", "name": "A", "email": "a@example.org", "time_zone": "Nowhere/City"}),
        json!({"start": "2026-03-06T09:00:00Z", "name": "A", "email": "a@example.org", "time_zone": "UTC", "note": "x".repeat(1001)}),
    ] {
        let refused = app
            .post(
                "/api/v1/therapists/strict-cy/consultations",
                None,
                bad.clone(),
            )
            .await;
        assert_problem(refused, 422, "validation_failed").await;
    }
}

#[tokio::test]
async fn bookers_racing_for_one_slot_or_overlapping_slots_hold_exactly_one_twenty_times_over() {
    let clock = domain::time::Clock::manual(between_tests::instant("2026-03-01T00:00:00Z"));
    let shared = clock.clone();
    let app = between_tests::spawn_app_with(move |config| {
        config.clock = shared;
        config.rate_limit_per_minute = 1_000_000;
    })
    .await;
    let therapist = offering(&app, "race@example.org", "race-di", "UTC", "09:00", "17:00").await;
    ok(put(&app, &therapist, "/api/v1/me/booking-profile", json!({"slug": "race-di", "offers_consultations": true,
        "settings": {"interval_minutes": 5, "daily_cap": 50, "notice_minutes": 0, "horizon_days": 365},
        "weekly": every_day("09:00", "17:00")})).await).await;
    for round in 0..20 {
        let day = format!("2026-03-{:02}", round + 2);
        for (label, starts) in [
            ("one slot", vec![format!("{day}T09:00:00Z")]),
            // 15 minutes and a 5-minute buffer: each of these overlaps every other.
            (
                "overlapping slots",
                (0..4)
                    .map(|i| format!("{day}T13:{:02}:00Z", i * 5))
                    .collect(),
            ),
        ] {
            let statuses = futures_util::future::join_all((0..50).map(|i| {
                let (app, start) = (&app, starts[i % starts.len()].clone());
                async move {
                    let email = format!("r{round}-{i}-{}@example.org", label.len());
                    let response = book(app, "race-di", &start, &email).await;
                    let status = response.status().as_u16();
                    let body: Value = response.json().await.unwrap_or(Value::Null);
                    (status, body["code"].as_str().unwrap_or_default().to_owned())
                }
            }))
            .await;
            let held = statuses.iter().filter(|(s, _)| *s == 201).count();
            let taken = statuses
                .iter()
                .filter(|(s, c)| *s == 409 && c == "slot_taken")
                .count();
            assert_eq!(
                (held, taken),
                (1, 49),
                "round {round}, {label}: {statuses:?}"
            );
        }
    }
}

#[tokio::test]
async fn the_database_itself_refuses_two_live_bookings_that_overlap() {
    use diesel::prelude::*;
    use domain::booking::consultations::ConsultationStatus;
    use domain::db::schema::consultations as c;
    let (app, _clock) = spawn_app_at("2026-03-01T00:00:00Z").await;
    let therapist = app.therapist("db@example.org").await;
    let therapist_id: domain::ids::UserId = therapist.id.parse().unwrap();
    let mut conn = app.pool.get().unwrap();
    let at = |s: &str| between_tests::instant(s);
    let mut insert = |start: &str, end: &str, status: ConsultationStatus| {
        diesel::insert_into(c::table)
            .values((
                c::id.eq(domain::ids::RowId::new()),
                c::therapist_id.eq(therapist_id),
                c::starts_at.eq(at(start)),
                c::ends_at.eq(at(end)),
                c::blocked_from.eq(at(start)),
                c::blocked_until.eq(at(end)),
                c::status.eq(status),
                c::name.eq("Direct"),
                c::email.eq("direct@example.org"),
                c::time_zone.eq("UTC"),
                c::sequence.eq(0),
                c::created_at.eq(at("2026-03-01T00:00:00Z")),
                c::updated_at.eq(at("2026-03-01T00:00:00Z")),
            ))
            .execute(&mut *conn)
    };
    insert(
        "2026-03-05T09:00:00Z",
        "2026-03-05T09:20:00Z",
        ConsultationStatus::Confirmed,
    )
    .unwrap();
    // The same start, written past every check: refused on both databases.
    assert!(insert(
        "2026-03-05T09:00:00Z",
        "2026-03-05T09:20:00Z",
        ConsultationStatus::Held
    )
    .is_err());
    // A cancelled booking holds nothing.
    insert(
        "2026-03-05T09:00:00Z",
        "2026-03-05T09:20:00Z",
        ConsultationStatus::Cancelled,
    )
    .unwrap();
    // A different start that overlaps: PostgreSQL's exclusion constraint
    // refuses it (SQLite relies on the immediate transaction's check).
    if between_tests::backend() == domain::db::Backend::Postgres {
        let overlap = insert(
            "2026-03-05T09:10:00Z",
            "2026-03-05T09:30:00Z",
            ConsultationStatus::Held,
        );
        let message = overlap.expect_err("an overlap").to_string();
        assert!(message.contains("consultations_no_overlap"), "{message}");
    }
    insert(
        "2026-03-05T09:20:00Z",
        "2026-03-05T09:40:00Z",
        ConsultationStatus::Held,
    )
    .unwrap();
}

/// The calendar part of the newest email to `to` among `sent`: its METHOD,
/// UID, SEQUENCE, DTSTART and STATUS.
fn invite_to(sent: &[Vec<u8>], to: &str) -> (String, String, String, String, String) {
    use mail_parser::MimeHeaders;
    let raw = sent
        .iter()
        .rev()
        .find(|raw| String::from_utf8_lossy(raw).contains(&format!("To: {to}")))
        .unwrap_or_else(|| panic!("no email to {to}"));
    let message = mail_parser::MessageParser::default().parse(raw).unwrap();
    let part = message
        .parts
        .iter()
        .find(|p| {
            p.content_type()
                .is_some_and(|c| c.ctype() == "text" && c.subtype() == Some("calendar"))
        })
        .expect("a text/calendar part");
    let method = part
        .content_type()
        .unwrap()
        .attribute("method")
        .unwrap()
        .to_owned();
    let calendar = icalendar::Calendar::from_str(part.text_contents().unwrap()).unwrap();
    assert_eq!(calendar.property_value("METHOD"), Some(method.as_str()));
    let event = calendar.events().next().unwrap();
    let value = |k: &str| event.property_value(k).unwrap_or_default().to_owned();
    (
        method,
        value("UID"),
        value("SEQUENCE"),
        value("DTSTART"),
        value("STATUS"),
    )
}

/// A confirmed booking of `start`, and its manage link's token.

#[tokio::test]
async fn the_manage_link_moves_twice_and_cancels_one_event_whose_sequence_grows_and_stops_at_the_start(
) {
    let (app, clock) = spawn_app_at("2026-03-02T00:00:00Z").await;
    let therapist = offering(
        &app,
        "manage@example.org",
        "manage-ed",
        "UTC",
        "09:00",
        "12:00",
    )
    .await;
    let (held, token) = confirmed(
        &app,
        "manage-ed",
        "2026-03-04T09:00:00+00:00",
        "pat@example.org",
    )
    .await;
    let uid = format!("consultation-{}@between", held["id"].as_str().unwrap());
    let view = ok(app
        .get(&format!("/api/v1/consultation-links/{token}"))
        .await)
    .await;
    assert_eq!(view["status"], "confirmed");
    assert_eq!(view["start"], "2026-03-04T04:00:00-05:00");
    assert_eq!(view["changes_until"], "2026-03-04T07:00:00Z");
    assert_eq!(view["therapist_name"], "Dr. Test");
    // SEQUENCE 0 was the confirmation; two moves make it 1 and 2.
    let mut token = token;
    for (n, start) in [(1, "2026-03-05T10:00:00Z"), (2, "2026-03-06T11:00:00Z")] {
        let moved = ok(app
            .post(
                &format!("/api/v1/consultation-links/{token}/reschedule"),
                None,
                json!({"start": start}),
            )
            .await)
        .await;
        assert_eq!(moved["status"], "confirmed");
        // The old link stops with the move; the new email brings a new one.
        assert_problem(
            app.get(&format!("/api/v1/consultation-links/{token}"))
                .await,
            404,
            "not_found",
        )
        .await;
        let sent = app.send_queued().await;
        let (method, got_uid, sequence, dtstart, _) = invite_to(&sent, "pat@example.org");
        assert_eq!(
            (method.as_str(), got_uid.as_str(), sequence.as_str()),
            ("REQUEST", uid.as_str(), n.to_string().as_str())
        );
        assert_eq!(dtstart, start.replace(['-', ':'], ""));
        token = between_tests::token_in(&sent, "pat@example.org");
    }
    // The old slot is free again, the new one taken.
    assert_eq!(
        slots(&app, "manage-ed", "2026-03-04", "UTC").await[0].1[0],
        "2026-03-04T09:00:00+00:00"
    );
    assert_problem(
        book(
            &app,
            "manage-ed",
            "2026-03-06T11:00:00Z",
            "other@example.org",
        )
        .await,
        409,
        "slot_taken",
    )
    .await;
    // Moving onto someone else's booking changes nothing.
    let (_, kim_token) =
        confirmed(&app, "manage-ed", "2026-03-09T09:00:00Z", "kim@example.org").await;
    let onto = app
        .post(
            &format!("/api/v1/consultation-links/{token}/reschedule"),
            None,
            json!({"start": "2026-03-09T09:00:00Z"}),
        )
        .await;
    assert_problem(onto, 409, "slot_taken").await;
    ok(app
        .get(&format!("/api/v1/consultation-links/{token}"))
        .await)
    .await;
    // Past the cutoff (2 hours before 11:00 on the 6th): refused, with the time.
    clock.set(between_tests::instant("2026-03-06T09:30:00Z"));
    let late = app
        .post(
            &format!("/api/v1/consultation-links/{token}/cancel"),
            None,
            json!({}),
        )
        .await;
    let problem = assert_problem(late, 422, "validation_failed").await;
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("2026-03-06T09:00:00Z"));
    clock.set(between_tests::instant("2026-03-06T08:00:00Z"));
    let cancelled = ok(app
        .post(
            &format!("/api/v1/consultation-links/{token}/cancel"),
            None,
            json!({}),
        )
        .await)
    .await;
    assert_eq!(cancelled["status"], "cancelled");
    let sent = app.send_queued().await;
    let (method, got_uid, sequence, _, status) = invite_to(&sent, "pat@example.org");
    assert_eq!(
        (
            method.as_str(),
            got_uid.as_str(),
            sequence.as_str(),
            status.as_str()
        ),
        ("CANCEL", uid.as_str(), "3", "CANCELLED")
    );
    assert!(sent.iter().any(|raw| {
        let raw = String::from_utf8_lossy(raw);
        raw.contains("To: manage@example.org") && raw.contains("cancelled")
    }));
    // Free at once: the start can be held again (the notice aside, which
    // the therapist's own zero-notice setting lifts here).
    ok(put(&app, &therapist, "/api/v1/me/booking-profile", json!({"slug": "manage-ed", "offers_consultations": true,
        "settings": {"notice_minutes": 0, "horizon_days": 365}, "weekly": every_day("09:00", "12:00")})).await).await;
    assert_eq!(
        book(
            &app,
            "manage-ed",
            "2026-03-06T11:00:00Z",
            "next@example.org"
        )
        .await
        .status(),
        201
    );
    assert_problem(
        app.get(&format!("/api/v1/consultation-links/{token}"))
            .await,
        404,
        "not_found",
    )
    .await;
    // Kim's link works until the start, then not.
    let kim = ok(app
        .get_as(
            "/api/v1/consultations?when=upcoming&status=confirmed",
            &therapist.access,
        )
        .await)
    .await;
    assert_eq!(kim["items"][0]["email"], "kim@example.org");
    assert_eq!(kim["items"][0]["note"], "I would like to talk about sleep.");
    ok(app
        .get(&format!("/api/v1/consultation-links/{kim_token}"))
        .await)
    .await;
    clock.set(between_tests::instant("2026-03-09T09:00:00Z"));
    assert_problem(
        app.get(&format!("/api/v1/consultation-links/{kim_token}"))
            .await,
        404,
        "not_found",
    )
    .await;
    let _ = clock;
}

#[tokio::test]
async fn the_therapist_lists_cancels_marks_and_invites_and_no_one_else_reaches_their_consultations()
{
    let (app, clock) = spawn_app_at("2026-03-02T00:00:00Z").await;
    let cast = Cast::new(&app).await;
    ok(put(
        &app,
        &cast.therapist_a,
        "/api/v1/me/booking-profile",
        json!({"slug": "cast-a", "offers_consultations": true,
        "settings": {"cutoff_minutes": 600}, "weekly": every_day("09:00", "12:00")}),
    )
    .await)
    .await;
    let (first, _) = confirmed(&app, "cast-a", "2026-03-03T09:00:00Z", "one@example.org").await;
    let (second, manage) =
        confirmed(&app, "cast-a", "2026-03-03T10:00:00Z", "two@example.org").await;
    let (third, _) = confirmed(&app, "cast-a", "2026-03-04T09:00:00Z", "three@example.org").await;
    let (first, second, third) = (
        first["id"].as_str().unwrap(),
        second["id"].as_str().unwrap(),
        third["id"].as_str().unwrap(),
    );
    let own = Expect::therapist_a_only(200);
    cast.check(
        &app,
        Method::GET,
        "/api/v1/consultations",
        None,
        Expect {
            therapist_b: 200,
            ..own
        },
    )
    .await;
    let theirs = ok(app
        .get_as(
            "/api/v1/consultations?when=upcoming&limit=2",
            &cast.therapist_a.access,
        )
        .await)
    .await;
    let ids: Vec<&str> = theirs["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [first, second]);
    let next = ok(app
        .get_as(
            &format!(
                "/api/v1/consultations?limit=2&cursor={}",
                theirs["next_cursor"].as_str().unwrap()
            ),
            &cast.therapist_a.access,
        )
        .await)
    .await;
    assert_eq!(next["items"][0]["id"], third);
    assert_eq!(
        ok(app
            .get_as("/api/v1/consultations", &cast.therapist_b.access)
            .await)
        .await["items"],
        json!([])
    );
    // The therapist cancels past the booker's cutoff, with a message.
    clock.set(between_tests::instant("2026-03-03T02:00:00Z"));
    let late = app
        .post(
            &format!("/api/v1/consultation-links/{manage}/cancel"),
            None,
            json!({}),
        )
        .await;
    assert_problem(late, 422, "validation_failed").await;
    cast.check(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{second}/cancel"),
        Some(json!({"message": "I am ill, sorry."})),
        own,
    )
    .await;
    let sent = app.send_queued().await;
    assert_eq!(invite_to(&sent, "two@example.org").0, "CANCEL");
    assert!(sent.iter().any(|raw| {
        let raw = String::from_utf8_lossy(raw);
        raw.contains("To: two@example.org") && raw.contains("I am ill, sorry.")
    }));
    let again = app
        .post(
            &format!("/api/v1/consultations/{second}/cancel"),
            Some(&cast.therapist_a.access),
            json!({}),
        )
        .await;
    assert_problem(again, 409, "consultation_not_live").await;
    // Not before it starts; then completed or a no-show.
    let early = app
        .post(
            &format!("/api/v1/consultations/{first}/complete"),
            Some(&cast.therapist_a.access),
            json!({}),
        )
        .await;
    assert_problem(early, 409, "consultation_not_live").await;
    clock.set(between_tests::instant("2026-03-04T10:00:00Z"));
    cast.check(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{first}/complete"),
        None,
        own,
    )
    .await;
    cast.check(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{third}/no-show"),
        None,
        own,
    )
    .await;
    let past = ok(app
        .get_as("/api/v1/consultations?when=past", &cast.therapist_a.access)
        .await)
    .await;
    let statuses: Vec<&str> = past["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["no_show", "cancelled", "completed"]);
    // The booker becomes a client through an ordinary invitation.
    cast.check(
        &app,
        Method::POST,
        &format!("/api/v1/consultations/{first}/invite"),
        None,
        Expect::therapist_a_only(201),
    )
    .await;
    let invited = app.email_data("invitation", "one@example.org");
    assert!(invited["token"].is_string());
}

#[tokio::test]
async fn a_retried_booking_with_its_idempotency_key_returns_the_first_hold_and_books_nothing_more()
{
    let (app, _clock) = spawn_app_at("2026-03-02T00:00:00Z").await;
    let therapist = offering(
        &app,
        "retry@example.org",
        "retry-fay",
        "UTC",
        "09:00",
        "12:00",
    )
    .await;
    let body = json!({"start": "2026-03-04T09:00:00Z", "name": "Lee", "email": "lee@example.org", "time_zone": "UTC"});
    let send = |body: Value| {
        app.client
            .post(app.url("/api/v1/therapists/retry-fay/consultations"))
            .header("Idempotency-Key", "booking-1")
            .json(&body)
            .send()
    };
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), 201);
    let first: Value = first.json().await.unwrap();
    let again = send(body.clone()).await.unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
    let mut other = body.clone();
    other["start"] = json!("2026-03-04T10:00:00Z");
    assert_problem(send(other).await.unwrap(), 409, "idempotency_key_reused").await;
    let listed = ok(app.get_as("/api/v1/consultations", &therapist.access).await).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_new_booking_replaces_the_same_addresss_unconfirmed_hold_and_says_nothing_about_it() {
    let (app, _clock) = spawn_app_at("2026-03-02T00:00:00Z").await;
    offering(
        &app,
        "again@example.org",
        "again-gus",
        "UTC",
        "09:00",
        "11:00",
    )
    .await;
    offering(
        &app,
        "other2@example.org",
        "other-hal",
        "UTC",
        "09:00",
        "11:00",
    )
    .await;
    let first = book(&app, "again-gus", "2026-03-04T09:00:00Z", "ivy@example.org").await;
    assert_eq!(first.status(), 201);
    // The same address books elsewhere: 201 as for anyone, and the first
    // hold is released (its slot open again, its email never sent).
    let second = book(&app, "other-hal", "2026-03-04T10:00:00Z", "ivy@example.org").await;
    assert_eq!(second.status(), 201);
    assert_eq!(
        first_slot(&app, "again-gus", "2026-03-04").await,
        "2026-03-04T09:00:00+00:00"
    );
    let sent = app.send_queued().await;
    let to_ivy: Vec<String> = sent
        .iter()
        .map(|raw| String::from_utf8_lossy(raw).into_owned())
        .filter(|raw| raw.contains("To: ivy@example.org"))
        .collect();
    assert_eq!(to_ivy.len(), 1, "only the newest hold's link goes out");
    // A start far outside any horizon is refused, not a crash.
    let far = book(
        &app,
        "again-gus",
        "+262142-12-31T23:59:59Z",
        "far@example.org",
    )
    .await;
    assert!(
        far.status() == 422 || far.status() == 400,
        "{}",
        far.status()
    );
}
