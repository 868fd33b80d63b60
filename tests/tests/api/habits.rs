//! Habits and daily check-ins: frequencies, numeric targets, skips, streaks,
//! the strength score (against a reference computation and Loop's numbers),
//! local dates at midnight and across DST, the day start, sharing and
//! suggestions, and who may reach what.

use std::collections::BTreeMap;

use between_tests::cast::{Cast, Expect};
use between_tests::{assert_problem, instant, spawn_app_at, Person, TestApp};
use chrono::{Datelike, Duration, NaiveDate, TimeZone};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{json, Value};

async fn ok(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{status}: {body}");
    body
}

async fn create_habit(app: &TestApp, client: &Person, body: Value) -> Value {
    let created = app.post("/api/v1/habits", Some(&client.access), body).await;
    assert_eq!(created.status(), 201, "habit");
    created.json().await.unwrap()
}

async fn put(app: &TestApp, person: &Person, path: &str, body: Value) -> reqwest::Response {
    app.send(Method::PUT, path, Some(&person.access), Some(&body))
        .await
}

async fn check_in(app: &TestApp, client: &Person, habit: &str, date: NaiveDate, body: Value) {
    let path = format!("/api/v1/habits/{habit}/check-ins/{date}");
    ok(put(app, client, &path, body).await).await;
}

async fn stats(
    app: &TestApp,
    client: &Person,
    habit: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Value {
    ok(app
        .get_as(
            &format!("/api/v1/habits/{habit}/stats?from={from}&to={to}"),
            &client.access,
        )
        .await)
    .await
}

async fn set_profile(app: &TestApp, person: &Person, body: Value) -> reqwest::Response {
    app.send(
        Method::PATCH,
        "/api/v1/me",
        Some(&person.access),
        Some(&body),
    )
    .await
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// The instant of a local date and time in `zone` (the first, if twice).
fn local(zone: chrono_tz::Tz, date: &str, time: &str) -> domain::Timestamp {
    let naive = d(date).and_time(time.parse().unwrap());
    domain::Timestamp(
        zone.from_local_datetime(&naive)
            .earliest()
            .unwrap()
            .to_utc(),
    )
}

// --- A reference computation -------------------------------------------

/// A day's value as the tests write it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum RefMark {
    Done,
    NotDone,
    Skip,
    Amount(f64),
}

impl RefMark {
    fn body(self) -> Value {
        match self {
            Self::Done => json!({"status": "done"}),
            Self::NotDone => json!({"status": "not_done"}),
            Self::Skip => json!({"status": "skip"}),
            Self::Amount(a) => json!({"amount": a}),
        }
    }
}

#[derive(Debug, Clone)]
struct RefRule {
    times: u32,
    days: u32,
    /// Monday = 0; empty unless a weekday habit.
    weekdays: Vec<u32>,
    /// None: yes/no; Some((target, at_most)).
    target: Option<(f64, bool)>,
}

#[derive(Debug, Clone, PartialEq)]
struct RefDay {
    date: NaiveDate,
    score: f64,
    class: &'static str,
}

/// The formulas read literally: for every day from the first, the window is
/// found afresh by walking back over the days not skipped.
fn reference(
    rule: &RefRule,
    first: NaiveDate,
    today: NaiveDate,
    marks: &BTreeMap<NaiveDate, RefMark>,
) -> Vec<RefDay> {
    let m = 0.5f64.powf((f64::from(rule.times) / f64::from(rule.days)).sqrt() / 13.0);
    let mut score = if matches!(rule.target, Some((_, true))) {
        1.0
    } else {
        0.0
    };
    let mut out = Vec::new();
    let mut date = first;
    while date <= today {
        let mark = marks.get(&date).copied();
        let class = if mark.is_none() && date == today {
            "open"
        } else if mark == Some(RefMark::Skip) {
            "skipped"
        } else {
            let mut sum = 0.0;
            let mut counted = 0;
            let mut back = date;
            while counted < rule.days && back >= first {
                match marks.get(&back) {
                    Some(RefMark::Skip) => {}
                    Some(RefMark::Done) => {
                        sum += 1.0;
                        counted += 1;
                    }
                    Some(RefMark::Amount(a)) => {
                        sum += a;
                        counted += 1;
                    }
                    _ => counted += 1,
                }
                back -= Duration::days(1);
            }
            let (v, met) = match rule.target {
                None => (
                    (sum / f64::from(rule.times)).min(1.0),
                    sum >= f64::from(rule.times),
                ),
                Some((t, false)) => ((sum / t).min(1.0), sum >= t),
                Some((t, true)) => ((1.0 - (sum - t) / t).clamp(0.0, 1.0), sum <= t),
            };
            score = score * m + v * (1.0 - m);
            if rule.weekdays.is_empty() {
                if met {
                    "met"
                } else {
                    "missed"
                }
            } else if !rule
                .weekdays
                .contains(&date.weekday().num_days_from_monday())
            {
                "not_due"
            } else if mark == Some(RefMark::Done) {
                "met"
            } else {
                "missed"
            }
        };
        out.push(RefDay { date, score, class });
        date += Duration::days(1);
    }
    out
}

/// Current and best streak lengths of a reference history.
fn streaks(days: &[RefDay]) -> (u32, u32) {
    let (mut run, mut best) = (0, 0);
    for day in days {
        match day.class {
            "met" => run += 1,
            "missed" => run = 0,
            _ => {}
        }
        best = best.max(run);
    }
    (run, best)
}

/// Met and missed days in the last `n` days.
fn completion(days: &[RefDay], n: usize) -> (u32, u32) {
    let recent = &days[days.len().saturating_sub(n)..];
    let met = recent.iter().filter(|d| d.class == "met").count() as u32;
    let missed = recent.iter().filter(|d| d.class == "missed").count() as u32;
    (met, missed)
}

fn random_rule(rng: &mut StdRng) -> (RefRule, Value) {
    match rng.random_range(0..5) {
        0 => (
            RefRule {
                times: 1,
                days: 1,
                weekdays: vec![],
                target: None,
            },
            json!({"name": "Daily", "kind": "yes_no", "frequency": {"type": "daily"}}),
        ),
        1 => {
            let names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
            let mut chosen: Vec<u32> = (0..7).filter(|_| rng.random_bool(0.5)).collect();
            if chosen.is_empty() {
                chosen.push(2);
            }
            let days: Vec<&str> = chosen.iter().map(|i| names[*i as usize]).collect();
            (
                RefRule {
                    times: chosen.len() as u32,
                    days: 7,
                    weekdays: chosen,
                    target: None,
                },
                json!({"name": "Weekdays", "kind": "yes_no", "frequency": {"type": "weekdays", "weekdays": days}}),
            )
        }
        2 => {
            let days = rng.random_range(2..=10);
            let times = rng.random_range(1..=days);
            (
                RefRule {
                    times,
                    days,
                    weekdays: vec![],
                    target: None,
                },
                json!({"name": "Some days", "kind": "yes_no", "frequency": {"type": "times_per_period", "times": times, "days": days}}),
            )
        }
        k => {
            let at_most = k == 4;
            let days = if rng.random_bool(0.5) { 1 } else { 7 };
            let target = f64::from(rng.random_range(1..=12));
            let frequency = if days == 1 {
                json!({"type": "daily"})
            } else {
                json!({"type": "times_per_period", "times": 1, "days": 7})
            };
            (
                RefRule {
                    times: 1,
                    days,
                    weekdays: vec![],
                    target: Some((target, at_most)),
                },
                json!({"name": "Count", "kind": "numeric", "unit": "cups", "target": target,
                    "target_kind": if at_most { "at_most" } else { "at_least" }, "frequency": frequency}),
            )
        }
    }
}

fn random_mark(rng: &mut StdRng, rule: &RefRule) -> RefMark {
    match (rule.target, rng.random_range(0..10)) {
        (_, 0) => RefMark::Skip,
        (None, 1..=3) => RefMark::NotDone,
        (None, _) => RefMark::Done,
        (Some(_), 1) => RefMark::NotDone,
        // Halves and whole numbers: sums stay exact.
        (Some((t, _)), _) => RefMark::Amount(f64::from(rng.random_range(0..=(t as u32 * 4))) / 2.0),
    }
}

/// Compares the service's stats with the reference, day by day.
fn assert_agrees(stats: &Value, expected: &[RefDay], from: NaiveDate, context: &str) {
    let shown: Vec<&RefDay> = expected.iter().filter(|d| d.date >= from).collect();
    let days = stats["days"].as_array().unwrap();
    assert_eq!(days.len(), shown.len(), "{context}: days shown");
    for (got, want) in days.iter().zip(shown) {
        assert_eq!(got["date"], want.date.to_string(), "{context}");
        let score = got["score"].as_f64().unwrap();
        assert!(
            (score - want.score).abs() < 1e-9,
            "{context}: {} scored {score}, reference {}",
            want.date,
            want.score
        );
        assert_eq!(got["counts_as"], want.class, "{context}: {}", want.date);
    }
    let (current, best) = streaks(expected);
    let length = |v: &Value| v["length"].as_u64().unwrap_or(0) as u32;
    assert_eq!(
        length(&stats["current_streak"]),
        current,
        "{context}: current streak"
    );
    assert_eq!(
        length(&stats["best_streak"]),
        best,
        "{context}: best streak"
    );
    for (n, key) in [
        (7, "last_7_days"),
        (30, "last_30_days"),
        (90, "last_90_days"),
    ] {
        let (met, missed) = completion(expected, n);
        let got = &stats["completion"][key];
        assert_eq!(got["met"], met, "{context}: {key}");
        assert_eq!(got["missed"], missed, "{context}: {key}");
    }
    let now = expected.last().unwrap().score;
    assert!(
        (stats["score"].as_f64().unwrap() - now).abs() < 1e-9,
        "{context}: score now"
    );
}

#[tokio::test]
async fn for_random_histories_written_in_any_order_the_stats_equal_a_reference_computation() {
    let seed: u64 = std::env::var("HABIT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_205);
    let mut rng = StdRng::seed_from_u64(seed);
    let (app, clock) = spawn_app_at("2026-06-15T16:00:00Z").await;
    let therapist = app.therapist("prop.t@example.org").await;
    let client = app.client_of(&therapist, "prop.c@example.org").await;
    // 12:00 in New York on 2026-06-15.
    let today = d("2026-06-15");
    for case in 0..14 {
        let (rule, body) = random_rule(&mut rng);
        let habit = create_habit(&app, &client, body.clone()).await;
        let id = habit["id"].as_str().unwrap();
        let length = rng.random_range(30..=200);
        let first = today - Duration::days(length);
        let mut marks: BTreeMap<NaiveDate, RefMark> = BTreeMap::new();
        let mut dates: Vec<NaiveDate> = (0..=length)
            .map(|i| first + Duration::days(i))
            .filter(|_| rng.random_bool(0.7))
            .collect();
        // Written in any order (back-fills across stored month ends),
        // some written twice, some taken back.
        for i in (1..dates.len()).rev() {
            dates.swap(i, rng.random_range(0..=i));
        }
        for date in &dates {
            let mark = random_mark(&mut rng, &rule);
            check_in(&app, &client, id, *date, mark.body()).await;
            marks.insert(*date, mark);
            if rng.random_bool(0.1) {
                let path = format!("/api/v1/habits/{id}/check-ins/{date}");
                let gone = app
                    .send(Method::DELETE, &path, Some(&client.access), None)
                    .await;
                assert_eq!(gone.status(), 204);
                marks.remove(date);
            }
        }
        let created_on = d("2026-06-15");
        let start = marks
            .keys()
            .next()
            .copied()
            .unwrap_or(created_on)
            .min(created_on);
        let expected = reference(&rule, start, today, &marks);
        let context = format!("seed {seed}, case {case}, {body}");
        let from = today - Duration::days(rng.random_range(0..=length.min(365)));
        assert_agrees(
            &stats(&app, &client, id, from, today).await,
            &expected,
            from,
            &context,
        );
        // A range that ends in the past reads the same days.
        let to = today - Duration::days(rng.random_range(0..=20));
        let past = stats(&app, &client, id, from.min(to), to).await;
        let shown: Vec<RefDay> = expected.iter().filter(|d| d.date <= to).cloned().collect();
        let days = past["days"].as_array().unwrap();
        assert_eq!(
            days.len(),
            shown.iter().filter(|d| d.date >= from.min(to)).count(),
            "{context}"
        );
        if let (Some(got), Some(want)) = (days.last(), shown.last()) {
            assert!(
                (got["score"].as_f64().unwrap() - want.score).abs() < 1e-9,
                "{context}"
            );
        }
        // The list's today agrees too.
        let listed = ok(app
            .get_as(&format!("/api/v1/habits/{id}"), &client.access)
            .await)
        .await;
        let last = expected.last().unwrap();
        assert!(
            (listed["today"]["score"].as_f64().unwrap() - last.score).abs() < 1e-9,
            "{context}"
        );
        assert_eq!(listed["today"]["counts_as"], last.class, "{context}");
        assert_eq!(listed["starts_on"], start.to_string(), "{context}");
    }
    // The next day, nothing written: the same history goes on.
    clock.set(instant("2026-06-16T16:00:00Z"));
    let list = ok(app.get_as("/api/v1/habits?limit=100", &client.access).await).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 14);
    assert!(list["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["today"]["date"] == "2026-06-16" && h["today"]["counts_as"] == "open"));
}

#[tokio::test]
async fn scores_match_loops_published_formula_to_1e_9() {
    let golden: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/golden/loop_scores.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let (app, clock) = spawn_app_at("2026-03-20T16:00:00Z").await;
    let therapist = app.therapist("golden.t@example.org").await;
    let client = app.client_of(&therapist, "golden.c@example.org").await;
    for history in golden["histories"].as_array().unwrap() {
        let scores = history["scores"].as_array().unwrap();
        let first = d(scores[0]["date"].as_str().unwrap());
        let last = d(scores.last().unwrap()["date"].as_str().unwrap());
        // The day after the last check-in, so no day of it is still open.
        clock.set(local(
            chrono_tz::America::New_York,
            &(last + Duration::days(1)).to_string(),
            "12:00",
        ));
        let habit = create_habit(&app, &client, history["habit"].clone()).await;
        let id = habit["id"].as_str().unwrap();
        let check_ins = history["check_ins"].as_array().unwrap();
        for c in check_ins {
            let mut body = c.clone();
            let date = d(body["date"].as_str().unwrap());
            body.as_object_mut().unwrap().remove("date");
            check_in(&app, &client, id, date, body).await;
        }
        let got = stats(&app, &client, id, first, last).await;
        let days = got["days"].as_array().unwrap();
        assert_eq!(days.len(), scores.len(), "{}", history["name"]);
        for (day, want) in days.iter().zip(scores) {
            assert_eq!(day["date"], want["date"]);
            let (a, b) = (
                day["score"].as_f64().unwrap(),
                want["score"].as_f64().unwrap(),
            );
            assert!(
                (a - b).abs() < 1e-9,
                "{}: {} {a} vs Loop {b}",
                history["name"],
                want["date"]
            );
        }
    }
}

#[tokio::test]
async fn a_skip_freezes_the_score_keeps_the_streak_and_does_not_count_against_the_window() {
    // Today is Monday 9 March (noon in New York).
    let (app, clock) = spawn_app_at("2026-03-09T16:00:00Z").await;
    let therapist = app.therapist("skip.t@example.org").await;
    let client = app.client_of(&therapist, "skip.c@example.org").await;
    let daily = create_habit(
        &app,
        &client,
        json!({"name": "Walk", "kind": "yes_no", "frequency": {"type": "daily"}}),
    )
    .await;
    let id = daily["id"].as_str().unwrap();
    // Done 1st-5th March, sick 6th-7th, done 8th.
    for day in 1..=8 {
        let status = if day == 6 || day == 7 { "skip" } else { "done" };
        check_in(
            &app,
            &client,
            id,
            d(&format!("2026-03-0{day}")),
            json!({"status": status}),
        )
        .await;
    }
    let s = stats(&app, &client, id, d("2026-03-01"), d("2026-03-08")).await;
    let days = s["days"].as_array().unwrap();
    assert_eq!(
        days[5]["score"], days[4]["score"],
        "a skip freezes the score"
    );
    assert_eq!(days[6]["score"], days[4]["score"]);
    assert_eq!(days[5]["counts_as"], "skipped");
    assert!(days[7]["score"].as_f64() > days[4]["score"].as_f64());
    // The streak lives on through the skips; they are not counted in it.
    assert_eq!(s["current_streak"]["length"], 6);
    assert_eq!(s["current_streak"]["start"], "2026-03-01");
    assert_eq!(s["current_streak"]["end"], "2026-03-08");
    // Then a missed day breaks it (the 9th, not checked in).
    clock.set(instant("2026-03-11T16:00:00Z"));
    check_in(
        &app,
        &client,
        id,
        d("2026-03-10"),
        json!({"status": "done"}),
    )
    .await;
    let s = stats(&app, &client, id, d("2026-03-01"), d("2026-03-10")).await;
    assert_eq!(s["current_streak"]["length"], 1);
    assert_eq!(s["best_streak"]["length"], 6);

    // Three times a week: Monday to Wednesday done, then skipped to Sunday.
    let weekly = create_habit(
        &app,
        &client,
        json!({"name": "Call a friend", "kind": "yes_no",
        "frequency": {"type": "times_per_period", "times": 3, "days": 7}}),
    )
    .await;
    let id = weekly["id"].as_str().unwrap();
    for (date, status) in [
        ("2026-03-02", "done"),
        ("2026-03-03", "done"),
        ("2026-03-04", "done"),
        ("2026-03-05", "skip"),
        ("2026-03-06", "skip"),
        ("2026-03-07", "skip"),
        ("2026-03-08", "skip"),
        ("2026-03-09", "not_done"),
    ] {
        check_in(&app, &client, id, d(date), json!({"status": status})).await;
    }
    let s = stats(&app, &client, id, d("2026-03-02"), d("2026-03-09")).await;
    let days = s["days"].as_array().unwrap();
    assert_eq!(
        days[6]["score"], days[2]["score"],
        "skipped days hold the score"
    );
    // On Monday the 9th the window is the last 7 days not skipped: the
    // three done still count, so the week is on target. (Loop counts the
    // skipped days in the window and would call it missed.)
    assert_eq!(days[7]["counts_as"], "met");
    assert!(days[7]["score"].as_f64() > days[2]["score"].as_f64());
}

#[tokio::test]
async fn weekday_habits_count_only_their_days_and_numeric_targets_score_both_ways() {
    // Today is Tuesday 10 March.
    let (app, clock) = spawn_app_at("2026-03-10T16:00:00Z").await;
    let therapist = app.therapist("kinds.t@example.org").await;
    let client = app.client_of(&therapist, "kinds.c@example.org").await;
    let gym = create_habit(
        &app,
        &client,
        json!({"name": "Gym", "kind": "yes_no",
        "frequency": {"type": "weekdays", "weekdays": ["mon", "wed", "fri"]}}),
    )
    .await;
    let id = gym["id"].as_str().unwrap();
    // 2026-03-02 is a Monday. Mon, Wed, Fri done; Tuesday and the weekend
    // not due; the next Monday done; today (Tuesday) still open.
    for date in ["2026-03-02", "2026-03-04", "2026-03-06", "2026-03-09"] {
        check_in(&app, &client, id, d(date), json!({"status": "done"})).await;
    }
    let s = stats(&app, &client, id, d("2026-03-02"), d("2026-03-10")).await;
    let classes: Vec<&str> = s["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["counts_as"].as_str().unwrap())
        .collect();
    assert_eq!(
        classes,
        ["met", "not_due", "met", "not_due", "met", "not_due", "not_due", "met", "open"]
    );
    assert_eq!(s["current_streak"]["length"], 4);
    // Wednesday missed.
    clock.set(instant("2026-03-12T16:00:00Z"));
    check_in(
        &app,
        &client,
        id,
        d("2026-03-11"),
        json!({"status": "not_done"}),
    )
    .await;
    let s = stats(&app, &client, id, d("2026-03-02"), d("2026-03-12")).await;
    assert!(s["current_streak"].is_null());
    assert_eq!(s["best_streak"]["length"], 4);

    clock.set(instant("2026-03-19T16:00:00Z"));
    let water = create_habit(
        &app,
        &client,
        json!({"name": "Water", "kind": "numeric", "unit": "glasses",
        "target": 8, "frequency": {"type": "daily"}}),
    )
    .await;
    assert_eq!(water["target_kind"], "at_least");
    let coffee = create_habit(
        &app,
        &client,
        json!({"name": "Coffee", "kind": "numeric", "unit": "cups",
        "target": 2, "target_kind": "at_most", "frequency": {"type": "daily"}}),
    )
    .await;
    let (water, coffee) = (
        water["id"].as_str().unwrap(),
        coffee["id"].as_str().unwrap(),
    );
    for (date, glasses, cups) in [
        ("2026-03-16", 8.0, 1.0),
        ("2026-03-17", 4.0, 3.0),
        ("2026-03-18", 10.0, 5.0),
    ] {
        check_in(&app, &client, water, d(date), json!({"amount": glasses})).await;
        check_in(&app, &client, coffee, d(date), json!({"amount": cups})).await;
    }
    let m = 0.5f64.powf(1.0 / 13.0);
    let w = stats(&app, &client, water, d("2026-03-16"), d("2026-03-18")).await;
    let w_days = w["days"].as_array().unwrap();
    // v = 1, 0.5, 1 from a score of 0.
    let s1 = 1.0 - m;
    let s2 = s1 * m + 0.5 * (1.0 - m);
    let s3 = s2 * m + (1.0 - m);
    for (day, want) in w_days.iter().zip([s1, s2, s3]) {
        assert!((day["score"].as_f64().unwrap() - want).abs() < 1e-12);
    }
    assert_eq!(w_days[1]["counts_as"], "missed");
    let c = stats(&app, &client, coffee, d("2026-03-16"), d("2026-03-18")).await;
    let c_days = c["days"].as_array().unwrap();
    // At most 2: v = 1, 1 - (3-2)/2 = 0.5, clamp(1 - 3/2) = 0, from a score of 1.
    let c1 = m + (1.0 - m);
    let c2 = c1 * m + 0.5 * (1.0 - m);
    let c3 = c2 * m;
    for (day, want) in c_days.iter().zip([c1, c2, c3]) {
        assert!((day["score"].as_f64().unwrap() - want).abs() < 1e-12);
    }
    assert_eq!(c_days[0]["counts_as"], "met");
    assert_eq!(c_days[2]["counts_as"], "missed");
    // Weekly and monthly totals of a numeric habit.
    assert_eq!(
        w["weekly_totals"],
        json!([{"start": "2026-03-16", "total": 22.0, "days_recorded": 3}])
    );
    assert_eq!(w["monthly_totals"][0]["total"], 22.0);
    assert_eq!(s["weekly_totals"], json!([]));

    // Values the habit does not take are refused and change nothing.
    let path = format!("/api/v1/habits/{water}/check-ins/2026-03-18");
    assert_problem(
        put(&app, &client, &path, json!({"status": "done"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        put(&app, &client, &path, json!({"amount": -1})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        put(&app, &client, &path, json!({"status": "skip", "amount": 3})).await,
        422,
        "validation_failed",
    )
    .await;
    let path = format!("/api/v1/habits/{id}/check-ins/2026-03-18");
    assert_problem(
        put(&app, &client, &path, json!({"amount": 3})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        put(&app, &client, &path, json!({})).await,
        422,
        "validation_failed",
    )
    .await;
    let again = stats(&app, &client, water, d("2026-03-16"), d("2026-03-18")).await;
    assert_eq!(again["days"], w["days"]);
    // Shapes no habit takes.
    for bad in [
        json!({"name": "x", "kind": "numeric", "frequency": {"type": "daily"}}),
        json!({"name": "x", "kind": "yes_no", "target": 3, "frequency": {"type": "daily"}}),
        json!({"name": "x", "kind": "numeric", "target": 3, "frequency": {"type": "weekdays", "weekdays": ["mon"]}}),
        json!({"name": "x", "kind": "yes_no", "frequency": {"type": "times_per_period", "times": 4, "days": 3}}),
        json!({"name": "x", "kind": "yes_no", "frequency": {"type": "weekdays", "weekdays": []}}),
        json!({"name": " ", "kind": "yes_no", "frequency": {"type": "daily"}}),
        json!({"name": "x", "kind": "yes_no", "color": "Not A Key", "frequency": {"type": "daily"}}),
    ] {
        let refused = app
            .post("/api/v1/habits", Some(&client.access), bad.clone())
            .await;
        assert_eq!(refused.status(), 422, "{bad}");
    }
}

#[tokio::test]
async fn the_local_date_turns_at_midnight_in_the_clients_zone_on_both_sides_of_dst() {
    let (app, clock) = spawn_app_at("2026-01-10T12:00:00Z").await;
    let therapist = app.therapist("zones.t@example.org").await;
    for (n, zone, name, days) in [
        // Auckland: DST ends 2026-04-05, starts 2026-09-27.
        (
            0,
            chrono_tz::Pacific::Auckland,
            "Pacific/Auckland",
            ["2026-04-04", "2026-04-05", "2026-09-26", "2026-09-27"],
        ),
        // Los Angeles: DST starts 2026-03-08, ends 2026-11-01.
        (
            1,
            chrono_tz::America::Los_Angeles,
            "America/Los_Angeles",
            ["2026-03-07", "2026-03-08", "2026-10-31", "2026-11-01"],
        ),
    ] {
        let client = app
            .client_of(&therapist, &format!("zones{n}@example.org"))
            .await;
        ok(set_profile(&app, &client, json!({"time_zone": name})).await).await;
        let habit = create_habit(
            &app,
            &client,
            json!({"name": "Walk", "kind": "yes_no", "frequency": {"type": "daily"}}),
        )
        .await;
        let id = habit["id"].as_str().unwrap();
        for day in days {
            let next = (d(day) + Duration::days(1)).to_string();
            clock.set(local(zone, day, "23:59"));
            let today = ok(app
                .get_as(&format!("/api/v1/habits/{id}"), &client.access)
                .await)
            .await;
            assert_eq!(today["today"]["date"], day, "{name} at 23:59");
            check_in(&app, &client, id, d(day), json!({"status": "done"})).await;
            let early = put(
                &app,
                &client,
                &format!("/api/v1/habits/{id}/check-ins/{next}"),
                json!({"status": "done"}),
            )
            .await;
            let problem = assert_problem(early, 422, "validation_failed").await;
            assert_eq!(problem["errors"][0]["code"], "in_future");
            let daily = put(
                &app,
                &client,
                &format!("/api/v1/daily-check-ins/{next}"),
                json!({"mood": 3}),
            )
            .await;
            assert_problem(daily, 422, "validation_failed").await;
            clock.set(local(zone, &next, "00:01"));
            let today = ok(app
                .get_as(&format!("/api/v1/habits/{id}"), &client.access)
                .await)
            .await;
            assert_eq!(today["today"]["date"], next, "{name} at 00:01");
            assert_eq!(today["today"]["counts_as"], "open");
            check_in(&app, &client, id, d(&next), json!({"status": "done"})).await;
            ok(put(
                &app,
                &client,
                &format!("/api/v1/daily-check-ins/{next}"),
                json!({"mood": 3}),
            )
            .await)
            .await;
        }
    }
}

#[tokio::test]
async fn a_night_owls_day_starts_later_and_a_new_zone_leaves_past_dates_where_they_were() {
    let (app, clock) = spawn_app_at("2026-03-10T17:00:00Z").await;
    let therapist = app.therapist("owl.t@example.org").await;
    let client = app.client_of(&therapist, "owl.c@example.org").await;
    let habit = create_habit(
        &app,
        &client,
        json!({"name": "Journal", "kind": "yes_no", "frequency": {"type": "daily"}}),
    )
    .await;
    let id = habit["id"].as_str().unwrap();
    let me = ok(set_profile(&app, &client, json!({"day_starts_at": "03:00"})).await).await;
    assert_eq!(me["day_starts_at"], "03:00");
    assert_problem(
        set_profile(&app, &client, json!({"day_starts_at": "07:00"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        set_profile(&app, &client, json!({"day_starts_at": null})).await,
        422,
        "invalid_body",
    )
    .await;
    // 01:30 on the 11th in New York is still the 10th.
    let ny = chrono_tz::America::New_York;
    clock.set(local(ny, "2026-03-11", "01:30"));
    let now = ok(app
        .get_as(&format!("/api/v1/habits/{id}"), &client.access)
        .await)
    .await;
    assert_eq!(now["today"]["date"], "2026-03-10");
    check_in(
        &app,
        &client,
        id,
        d("2026-03-10"),
        json!({"status": "done"}),
    )
    .await;
    let early = put(
        &app,
        &client,
        &format!("/api/v1/habits/{id}/check-ins/2026-03-11"),
        json!({"status": "done"}),
    )
    .await;
    assert_problem(early, 422, "validation_failed").await;
    clock.set(local(ny, "2026-03-11", "03:01"));
    check_in(
        &app,
        &client,
        id,
        d("2026-03-11"),
        json!({"status": "done"}),
    )
    .await;

    // Moving to Auckland: the check-ins keep their dates; today moves on.
    ok(set_profile(
        &app,
        &client,
        json!({"time_zone": "Pacific/Auckland", "day_starts_at": "00:00"}),
    )
    .await)
    .await;
    let list = ok(app
        .get_as(
            &format!("/api/v1/habits/{id}/check-ins?from=2026-03-01&to=2026-03-12"),
            &client.access,
        )
        .await)
    .await;
    let dates: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, ["2026-03-10", "2026-03-11"]);
    let now = ok(app
        .get_as(&format!("/api/v1/habits/{id}"), &client.access)
        .await)
    .await;
    // 03:01 EDT on the 11th is 20:01 NZDT on the 11th.
    assert_eq!(now["today"]["date"], "2026-03-11");
    assert_eq!(now["today"]["counts_as"], "met");
    assert_eq!(now["today"]["current_streak"]["length"], 2);
}

#[tokio::test]
async fn back_filling_moves_the_first_day_and_rescores_every_day_after_it() {
    let (app, _clock) = spawn_app_at("2026-05-10T16:00:00Z").await;
    let therapist = app.therapist("back.t@example.org").await;
    let client = app.client_of(&therapist, "back.c@example.org").await;
    let habit = create_habit(
        &app,
        &client,
        json!({"name": "Walk", "kind": "yes_no", "frequency": {"type": "daily"}}),
    )
    .await;
    let id = habit["id"].as_str().unwrap();
    assert_eq!(habit["starts_on"], "2026-05-10");
    assert_eq!(habit["today"]["score"], 0.0);
    for day in 1..=30 {
        check_in(
            &app,
            &client,
            id,
            d("2026-04-01") + Duration::days(day - 1),
            json!({"status": "done"}),
        )
        .await;
    }
    let before = stats(&app, &client, id, d("2026-04-01"), d("2026-05-09")).await;
    // Back-filling March (before the first day, across the stored end of
    // April) moves the first day and raises every score after it.
    check_in(
        &app,
        &client,
        id,
        d("2026-03-31"),
        json!({"status": "done"}),
    )
    .await;
    let after = stats(&app, &client, id, d("2026-04-01"), d("2026-05-09")).await;
    let habit = ok(app
        .get_as(&format!("/api/v1/habits/{id}"), &client.access)
        .await)
    .await;
    assert_eq!(habit["starts_on"], "2026-03-31");
    for (a, b) in after["days"]
        .as_array()
        .unwrap()
        .iter()
        .zip(before["days"].as_array().unwrap())
    {
        assert!(
            a["score"].as_f64() > b["score"].as_f64(),
            "{} rises",
            a["date"]
        );
    }
    assert_eq!(after["best_streak"]["length"], 31);
    // Taking it back restores every figure exactly.
    let gone = app
        .send(
            Method::DELETE,
            &format!("/api/v1/habits/{id}/check-ins/2026-03-31"),
            Some(&client.access),
            None,
        )
        .await;
    assert_eq!(gone.status(), 204);
    let restored = stats(&app, &client, id, d("2026-04-01"), d("2026-05-09")).await;
    assert_eq!(restored["days"], before["days"]);
    // A new frequency rescores the history too.
    let changed = ok(app
        .send(
            Method::PATCH,
            &format!("/api/v1/habits/{id}"),
            Some(&client.access),
            Some(&json!({"frequency": {"type": "times_per_period", "times": 3, "days": 7}})),
        )
        .await)
    .await;
    assert_eq!(changed["frequency"]["times"], 3);
    let rescored = stats(&app, &client, id, d("2026-04-01"), d("2026-05-09")).await;
    assert_ne!(rescored["days"], before["days"]);
    // Archive and back; delete takes the check-ins with it.
    let archived = ok(app
        .send(
            Method::PATCH,
            &format!("/api/v1/habits/{id}"),
            Some(&client.access),
            Some(&json!({"archived": true})),
        )
        .await)
    .await;
    assert!(archived["archived_at"].is_string());
    let active = ok(app.get_as("/api/v1/habits", &client.access).await).await;
    assert_eq!(active["items"], json!([]));
    let all = ok(app
        .get_as("/api/v1/habits?archived=archived", &client.access)
        .await)
    .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 1);
    ok(app
        .send(
            Method::PATCH,
            &format!("/api/v1/habits/{id}"),
            Some(&client.access),
            Some(&json!({"archived": false})),
        )
        .await)
    .await;
    let refused = app
        .send(
            Method::PATCH,
            &format!("/api/v1/habits/{id}"),
            Some(&client.access),
            Some(&json!({"kind": "numeric"})),
        )
        .await;
    assert_problem(refused, 422, "invalid_body").await;
    let gone = app
        .send(
            Method::DELETE,
            &format!("/api/v1/habits/{id}"),
            Some(&client.access),
            None,
        )
        .await;
    assert_eq!(gone.status(), 204);
    let missing = app
        .get_as(&format!("/api/v1/habits/{id}/check-ins"), &client.access)
        .await;
    assert_problem(missing, 404, "not_found").await;
}

#[tokio::test]
async fn daily_check_ins_record_the_day_and_a_week_names_its_best_and_worst_tags() {
    let (app, _clock) = spawn_app_at("2026-12-06T17:00:00Z").await;
    let therapist = app.therapist("daily.t@example.org").await;
    let client = app.client_of(&therapist, "daily.c@example.org").await;
    let week = [
        ("2026-11-30", 2, 2, 5.5, vec!["anxious", "worked"]),
        ("2026-12-01", 4, 3, 7.0, vec!["calm"]),
        ("2026-12-02", 5, 4, 8.0, vec!["saw friends", "calm"]),
        ("2026-12-03", 5, 5, 8.5, vec!["saw friends"]),
        ("2026-12-04", 2, 2, 6.0, vec!["anxious"]),
    ];
    for (date, mood, energy, sleep, tags) in &week {
        let saved = ok(put(
            &app,
            &client,
            &format!("/api/v1/daily-check-ins/{date}"),
            json!({"mood": mood, "energy": energy, "sleep_hours": sleep, "tags": tags}),
        )
        .await)
        .await;
        assert_eq!(saved["date"], *date);
    }
    let one = ok(app
        .get_as("/api/v1/daily-check-ins/2026-12-02", &client.access)
        .await)
    .await;
    assert_eq!(one["tags"], json!(["saw-friends", "calm"]));
    // Writing again replaces the day.
    ok(put(
        &app,
        &client,
        "/api/v1/daily-check-ins/2026-12-01",
        json!({"mood": 4, "energy": 3, "sleep_hours": 7.0, "tags": ["calm"], "note": "quiet"}),
    )
    .await)
    .await;
    let summary = ok(app
        .get_as(
            "/api/v1/daily-check-ins/summary?week=2026-W49",
            &client.access,
        )
        .await)
    .await;
    assert_eq!(summary["from"], "2026-11-30");
    assert_eq!(summary["days_recorded"], 5);
    assert_eq!(summary["mood_average"], 3.6);
    assert_eq!(summary["energy_average"], 3.2);
    assert_eq!(summary["sleep_hours_average"], 7.0);
    assert_eq!(summary["best"]["mood"], 5);
    assert_eq!(
        summary["best"]["dates"],
        json!(["2026-12-02", "2026-12-03"])
    );
    assert_eq!(
        summary["best"]["tags"][0],
        json!({"tag": "saw-friends", "days": 2})
    );
    assert_eq!(summary["worst"]["mood"], 2);
    assert_eq!(
        summary["worst"]["tags"][0],
        json!({"tag": "anxious", "days": 2})
    );
    // The default week is the client's current one (Sunday 6 December).
    let current = ok(app
        .get_as("/api/v1/daily-check-ins/summary", &client.access)
        .await)
    .await;
    assert_eq!(current["week"], "2026-W49");
    let series = ok(app
        .get_as(
            "/api/v1/daily-check-ins?from=2026-11-29&to=2026-12-06",
            &client.access,
        )
        .await)
    .await;
    assert_eq!(series.as_array().unwrap().len(), 5);
    for bad in [
        json!({}),
        json!({"mood": 6}),
        json!({"energy": 0}),
        json!({"sleep_hours": 25}),
        json!({"tags": ["#no"]}),
    ] {
        let refused = put(
            &app,
            &client,
            "/api/v1/daily-check-ins/2026-12-05",
            bad.clone(),
        )
        .await;
        assert_problem(refused, 422, "validation_failed").await;
    }
    assert_problem(
        app.get_as("/api/v1/daily-check-ins/2026-12-05", &client.access)
            .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get_as(
            "/api/v1/daily-check-ins/summary?week=2026-W60",
            &client.access,
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get_as(
            "/api/v1/daily-check-ins?from=2025-01-01&to=2026-12-01",
            &client.access,
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get_as("/api/v1/daily-check-ins?since=2026-01-01", &client.access)
            .await,
        400,
        "invalid_query",
    )
    .await;
    let gone = app
        .send(
            Method::DELETE,
            "/api/v1/daily-check-ins/2026-12-04",
            Some(&client.access),
            None,
        )
        .await;
    assert_eq!(gone.status(), 204);
    let gone = app
        .send(
            Method::DELETE,
            "/api/v1/daily-check-ins/2026-12-04",
            Some(&client.access),
            None,
        )
        .await;
    assert_problem(gone, 404, "not_found").await;
}

async fn access_rows(app: &TestApp, client: &Person, resource: &str) -> Vec<Value> {
    let log = ok(app
        .get_as("/api/v1/me/access-log?limit=100", &client.access)
        .await)
    .await;
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["resource"] == resource)
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_therapist_sees_exactly_what_is_shared_until_it_is_revoked_expires_or_the_link_ends() {
    let (app, clock) = spawn_app_at("2026-03-20T16:00:00Z").await;
    let therapist = app.therapist("share.t@example.org").await;
    let client = app.client_of(&therapist, "share.c@example.org").await;
    let shared = create_habit(
        &app,
        &client,
        json!({"name": "Walk", "kind": "yes_no", "frequency": {"type": "daily"}}),
    )
    .await;
    let private = create_habit(
        &app,
        &client,
        json!({"name": "Private", "kind": "yes_no", "frequency": {"type": "daily"}}),
    )
    .await;
    let (shared, private) = (
        shared["id"].as_str().unwrap(),
        private["id"].as_str().unwrap(),
    );
    for day in 10..=19 {
        let date = d(&format!("2026-03-{day}"));
        check_in(
            &app,
            &client,
            shared,
            date,
            json!({"status": "done", "note": "felt good"}),
        )
        .await;
        check_in(&app, &client, private, date, json!({"status": "not_done"})).await;
        ok(put(
            &app,
            &client,
            &format!("/api/v1/daily-check-ins/{date}"),
            json!({"mood": 1, "tags": ["low"]}),
        )
        .await)
        .await;
    }
    let habits_path = format!("/api/v1/clients/{}/habits", client.id);
    let series_path = format!(
        "/api/v1/clients/{}/daily-check-ins?from=2026-03-01",
        client.id
    );
    let stats_of = |h: &str| {
        format!(
            "/api/v1/clients/{}/habits/{h}/stats?from=2026-03-10",
            client.id
        )
    };
    // Nothing shared: nothing listed, nothing readable, nothing hinted.
    assert_eq!(
        ok(app.get_as(&habits_path, &therapist.access).await).await,
        json!([])
    );
    assert_problem(
        app.get_as(&stats_of(shared), &therapist.access).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get_as(&series_path, &therapist.access).await,
        404,
        "not_found",
    )
    .await;

    let share = ok(put(
        &app,
        &client,
        &format!("/api/v1/habits/{shared}/share"),
        json!({}),
    )
    .await)
    .await;
    assert!(share["read_at"].is_null());
    let mine = ok(app
        .get_as(&format!("/api/v1/habits/{shared}"), &client.access)
        .await)
    .await;
    assert!(mine["share"]["shared_at"].is_string());
    let listed = ok(app.get_as(&habits_path, &therapist.access).await).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], shared);
    assert_eq!(listed[0]["today"]["current_streak"]["length"], 10);
    let seen = ok(app.get_as(&stats_of(shared), &therapist.access).await).await;
    assert_eq!(seen["days"][0]["check_in"]["note"], "felt good");
    assert_eq!(
        seen["days"],
        stats(&app, &client, shared, d("2026-03-10"), d("2026-03-20")).await["days"]
    );
    assert_problem(
        app.get_as(&stats_of(private), &therapist.access).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.get_as(&series_path, &therapist.access).await,
        404,
        "not_found",
    )
    .await;
    let mine = ok(app
        .get_as(&format!("/api/v1/habits/{shared}"), &client.access)
        .await)
    .await;
    assert!(
        mine["share"]["read_at"].is_string(),
        "the client sees it was read"
    );
    let rows = access_rows(&app, &client, "habit").await;
    assert!(rows
        .iter()
        .any(|r| r["action"] == "list" && r["resource_id"] == shared));
    assert!(rows
        .iter()
        .any(|r| r["action"] == "stats" && r["resource_id"] == shared));
    assert!(rows.iter().all(|r| r["resource_id"] != private));

    // The series, shared until tomorrow.
    let until = "2026-03-21T16:00:00Z";
    ok(put(
        &app,
        &client,
        "/api/v1/daily-check-ins/share",
        json!({"expires_at": until}),
    )
    .await)
    .await;
    let series = ok(app.get_as(&series_path, &therapist.access).await).await;
    assert_eq!(series.as_array().unwrap().len(), 10);
    assert_eq!(series[0]["mood"], 1);
    assert_eq!(access_rows(&app, &client, "daily_check_ins").await.len(), 1);
    clock.set(instant("2026-03-21T16:00:01Z"));
    assert_problem(
        app.get_as(&series_path, &therapist.access).await,
        404,
        "not_found",
    )
    .await;
    let gone = app
        .send(
            Method::DELETE,
            "/api/v1/daily-check-ins/share",
            Some(&client.access),
            None,
        )
        .await;
    assert_problem(gone, 404, "not_found").await;

    // Revoked: gone at once.
    let revoked = app
        .send(
            Method::DELETE,
            &format!("/api/v1/habits/{shared}/share"),
            Some(&client.access),
            None,
        )
        .await;
    assert_eq!(revoked.status(), 204);
    assert_eq!(
        ok(app.get_as(&habits_path, &therapist.access).await).await,
        json!([])
    );
    assert_problem(
        app.get_as(&stats_of(shared), &therapist.access).await,
        404,
        "not_found",
    )
    .await;

    // Shared again, then the link ends: the former therapist sees nothing.
    ok(put(
        &app,
        &client,
        &format!("/api/v1/habits/{shared}/share"),
        json!({}),
    )
    .await)
    .await;
    ok(put(&app, &client, "/api/v1/daily-check-ins/share", json!({})).await).await;
    assert_eq!(
        ok(app.get_as(&habits_path, &therapist.access).await)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
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
    assert_problem(
        app.get_as(&habits_path, &therapist.access).await,
        404,
        "not_found",
    )
    .await;
    let mine = ok(app
        .get_as(&format!("/api/v1/habits/{shared}"), &client.access)
        .await)
    .await;
    assert!(
        mine["share"].is_null(),
        "a share under an ended link is over"
    );
    let no_one = put(
        &app,
        &client,
        &format!("/api/v1/habits/{shared}/share"),
        json!({}),
    )
    .await;
    assert_problem(no_one, 409, "no_therapist").await;
    let past = put(
        &app,
        &client,
        &format!("/api/v1/habits/{private}/share"),
        json!({"expires_at": "2026-03-01T00:00:00Z"}),
    )
    .await;
    assert_problem(past, 422, "validation_failed").await;
}

#[tokio::test]
async fn a_suggested_habit_reaches_the_client_only_when_they_accept_it() {
    let (app, _clock) = spawn_app_at("2026-03-20T16:00:00Z").await;
    let cast = Cast::new(&app).await;
    let suggestion = json!({"client_id": cast.client_a.id, "note": "Small steps.",
        "habit": {"name": "Drink water", "kind": "numeric", "unit": "glasses", "target": 6, "frequency": {"type": "daily"}}});
    let made = app
        .post(
            "/api/v1/habit-suggestions",
            Some(&cast.therapist_a.access),
            suggestion.clone(),
        )
        .await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.unwrap();
    assert_eq!(made["status"], "pending");
    let id = made["id"].as_str().unwrap();
    assert_eq!(
        ok(app.get_as("/api/v1/habits", &cast.client_a.access).await).await["items"],
        json!([])
    );
    let pending = ok(app
        .get_as("/api/v1/habit-suggestions", &cast.client_a.access)
        .await)
    .await;
    assert_eq!(pending["items"][0]["id"], id);
    assert_eq!(pending["items"][0]["habit"]["target"], 6.0);
    // Nobody else sees it or decides on it.
    assert_eq!(
        ok(app
            .get_as("/api/v1/habit-suggestions", &cast.client_b.access)
            .await)
        .await["items"],
        json!([])
    );
    assert_eq!(
        ok(app
            .get_as("/api/v1/habit-suggestions", &cast.therapist_b.access)
            .await)
        .await["items"],
        json!([])
    );
    for (who, status) in [(&cast.client_b, 404), (&cast.therapist_a, 403)] {
        let tried = app
            .post(
                &format!("/api/v1/habit-suggestions/{id}/accept"),
                Some(&who.access),
                json!({}),
            )
            .await;
        assert_eq!(tried.status(), status);
    }
    let other = app
        .post(
            "/api/v1/habit-suggestions",
            Some(&cast.therapist_b.access),
            suggestion.clone(),
        )
        .await;
    assert_problem(other, 404, "not_found").await;
    let bad = app.post("/api/v1/habit-suggestions", Some(&cast.therapist_a.access),
        json!({"client_id": cast.client_a.id, "habit": {"name": "x", "kind": "numeric", "frequency": {"type": "daily"}}})).await;
    let problem = assert_problem(bad, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "habit.target");

    let accepted = ok(app
        .post(
            &format!("/api/v1/habit-suggestions/{id}/accept"),
            Some(&cast.client_a.access),
            json!({}),
        )
        .await)
    .await;
    assert_eq!(accepted["suggestion"]["status"], "accepted");
    assert_eq!(accepted["habit"]["name"], "Drink water");
    assert!(accepted["habit"]["share"].is_null(), "it starts private");
    assert_eq!(accepted["suggestion"]["habit_id"], accepted["habit"]["id"]);
    let again = app
        .post(
            &format!("/api/v1/habit-suggestions/{id}/accept"),
            Some(&cast.client_a.access),
            json!({}),
        )
        .await;
    assert_problem(again, 409, "already_decided").await;
    let list = ok(app.get_as("/api/v1/habits", &cast.client_a.access).await).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // The therapist sees the decision, not the habit (it is not shared).
    let theirs = ok(app
        .get_as(
            &format!("/api/v1/habit-suggestions?client_id={}", cast.client_a.id),
            &cast.therapist_a.access,
        )
        .await)
    .await;
    assert_eq!(theirs["items"][0]["status"], "accepted");
    assert_eq!(
        ok(app
            .get_as(
                &format!("/api/v1/clients/{}/habits", cast.client_a.id),
                &cast.therapist_a.access
            )
            .await)
        .await,
        json!([])
    );

    let second: Value = app
        .post(
            "/api/v1/habit-suggestions",
            Some(&cast.therapist_a.access),
            suggestion,
        )
        .await
        .json()
        .await
        .unwrap();
    let second = second["id"].as_str().unwrap();
    // Only the client it was made for decides; anyone else is refused.
    let decide = Expect {
        anonymous: 401,
        admin: 403,
        client_b: 404,
        therapist_b: 403,
        client_a: 200,
        therapist_a: 403,
    };
    cast.check(
        &app,
        Method::POST,
        &format!("/api/v1/habit-suggestions/{second}/decline"),
        None,
        decide,
    )
    .await;
    let declined = ok(app
        .get_as(
            "/api/v1/habit-suggestions?status=declined",
            &cast.client_a.access,
        )
        .await)
    .await["items"][0]
        .clone();
    assert_eq!(declined["id"], second);
    assert_eq!(declined["status"], "declined");
    assert!(declined["habit_id"].is_null());
    assert_eq!(
        ok(app.get_as("/api/v1/habits", &cast.client_a.access).await).await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let third: Value = app
        .post(
            "/api/v1/habit-suggestions",
            Some(&cast.therapist_a.access),
            json!({"client_id": cast.client_a.id,
                "habit": {"name": "Walk", "kind": "yes_no", "frequency": {"type": "daily"}}}),
        )
        .await
        .json()
        .await
        .unwrap();
    cast.check(
        &app,
        Method::POST,
        &format!(
            "/api/v1/habit-suggestions/{}/accept",
            third["id"].as_str().unwrap()
        ),
        None,
        decide,
    )
    .await;
}

#[tokio::test]
async fn every_habit_and_check_in_route_answers_only_its_owner_or_the_therapist_it_is_shared_with()
{
    let (app, _clock) = spawn_app_at("2026-03-20T16:00:00Z").await;
    let cast = Cast::new(&app).await;
    let habit = create_habit(
        &app,
        &cast.client_a,
        json!({"name": "Walk", "kind": "yes_no", "frequency": {"type": "daily"}}),
    )
    .await;
    let id = habit["id"].as_str().unwrap();
    check_in(
        &app,
        &cast.client_a,
        id,
        d("2026-03-19"),
        json!({"status": "done"}),
    )
    .await;
    ok(put(
        &app,
        &cast.client_a,
        "/api/v1/daily-check-ins/2026-03-19",
        json!({"mood": 3}),
    )
    .await)
    .await;
    let own = Expect {
        anonymous: 401,
        admin: 403,
        client_b: 404,
        therapist_b: 403,
        client_a: 200,
        therapist_a: 403,
    };
    let own_list = Expect {
        client_b: 200,
        ..own
    };
    let get = Method::GET;
    for (method, path, body, expect) in [
        (get.clone(), "/api/v1/habits".to_owned(), None, own_list),
        (get.clone(), format!("/api/v1/habits/{id}"), None, own),
        (
            get.clone(),
            format!("/api/v1/habits/{id}/check-ins"),
            None,
            own,
        ),
        (get.clone(), format!("/api/v1/habits/{id}/stats"), None, own),
        (
            Method::PUT,
            format!("/api/v1/habits/{id}/check-ins/2026-03-18"),
            Some(json!({"status": "skip"})),
            own,
        ),
        (
            Method::PATCH,
            format!("/api/v1/habits/{id}"),
            Some(json!({"name": "Long walk"})),
            own,
        ),
        (
            get.clone(),
            "/api/v1/daily-check-ins".to_owned(),
            None,
            own_list,
        ),
        (
            get.clone(),
            "/api/v1/daily-check-ins/2026-03-19".to_owned(),
            None,
            Expect {
                client_b: 404,
                ..own
            },
        ),
        (
            get.clone(),
            "/api/v1/daily-check-ins/summary".to_owned(),
            None,
            own_list,
        ),
        (
            Method::PUT,
            "/api/v1/daily-check-ins/2026-03-18".to_owned(),
            Some(json!({"mood": 4})),
            own_list,
        ),
        (
            get.clone(),
            "/api/v1/habit-suggestions".to_owned(),
            None,
            Expect {
                admin: 403,
                therapist_b: 200,
                therapist_a: 200,
                ..own_list
            },
        ),
    ] {
        cast.check(&app, method, &path, body, expect).await;
    }
    // The therapist's side, before and after the client shares.
    let client = &cast.client_a.id;
    let therapist_side = Expect::therapist_a_only(200);
    cast.check(
        &app,
        get.clone(),
        &format!("/api/v1/clients/{client}/habits"),
        None,
        therapist_side,
    )
    .await;
    for path in [
        format!("/api/v1/clients/{client}/habits/{id}/stats"),
        format!("/api/v1/clients/{client}/daily-check-ins"),
    ] {
        // The linked therapist without a share: 404, like anyone else.
        cast.check(
            &app,
            get.clone(),
            &path,
            None,
            Expect::therapist_a_only(404),
        )
        .await;
    }
    cast.check(
        &app,
        Method::PUT,
        &format!("/api/v1/habits/{id}/share"),
        Some(json!({})),
        own,
    )
    .await;
    ok(put(
        &app,
        &cast.client_a,
        "/api/v1/daily-check-ins/share",
        json!({}),
    )
    .await)
    .await;
    for path in [
        format!("/api/v1/clients/{client}/habits/{id}/stats"),
        format!("/api/v1/clients/{client}/daily-check-ins"),
    ] {
        cast.check(&app, get.clone(), &path, None, therapist_side)
            .await;
    }
    cast.check(
        &app,
        Method::POST,
        "/api/v1/habit-suggestions",
        Some(json!({"client_id": client,
        "habit": {"name": "Water", "kind": "yes_no", "frequency": {"type": "daily"}}})),
        Expect::therapist_a_only(201),
    )
    .await;
    // Destructive ones last.
    for (path, expect) in [
        (
            format!("/api/v1/habits/{id}/share"),
            Expect {
                client_b: 404,
                ..own
            },
        ),
        (
            "/api/v1/daily-check-ins/share".to_owned(),
            Expect {
                client_b: 404,
                ..own
            },
        ),
        (format!("/api/v1/habits/{id}/check-ins/2026-03-18"), own),
        ("/api/v1/daily-check-ins/2026-03-18".to_owned(), own_list),
        (format!("/api/v1/habits/{id}"), own),
    ] {
        // Client B wrote their own daily check-in of that date above.
        let expect = Expect {
            client_a: 204,
            client_b: if expect.client_b == 200 { 204 } else { 404 },
            ..expect
        };
        cast.check(&app, Method::DELETE, &path, None, expect).await;
    }
}

#[tokio::test]
async fn shares_and_daily_check_ins_written_at_once_leave_one_live_share_and_no_server_error() {
    let (app, clock) = spawn_app_at("2026-03-20T16:00:00Z").await;
    let therapist = app.therapist("race.t@example.org").await;
    let client = app.client_of(&therapist, "race.c@example.org").await;
    let habit = create_habit(
        &app,
        &client,
        json!({"name": "Walk", "kind": "yes_no", "frequency": {"type": "daily"}}),
    )
    .await;
    let id = habit["id"].as_str().unwrap();
    let share = format!("/api/v1/habits/{id}/share");
    let statuses = futures_util::future::join_all((0..12).map(|i| {
        let (app, client, share) = (&app, &client, share.clone());
        async move {
            let (path, body) = if i % 2 == 0 {
                (share, json!({}))
            } else {
                (
                    "/api/v1/daily-check-ins/2026-03-19".to_owned(),
                    json!({"mood": 1 + i % 5}),
                )
            };
            put(app, client, &path, body).await.status().as_u16()
        }
    }))
    .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    // One live share: an expiry set now ends what the therapist sees.
    ok(put(
        &app,
        &client,
        &share,
        json!({"expires_at": "2026-03-21T00:00:00Z"}),
    )
    .await)
    .await;
    let stats_path = format!("/api/v1/clients/{}/habits/{id}/stats", client.id);
    ok(app.get_as(&stats_path, &therapist.access).await).await;
    clock.set(instant("2026-03-21T00:00:01Z"));
    assert_problem(
        app.get_as(&stats_path, &therapist.access).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        ok(app
            .get_as(
                &format!("/api/v1/clients/{}/habits", client.id),
                &therapist.access
            )
            .await)
        .await,
        json!([])
    );
    // Without a share, a bad range says nothing either: 404 first.
    let long = format!(
        "/api/v1/clients/{}/daily-check-ins?from=2020-01-01",
        client.id
    );
    assert_problem(app.get_as(&long, &therapist.access).await, 404, "not_found").await;
    // Dates no one records are refused, not a crash.
    for path in [
        "/api/v1/daily-check-ins?to=0001-01-01".to_owned(),
        format!("/api/v1/habits/{id}/stats?to=-262143-01-01"),
        format!("/api/v1/habits/{id}/check-ins?from=1899-12-31&to=1900-01-01"),
    ] {
        assert_problem(
            app.get_as(&path, &client.access).await,
            422,
            "validation_failed",
        )
        .await;
    }
    // A literal path under another method is 405, not the {date} route's 404.
    let wrong = app
        .send(
            Method::PUT,
            "/api/v1/daily-check-ins/summary",
            Some(&client.access),
            Some(&json!({})),
        )
        .await;
    assert_eq!(wrong.status(), 405);
    assert_eq!(wrong.headers()["allow"], "GET, HEAD");
}
