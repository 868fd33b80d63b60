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
    let stop = Arc::new(AtomicBool::new(false));
    let logins = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for _ in 0..LOGIN_CLIENTS {
        let (app, stop, logins) = (app.clone(), stop.clone(), logins.clone());
        workers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let response = app.login("bench@example.org", PASSWORD).await;
                assert_eq!(response.status(), 200);
                logins.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    let started = Instant::now();
    let busy = reads(
        &app,
        &person.access,
        Duration::from_secs(seconds),
        Some(&stop),
    )
    .await;
    for w in workers {
        w.await.unwrap();
    }
    let login_rate = logins.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    println!("auth on {backend}, {seconds} s per phase, {LOGIN_CLIENTS} login clients, {READ_CLIENTS} read clients");
    println!("logins/s (argon2id m=19456 t=2 p=1): {login_rate:.1}");
    println!("GET /api/v1/me alone:          {}", quiet.summary());
    println!("GET /api/v1/me during logins:  {}", busy.summary());
}

struct Latencies(Vec<Duration>);

impl Latencies {
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
    Latencies(all)
}
