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
    // The first beat lands before this process claims anything (see `entity::worker_beat`).
    let now = entity::clock::real_now();
    if let Err(e) = entity::worker_beat::beat(&state.db, &state.config.worker_id, now).await {
        tracing::warn!(error = %e, "cannot write the worker's first heartbeat");
    }
    if let Err(e) = entity::worker_beat::forget_old(&state.db, now).await {
        tracing::warn!(error = %e, "cannot forget old heartbeats");
    }
    let heart = tokio::spawn(beat_loop(state.clone(), stop_rx.clone()));
    let sweeper = tokio::spawn(mail::sweep_loop(state.clone(), stop_rx.clone()));
    let report_sweeper = tokio::spawn(crate::report::sweep_loop(state.clone(), stop_rx.clone()));
    let bounces = state.config.bounce_maildir.clone().map(|dir| {
        tokio::spawn(crate::bounces::maildir_loop(
            state.clone(),
            dir,
            stop_rx.clone(),
        ))
    });
    let scheduler = state.config.scheduler.then(|| {
        tokio::spawn(crate::schedule::schedule_loop(
            state.clone(),
            stop_rx.clone(),
            crate::tick_work,
        ))
    });

    tracing::info!(worker = %state.config.worker_id, "worker started");
    let mail_worker = tokio::spawn(supervise(
        "mail",
        state.clone(),
        stop_rx.clone(),
        |state, _stop, generation| register_mail_worker(monitor(), state, generation),
    ));
    let report_worker = tokio::spawn(supervise(
        "report",
        state.clone(),
        stop_rx.clone(),
        |state, stop, generation| register_report_worker(monitor(), state, stop, generation),
    ));
    shutdown.await;
    let _ = stop_tx.send(true);
    let _ = mail_worker.await;
    let _ = report_worker.await;
    let _ = sweeper.await;
    let _ = report_sweeper.await;
    if let Some(s) = scheduler {
        let _ = s.await;
    }
    if let Some(b) = bounces {
        let _ = b.await;
    }
    let _ = heart.await;
    // Whatever this process still holds may be taken at once.
    if let Err(e) = entity::worker_beat::stopped(&state.db, &state.config.worker_id).await {
        tracing::warn!(error = %e, "cannot say the worker stopped; its claims lapse in seconds");
    }
    tracing::info!(worker = %state.config.worker_id, "worker stopped");
    Ok(())
}

fn monitor() -> Monitor {
    Monitor::new()
        .shutdown_timeout(SHUTDOWN)
        .on_event(|ctx, event| match event {
            Event::Error(e) => tracing::warn!(worker = ctx.name(), error = %e, "job failed"),
            Event::Stop | Event::Exit => {
                tracing::info!(worker = ctx.name(), ?event, "worker event")
            }
            _ => tracing::trace!(worker = ctx.name(), ?event, "worker event"),
        })
}

/// Jobs in hand get this long to finish on shutdown.
const SHUTDOWN: Duration = Duration::from_secs(3);

/// Runs one kind of job worker until `stop`, and runs it again whenever it ends on its own.
/// apalis ends a worker for good at its first storage error (a full disk, a database that went
/// away); here it comes back after a pause that doubles from one second to thirty (reset once
/// it has run a minute), and [`crate::Health`] says whether it is running meanwhile.
async fn supervise(
    kind: &'static str,
    state: Arc<WorkerState>,
    mut stop: watch::Receiver<bool>,
    build: impl Fn(Arc<WorkerState>, watch::Receiver<bool>, u32) -> Monitor,
) {
    let mut pause = Duration::from_secs(1);
    let mut generation = 0u32;
    loop {
        if *stop.borrow() {
            return;
        }
        let started = std::time::Instant::now();
        state.health.set(kind, true);
        let mut signal = stop.clone();
        let result = build(state.clone(), stop.clone(), generation)
            // Without a terminator apalis waits for the shutdown signal even after every
            // worker has ended; with one, it returns when the workers end (or, on shutdown,
            // after they finish or the grace period passes).
            // (An async block: the grace period starts when the signal has come, not now.)
            .with_terminator(async {
                tokio::time::sleep(SHUTDOWN + Duration::from_millis(500)).await
            })
            .run_with_signal(async move {
                let _ = signal.wait_for(|s| *s).await;
                Ok(())
            })
            .await;
        state.health.set(kind, false);
        if *stop.borrow() {
            return;
        }
        if started.elapsed() > Duration::from_secs(60) {
            pause = Duration::from_secs(1);
        }
        tracing::error!(
            worker = kind,
            ?result,
            pause_ms = pause.as_millis() as u64,
            "the job worker stopped on its own; starting it again after a pause"
        );
        if kind == "mail" {
            // Messages this process held in the jobs that ended go back to the queue before
            // the worker starts again: it could not run while the database refuses writes
            // anyway, and a release that failed would leave them held by a live process.
            // (Tried every second or so: it is one small write, and the sooner it lands the
            // sooner the mail goes out once the database takes writes again.)
            let mut again = Duration::from_millis(500);
            while let Err(e) = release_mail(&state).await {
                tracing::warn!(error = %e, "cannot release this process's mail yet; trying again");
                tokio::select! {
                    _ = tokio::time::sleep(again) => {}
                    _ = stop.changed() => return,
                }
                again = (again * 2).min(Duration::from_secs(2));
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = stop.changed() => return,
        }
        pause = (pause * 2).min(Duration::from_secs(30));
        generation += 1;
    }
}

/// Puts the messages this process holds back in the queue (see [`crate::mail::release_own`]).
async fn release_mail(state: &WorkerState) -> Result<(), sea_orm::DbErr> {
    let ids = crate::mail::release_own(&state.db, &state.mailer.owner).await?;
    if !ids.is_empty()
        && let Err(e) = state
            .queue
            .push_mail(&ids, state.config.mail_attempts as usize)
            .await
    {
        // Released, so unheld: the sweeper queues them once they are `STRANDED_AFTER` due.
        tracing::warn!(error = %e, "cannot queue the released mail; the sweeper will");
    }
    Ok(())
}

/// Writes this process's heartbeat every second until `stop` (real time: liveness is about
/// processes, not the domain clock).
async fn beat_loop(state: Arc<WorkerState>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(entity::worker_beat::BEAT_EVERY) => {}
            _ = stop.changed() => return,
        }
        match entity::worker_beat::beat(
            &state.db,
            &state.config.worker_id,
            entity::clock::real_now(),
        )
        .await
        {
            Ok(()) => state.health.set("beat", true),
            Err(e) => {
                state.health.set("beat", false);
                tracing::warn!(error = %e, "cannot write the worker's heartbeat");
            }
        }
    }
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

/// The apalis worker's name: the process's id, the kind, and how many times it was started
/// again in this process.
fn worker_name(state: &WorkerState, kind: &str, generation: u32) -> String {
    match generation {
        0 => format!("{}-{kind}", state.config.worker_id),
        n => format!("{}-{kind}-{n}", state.config.worker_id),
    }
}

/// Registers one kind of job on the queue's backend, written once for SQLite and PostgreSQL:
/// the storage of `$job` on queue `$queue` with the process's heartbeat settings, and the worker
/// that `$finish` completes from a `WorkerBuilder` already given its backend and concurrency.
macro_rules! register_on_backend {
    ($monitor:expr, $state:expr, $job:ty, $queue:expr, $name:expr, $concurrency:expr, |$builder:ident| $finish:expr) => {{
        let state = $state;
        let config = state.config.clone();
        let (beat, missed) = heartbeat_for(config.orphan_after);
        let name = $name;
        let concurrency = $concurrency;
        match state.queue.clone() {
            JobQueue::Sqlite(pool) => $monitor.register(move |_| {
                let storage = apalis_sqlite::SqliteStorage::<$job>::new(&pool)
                    .with_config(
                        apalis_sqlite::Config::default()
                            .queue($queue)
                            .heartbeat_interval(beat)
                            .missed_heartbeats(missed),
                    )
                    .poll_with_interval(config.poll_interval);
                let $builder = WorkerBuilder::new(name.clone())
                    .backend(storage)
                    .concurrency(concurrency);
                $finish
            }),
            JobQueue::Postgres(pool) => $monitor.register(move |_| {
                let storage = apalis_postgres::PostgresStorage::<$job>::new(&pool)
                    .with_config(
                        apalis_postgres::Config::default()
                            .queue($queue)
                            .heartbeat_interval(beat)
                            .missed_heartbeats(missed),
                    )
                    .poll_with_interval(config.poll_interval);
                let $builder = WorkerBuilder::new(name.clone())
                    .backend(storage)
                    .concurrency(concurrency);
                $finish
            }),
        }
    }};
}

fn register_mail_worker(monitor: Monitor, state: Arc<WorkerState>, generation: u32) -> Monitor {
    let name = worker_name(&state, "mail", generation);
    let concurrency = state.config.mail_concurrency;
    register_on_backend!(
        monitor,
        state.clone(),
        mail::Job,
        MAIL_QUEUE,
        name,
        concurrency,
        |b| {
            b.retry(retry_policy(&state))
                .data(state.clone())
                .build(mail::deliver)
        }
    )
}

/// Reports: no retry layer (the report row counts its own attempts and the sweeper queues a
/// retry after a pause); the job watches `stop` so a render in progress is handed back.
fn register_report_worker(
    monitor: Monitor,
    state: Arc<WorkerState>,
    stop: watch::Receiver<bool>,
    generation: u32,
) -> Monitor {
    let name = worker_name(&state, "report", generation);
    let concurrency = state.config.report_concurrency;
    register_on_backend!(
        monitor,
        state.clone(),
        ReportJob,
        REPORT_QUEUE,
        name,
        concurrency,
        |b| {
            b.data(state.clone())
                .data(stop.clone())
                .build(crate::report::job)
        }
    )
}
