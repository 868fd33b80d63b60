use std::sync::Arc;
use std::time::Duration;

use between_api::config::{Config, Secret};
use between_api::jobs::{Worker, WorkerOptions};
use between_api::mail::{Mailer, Transport};
use between_tests::smtp::{free_port, smtp_url, TestSmtp};
use between_tests::{eventually, spawn_app_with, temp_dir, test_config, TestDatabase};
use diesel::Connection;
use domain::db::{DbConnection, Pool};
use domain::outbox::{self, JobState, Outgoing, TestEmail};

const WAIT: Duration = Duration::from_secs(20);

use between_tests::workers::{fast as fast_worker, pool as worker_pool, smtp_mailer};

fn with_smtp(url: String) -> impl FnOnce(&mut Config) {
    move |config| {
        config.smtp_url = Some(Secret::new(url));
        config.run_worker = true;
        config.worker = fast_worker();
    }
}

fn test_email(recipient: &str, key: &str) -> Outgoing<TestEmail> {
    Outgoing::now(recipient, key, TestEmail::default())
}

fn enqueue(pool: &Pool, email: &Outgoing<TestEmail>) -> bool {
    let mut conn = pool.get().unwrap();
    outbox::enqueue(&mut conn, email).unwrap()
}

fn count(pool: &Pool, state: JobState) -> i64 {
    let mut conn = pool.get().unwrap();
    outbox::count_by_state(&mut conn, state).unwrap()
}

fn jobs(pool: &Pool) -> Vec<outbox::Job> {
    let mut conn = pool.get().unwrap();
    outbox::list(&mut conn, None, 10_000).unwrap()
}

#[tokio::test]
async fn a_queued_email_arrives_over_smtp_as_multipart_with_the_expected_headers() {
    let smtp = TestSmtp::start();
    let app = spawn_app_with(with_smtp(smtp.url())).await;
    assert!(enqueue(
        &app.pool,
        &test_email("Ada <ada@example.org>", "test:1")
    ));
    assert!(
        !enqueue(&app.pool, &test_email("Ada <ada@example.org>", "test:1")),
        "same dedupe key"
    );

    eventually("the message arrives", WAIT, || smtp.count() == 1).await;
    eventually("the job is sent", WAIT, || {
        count(&app.pool, JobState::Sent) == 1
    })
    .await;
    let job = &jobs(&app.pool)[0];
    let mail = &smtp.received()[0];
    assert_eq!(mail.to, vec!["ada@example.org".to_owned()]);
    assert_eq!(
        mail.header("From").as_deref(),
        Some("Between <no-reply@localhost>")
    );
    assert_eq!(mail.header("To").as_deref(), Some("Ada <ada@example.org>"));
    assert_eq!(
        mail.header("Subject").as_deref(),
        Some("Between test message")
    );
    assert_eq!(
        mail.header("Message-ID").as_deref(),
        Some(format!("<{}@localhost>", job.id).as_str())
    );
    let date = mail.header("Date").expect("a Date header");
    let sent = chrono::DateTime::parse_from_rfc2822(&date).expect("an RFC 5322 date");
    assert!((chrono::Utc::now() - sent.to_utc()).num_minutes().abs() < 5);
    assert!(mail
        .header("Content-Type")
        .unwrap()
        .starts_with("multipart/alternative"));
    assert!(mail.raw.contains("Content-Type: text/plain; charset=utf-8"));
    assert!(mail.raw.contains("Content-Type: text/html; charset=utf-8"));
    assert!(
        mail.raw.contains("https://app.between.test"),
        "links use APP_BASE_URL"
    );
    assert_eq!(job.attempts, 1);
    assert!(job.sent_at.is_some());
}

#[tokio::test]
async fn with_the_smtp_server_down_jobs_retry_and_all_arrive_once_it_is_back() {
    let port = free_port();
    let app = spawn_app_with(with_smtp(smtp_url(port))).await;
    for i in 0..5 {
        enqueue(
            &app.pool,
            &test_email("bo@example.org", &format!("down:{i}")),
        );
    }
    eventually("every job failed at least twice", WAIT, || {
        let all = jobs(&app.pool);
        all.len() == 5
            && all
                .iter()
                .all(|j| j.attempts >= 2 && j.last_error.is_some())
    })
    .await;
    assert_eq!(
        count(&app.pool, JobState::Dead),
        0,
        "connection refused is transient"
    );

    let smtp = TestSmtp::start_on(port);
    eventually("all five arrive", WAIT, || {
        count(&app.pool, JobState::Sent) == 5
    })
    .await;
    let received = smtp.received();
    assert_eq!(received.len(), 5);
    let mut ids: Vec<_> = received
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "each message once");
}

#[tokio::test]
async fn a_5xx_rejection_ends_dead_with_the_error_kept() {
    let smtp = TestSmtp::start();
    let app = spawn_app_with(with_smtp(smtp.url())).await;
    enqueue(&app.pool, &test_email("nobody@reject.test", "reject:1"));
    eventually("the job is dead", WAIT, || {
        count(&app.pool, JobState::Dead) == 1
    })
    .await;
    let job = &jobs(&app.pool)[0];
    assert_eq!(job.attempts, 1, "a permanent failure is not retried");
    assert!(
        job.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("550"),
        "{job:?}"
    );
    assert_eq!(smtp.count(), 0);

    // An operator can queue it again.
    let mut conn = app.pool.get().unwrap();
    let retried = outbox::retry(&mut conn, job.id).unwrap();
    assert_eq!(retried.state, JobState::Queued);
    assert_eq!(retried.attempts, 0);
    let sent = outbox::retry(&mut conn, job.id);
    assert!(
        sent.is_err() || sent.is_ok_and(|j| j.state == JobState::Dead),
        "only dead jobs are retried"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_drain_1000_jobs_delivering_each_exactly_once() {
    let db = TestDatabase::create();
    let data_dir = temp_dir("two-workers");
    let smtp = TestSmtp::start();
    // Two pools, as two instances would have.
    let (pool_a, pool_b) = (worker_pool(&db), worker_pool(&db));
    {
        let mut pooled = pool_a.get().unwrap();
        let conn: &mut DbConnection = &mut pooled;
        conn.transaction::<_, domain::DomainError, _>(|conn| {
            for i in 0..1000 {
                outbox::enqueue(conn, &test_email("many@example.org", &format!("bulk:{i}")))?;
            }
            Ok(())
        })
        .unwrap();
    }
    let options = WorkerOptions {
        batch_size: 16,
        ..fast_worker()
    };
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let a = Worker::new(
        pool_a.clone(),
        smtp_mailer(&smtp, &data_dir, &db),
        options.clone(),
    );
    let b = Worker::new(pool_b, smtp_mailer(&smtp, &data_dir, &db), options);
    assert_ne!(a.id(), b.id());
    let running = [
        tokio::spawn(a.run(stopped.clone())),
        tokio::spawn(b.run(stopped)),
    ];
    eventually("all 1000 are sent", Duration::from_secs(120), || {
        count(&pool_a, JobState::Sent) == 1000
    })
    .await;
    stop.send(true).unwrap();
    for worker in running {
        worker.await.unwrap();
    }

    let received = smtp.received();
    assert_eq!(received.len(), 1000, "no message twice, none lost");
    let mut ids: Vec<_> = received
        .iter()
        .map(|m| m.header("Message-ID").unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 1000);
    assert!(
        jobs(&pool_a).iter().all(|j| j.attempts == 1),
        "no job was claimed twice"
    );
    std::fs::remove_dir_all(&data_dir).unwrap();
}

#[tokio::test]
async fn a_job_claimed_by_a_worker_that_died_is_delivered_after_its_lease() {
    let db = TestDatabase::create();
    let data_dir = temp_dir("lease");
    let smtp = TestSmtp::start();
    let pool = worker_pool(&db);
    enqueue(&pool, &test_email("lea@example.org", "lease:1"));
    {
        let mut conn = pool.get().unwrap();
        let claimed = outbox::claim(
            &mut conn,
            "worker-that-dies",
            chrono::Duration::milliseconds(400),
            10,
            domain::Timestamp::now(),
        )
        .unwrap();
        assert_eq!(claimed.len(), 1);
    }
    let worker = Worker::new(
        pool.clone(),
        smtp_mailer(&smtp, &data_dir, &db),
        fast_worker(),
    );
    assert_eq!(worker.run_once().await.unwrap(), 0, "the lease still holds");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(worker.run_once().await.unwrap(), 1, "the lease ran out");
    assert_eq!(smtp.count(), 1);
    let job = &jobs(&pool)[0];
    assert_eq!(job.state, JobState::Sent);
    assert_eq!(job.attempts, 2);
    std::fs::remove_dir_all(&data_dir).unwrap();
}

#[test]
fn claimed_but_unstarted_jobs_can_be_given_back_without_losing_an_attempt() {
    let db = TestDatabase::create();
    let pool = worker_pool(&db);
    for i in 0..3 {
        enqueue(
            &pool,
            &test_email("rel@example.org", &format!("release:{i}")),
        );
    }
    let mut conn = pool.get().unwrap();
    let claimed = outbox::claim(
        &mut conn,
        "stopping-worker",
        chrono::Duration::minutes(5),
        10,
        domain::Timestamp::now(),
    )
    .unwrap();
    assert_eq!(claimed.len(), 3);
    assert!(outbox::claim(
        &mut conn,
        "other",
        chrono::Duration::minutes(5),
        10,
        domain::Timestamp::now()
    )
    .unwrap()
    .is_empty());
    let ids: Vec<_> = claimed.iter().map(|j| j.id).collect();
    assert_eq!(
        outbox::release(&mut conn, "someone-else", &ids).unwrap(),
        0,
        "only the holder releases"
    );
    assert_eq!(
        outbox::release(&mut conn, "stopping-worker", &ids).unwrap(),
        3
    );
    let again = outbox::claim(
        &mut conn,
        "other",
        chrono::Duration::minutes(5),
        10,
        domain::Timestamp::now(),
    )
    .unwrap();
    assert_eq!(again.len(), 3);
    assert!(again.iter().all(|j| j.attempts == 1));
}

#[test]
fn an_email_queued_in_a_rolled_back_transaction_is_never_sent() {
    let db = TestDatabase::create();
    let pool = worker_pool(&db);
    let mut pooled = pool.get().unwrap();
    let conn: &mut DbConnection = &mut pooled;
    let result = conn.transaction::<(), domain::DomainError, _>(|conn| {
        outbox::enqueue(conn, &test_email("rb@example.org", "rollback:1"))?;
        Err(domain::DomainError::Internal("the change failed".into()))
    });
    assert!(result.is_err());
    assert_eq!(count(&pool, JobState::Queued), 0);
}

#[tokio::test]
async fn without_smtp_url_each_email_is_written_as_an_eml_file_under_data_dir_outbox() {
    let app = spawn_app_with(|config| {
        config.run_worker = true;
        config.worker = fast_worker();
    })
    .await;
    enqueue(&app.pool, &test_email("file@example.org", "file:1"));
    eventually("the job is sent", WAIT, || {
        count(&app.pool, JobState::Sent) == 1
    })
    .await;
    let job = &jobs(&app.pool)[0];
    let path = app.data_dir.join("outbox").join(format!("{}.eml", job.id));
    let eml = std::fs::read_to_string(&path).unwrap();
    assert!(eml.contains("Subject: Between test message"));
    assert!(eml.contains("To: file@example.org"));
    assert!(eml.contains(&format!("Message-ID: <{}@localhost>", job.id)));
}

#[tokio::test]
async fn the_memory_transport_keeps_messages_for_unit_tests() {
    let db = TestDatabase::create_sqlite();
    let data_dir = temp_dir("memory");
    let config = test_config(&db, &data_dir);
    let sent = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mailer = Mailer::new(&config, Transport::Memory(sent.clone())).unwrap();
    let rendered = mailer
        .templates
        .render(outbox::EmailKind::Test, &serde_json::json!({}))
        .unwrap();
    let message = between_api::mail::compose(
        &mailer.from,
        domain::ids::JobId::new(),
        "m@example.org",
        rendered,
        None,
        None,
    )
    .unwrap();
    mailer.transport.send("x", message).await.unwrap();
    assert_eq!(sent.lock().unwrap().len(), 1);
    std::fs::remove_dir_all(&data_dir).unwrap();
}
