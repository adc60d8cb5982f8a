//! The worker alone, for scale-out: any number of these share one PostgreSQL database with
//! the api processes. Runs until SIGTERM or SIGINT.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    worker::standalone::main(worker::env::Env::from_process()).await
}
