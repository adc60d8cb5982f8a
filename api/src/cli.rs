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
  import KIND (--plan ID | --member ID) --as EMAIL [--dry-run] FILE
            Import an office's spreadsheet (.xlsx or .csv) as the account EMAIL, with its
            permissions and audit: KIND is renaksi or monev (into a plan), dpa or
            ngo-programmes (into a member); IDs as the API gives them. All or nothing; with
            --dry-run, only says what would change
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
        "import" => match import(&args[2..]).await {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::FAILURE,
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

/// `terbuka import KIND (--plan ID | --member ID) --as EMAIL [--dry-run] FILE`: the same
/// operation as `importSpreadsheet`. `Ok(false)`: the file was refused (its problems printed).
async fn import(args: &[String]) -> anyhow::Result<bool> {
    use entity::sheets::files::{self, SheetKind, Target};
    use entity::sheets::verdict::{Action, ImportError};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let usage = "terbuka import KIND (--plan ID | --member ID) --as EMAIL [--dry-run] FILE";
    let (mut kind, mut target, mut email, mut file, mut dry_run) = (None, None, None, None, false);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--plan" | "--member" => {
                let id = it
                    .next()
                    .ok_or_else(|| anyhow::anyhow!("{arg} needs an id"))?;
                let (wanted, plan) = if arg == "--plan" {
                    ("ActionPlan", true)
                } else {
                    ("Member", false)
                };
                let uuid = entity::ids::decode_as(id, wanted)
                    .or_else(|| uuid::Uuid::parse_str(id).ok())
                    .ok_or_else(|| anyhow::anyhow!("{id:?} is not an id of a {wanted}"))?;
                target = Some(if plan {
                    Target::Plan(uuid)
                } else {
                    Target::Member(uuid)
                });
            }
            "--as" => email = it.next().cloned(),
            "--dry-run" => dry_run = true,
            other if kind.is_none() => {
                kind = Some(SheetKind::parse(other).ok_or_else(|| {
                    anyhow::anyhow!("unknown kind {other:?}: renaksi, monev, dpa or ngo-programmes")
                })?)
            }
            other if file.is_none() => file = Some(other.to_owned()),
            other => anyhow::bail!("unexpected {other:?}\nUsage: {usage}"),
        }
    }
    let (Some(kind), Some(target), Some(email), Some(file)) = (kind, target, email, file) else {
        anyhow::bail!("Usage: {usage}");
    };
    let bytes = std::fs::read(&file).map_err(|e| anyhow::anyhow!("cannot read {file}: {e}"))?;
    let env = Env::from_process();
    let config = crate::Config::from_env(&env)?;
    let wc = &config.worker;
    let (db, _) = worker::db::connect(&wc.database_url, 2).await?;
    let account = entity::account::Entity::find()
        .filter(entity::account::Column::Email.eq(email.trim().to_lowercase()))
        .one(&db)
        .await?
        .filter(|a| a.status == entity::account::AccountStatus::Active)
        .ok_or_else(|| anyhow::anyhow!("no active account {email}"))?;
    let actor = entity::kernel::Actor {
        roles: crate::auth::roles_of(&db, account.id).await?,
        account: Some(account),
        session_id: None,
    };
    let act = entity::kernel::crud::Act {
        db: (&db).into(),
        actor: &actor,
        request_id: Some("command-line import"),
        now: wc.clock.now(),
    };
    let name = std::path::Path::new(&file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let lang = entity::Lang::Id;
    match files::import(&act, kind, target, &name, &bytes, dry_run).await {
        Ok(done) => {
            for v in done
                .verdicts
                .iter()
                .filter(|v| v.action != Action::Unchanged)
            {
                let what = match &v.action {
                    Action::Create => "baru".to_owned(),
                    Action::Change(f) => format!("berubah: {}", f.join(", ")),
                    Action::Unchanged => String::new(),
                };
                println!("{}!{}  {} {}  ({what})", v.sheet, v.row, v.record, v.key);
            }
            println!(
                "{}{} created, {} changed, {} unchanged, {} not in the file",
                if done.dry_run {
                    "dry run, nothing written: "
                } else {
                    "imported: "
                },
                done.created,
                done.changed,
                done.unchanged,
                done.not_in_file
            );
            Ok(true)
        }
        Err(ImportError::Sheet(problems)) => {
            for p in &problems {
                eprintln!("{}", p.describe(lang));
            }
            eprintln!("terbuka: {} problems; nothing was written", problems.len());
            Ok(false)
        }
        Err(ImportError::Outcome(entity::kernel::edit::Outcome::Refused(r))) => {
            for p in r.0.0 {
                eprintln!("{}: {}", p.field.join("."), p.problem.message(lang));
            }
            Ok(false)
        }
        Err(ImportError::Outcome(entity::kernel::edit::Outcome::Denied(_))) => {
            anyhow::bail!("{email} may not import into this member")
        }
        Err(ImportError::Outcome(entity::kernel::edit::Outcome::Db(e))) => Err(e.into()),
        Err(ImportError::Outcome(_)) => anyhow::bail!("a concurrent change: try again"),
    }
}
