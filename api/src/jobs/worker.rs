//! The outbox worker. Any number run at once, in every `between serve` and
//! as `between worker`: each claims due jobs under a lease, asks each job's
//! kind just before sending whether it is still wanted, sends it with
//! bounded concurrency and records the outcome. On shutdown it finishes the
//! sends in flight and gives back the jobs it claimed but did not start.
//! Now and then it also runs the retention pass.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use domain::db::Pool;
use domain::delivery::{self, Prepared};
use domain::ids::JobId;
use domain::maintenance::{self, Retention};
use domain::outbox::{self, CalendarEvent, Job, Outcome};
use futures_util::StreamExt;
use tokio::sync::watch;

use crate::mail::{compose, Mailer, SendError};

#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// How long to wait before looking again when the queue is empty.
    pub poll_interval: Duration,
    /// How long a claim lasts; a job whose worker died is due again after it.
    pub lease: chrono::Duration,
    /// Jobs claimed at once.
    pub batch_size: i64,
    /// Messages sent at once (and SMTP connections kept). Each connection
    /// manages about 20 messages a second: the SMTP client writes a message
    /// and its final dot in two writes, and TCP's delayed ACK holds the
    /// second ~40 ms; throughput grows with connections.
    pub concurrency: usize,
    /// First retry delay; doubles with each attempt up to `retry_cap`.
    pub retry_base: chrono::Duration,
    pub retry_cap: chrono::Duration,
    /// How long finished jobs keep their payloads, and the audit logs their rows.
    pub retention: Retention,
    /// How often the retention pass (and the reminder reconciliation) runs.
    pub maintenance_interval: Duration,
    /// Where "now" comes from: which jobs are due, and what a reminder
    /// plans next (tests set it).
    pub clock: domain::time::Clock,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            poll_interval: Duration::from_secs(1),
            lease: chrono::Duration::minutes(5),
            batch_size: 32,
            concurrency: 16,
            retry_base: chrono::Duration::seconds(30),
            retry_cap: chrono::Duration::hours(2),
            retention: Retention::default(),
            maintenance_interval: Duration::from_secs(3600),
            clock: domain::time::Clock::default(),
        }
    }
}

pub struct Worker {
    id: String,
    pool: Pool,
    mailer: Arc<Mailer>,
    options: WorkerOptions,
}

impl Worker {
    pub fn new(pool: Pool, mailer: Arc<Mailer>, options: WorkerOptions) -> Self {
        let id = format!(
            "worker-{}-{}",
            std::process::id(),
            domain::secret::random_hex(4)
        );
        Self {
            id,
            pool,
            mailer,
            options,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        tracing::info!(worker = %self.id, transport = self.mailer.transport.describe(), "outbox worker started");
        let mut next_maintenance = tokio::time::Instant::now();
        loop {
            if *shutdown.borrow() {
                break;
            }
            if tokio::time::Instant::now() >= next_maintenance {
                self.maintain().await;
                next_maintenance = tokio::time::Instant::now() + self.options.maintenance_interval;
            }
            let worked = match self.claim().await {
                Ok(jobs) if jobs.is_empty() => false,
                Ok(jobs) => {
                    self.process_batch(jobs, Some(&shutdown)).await;
                    true
                }
                Err(e) => {
                    tracing::warn!(worker = %self.id, error = %e, "cannot claim outbox jobs");
                    false
                }
            };
            if !worked {
                tokio::select! {
                    _ = tokio::time::sleep(self.options.poll_interval) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
        tracing::info!(worker = %self.id, "outbox worker stopped");
    }

    /// Claims and sends one batch; returns how many jobs it claimed. For
    /// tests that drive a worker step by step.
    pub async fn run_once(&self) -> anyhow::Result<usize> {
        let jobs = self.claim().await?;
        let count = jobs.len();
        self.process_batch(jobs, None).await;
        Ok(count)
    }

    /// Runs the retention pass and plans reminders that have none waiting
    /// (see [`domain::reminders::reconcile`]) once; a failure is logged and
    /// retried next time.
    pub async fn maintain(&self) {
        let now = self.options.clock.now();
        match self
            .with_db(move |conn| domain::reminders::reconcile(conn, now))
            .await
        {
            Ok(n) => tracing::info!(worker = %self.id, targets = n, "reminders reconciled"),
            Err(e) => {
                tracing::warn!(worker = %self.id, error = %e, "reminder reconciliation failed")
            }
        }
        let retention = self.options.retention;
        let done = self
            .with_db(move |conn| maintenance::run(conn, &retention, domain::Timestamp::now()))
            .await;
        match done {
            Ok(report) => tracing::info!(
                worker = %self.id,
                payloads_cleared = report.payloads_cleared,
                audit_rows_deleted = report.audit_rows_deleted,
                idempotency_keys_deleted = report.idempotency_keys_deleted,
                "retention pass done"
            ),
            Err(e) => tracing::warn!(worker = %self.id, error = %e, "retention pass failed"),
        }
    }

    async fn claim(&self) -> anyhow::Result<Vec<Job>> {
        let owner = self.id.clone();
        let (lease, limit) = (self.options.lease, self.options.batch_size);
        let now = self.options.clock.now();
        self.with_db(move |conn| outbox::claim(conn, &owner, lease, limit, now))
            .await
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    async fn with_db<T, F>(&self, f: F) -> anyhow::Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut domain::db::DbConnection) -> domain::error::DomainResult<T> + Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || -> anyhow::Result<T> {
            let mut conn = pool.get()?;
            Ok(f(&mut conn)?)
        })
        .await?
    }

    /// Sends the jobs; once `shutdown` turns true, jobs not yet started are
    /// given back instead.
    async fn process_batch(&self, jobs: Vec<Job>, shutdown: Option<&watch::Receiver<bool>>) {
        let unstarted = Mutex::new(Vec::<JobId>::new());
        futures_util::stream::iter(jobs)
            .for_each_concurrent(self.options.concurrency.max(1), |job| {
                let unstarted = &unstarted;
                async move {
                    if shutdown.is_some_and(|s| *s.borrow()) {
                        if let Ok(mut list) = unstarted.lock() {
                            list.push(job.id);
                        }
                        return;
                    }
                    self.process(job).await;
                }
            })
            .await;
        let ids = unstarted.into_inner().unwrap_or_default();
        if !ids.is_empty() {
            let pool = self.pool.clone();
            let owner = self.id.clone();
            let released = tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
                let mut conn = pool.get()?;
                Ok(outbox::release(&mut conn, &owner, &ids)?)
            })
            .await;
            match released {
                Ok(Ok(n)) => {
                    tracing::info!(worker = %self.id, released = n, "gave back unstarted jobs")
                }
                Ok(Err(e)) => {
                    tracing::warn!(worker = %self.id, error = %e, "cannot give back jobs; their lease will expire")
                }
                Err(e) => {
                    tracing::warn!(worker = %self.id, error = %e, "cannot give back jobs; their lease will expire")
                }
            }
        }
    }

    async fn process(&self, job: Job) {
        let outcome = self.attempt(&job).await;
        let (kind, attempt) = (job.kind.as_str(), job.attempts);
        match &outcome {
            Outcome::Sent => {
                tracing::info!(job = %job.id, kind, attempt, "email sent")
            }
            Outcome::Skipped(reason) => {
                tracing::info!(job = %job.id, kind, reason = %reason, "email no longer wanted; skipped")
            }
            Outcome::Transient(e) => {
                tracing::warn!(job = %job.id, kind, attempt, error = %e, "email send failed; will retry")
            }
            Outcome::Permanent(e) => {
                tracing::error!(job = %job.id, kind, attempt, error = %e, "email send failed permanently")
            }
        }
        let owner = self.id.clone();
        let retry = (self.options.retry_base, self.options.retry_cap);
        let now = self.options.clock.now();
        let id = job.id;
        let recorded = self
            .with_db(move |conn| delivery::finish(conn, &job, &owner, &outcome, retry, now))
            .await;
        match recorded {
            Ok((true, None)) => {}
            Ok((true, Some(e))) => {
                tracing::warn!(job = %id, error = %e, "cannot plan the next reminder; reconciliation will")
            }
            Ok((false, _)) => {
                tracing::warn!(job = %id, "lease lost before the outcome was recorded")
            }
            Err(e) => {
                tracing::error!(job = %id, error = %e, "cannot record the outcome; the job will be retried after its lease")
            }
        }
    }

    /// Asks the job's kind whether it is still wanted, then sends it.
    async fn attempt(&self, job: &Job) -> Outcome {
        let (claimed, owner) = (job.clone(), self.id.clone());
        let now = self.options.clock.now();
        let prepared = self
            .with_db(move |conn| delivery::prepare(conn, &claimed, &owner, now))
            .await;
        match prepared {
            Err(e) => Outcome::Transient(format!("cannot check the job before sending: {e:#}")),
            Ok(Prepared::Skip(reason)) => Outcome::Skipped(reason),
            Ok(Prepared::Broken(error)) => Outcome::Permanent(error),
            Ok(Prepared::Send {
                data,
                calendar,
                unsubscribe,
            }) => {
                let unsubscribe = unsubscribe.map(|s| self.mailer.unsubscribe_url(&s));
                match self
                    .deliver(job, data, calendar.as_deref(), unsubscribe.as_deref())
                    .await
                {
                    Ok(()) => Outcome::Sent,
                    Err(SendError::Transient(e)) => Outcome::Transient(e),
                    Err(SendError::Permanent(e)) => Outcome::Permanent(e),
                }
            }
        }
    }

    async fn deliver(
        &self,
        job: &Job,
        mut data: serde_json::Value,
        invite: Option<&CalendarEvent>,
        unsubscribe: Option<&str>,
    ) -> Result<(), SendError> {
        if let Some(url) = unsubscribe {
            data["unsubscribe_url"] = url.into();
        }
        let rendered = self
            .mailer
            .templates
            .render(job.kind, &data)
            .map_err(|e| SendError::Permanent(format!("cannot render {}: {e}", job.kind)))?;
        let message = compose(
            &self.mailer.from,
            job.id,
            &job.recipient,
            rendered,
            invite,
            unsubscribe,
        )
        .map_err(SendError::Permanent)?;
        self.mailer
            .transport
            .send(&job.id.to_string(), message)
            .await
    }
}
