//! The free consultation, first part: a therapist's booking profile,
//! settings and availability, and the public profile and open slots, on
//! both sides of DST changes and seen from other zones.

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

fn every_day(start: &str, end: &str) -> Value {
    let day = json!([{"start": start, "end": end}]);
    json!({"mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day})
}

/// A therapist in `zone` who offers consultations every day in `start..end`.
async fn offering(
    app: &TestApp,
    email: &str,
    slug: &str,
    zone: &str,
    start: &str,
    end: &str,
) -> Person {
    let therapist = app.therapist(email).await;
    let zoned = app
        .send(
            Method::PATCH,
            "/api/v1/me",
            Some(&therapist.access),
            Some(&json!({"time_zone": zone})),
        )
        .await;
    assert_eq!(zoned.status(), 200);
    ok(put(
        app,
        &therapist,
        "/api/v1/me/booking-profile",
        json!({"slug": slug, "bio": "Free 15-minute calls.", "offers_consultations": true,
            "settings": {"horizon_days": 365}, "weekly": every_day(start, end)}),
    )
    .await)
    .await;
    therapist
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
