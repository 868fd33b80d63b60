//! Reminders at scale, on PostgreSQL: BENCH_CLIENTS (default 100,000)
//! clients, each with a daily habit nudge at 09:00 local, spread over five
//! zones. Prints the time to schedule every nudge (the reconciliation a
//! worker runs at start, one plan per habit), then sends one zone's burst
//! (every nudge due in the same instant) through a loopback SMTP server
//! with one worker and the next zone's with two, and prints emails per
//! second and how long after its `run_at` the last one of the burst went
//! out. Sending includes the work each send does after it: the wish check
//! before, and planning that habit's next nudge after.
//!
//!     TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p between-tests --bench reminders
//!
//! The service's clock stands at the burst's due instant, so only that
//! burst is due; the workers start at that instant, as workers already
//! running would find it due.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use between_api::config::Secret;
use between_api::jobs::{Worker, WorkerOptions};
use between_api::mail::Mailer;
use between_tests::smtp::TestSmtp;
use between_tests::{instant, temp_dir, test_config, TestDatabase};
use diesel::RunQueryDsl;
use domain::db::PoolOptions;
use domain::outbox::{self, JobState};
use domain::time::Clock;

const ZONES: [&str; 5] = [
    "America/Los_Angeles",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Tokyo",
];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let Some(url) = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        println!("reminders: set TEST_DATABASE_URL to a PostgreSQL server to run this benchmark");
        return;
    };
    let clients: i64 = std::env::var("BENCH_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let db = TestDatabase::create_postgres(&url);
    let pool = domain::db::connect_and_migrate(&db.url, &PoolOptions::default()).unwrap();

    // Clients and their habits, written straight in SQL: the benchmark is
    // about scheduling and sending, not sign-up.
    {
        let mut conn = pool.get().unwrap();
        let zones = ZONES
            .iter()
            .map(|z| format!("'{z}'"))
            .collect::<Vec<_>>()
            .join(",");
        diesel::sql_query(format!(
            "INSERT INTO users (id, email, password_hash, display_name, role, time_zone,
                                day_starts_at, email_verified_at, created_at, updated_at)
             SELECT gen_random_uuid(), 'client' || g || '@bench.example', 'x', 'Client ' || g,
                    'client', (ARRAY[{zones}])[1 + g % 5], 0, now(), now(), now()
               FROM generate_series(1, {clients}) g"
        ))
        .execute(&mut *conn)
        .unwrap();
        diesel::sql_query(
            "INSERT INTO habits (id, client_id, name, measure, frequency, reminder_time,
                                 created_on, starts_on, created_at, updated_at)
             SELECT gen_random_uuid(), id, 'Walk', 'yes_no', '{\"type\":\"daily\"}', '09:00',
                    '2027-01-01', '2027-01-01', now(), now()
               FROM users WHERE role = 'client'",
        )
        .execute(&mut *conn)
        .unwrap();
        diesel::sql_query("ANALYZE").execute(&mut *conn).unwrap();
    }

    // Scheduling: one plan per habit (what creating each habit does, here
    // all at once).
    let planned_at = instant("2027-01-03T12:00:00Z");
    let started = Instant::now();
    let looked_at = {
        let mut conn = pool.get().unwrap();
        domain::reminders::reconcile(&mut conn, planned_at).unwrap()
    };
    let took = started.elapsed().as_secs_f64();
    let queued = {
        let mut conn = pool.get().unwrap();
        outbox::count_by_state(&mut conn, JobState::Queued).unwrap()
    };
    assert_eq!(looked_at as i64, clients);
    assert_eq!(queued, clients, "one nudge waiting per habit");
    let rate = clients as f64 / took;
    println!("reminders: scheduled {clients} daily nudges in {took:.1} s = {rate:.0} nudges/s");
    println!("BENCH|reminders: schedule {clients} daily habit nudges, 5 zones (postgresql)|{rate:.1}|nudges/s|||");

    // The bursts, earliest first: each zone's 09:00 is one instant.
    let mut bursts: Vec<(domain::Timestamp, i64)> = {
        let mut conn = pool.get().unwrap();
        outbox::list(&mut conn, Some(JobState::Queued), clients + 1)
            .unwrap()
            .into_iter()
            .fold(Vec::new(), |mut acc: Vec<(domain::Timestamp, i64)>, job| {
                match acc.last_mut() {
                    Some((at, n)) if *at == job.run_at => *n += 1,
                    _ => acc.push((job.run_at, 1)),
                }
                acc
            })
    };
    bursts.truncate(2);
    for (workers, (due, size)) in [1usize, 2].into_iter().zip(bursts) {
        let (rate, lag) = burst(&db, workers, due, size).await;
        println!(
            "reminders: {size} nudges due at {due}, {workers} worker(s): {rate:.0} emails/s, the last {lag:.1} s after run_at"
        );
        println!("BENCH|reminders: a burst of {size} nudges due at once, {workers} worker(s) (postgresql)|{rate:.1}|emails/s|||");
        println!("BENCH|reminders: that burst's last email, after its run_at, {workers} worker(s)|{lag:.1}|s|||");
    }
}

/// Sends the burst due at `due` with `workers` workers; returns emails per
/// second and how long after `due` (the workers' start) the last went out.
async fn burst(db: &TestDatabase, workers: usize, due: domain::Timestamp, size: i64) -> (f64, f64) {
    let data_dir = temp_dir("bench-reminders");
    let smtp = TestSmtp::start();
    let mut config = test_config(db, &data_dir);
    config.smtp_url = Some(Secret::new(smtp.url()));
    let pool = domain::db::connect_and_migrate(&db.url, &PoolOptions::default()).unwrap();
    let sent_before = {
        let mut conn = pool.get().unwrap();
        outbox::count_by_state(&mut conn, JobState::Sent).unwrap()
    };
    let options = WorkerOptions {
        poll_interval: Duration::from_millis(20),
        clock: Clock::manual(due),
        ..WorkerOptions::default()
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let started = Instant::now();
    let mut running = Vec::new();
    for _ in 0..workers {
        let worker_pool =
            domain::db::connect_and_migrate(&db.url, &PoolOptions::default()).unwrap();
        let mailer = Arc::new(Mailer::from_config(&config).unwrap());
        let worker = Worker::new(worker_pool, mailer, options.clone());
        running.push(tokio::spawn(worker.run(stopped.clone())));
    }
    // Watch the receiver, not the database: counting sent rows of a large
    // outbox many times a second would load the database being measured.
    while (smtp.count() as i64) < size {
        assert!(
            started.elapsed() < Duration::from_secs(1800),
            "only {} of {size} received after 30 minutes",
            smtp.count()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    stop.send(true).unwrap();
    for worker in running {
        worker.await.unwrap();
    }
    assert_eq!(smtp.count() as i64, size, "every nudge exactly once");
    let sent = {
        let mut conn = pool.get().unwrap();
        outbox::count_by_state(&mut conn, JobState::Sent).unwrap()
    };
    assert_eq!(sent - sent_before, size, "each recorded as sent");
    let _ = std::fs::remove_dir_all(&data_dir);
    (size as f64 / elapsed, elapsed)
}
