//! Login throughput, and the latency of an authenticated read while logins
//! run in parallel (argon2id is meant to be costly; reads must not starve).
//!
//!     cargo bench -p between-tests --bench auth
//!     TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres cargo bench -p between-tests --bench auth
//!
//! The service runs in this process on loopback with its real middleware,
//! extractor and database; the load generators share the machine's cores.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use between_tests::{spawn_app_with, TestApp, PASSWORD};

const LOGIN_CLIENTS: usize = 8;
const READ_CLIENTS: usize = 4;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let seconds: u64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let backend = between_tests::backend().name();
    let app = Arc::new(spawn_app_with(|_| {}).await);
    let person = app.therapist("bench@example.org").await;

    let quiet = reads(&app, &person.access, Duration::from_secs(seconds), None).await;
    let alone = storm(&app, Duration::from_secs(seconds), None).await;
    let stop = Arc::new(AtomicBool::new(false));
    let storming = {
        let (app, stop) = (app.clone(), stop.clone());
        tokio::spawn(async move { storm(&app, Duration::from_secs(3600), Some(&stop)).await })
    };
    let busy = reads(
        &app,
        &person.access,
        Duration::from_secs(seconds),
        Some(&stop),
    )
    .await;
    let login_rate = storming.await.unwrap();
    let hash_rate = argon2_rate(Duration::from_secs(seconds.min(5)));
    println!("auth on {backend}, {seconds} s per phase, {LOGIN_CLIENTS} login clients, {READ_CLIENTS} read clients");
    println!("logins/s alone (argon2id m=19456 t=2 p=1): {alone:.1}");
    println!("logins/s while reads run: {login_rate:.1}");
    println!("argon2id verifications/s on every core, nothing else: {hash_rate:.1}");
    println!("GET /api/v1/me alone:          {}", quiet.summary());
    println!("GET /api/v1/me during logins:  {}", busy.summary());
    // Rows for bench/run: name|rate|unit|p50|p99|reference|reference rate
    println!(
        "BENCH|POST /auth/login storm, {LOGIN_CLIENTS} clients ({backend})|{alone:.1}|logins/s|||argon2id verifications, every core|{hash_rate:.1}"
    );
    println!(
        "BENCH|GET /me during the login storm ({backend})|{:.1}|req/s|{:.2}|{:.2}|GET /me without logins|{:.1}",
        busy.rate(),
        busy.ms(0.50),
        busy.ms(0.99),
        quiet.rate()
    );
}

/// LOGIN_CLIENTS loops of `POST /auth/login` until `length` passes or
/// `stop` is set; returns logins per second.
async fn storm(app: &Arc<TestApp>, length: Duration, stop: Option<&Arc<AtomicBool>>) -> f64 {
    let started = Instant::now();
    let logins = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..LOGIN_CLIENTS {
        let (app, logins) = (app.clone(), logins.clone());
        let stop = stop.cloned();
        workers.push(tokio::spawn(async move {
            while started.elapsed() < length
                && !stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed))
            {
                let response = app.login("bench@example.org", PASSWORD).await;
                assert_eq!(response.status(), 200);
                logins.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    logins.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

/// The reference for logins: how many argon2id verifications the machine
/// does per second on all its cores with nothing else running.
fn argon2_rate(length: Duration) -> f64 {
    let stored = domain::accounts::password::hash(PASSWORD).unwrap();
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let started = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..cores)
            .map(|_| {
                let stored = stored.as_str().to_owned();
                scope.spawn(move || {
                    let mut n = 0;
                    while started.elapsed() < length {
                        domain::accounts::password::verify(PASSWORD, &stored);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    counts.iter().sum::<u64>() as f64 / started.elapsed().as_secs_f64()
}

struct Latencies(Vec<Duration>, Duration);

impl Latencies {
    fn rate(&self) -> f64 {
        self.0.len() as f64 / self.1.as_secs_f64()
    }

    fn ms(&self, p: f64) -> f64 {
        self.percentile(p).as_secs_f64() * 1000.0
    }

    fn percentile(&self, p: f64) -> Duration {
        let mut sorted = self.0.clone();
        sorted.sort();
        let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
        sorted[index]
    }

    fn summary(&self) -> String {
        format!(
            "{} reads, p50 {:.2} ms, p99 {:.2} ms",
            self.0.len(),
            self.percentile(0.50).as_secs_f64() * 1000.0,
            self.percentile(0.99).as_secs_f64() * 1000.0
        )
    }
}

/// Runs READ_CLIENTS loops of `GET /api/v1/me` for `length`; sets `stop` after.
async fn reads(
    app: &Arc<TestApp>,
    token: &str,
    length: Duration,
    stop: Option<&Arc<AtomicBool>>,
) -> Latencies {
    let deadline = Instant::now() + length;
    let mut tasks = Vec::new();
    for _ in 0..READ_CLIENTS {
        let (app, token) = (app.clone(), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            while Instant::now() < deadline {
                let started = Instant::now();
                let response = app.get_as("/api/v1/me", &token).await;
                assert_eq!(response.status(), 200);
                seen.push(started.elapsed());
            }
            seen
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    if let Some(stop) = stop {
        stop.store(true, Ordering::Relaxed);
    }
    Latencies(all, length)
}
