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

#[derive(QueryableByName)]
struct Waiting {
    #[diesel(sql_type = Text)]
    dedupe_key: String,
    #[diesel(sql_type = Instant)]
    run_at: Timestamp,
}

/// Makes the jobs waiting in `topic` exactly `wanted`: a waiting job with
/// the same key and time stays as it is, one with the same key and another
/// time is replaced, one no longer wanted is cancelled, and a new one is
/// queued unless its key is held (it was sent already: at most one email per
/// key). Returns how many of `wanted` are waiting afterwards; each one whose
/// key was held is reported in `held` so the caller can plan the next.
pub fn replan_topic<E: Email + Clone>(
    conn: &mut DbConnection,
    topic: &str,
    wanted: &[Outgoing<E>],
) -> DomainResult<Replanned> {
    let waiting: Vec<Waiting> = diesel::sql_query(
        "SELECT dedupe_key, run_at FROM outbox
          WHERE topic = $1 AND state = 'queued' AND superseded_at IS NULL",
    )
    .bind::<Text, _>(topic)
    .load(conn)?;
    let mut result = Replanned::default();
    for job in &waiting {
        let keep = wanted
            .iter()
            .any(|w| w.dedupe_key == job.dedupe_key && w.run_at == job.run_at);
        if !keep {
            result.cancelled += cancel(conn, &job.dedupe_key)?;
        }
    }
    for job in wanted {
        let kept = waiting
            .iter()
            .any(|w| w.dedupe_key == job.dedupe_key && w.run_at == job.run_at);
        if kept {
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

/// The keys of `topic` already used by a job sent, being sent, skipped or
/// dead (due from `since` on): a plan does not offer them again.
pub fn used_keys(
    conn: &mut DbConnection,
    topic: &str,
    since: Timestamp,
) -> DomainResult<std::collections::HashSet<String>> {
    #[derive(QueryableByName)]
    struct Key {
        #[diesel(sql_type = Text)]
        dedupe_key: String,
    }
    let keys: Vec<Key> = diesel::sql_query(
        "SELECT dedupe_key FROM outbox
          WHERE topic = $1 AND state <> 'queued' AND superseded_at IS NULL AND run_at >= $2",
    )
    .bind::<Text, _>(topic)
    .bind::<Instant, _>(since)
    .load(conn)?;
    Ok(keys.into_iter().map(|k| k.dedupe_key).collect())
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

const CLAIM_POSTGRES: &str = "
    UPDATE outbox
       SET state = 'running', lease_owner = $1, lease_until = $2,
           attempts = attempts + 1, updated_at = $3
     WHERE id IN (
           SELECT id FROM outbox
            WHERE (state = 'queued' AND run_at <= $3)
               OR (state = 'running' AND lease_until < $3)
            ORDER BY run_at
            LIMIT $4
            FOR UPDATE SKIP LOCKED)
    RETURNING *";

const CLAIM_SQLITE: &str = "
    UPDATE outbox
       SET state = 'running', lease_owner = $1, lease_until = $2,
           attempts = attempts + 1, updated_at = $3
     WHERE id IN (
           SELECT id FROM outbox
            WHERE (state = 'queued' AND run_at <= $3)
               OR (state = 'running' AND lease_until < $3)
            ORDER BY run_at
            LIMIT $4)
    RETURNING *";

/// Claims up to `limit` due jobs for `owner` until `now + lease`. Jobs whose
/// lease ran out (their worker died) are due again. Each claim counts as an
/// attempt, so a message that crashes its worker cannot loop forever.
pub fn claim(
    conn: &mut DbConnection,
    owner: &str,
    lease: Duration,
    limit: i64,
    now: Timestamp,
) -> DomainResult<Vec<Job>> {
    let lease_until = now + lease;
    let jobs = match conn {
        DbConnection::Postgresql(c) => diesel::sql_query(CLAIM_POSTGRES)
            .bind::<Text, _>(owner)
            .bind::<Instant, _>(lease_until)
            .bind::<Instant, _>(now)
            .bind::<BigInt, _>(limit)
            .load::<Job>(c)?,
        DbConnection::Sqlite(c) => c.immediate_transaction(|c| {
            diesel::sql_query(CLAIM_SQLITE)
                .bind::<Text, _>(owner)
                .bind::<Instant, _>(lease_until)
                .bind::<Instant, _>(now)
                .bind::<BigInt, _>(limit)
                .load::<Job>(c)
        })?,
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
