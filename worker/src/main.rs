//! The worker alone, for scale-out: any number of these share one PostgreSQL database with
//! the api processes. Runs until SIGTERM or SIGINT. `worker check` exits 0 when the database
//! answers and has the schema (for container health checks).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let env = worker::env::Env::from_process();
    if std::env::args().nth(1).as_deref() == Some("check") {
        return worker::standalone::check_database(env).await;
    }
    worker::standalone::main(env).await
}
