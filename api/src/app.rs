//! Start-up and serving: connect, migrate, set up the queue, load the demo, then serve HTTP
//! (and, in the all-in-one mode, run the worker) until told to stop.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use sea_orm_migration::MigratorTrait;
use tokio::net::TcpListener;
use tokio::sync::watch;
use worker::db::StatementCounter;
use worker::{JobQueue, WorkerState};

use crate::config::Config;
use crate::graphql::{self, TerbukaSchema};
use crate::http::{self, HttpState, metrics::Metrics};
use crate::state::AppState;

/// A process ready to serve.
pub struct Prepared {
    pub state: AppState,
    pub schema: TerbukaSchema,
    pub statements: StatementCounter,
    pub metrics: Arc<Metrics>,
}

/// Connects to the database, applies migrations, prepares the job queue and loads the demo
/// data when configured.
pub async fn prepare(config: Config) -> anyhow::Result<Prepared> {
    let config = Arc::new(config);
    let wc = &config.worker;
    let (db, statements) = worker::db::connect(&wc.database_url, wc.db_max_connections).await?;
    migrate(&db).await?;
    worker::db::setup_queue(&wc.database_url, &db).await?;
    let created = crate::operators::ensure_first_operator(
        &db,
        config.admin_email.as_deref(),
        config.admin_password.as_deref(),
        wc.clock.now(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("TERBUKA_ADMIN_EMAIL/TERBUKA_ADMIN_PASSWORD: {e}"))?;
    if created {
        tracing::info!(
            email = config.admin_email.as_deref(),
            "first operator account created"
        );
    }
    if config.demo {
        crate::demo::load(&db, &wc.clock)
            .await
            .context("cannot load the demo data")?;
    }
    let state = AppState {
        queue: JobQueue::for_db(&db),
        clock: wc.clock.clone(),
        signer: worker::tokens::Signer::new(&wc.secret),
        limiter: Arc::new(crate::auth::RateLimiter::default()),
        dashboards: Arc::new(entity::dashboard::Cache::default()),
        metrics: Arc::new(Metrics::default()),
        db,
        config: config.clone(),
    };
    let schema = graphql::build(Some(state.clone()), config.limits);
    Ok(Prepared {
        schema,
        statements,
        metrics: state.metrics.clone(),
        state,
    })
}

/// Runs `work` again after a pause while SQLite refuses it with "database is locked" (up to 20
/// times, about 21 s in all). Another process on the same file — a running server beside a
/// command-line `migrate` or `create-admin` — can make SQLite refuse at once instead of waiting
/// out its busy timeout (a read snapshot that must be upgraded, a WAL being recovered).
pub async fn when_unlocked<T, E: std::fmt::Display>(
    mut work: impl AsyncFnMut() -> Result<T, E>,
) -> Result<T, E> {
    let mut tries = 0;
    loop {
        match work().await {
            Err(e) if tries < 20 && e.to_string().contains("database is locked") => {
                tries += 1;
                tracing::debug!(tries, "the database is locked; trying again");
                tokio::time::sleep(Duration::from_millis(100 * tries)).await;
            }
            other => return other,
        }
    }
}

/// Applies pending migrations. On PostgreSQL an advisory lock keeps two processes starting at
/// once from racing.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    const LOCK: i64 = 0x7465_7262_756b; // "terbuk"
    if db.get_database_backend() == DbBackend::Postgres {
        // One connection holds the lock for the whole run.
        let pool = db.get_postgres_connection_pool();
        let mut conn = pool.acquire().await?;
        sea_orm::sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(LOCK)
            .execute(&mut *conn)
            .await?;
        let result = migration::Migrator::up(db, None).await;
        sea_orm::sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(LOCK)
            .execute(&mut *conn)
            .await?;
        result.context("cannot apply the migrations")?;
    } else {
        when_unlocked(async || migration::Migrator::up(db, None).await)
            .await
            .context("cannot apply the migrations")?;
    }
    // A connection check that also fails early on a read-only database file.
    db.execute_unprepared("SELECT 1").await?;
    Ok(())
}

/// Serves HTTP on `listener` (and runs the worker when configured) until `shutdown` resolves.
/// Requests in flight complete; the process has at most a few seconds to wind down.
pub async fn serve(
    prepared: Prepared,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let Prepared {
        state,
        schema,
        metrics,
        ..
    } = prepared;
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut worker_health = None;
    let worker = if state.config.run_worker {
        let ws = WorkerState::new(state.db.clone(), Arc::new(state.config.worker.clone()))?;
        worker_health = Some(ws.health.clone());
        let mut rx = stop_rx.clone();
        Some(tokio::spawn(worker::run(ws, async move {
            let _ = rx.wait_for(|stop| *stop).await;
        })))
    } else {
        None
    };
    let sockets = tokio_util::task::TaskTracker::new();
    let http_state = HttpState {
        app: state,
        metrics,
        stop: stop_rx.clone(),
        sockets: sockets.clone(),
        worker_health,
    };
    let endpoint = graphql::transport::Endpoint {
        http: http_state.clone(),
        schema,
        executor: graphql::executor::Executor::per_core(),
    };
    let app = http::router(http_state, graphql::transport::routes(endpoint));
    let mut http_stop = stop_rx.clone();
    use axum::serve::ListenerExt;
    let server = axum::serve(
        http::conn::CodedListener(listener).tap_io(|_| ()),
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        let _ = http_stop.wait_for(|stop| *stop).await;
    });
    let server = tokio::spawn(async move { server.await });
    shutdown.await;
    tracing::info!("shutting down: finishing requests in flight");
    let _ = stop_tx.send(true);
    // In-flight requests get a few seconds; then the process goes regardless.
    match tokio::time::timeout(Duration::from_secs(4), server).await {
        Ok(Ok(Ok(()))) => {}
        Ok(Ok(Err(e))) => tracing::warn!(error = %e, "HTTP server stopped with an error"),
        Ok(Err(e)) => tracing::warn!(error = %e, "HTTP server task failed"),
        Err(_) => tracing::warn!("requests still open after 4 s; closing them"),
    }
    // WebSocket connections end their subscriptions and close with a frame on `stop`.
    sockets.close();
    if tokio::time::timeout(Duration::from_secs(2), sockets.wait())
        .await
        .is_err()
    {
        tracing::warn!("WebSocket connections still open after 2 s; dropping them");
    }
    if let Some(worker) = worker {
        match tokio::time::timeout(Duration::from_secs(4), worker).await {
            Ok(Ok(Err(e))) => tracing::warn!(error = %e, "worker stopped with an error"),
            Err(_) => tracing::warn!("worker still busy after 4 s; leaving its claims to expire"),
            _ => {}
        }
    }
    tracing::info!("stopped");
    Ok(())
}

#[cfg(test)]
mod when_unlocked_tests {
    use super::when_unlocked;

    #[tokio::test]
    async fn a_locked_database_is_asked_again_and_other_errors_are_not() {
        let mut calls = 0;
        let done: Result<u32, String> = when_unlocked(async || {
            calls += 1;
            if calls < 3 {
                Err("Query Error: (code: 5) database is locked".to_owned())
            } else {
                Ok(calls)
            }
        })
        .await;
        assert_eq!(done, Ok(3));
        let mut calls = 0;
        let refused: Result<(), String> = when_unlocked(async || {
            calls += 1;
            Err("an account with the address x already exists".to_owned())
        })
        .await;
        assert!(refused.is_err());
        assert_eq!(calls, 1);
    }
}
