//! What a worker process needs that the API provides in the all-in-one run.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

use crate::WorkerState;
use crate::config::{Mode, WorkerConfig};
use crate::env::Env;

/// The `worker` binary: configuration from `env`, logs, then work until signalled.
pub async fn main(env: Env) -> std::process::ExitCode {
    crate::telemetry::init(
        env.string("TERBUKA_LOG_FORMAT", "text") == "json",
        &env.string("TERBUKA_LOG", "info,sqlx=warn,apalis=warn,sea_orm=warn"),
    );
    match run(env).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("worker: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `worker check`: the database answers and has the schema.
pub async fn check_database(env: Env) -> std::process::ExitCode {
    let result = async {
        let config = WorkerConfig::from_env(&env)?;
        let (db, _) = crate::db::connect(&config.database_url, 2).await?;
        let probe = Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM mail_delivery WHERE 1 = 0",
        );
        db.query_one_raw(probe).await?;
        anyhow::Ok(())
    }
    .await;
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("worker: not ready: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(env: Env) -> anyhow::Result<()> {
    let config = Arc::new(WorkerConfig::from_env(&env)?);
    check(&config)?;
    let (db, _) = crate::db::connect(&config.database_url, config.db_max_connections).await?;
    wait_for_schema(&db).await?;
    crate::db::setup_queue(&config.database_url, &db).await?;
    let state = WorkerState::new(db, config)?;
    crate::run(state, shutdown_signal()).await
}

/// The stand-alone worker is for scale-out, which needs PostgreSQL: several processes writing
/// one SQLite file in production is refused.
pub fn check(config: &WorkerConfig) -> anyhow::Result<()> {
    if config.mode == Mode::Production && config.is_sqlite() {
        anyhow::bail!(
            "TERBUKA_DATABASE_URL: a separate worker process in production needs PostgreSQL; \
             on SQLite run the all-in-one `terbuka` process instead"
        );
    }
    Ok(())
}

/// Waits (up to a minute) for the API to have created the schema.
pub async fn wait_for_schema(db: &DatabaseConnection) -> anyhow::Result<()> {
    let probe = Statement::from_string(
        db.get_database_backend(),
        "SELECT COUNT(*) FROM mail_delivery WHERE 1 = 0",
    );
    for attempt in 0..60 {
        if db.query_one_raw(probe.clone()).await.is_ok() {
            return Ok(());
        }
        if attempt == 0 {
            tracing::info!(
                "waiting for the database schema (run `terbuka migrate` or start the api)"
            );
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    anyhow::bail!("the database has no Terbuka schema: run `terbuka migrate` first")
}

/// Resolves on SIGTERM or SIGINT.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received");
}
