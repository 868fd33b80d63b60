//! Outbox throughput: drains BENCH_JOBS (default 5,000) queued emails to a
//! real SMTP receiver on loopback with one and with two workers, on SQLite
//! and (when TEST_DATABASE_URL names a server) PostgreSQL, and prints
//! emails per second.
//!
//!     cargo bench -p between-tests --bench outbox
//!     TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p between-tests --bench outbox
//!
//! Each worker has its own pool and SMTP connections, as separate instances
//! would. The receiver runs in the same process, so the figures include its cost.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use between_api::config::Secret;
use between_api::jobs::{Worker, WorkerOptions};
use between_api::mail::Mailer;
use between_tests::smtp::TestSmtp;
use between_tests::{temp_dir, test_config, TestDatabase};
use diesel::Connection;
use domain::db::{DbConnection, PoolOptions};
use domain::outbox::{self, JobState, Outgoing, TestEmail};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let jobs: usize = std::env::var("BENCH_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let postgres = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    println!(
        "outbox drain: {jobs} jobs, worker concurrency {}",
        WorkerOptions::default().concurrency
    );
    for workers in [1, 2] {
        let db = TestDatabase::create_sqlite();
        run(&db, "sqlite", workers, jobs).await;
        if let Some(url) = &postgres {
            let db = TestDatabase::create_postgres(url);
            run(&db, "postgresql", workers, jobs).await;
        }
    }
}

async fn run(db: &TestDatabase, backend: &str, workers: usize, jobs: usize) {
    let data_dir = temp_dir("bench");
    let smtp = TestSmtp::start();
    let mut config = test_config(db, &data_dir);
    config.smtp_url = Some(Secret::new(smtp.url()));
    let pool = domain::db::connect_and_migrate(&db.url, &PoolOptions::default()).unwrap();
    {
        let mut pooled = pool.get().unwrap();
        let conn: &mut DbConnection = &mut pooled;
        conn.transaction::<_, domain::DomainError, _>(|conn| {
            for i in 0..jobs {
                outbox::enqueue(
                    conn,
                    &Outgoing::now(
                        "bench@example.org",
                        format!("bench:{i}"),
                        TestEmail::default(),
                    ),
                )?;
            }
            Ok(())
        })
        .unwrap();
    }
    let options = WorkerOptions {
        poll_interval: Duration::from_millis(20),
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
    let expected = i64::try_from(jobs).unwrap();
    loop {
        let sent = {
            let mut conn = pool.get().unwrap();
            outbox::count_by_state(&mut conn, JobState::Sent).unwrap()
        };
        if sent >= expected {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            panic!("only {sent} of {jobs} sent after 10 minutes");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    stop.send(true).unwrap();
    for worker in running {
        worker.await.unwrap();
    }
    assert_eq!(smtp.count(), jobs, "every email exactly once");
    println!(
        "{backend:<10} workers={workers}  {jobs} emails in {:>6.2} s  = {:>7.0} emails/s",
        elapsed.as_secs_f64(),
        jobs as f64 / elapsed.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(&data_dir);
}
