//! Outbox persistence. Claiming is the one place where the SQL of the two
//! backends differs: PostgreSQL skips rows other workers hold
//! (`FOR UPDATE SKIP LOCKED`); SQLite claims inside an immediate transaction,
//! which serialises claimers on the database's write lock.

use chrono::Duration;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::{Email, Job, JobState, Outcome, Outgoing, DEFAULT_MAX_ATTEMPTS};
use crate::db::schema::outbox;
use crate::db::sql::Instant;
use crate::db::DbConnection;
use crate::error::{DomainError, DomainResult};
use crate::ids::JobId;
use crate::time::Timestamp;

/// What a cleared payload holds. A payload (it may carry a link's secret)
/// is kept only while the email may still go out: it is cleared when the
/// job is sent, skipped or cancelled, and a dead job's after the retention
/// period (until then an operator can retry it).
pub const CLEARED_PAYLOAD: &str = "";

/// Queues an email on `conn`, inside the caller's transaction if there is
/// one. Returns `false` when a job with the same dedupe key is in use.
pub fn enqueue<E: Email>(conn: &mut DbConnection, job: &Outgoing<E>) -> DomainResult<bool> {
    let now = Timestamp::now();
    let payload =
        serde_json::to_string(&job.email).map_err(|e| DomainError::Internal(e.to_string()))?;
    let inserted = diesel::sql_query(
        "INSERT INTO outbox (id, dedupe_key, kind, recipient, payload, state, run_at,
                             attempts, max_attempts, created_at, updated_at, topic)
         VALUES ($1, $2, $3, $4, $5, 'queued', $6, 0, $7, $8, $8, $9)
         ON CONFLICT (dedupe_key) WHERE superseded_at IS NULL DO NOTHING",
    )
    .bind::<crate::db::sql::Id, _>(JobId::new())
    .bind::<Text, _>(&job.dedupe_key)
    .bind::<Text, _>(E::KIND)
    .bind::<Text, _>(&job.recipient)
    .bind::<Text, _>(payload)
    .bind::<Instant, _>(job.run_at)
    .bind::<Integer, _>(DEFAULT_MAX_ATTEMPTS)
    .bind::<Instant, _>(now)
    .bind::<diesel::sql_types::Nullable<Text>, _>(job.topic.as_deref())
    .execute(conn)?;
    Ok(inserted == 1)
}

/// What a topic holds now: the jobs waiting in it, and the keys used by a
/// job sent, being sent, skipped or dead (due from `since` on), which a
/// plan does not offer again.
#[derive(Debug, Default, Clone)]
pub struct TopicState {
    /// Key, `run_at` and attempts so far of each waiting job.
    pub waiting: Vec<(String, Timestamp, i32)>,
    pub used: std::collections::HashSet<String>,
}

impl TopicState {
    /// Whether a plan may offer the job `key` at `run_at`: its key is not
    /// used, and it lies ahead (or it is waiting already: a job held back
    /// for a retry, or late behind a queue, is kept rather than lost).
    pub fn offers(&self, key: &str, run_at: Timestamp, now: Timestamp) -> bool {
        !self.used.contains(key) && (run_at > now || self.keeps(key, run_at))
    }

    /// Whether the job waiting with `key` stays as it is for a plan that
    /// wants it at `run_at`: the same time, or a retry under way (its
    /// backoff moved it; replacing it would lose or rush it).
    fn keeps(&self, key: &str, run_at: Timestamp) -> bool {
        self.waiting
            .iter()
            .any(|(k, at, attempts)| k == key && (*at == run_at || *attempts > 0))
    }
}

/// Reads `topic`'s [`TopicState`] in one query.
pub fn topic_state(
    conn: &mut DbConnection,
    topic: &str,
    since: Timestamp,
) -> DomainResult<TopicState> {
    use crate::db::schema::outbox_topics as t;
    let rows: Vec<(String, Timestamp, i32, JobState)> = t::table
        .filter(t::topic.eq(topic))
        .filter(t::superseded_at.is_null())
        .filter(t::state.eq(JobState::Queued).or(t::run_at.ge(since)))
        .select((t::dedupe_key, t::run_at, t::attempts, t::state))
        .load(conn)?;
    let mut state = TopicState::default();
    for (key, run_at, attempts, job_state) in rows {
        if job_state == JobState::Queued {
            state.waiting.push((key, run_at, attempts));
        } else {
            state.used.insert(key);
        }
    }
    Ok(state)
}

/// Makes the jobs waiting in `topic` (as `state` read them) exactly
/// `wanted`: a waiting job with the same key and time, or one being retried,
/// stays as it is, one with the same key and another time is replaced, one no longer wanted is
/// cancelled, and a new one is queued unless its key is held (sent already,
/// or planned by another instance meanwhile: at most one email per key).
pub fn replan_topic<E: Email + Clone>(
    conn: &mut DbConnection,
    topic: &str,
    state: &TopicState,
    wanted: &[Outgoing<E>],
) -> DomainResult<Replanned> {
    let mut result = Replanned::default();
    for (key, _, _) in &state.waiting {
        let keep = wanted
            .iter()
            .any(|w| w.dedupe_key == *key && state.keeps(key, w.run_at));
        if !keep {
            result.cancelled += cancel(conn, key)?;
        }
    }
    for job in wanted {
        if state.keeps(&job.dedupe_key, job.run_at) {
            result.waiting += 1;
        } else if enqueue(conn, &job.clone().about(topic))? {
            result.waiting += 1;
            result.queued += 1;
        } else {
            result.held.push(job.dedupe_key.clone());
        }
    }
    Ok(result)
}

/// What [`replan_topic`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Replanned {
    pub waiting: usize,
    pub queued: usize,
    pub cancelled: usize,
    /// Keys already used by a job sent (or being sent).
    pub held: Vec<String>,
}

/// Cancels the job with `dedupe_key`, if one is waiting: it will not be sent,
/// and the key is free again. A job already sent keeps its state but lets go
/// of the key too; one being sent right now is skipped by its worker's
/// last check. Returns how many jobs were cancelled before sending.
pub fn cancel(conn: &mut DbConnection, dedupe_key: &str) -> DomainResult<usize> {
    let now = Timestamp::now();
    let holding = outbox::table
        .filter(outbox::dedupe_key.eq(dedupe_key))
        .filter(outbox::superseded_at.is_null());
    let cancelled = diesel::update(holding.filter(outbox::state.eq(JobState::Queued)))
        .set((
            outbox::state.eq(JobState::Cancelled),
            outbox::payload.eq(CLEARED_PAYLOAD),
            outbox::superseded_at.eq(Some(now)),
            outbox::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::update(holding)
        .set(outbox::superseded_at.eq(Some(now)))
        .execute(conn)?;
    Ok(cancelled)
}

/// Replaces whatever job holds the key with this one (a moved appointment
/// gets new reminders): the old one is cancelled, the new one queued.
pub fn replace<E: Email>(conn: &mut DbConnection, job: &Outgoing<E>) -> DomainResult<()> {
    cancel(conn, &job.dedupe_key)?;
    if !enqueue(conn, job)? {
        return Err(DomainError::Internal(format!(
            "job key {} still held after cancelling it",
            job.dedupe_key
        )));
    }
    Ok(())
}

/// Claims jobs whose worker died (lease run out), then due ones. Each
/// statement walks one partial index in order and stops at its limit
/// (an `OR` of the two would sort every due row on each claim: with 20,000
/// reminders due at once, each claim sorted them all).
const CLAIM_EXPIRED: &str = "
    UPDATE outbox
       SET state = 'running', lease_owner = $1, lease_until = $2,
           attempts = attempts + 1, updated_at = $3
     WHERE id IN (
           SELECT id FROM outbox
            WHERE state = 'running' AND lease_until < $3
            ORDER BY lease_until
            LIMIT $4{lock})
    RETURNING *";

const CLAIM_DUE: &str = "
    UPDATE outbox
       SET state = 'running', lease_owner = $1, lease_until = $2,
           attempts = attempts + 1, updated_at = $3
     WHERE id IN (
           SELECT id FROM outbox
            WHERE state = 'queued' AND run_at <= $3
            ORDER BY run_at
            LIMIT $4{lock})
    RETURNING *";

/// Claims up to `limit` due jobs for `owner` until `now + lease`. Jobs whose
/// lease ran out (their worker died) are due again, first. Each claim
/// counts as an attempt, so a message that crashes its worker cannot loop
/// forever. PostgreSQL skips rows other workers are claiming (`FOR UPDATE
/// SKIP LOCKED`); SQLite claims inside an immediate transaction.
pub fn claim(
    conn: &mut DbConnection,
    owner: &str,
    lease: Duration,
    limit: i64,
    now: Timestamp,
) -> DomainResult<Vec<Job>> {
    let lease_until = now + lease;
    let lock = match conn.backend() {
        crate::db::Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        crate::db::Backend::Sqlite => "",
    };
    let statements = [
        CLAIM_EXPIRED.replace("{lock}", lock),
        CLAIM_DUE.replace("{lock}", lock),
    ];
    let run = |conn: &mut DbConnection| -> Result<Vec<Job>, diesel::result::Error> {
        let mut jobs: Vec<Job> = Vec::new();
        for sql in &statements {
            let left = limit - jobs.len() as i64;
            if left <= 0 {
                break;
            }
            jobs.extend(
                diesel::sql_query(sql.as_str())
                    .bind::<Text, _>(owner)
                    .bind::<Instant, _>(lease_until)
                    .bind::<Instant, _>(now)
                    .bind::<BigInt, _>(left)
                    .load::<Job>(conn)?,
            );
        }
        Ok(jobs)
    };
    let jobs = match conn.backend() {
        crate::db::Backend::Postgres => run(conn)?,
        crate::db::Backend::Sqlite => conn.write_transaction(run)?,
    };
    Ok(jobs)
}

/// Whether `owner` still holds the job and nobody cancelled or replaced it
/// since the claim: the worker's last look before sending.
pub fn still_held(conn: &mut DbConnection, id: JobId, owner: &str) -> DomainResult<bool> {
    let held: i64 = outbox::table
        .filter(outbox::id.eq(id))
        .filter(outbox::state.eq(JobState::Running))
        .filter(outbox::lease_owner.eq(owner))
        .filter(outbox::superseded_at.is_null())
        .count()
        .get_result(conn)?;
    Ok(held == 1)
}

/// The delay before retry number `attempts + 1`: exponential from `base`,
/// capped, with up to 25 % random jitter so failed jobs do not retry in step.
pub fn backoff(attempts: i32, base: Duration, cap: Duration) -> Duration {
    let exponent = attempts.clamp(1, 20) - 1;
    let delay = base.num_milliseconds().saturating_mul(1_i64 << exponent);
    let delay = delay.min(cap.num_milliseconds()).max(0);
    let jitter = if delay > 0 {
        rand::random_range(0..=delay / 4)
    } else {
        0
    };
    Duration::milliseconds(delay + jitter)
}

/// Records the outcome of an attempt, if `owner` still holds the job's lease.
/// Returns `false` when the lease was lost (another worker took the job over).
pub fn finish(
    conn: &mut DbConnection,
    id: JobId,
    owner: &str,
    outcome: &Outcome,
    retry_base: Duration,
    retry_cap: Duration,
) -> DomainResult<bool> {
    let now = Timestamp::now();
    let held = outbox::table
        .filter(outbox::id.eq(id))
        .filter(outbox::state.eq(JobState::Running))
        .filter(outbox::lease_owner.eq(owner));
    let changed = match outcome {
        Outcome::Sent => diesel::update(held)
            .set((
                outbox::state.eq(JobState::Sent),
                outbox::payload.eq(CLEARED_PAYLOAD),
                outbox::sent_at.eq(Some(now)),
                outbox::lease_owner.eq(None::<String>),
                outbox::lease_until.eq(None::<Timestamp>),
                outbox::last_error.eq(None::<String>),
                outbox::updated_at.eq(now),
            ))
            .execute(conn)?,
        Outcome::Skipped(reason) => diesel::update(held)
            .set((
                outbox::state.eq(JobState::Skipped),
                outbox::payload.eq(CLEARED_PAYLOAD),
                outbox::lease_owner.eq(None::<String>),
                outbox::lease_until.eq(None::<Timestamp>),
                outbox::last_error.eq(Some(truncate(reason, 2_000))),
                outbox::updated_at.eq(now),
            ))
            .execute(conn)?,
        Outcome::Transient(error) | Outcome::Permanent(error) => {
            let job: Option<(i32, i32)> = held
                .select((outbox::attempts, outbox::max_attempts))
                .first(conn)
                .optional()?;
            let Some((attempts, max_attempts)) = job else {
                return Ok(false);
            };
            let dead = matches!(outcome, Outcome::Permanent(_)) || attempts >= max_attempts;
            let (state, run_at) = if dead {
                (JobState::Dead, now)
            } else {
                (
                    JobState::Queued,
                    now + backoff(attempts, retry_base, retry_cap),
                )
            };
            diesel::update(held)
                .set((
                    outbox::state.eq(state),
                    outbox::run_at.eq(run_at),
                    outbox::lease_owner.eq(None::<String>),
                    outbox::lease_until.eq(None::<Timestamp>),
                    outbox::last_error.eq(Some(truncate(error, 2_000))),
                    outbox::updated_at.eq(now),
                ))
                .execute(conn)?
        }
    };
    Ok(changed == 1)
}

/// Gives back jobs `owner` claimed but did not start (on shutdown), without
/// counting the attempt.
pub fn release(conn: &mut DbConnection, owner: &str, ids: &[JobId]) -> DomainResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    let now = Timestamp::now();
    Ok(diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::state.eq(JobState::Running))
            .filter(outbox::lease_owner.eq(owner)),
    )
    .set((
        outbox::state.eq(JobState::Queued),
        outbox::attempts.eq(outbox::attempts - 1),
        outbox::lease_owner.eq(None::<String>),
        outbox::lease_until.eq(None::<Timestamp>),
        outbox::updated_at.eq(now),
    ))
    .execute(conn)?)
}

/// Jobs for operators: newest first, or of one state; queued jobs are
/// listed by when they are due.
pub fn list(
    conn: &mut DbConnection,
    state: Option<JobState>,
    limit: i64,
) -> DomainResult<Vec<Job>> {
    let mut query = outbox::table
        .select(Job::as_select())
        .limit(limit)
        .into_boxed();
    query = match state {
        Some(JobState::Queued) => query
            .filter(outbox::state.eq(JobState::Queued))
            .order((outbox::run_at.asc(), outbox::id.asc())),
        Some(state) => query
            .filter(outbox::state.eq(state))
            .order((outbox::created_at.desc(), outbox::id.desc())),
        None => query.order((outbox::created_at.desc(), outbox::id.desc())),
    };
    Ok(query.load(conn)?)
}

pub fn find(conn: &mut DbConnection, id: JobId) -> DomainResult<Job> {
    outbox::table
        .find(id)
        .select(Job::as_select())
        .first(conn)
        .optional()?
        .ok_or(DomainError::NotFound)
}

/// Puts a dead job back in the queue with a fresh set of attempts.
pub fn retry(conn: &mut DbConnection, id: JobId) -> DomainResult<Job> {
    let now = Timestamp::now();
    let changed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::state.eq(JobState::Dead))
            .filter(outbox::payload.ne(CLEARED_PAYLOAD)),
    )
    .set((
        outbox::state.eq(JobState::Queued),
        outbox::attempts.eq(0),
        outbox::run_at.eq(now),
        outbox::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        let job = find(conn, id)?;
        let detail = if job.state == JobState::Dead {
            format!("job {id} is past its retention period; its content is gone")
        } else {
            format!("job {id} is {}, only dead jobs can be retried", job.state)
        };
        return Err(DomainError::Conflict {
            code: "job_not_retryable",
            detail,
        });
    }
    find(conn, id)
}

/// Counts jobs by state, for metrics and tests.
pub fn count_by_state(conn: &mut DbConnection, state: JobState) -> DomainResult<i64> {
    Ok(outbox::table
        .filter(outbox::state.eq(state))
        .count()
        .get_result(conn)?)
}

/// Clears the payload (link secrets, names) of every finished job last
/// touched before `before`; returns how many were cleared.
pub fn clear_payloads(conn: &mut DbConnection, before: Timestamp) -> DomainResult<usize> {
    Ok(diesel::update(
        outbox::table
            .filter(outbox::state.eq_any([
                JobState::Sent,
                JobState::Dead,
                JobState::Skipped,
                JobState::Cancelled,
            ]))
            .filter(outbox::updated_at.lt(before))
            .filter(outbox::payload.ne(CLEARED_PAYLOAD)),
    )
    .set(outbox::payload.eq(CLEARED_PAYLOAD))
    .execute(conn)?)
}

fn truncate(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_exponentially_with_bounded_jitter_and_a_cap() {
        let base = Duration::seconds(10);
        let cap = Duration::hours(1);
        for (attempts, expected) in [(1, 10_000), (2, 20_000), (3, 40_000), (4, 80_000)] {
            let delay = backoff(attempts, base, cap).num_milliseconds();
            assert!(
                (expected..=expected + expected / 4).contains(&delay),
                "{attempts}: {delay}"
            );
        }
        let capped = backoff(30, base, cap).num_milliseconds();
        assert!((3_600_000..=4_500_000).contains(&capped), "{capped}");
    }
}
