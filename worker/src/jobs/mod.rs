//! The jobs and the loops that feed them, registered on one apalis monitor.

pub mod mail;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use apalis::layers::retry::backoff::{ExponentialBackoff, ExponentialBackoffMaker, MakeBackoff};
use apalis::layers::retry::{BackoffRetryPolicy, HasherRng, RetryPolicy};
use apalis::prelude::*;
use tokio::sync::watch;

use crate::WorkerState;
use crate::queue::{JobQueue, MAIL_QUEUE, REPORT_QUEUE, ReportJob, heartbeat_for};

/// Builds the workers for this process and runs them with the sweeper until `shutdown`.
pub async fn run(
    state: Arc<WorkerState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let sweeper = tokio::spawn(mail::sweep_loop(state.clone(), stop_rx.clone()));
    let report_sweeper = tokio::spawn(crate::report::sweep_loop(state.clone(), stop_rx.clone()));
    let scheduler = state.config.scheduler.then(|| {
        tokio::spawn(crate::schedule::schedule_loop(
            state.clone(),
            stop_rx.clone(),
        ))
    });

    let monitor = Monitor::new()
        .shutdown_timeout(Duration::from_secs(3))
        .on_event(|ctx, event| match event {
            Event::Error(e) => tracing::warn!(worker = ctx.name(), error = %e, "job failed"),
            Event::Stop | Event::Exit => {
                tracing::info!(worker = ctx.name(), ?event, "worker event")
            }
            _ => tracing::trace!(worker = ctx.name(), ?event, "worker event"),
        });
    let monitor = register_mail_worker(monitor, state.clone());
    let monitor = register_report_worker(monitor, state.clone(), stop_rx.clone());
    tracing::info!(worker = %state.config.worker_id, "worker started");
    let result = monitor
        .run_with_signal(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
            Ok(())
        })
        .await;
    let _ = sweeper.await;
    let _ = report_sweeper.await;
    if let Some(s) = scheduler {
        let _ = s.await;
    }
    tracing::info!(worker = %state.config.worker_id, "worker stopped");
    result.map_err(|e| anyhow::anyhow!("worker: {e}"))
}

fn retry_policy(state: &WorkerState) -> BackoffRetryPolicy<ExponentialBackoff<HasherRng>> {
    let config = &state.config;
    let backoff = ExponentialBackoffMaker::new(
        config.mail_backoff,
        Duration::from_secs(600),
        0.1,
        HasherRng::default(),
    )
    .expect("backoff bounds are ordered")
    .make_backoff();
    RetryPolicy::retries(config.mail_attempts.saturating_sub(1) as usize).with_backoff(backoff)
}

fn register_mail_worker(monitor: Monitor, state: Arc<WorkerState>) -> Monitor {
    let config = state.config.clone();
    let (beat, missed) = heartbeat_for(config.orphan_after);
    let name = format!("{}-mail", config.worker_id);
    match state.queue.clone() {
        JobQueue::Sqlite(pool) => monitor.register(move |_| {
            let storage = apalis_sqlite::SqliteStorage::<mail::Job>::new(&pool)
                .with_config(
                    apalis_sqlite::Config::default()
                        .queue(MAIL_QUEUE)
                        .heartbeat_interval(beat)
                        .missed_heartbeats(missed),
                )
                .poll_with_interval(config.poll_interval);
            WorkerBuilder::new(name.clone())
                .backend(storage)
                .concurrency(config.mail_concurrency)
                .retry(retry_policy(&state))
                .data(state.clone())
                .build(mail::deliver)
        }),
        JobQueue::Postgres(pool) => monitor.register(move |_| {
            let storage = apalis_postgres::PostgresStorage::<mail::Job>::new(&pool)
                .with_config(
                    apalis_postgres::Config::default()
                        .queue(MAIL_QUEUE)
                        .heartbeat_interval(beat)
                        .missed_heartbeats(missed),
                )
                .poll_with_interval(config.poll_interval);
            WorkerBuilder::new(name.clone())
                .backend(storage)
                .concurrency(config.mail_concurrency)
                .retry(retry_policy(&state))
                .data(state.clone())
                .build(mail::deliver)
        }),
    }
}

/// Reports: no retry layer (the report row counts its own attempts and the sweeper queues a
/// retry after a pause); the job watches `stop` so a render in progress is handed back.
fn register_report_worker(
    monitor: Monitor,
    state: Arc<WorkerState>,
    stop: watch::Receiver<bool>,
) -> Monitor {
    let config = state.config.clone();
    let (beat, missed) = heartbeat_for(config.orphan_after);
    let name = format!("{}-report", config.worker_id);
    match state.queue.clone() {
        JobQueue::Sqlite(pool) => monitor.register(move |_| {
            let storage = apalis_sqlite::SqliteStorage::<ReportJob>::new(&pool)
                .with_config(
                    apalis_sqlite::Config::default()
                        .queue(REPORT_QUEUE)
                        .heartbeat_interval(beat)
                        .missed_heartbeats(missed),
                )
                .poll_with_interval(config.poll_interval);
            WorkerBuilder::new(name.clone())
                .backend(storage)
                .concurrency(config.report_concurrency)
                .data(state.clone())
                .data(stop.clone())
                .build(crate::report::job)
        }),
        JobQueue::Postgres(pool) => monitor.register(move |_| {
            let storage = apalis_postgres::PostgresStorage::<ReportJob>::new(&pool)
                .with_config(
                    apalis_postgres::Config::default()
                        .queue(REPORT_QUEUE)
                        .heartbeat_interval(beat)
                        .missed_heartbeats(missed),
                )
                .poll_with_interval(config.poll_interval);
            WorkerBuilder::new(name.clone())
                .backend(storage)
                .concurrency(config.report_concurrency)
                .data(state.clone())
                .data(stop.clone())
                .build(crate::report::job)
        }),
    }
}
