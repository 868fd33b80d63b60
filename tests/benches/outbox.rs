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
use domain::outbox::{self, Outgoing, TestEmail};

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
        let reference = direct(workers, jobs).await;
        println!(
            "direct     senders={workers}  {jobs} emails, no queue = {reference:>7.0} emails/s"
        );
        let db = TestDatabase::create_sqlite();
        let rate = run(&db, "sqlite", workers, jobs).await;
        bench_row("sqlite", workers, rate, reference);
        if let Some(url) = &postgres {
            let db = TestDatabase::create_postgres(url);
            let rate = run(&db, "postgresql", workers, jobs).await;
            bench_row("postgresql", workers, rate, reference);
        }
    }
}

/// A row for bench/run: name|rate|unit|p50|p99|reference|reference rate.
fn bench_row(backend: &str, workers: usize, rate: f64, reference: f64) {
    println!(
        "BENCH|outbox drain, {workers} worker(s) ({backend})|{rate:.1}|emails/s|||same SMTP sends without the queue|{reference:.1}"
    );
}

/// The reference: the same messages sent straight through the same
/// transport and concurrency, with no database and no queue.
async fn direct(senders: usize, jobs: usize) -> f64 {
    use futures_util::StreamExt;
    let db = TestDatabase::create_sqlite();
    let data_dir = temp_dir("bench-direct");
    let smtp = TestSmtp::start();
    let mut config = test_config(&db, &data_dir);
    config.smtp_url = Some(Secret::new(smtp.url()));
    let concurrency = WorkerOptions::default().concurrency;
    let mailers: Vec<Arc<Mailer>> = (0..senders)
        .map(|_| Arc::new(Mailer::from_config(&config).unwrap()))
        .collect();
    let started = Instant::now();
    let per_sender = jobs / senders;
    let tasks: Vec<_> = mailers
        .into_iter()
        .map(|mailer| {
            tokio::spawn(async move {
                futures_util::stream::iter(0..per_sender)
                    .for_each_concurrent(concurrency, |_| {
                        let mailer = mailer.clone();
                        async move {
                            let id = domain::ids::JobId::new();
                            let rendered = mailer
                                .templates
                                .render(outbox::EmailKind::Test, &serde_json::json!({}))
                                .unwrap();
                            let message = between_api::mail::compose(
                                &mailer.from,
                                id,
                                "bench@example.org",
                                rendered,
                                None,
                                None,
                            )
                            .unwrap();
                            mailer
                                .transport
                                .send(&id.to_string(), message)
                                .await
                                .unwrap();
                        }
                    })
                    .await;
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let rate = (per_sender * senders) as f64 / started.elapsed().as_secs_f64();
    assert_eq!(smtp.count(), per_sender * senders);
    let _ = std::fs::remove_dir_all(&data_dir);
    rate
}

async fn run(db: &TestDatabase, backend: &str, workers: usize, jobs: usize) -> f64 {
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
    between_tests::workers::until_sent(&pool, 0, expected, Duration::from_secs(600)).await;
    let elapsed = started.elapsed();
    stop.send(true).unwrap();
    for worker in running {
        worker.await.unwrap();
    }
    assert_eq!(smtp.count(), jobs, "every email exactly once");
    let rate = jobs as f64 / elapsed.as_secs_f64();
    println!(
        "{backend:<10} workers={workers}  {jobs} emails in {:>6.2} s  = {rate:>7.0} emails/s",
        elapsed.as_secs_f64(),
    );
    let _ = std::fs::remove_dir_all(&data_dir);
    rate
}
