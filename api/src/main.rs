#![recursion_limit = "256"]
//! `terbuka`: the all-in-one process (API + worker) and its maintenance commands.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    api::cli::main(std::env::args().collect()).await
}
