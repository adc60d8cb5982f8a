//! The job queue: apalis storage in the application's own database (SQLite `Jobs` table or the
//! PostgreSQL `apalis` schema), shared by every api and worker process.
//!
//! Jobs are small and idempotent: they name records (a delivery, a report) whose own state says
//! what is left to do, so a job run twice does no harm.

use std::time::Duration;

use anyhow::Context;
use apalis::prelude::TaskBuilder;
use sea_orm::{DatabaseConnection, DbBackend};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The queue mail jobs go through.
pub const MAIL_QUEUE: &str = "terbuka.mail";

/// The queue report jobs go through.
pub const REPORT_QUEUE: &str = "terbuka.report";

/// Produce this requested report.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ReportJob {
    pub report: Uuid,
}

/// Send these recorded messages.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct MailJob {
    pub deliveries: Vec<Uuid>,
}

/// Pushes jobs from any process (the API after a commit, the sweeper, the scheduler).
#[derive(Clone, Debug)]
pub enum JobQueue {
    Sqlite(apalis_sqlite::SqlitePool),
    Postgres(apalis_postgres::PgPool),
}

impl JobQueue {
    pub fn for_db(db: &DatabaseConnection) -> Self {
        match db.get_database_backend() {
            DbBackend::Postgres => JobQueue::Postgres(db.get_postgres_connection_pool().clone()),
            _ => JobQueue::Sqlite(db.get_sqlite_connection_pool().clone()),
        }
    }

    /// Queues `job` on `queue`. With an idempotency key, a second push of the same key is
    /// ignored (it is "already queued").
    pub async fn push<T: Serialize>(
        &self,
        queue: &str,
        job: &T,
        idempotency_key: Option<&str>,
        max_attempts: usize,
    ) -> anyhow::Result<()> {
        let payload = serde_json::to_vec(job).context("job payload")?;
        let mut builder = TaskBuilder::new(payload).max_attempts(max_attempts);
        if let Some(key) = idempotency_key {
            builder = builder.idempotency_key(key);
        }
        let task = builder.build();
        match self {
            JobQueue::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                apalis_sqlite::queries::push_tasks(&mut *conn, queue, &[task])
                    .await
                    .context("cannot queue the job (SQLite)")?;
            }
            JobQueue::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                match apalis_postgres::queries::push_tasks(&mut *conn, queue, vec![task]).await {
                    Ok(()) => {}
                    // A duplicate idempotency key: the job is already queued.
                    Err(apalis_postgres::Error::Database(e))
                        if e.as_database_error()
                            .is_some_and(|d| d.is_unique_violation()) => {}
                    Err(e) => return Err(e).context("cannot queue the job (PostgreSQL)"),
                }
            }
        }
        Ok(())
    }

    /// Queues delivery of recorded messages, in batches.
    pub async fn push_mail(&self, deliveries: &[Uuid], max_attempts: usize) -> anyhow::Result<()> {
        for chunk in deliveries.chunks(MAIL_BATCH) {
            let job = MailJob {
                deliveries: chunk.to_vec(),
            };
            self.push(MAIL_QUEUE, &job, None, max_attempts).await?;
        }
        Ok(())
    }
}

impl JobQueue {
    /// Queues production of a requested report (the row itself says what is left to do).
    pub async fn push_report(&self, report: Uuid) -> anyhow::Result<()> {
        self.push(REPORT_QUEUE, &ReportJob { report }, None, 1)
            .await
    }
}

/// Messages per mail job: large enough to keep the queue's own writes small next to the mail,
/// small enough that a retry repeats little.
pub const MAIL_BATCH: usize = 25;

/// Heartbeat and missed-beat count so that a dead worker's jobs return after `orphan_after`.
///
/// The beat is short (at most two seconds) whatever the orphan time: under load apalis 1.0's
/// poller can miss the wake-up for a newly pushed job (seen on PostgreSQL with a 30 s beat:
/// jobs waited until the next beat), and each beat wakes it again.
pub fn heartbeat_for(orphan_after: Duration) -> (Duration, usize) {
    let beat = (orphan_after / 4).clamp(Duration::from_secs(1), Duration::from_secs(2));
    let missed = orphan_after.as_millis().div_ceil(beat.as_millis()).max(2) as usize;
    (beat, missed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orphans_return_after_the_configured_time() {
        for secs in [5u64, 60, 120, 300, 3600] {
            let (beat, missed) = heartbeat_for(Duration::from_secs(secs));
            let total = beat * missed as u32;
            assert!(total >= Duration::from_secs(secs), "{secs}");
            assert!(total < Duration::from_secs(secs) + beat * 2, "{secs}");
        }
    }
}
