//! The `terbuka` command, built inside the tests package so the end-to-end tests can start it
//! as a real process (SIGTERM, two api processes on one database).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    api::cli::main(std::env::args().collect()).await
}
