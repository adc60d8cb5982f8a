//! Terbuka's worker: mail delivery, scheduled digests, deadline alerts and reports.
//!
//! It runs inside the API process in the all-in-one mode and alone (the `worker` binary) when
//! scaled out. Every process shares the one database; the job queue lives there too.

pub mod alerts;
pub mod archive;
pub mod blobs;
pub mod bounces;
pub mod config;
pub mod db;
pub mod digest;
pub mod env;
pub mod jobs;
pub mod mail;
pub mod queue;
pub mod report;
pub mod requirements;
pub mod schedule;
pub mod standalone;
pub mod telemetry;
/// Signed link tokens live with the domain (`entity::notify::tokens`); kept here by name.
pub use entity::notify::tokens;

use std::future::Future;
use std::sync::Arc;

use entity::Clock;
use sea_orm::DatabaseConnection;

pub use config::{Mode, WorkerConfig};
pub use queue::JobQueue;

/// What every job handler can reach.
#[derive(Clone, Debug)]
pub struct WorkerState {
    pub db: DatabaseConnection,
    pub config: Arc<WorkerConfig>,
    pub clock: Clock,
    pub queue: JobQueue,
    pub mailer: mail::Mailer,
    pub signer: tokens::Signer,
    /// Whether this process's job workers run, for `/readyz`.
    pub health: Arc<Health>,
}

/// Whether a process's worker is doing its work: its mail and report job workers are running
/// and its heartbeat reaches the database. Shared with the API's `/readyz`.
#[derive(Debug)]
pub struct Health {
    mail: std::sync::atomic::AtomicBool,
    report: std::sync::atomic::AtomicBool,
    beat: std::sync::atomic::AtomicBool,
}

impl Default for Health {
    fn default() -> Self {
        // Running from the start: the supervisor says when a job worker has stopped, and a
        // failed heartbeat when the database cannot be reached.
        Self {
            mail: true.into(),
            report: true.into(),
            beat: true.into(),
        }
    }
}

impl Health {
    pub fn set(&self, part: &str, up: bool) {
        use std::sync::atomic::Ordering;
        match part {
            "mail" => self.mail.store(up, Ordering::Release),
            "report" => self.report.store(up, Ordering::Release),
            "beat" => self.beat.store(up, Ordering::Release),
            _ => {}
        }
    }

    /// Both job workers run and the last heartbeat was written.
    pub fn running(&self) -> bool {
        use std::sync::atomic::Ordering;
        self.mail.load(Ordering::Acquire)
            && self.report.load(Ordering::Acquire)
            && self.beat.load(Ordering::Acquire)
    }
}

impl WorkerState {
    pub fn new(db: DatabaseConnection, config: Arc<WorkerConfig>) -> anyhow::Result<Self> {
        let transport = mail::Transport::new(
            config.smtp_url.as_deref(),
            &config.outbox_dir,
            config.mail_concurrency as u32,
        )?;
        let mailer = mail::Mailer {
            transport,
            from: config
                .mail_from
                .parse()
                .map_err(|e| anyhow::anyhow!("TERBUKA_MAIL_FROM: {e}"))?,
            public_url: config.public_url.clone(),
            owner: config.worker_id.clone(),
            lease: config.mail_lease,
            max_attempts: config.mail_attempts,
            backoff: config.mail_backoff,
            signer: tokens::Signer::new(&config.secret),
            clock: config.clock.clone(),
            still_due: |db, check| Box::pin(alerts::still_due(db, check)),
            bounce_limit: config.bounce_limit,
        };
        Ok(Self {
            queue: JobQueue::for_db(&db),
            clock: config.clock.clone(),
            signer: tokens::Signer::new(&config.secret),
            db,
            config,
            mailer,
            health: Arc::default(),
        })
    }
}

/// Runs the worker until `shutdown` resolves; jobs in hand get a few seconds to finish.
pub async fn run(
    state: WorkerState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    jobs::run(Arc::new(state), shutdown).await
}

/// What each tick of the schedule records: the alerts of the day, or a digest.
pub fn tick_work<'a>(
    state: &'a WorkerState,
    tick: &'a schedule::Tick,
    now: chrono::DateTime<chrono::Utc>,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Vec<uuid::Uuid>, sea_orm::DbErr>> + Send + 'a>,
> {
    Box::pin(async move {
        match tick.schedule {
            schedule::Schedule::Alerts => alerts::record(state, tick, now).await,
            _ => digest::record(state, tick, now).await,
        }
    })
}
