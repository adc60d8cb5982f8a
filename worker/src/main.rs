//! The worker alone, for scale-out: any number of these share one PostgreSQL database with
//! the api processes. Runs until SIGTERM or SIGINT.

use std::sync::Arc;

use worker::env::Env;
use worker::{WorkerConfig, WorkerState};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let env = Env::from_process();
    worker::telemetry::init(
        env.string("TERBUKA_LOG_FORMAT", "text") == "json",
        &env.string("TERBUKA_LOG", "info,sqlx=warn,apalis=warn"),
    );
    match run(env).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("worker: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(env: Env) -> anyhow::Result<()> {
    let config = Arc::new(WorkerConfig::from_env(&env)?);
    worker::standalone::check(&config)?;
    let (db, _) = worker::db::connect(&config.database_url, config.db_max_connections).await?;
    worker::standalone::wait_for_schema(&db).await?;
    worker::db::setup_queue(&config.database_url, &db).await?;
    let state = WorkerState::new(db, config)?;
    worker::run(state, worker::standalone::shutdown_signal()).await
}
