//! A stand-alone worker process for the end-to-end tests (they start it and kill -9 it).

#[tokio::main]
async fn main() -> std::process::ExitCode {
    worker::standalone::main(worker::env::Env::from_process()).await
}
