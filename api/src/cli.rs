//! The `terbuka` command line: the all-in-one process (API + worker) and its maintenance
//! commands.

use std::process::ExitCode;

use worker::env::Env;

const USAGE: &str = "\
Terbuka — Pemerintahan Terbuka (OGP Local) backend

Usage: terbuka [COMMAND]

Commands:
  serve     Serve the GraphQL API (and run the worker unless TERBUKA_RUN_WORKER=false) [default]
  migrate   Apply database migrations and exit
  schema    Print the GraphQL schema (SDL)
  health    Exit 0 when the server at TERBUKA_BIND is ready (for container health checks)
  create-admin --email ADDRESS [--name NAME]
            Create an operator account (the password is read from TERBUKA_ADMIN_PASSWORD
            or from the first line of standard input)
  export-data FILE
            Write every record and stored file into one archive (a consistent moment of a
            running system): a backup, or the way to another database
  import-data FILE
            Load an archive into an empty database of either backend (TERBUKA_DATABASE_URL),
            all or nothing
  help      Show this help

Configuration comes from TERBUKA_* environment variables; see .env.example.";

/// Runs the command named by the first argument (`serve` when there is none).
pub async fn main(args: Vec<String>) -> ExitCode {
    let command = args.get(1).cloned().unwrap_or_else(|| "serve".to_owned());
    match command.as_str() {
        "schema" => {
            print!("{}", crate::graphql::sdl());
            ExitCode::SUCCESS
        }
        "help" | "--help" | "-h" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        "health" => match health().await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("terbuka: not ready: {e:#}");
                ExitCode::FAILURE
            }
        },
        "create-admin" => match create_admin(&args[2..]).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("terbuka: {e:#}");
                ExitCode::FAILURE
            }
        },
        "export-data" | "import-data" => match data(&command, args.get(2)).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("terbuka: {e:#}");
                ExitCode::FAILURE
            }
        },
        "serve" | "migrate" => match run(&command).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("terbuka: {e:#}");
                ExitCode::FAILURE
            }
        },
        other => {
            eprintln!("terbuka: unknown command {other:?}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

async fn run(command: &str) -> anyhow::Result<()> {
    let env = Env::from_process();
    let config = crate::Config::from_env(&env)?;
    worker::telemetry::init(config.log_json, &config.log_filter);
    if command == "migrate" {
        let wc = &config.worker;
        let (db, _) = worker::db::connect(&wc.database_url, 2).await?;
        crate::app::migrate(&db).await?;
        worker::db::setup_queue(&wc.database_url, &db).await?;
        println!("migrations applied");
        return Ok(());
    }
    let bind = config.bind;
    let worker_inside = config.run_worker;
    let mail = config
        .worker
        .smtp_url
        .as_deref()
        .map(worker::db::redact_url)
        .unwrap_or_else(|| format!("{}/ (.eml files)", config.worker.outbox_dir.display()));
    let prepared = crate::app::prepare(config).await?;
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| anyhow::anyhow!("TERBUKA_BIND: cannot listen on {bind}: {e}"))?;
    let addr = listener.local_addr()?;
    let shown = if addr.ip().is_unspecified() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    };
    println!("Terbuka is running.");
    println!("  GraphiQL: http://{shown}/graphql");
    println!("  Health:   http://{shown}/healthz   Metrics: http://{shown}/metrics");
    println!(
        "  Worker:   {}   Mail: {mail}",
        if worker_inside {
            "in this process"
        } else {
            "separate (TERBUKA_RUN_WORKER=false)"
        }
    );
    crate::app::serve(prepared, listener, worker::standalone::shutdown_signal()).await
}

/// `terbuka export-data FILE` and `terbuka import-data FILE` (see [`worker::archive`]).
async fn data(command: &str, file: Option<&String>) -> anyhow::Result<()> {
    let Some(file) = file else {
        anyhow::bail!("{command} needs the archive's file name: terbuka {command} FILE");
    };
    let env = Env::from_process();
    let config = crate::Config::from_env(&env)?;
    let wc = &config.worker;
    let (db, _) = worker::db::connect(&wc.database_url, 2).await?;
    let manifest = if command == "export-data" {
        // Written next to its name and renamed when whole: a failed export leaves no
        // half-archive behind under the name.
        let partial = format!("{file}.partial");
        let out = std::fs::File::create(&partial)
            .map_err(|e| anyhow::anyhow!("cannot create {partial}: {e}"))?;
        let manifest = match worker::archive::export(&db, &wc.blob_dir, out, wc.clock.now()).await {
            Ok(m) => m,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e.into());
            }
        };
        std::fs::rename(&partial, file)?;
        manifest
    } else {
        let input =
            std::fs::File::open(file).map_err(|e| anyhow::anyhow!("cannot open {file}: {e}"))?;
        crate::app::migrate(&db).await?;
        worker::db::setup_queue(&wc.database_url, &db).await?;
        worker::archive::import(&db, &wc.blob_dir, std::io::BufReader::new(input)).await?
    };
    let records: u64 = manifest.tables.values().sum();
    println!(
        "{} {file}: {records} records in {} tables, {} files, schema {} (from {})",
        if command == "export-data" {
            "exported to"
        } else {
            "imported from"
        },
        manifest.tables.len(),
        manifest.blobs,
        manifest.migration,
        manifest.source
    );
    Ok(())
}

/// Asks the local server's `/readyz` (no curl needed in the container image).
async fn health() -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let env = Env::from_process();
    let bind: std::net::SocketAddr = env
        .string("TERBUKA_BIND", "127.0.0.1:8080")
        .parse()
        .map_err(|_| anyhow::anyhow!("TERBUKA_BIND is not an address"))?;
    let addr = if bind.ip().is_unspecified() {
        std::net::SocketAddr::from(([127, 0, 0, 1], bind.port()))
    } else {
        bind
    };
    let probe = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await?;
        stream
            .write_all(b"GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await?;
        anyhow::Ok(answer)
    };
    let answer = tokio::time::timeout(std::time::Duration::from_secs(5), probe).await??;
    if answer.starts_with("HTTP/1.1 200") {
        Ok(())
    } else {
        anyhow::bail!("{}", answer.lines().next().unwrap_or("no answer"))
    }
}

/// `terbuka create-admin --email ADDRESS [--name NAME]`.
async fn create_admin(args: &[String]) -> anyhow::Result<()> {
    let mut email = None;
    let mut name = "Administrator".to_owned();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--email" => email = it.next().cloned(),
            "--name" => name = it.next().cloned().unwrap_or(name),
            other => anyhow::bail!("unknown option {other:?} (expected --email, --name)"),
        }
    }
    let email = email.ok_or_else(|| anyhow::anyhow!("--email is required"))?;
    let env = Env::from_process();
    let password = match env.get("TERBUKA_ADMIN_PASSWORD") {
        Some(p) => p,
        None => {
            eprintln!("Password for {email} (one line):");
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let config = crate::Config::from_env(&env)?;
    let wc = &config.worker;
    let (db, _) = worker::db::connect(&wc.database_url, 2).await?;
    crate::app::migrate(&db).await?;
    crate::app::when_unlocked(async || {
        crate::operators::create_operator(&db, &email, &name, &password, wc.clock.now())
            .await
            .map_err(|e| anyhow::anyhow!("{e:#}"))
    })
    .await?;
    println!("operator account {email} created");
    Ok(())
}
