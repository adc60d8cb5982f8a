//! The spreadsheet benchmark (BENCHMARKS.md): a Renaksi matrix of 2,000 commitments and 20,000
//! milestones exported to XLSX and imported into an empty plan through `sheets::files` — the
//! dry run, the real run (every row through createCommitment or createMilestone, with
//! permissions, rules and audit, in one transaction) and the same file again (nothing to do) —
//! on SQLite and PostgreSQL, each step's time and the process's peak RSS during it; and the
//! limits' worst shapes: the longest sheet allowed read, a sheet of 50,000 rows refused.
//!
//! `cargo build --release -p tests --bin terbuka-import-bench &&
//!  TERBUKA_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres target/release/terbuka-import-bench`

use std::time::Instant;

use chrono::Utc;
use entity::account::{self, AccountStatus};
use entity::action_plan::{self, PlanLevel, PlanStatus};
use entity::kernel::{Actor, crud::Act};
use entity::role_grant::{self, Role};
use entity::sheets::files::{self, SheetKind, Target};
use entity::sheets::read::{self, Format, MAX_ROWS};
use entity::sheets::table::Value;
use entity::sheets::{renaksi, write};
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, PaginatorTrait};
use uuid::Uuid;

fn status_mib(field: &str) -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The RSS when a step began (MiB) and the peak since (MiB).
fn peak_mib(start: f64) -> (f64, f64) {
    (start, status_mib("VmHWM:"))
}

/// Starts a new peak-RSS reading from the present RSS (Linux: `clear_refs` 5); the RSS now.
fn reset_peak() -> f64 {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    status_mib("VmRSS:")
}

/// An account of the secretariat of `member`, as the API's signed-in admin is.
async fn secretariat(db: &DatabaseConnection, member: Uuid) -> anyhow::Result<Actor> {
    let now = Utc::now();
    let a = account::ActiveModel::from(account::Model {
        id: Uuid::now_v7(),
        email: "sekretariat@besar.go.id".into(),
        name: "Sekretariat".into(),
        password_hash: None,
        status: AccountStatus::Active,
        is_operator: false,
        person_id: None,
        lang: "id".into(),
        failed_logins: 0,
        locked_until: None,
        last_login_at: None,
        deactivated_at: None,
        erased_at: None,
        created_at: now,
        updated_at: now,
        version: 1,
    })
    .insert(db)
    .await?;
    let roles = [Role::Admin, Role::Secretariat];
    for role in roles {
        role_grant::ActiveModel::from(role_grant::Model {
            id: Uuid::now_v7(),
            account_id: a.id,
            member_id: member,
            role,
            granted_by: None,
            granted_at: now,
        })
        .insert(db)
        .await?;
    }
    Ok(Actor {
        account: Some(a),
        session_id: None,
        roles: roles.iter().map(|r| (member, *r)).collect(),
    })
}

async fn empty_plan(db: &DatabaseConnection, member: Uuid) -> anyhow::Result<Uuid> {
    let now = Utc::now();
    let plan = action_plan::ActiveModel::from(action_plan::Model {
        id: Uuid::now_v7(),
        member_id: member,
        level: PlanLevel::Regional,
        part_of_id: None,
        follows_id: None,
        title: "Renaksi dari berkas".into(),
        period_start: None,
        period_end: None,
        submission_deadline: None,
        submitted_on: None,
        document_version: None,
        status: PlanStatus::CoCreation,
        summary: None,
        created_at: now,
        updated_at: now,
        version: 1,
    })
    .insert(db)
    .await?;
    Ok(plan.id)
}

fn line(step: &str, seconds: f64, (start, peak): (f64, f64), what: &str) {
    println!(
        "  {step:<34} {seconds:>7.2} s   RSS {start:>6.1} MiB at the start, peak {peak:>6.1} MiB   {what}"
    );
}

/// The plan's size (`TERBUKA_IMPORT_BENCH_COMMITMENTS`, 2,000 unless set), ten milestones each.
fn commitments() -> usize {
    std::env::var("TERBUKA_IMPORT_BENCH_COMMITMENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000)
}

async fn run(label: &str, url: &str) -> anyhow::Result<()> {
    use api::demo::generate::{Shape, generate};
    let (db, _) = worker::db::connect(url, 8).await?;
    api::app::migrate(&db).await?;
    let big = generate(
        &db,
        "Kabupaten Besar",
        Shape {
            members: 1,
            organisations_per_member: 25,
            plans_per_member: 1,
            commitments_per_plan: commitments(),
            milestones_per_commitment: 10,
            funded_every: 0,
        },
    )
    .await?;
    let (member, source) = (big.members[0], big.plans[0]);
    let actor = secretariat(&db, member).await?;
    println!(
        "{label}: Renaksi matrix of {} commitments and {} milestones",
        commitments(),
        commitments() * 10
    );

    let start = reset_peak();
    let t = Instant::now();
    let file = files::export(
        &db,
        &actor,
        SheetKind::Renaksi,
        Target::Plan(source),
        Format::Xlsx,
    )
    .await?
    .ok_or_else(|| anyhow::anyhow!("the plan is not there"))?;
    line(
        "export to XLSX",
        t.elapsed().as_secs_f64(),
        peak_mib(start),
        &format!("{:.2} MiB", file.bytes.len() as f64 / (1 << 20) as f64),
    );

    let target = empty_plan(&db, member).await?;
    let milestones_before = entity::milestone::Entity::find().count(&db).await?;
    let import = |dry_run: bool| {
        let (db, actor, bytes) = (&db, &actor, &file.bytes);
        async move {
            let act = Act {
                db: db.into(),
                actor,
                request_id: Some("import-bench"),
                now: Utc::now(),
            };
            let start = reset_peak();
            let t = Instant::now();
            let done = files::import(
                &act,
                SheetKind::Renaksi,
                Target::Plan(target),
                "renaksi.xlsx",
                bytes,
                dry_run,
            )
            .await
            .map_err(|e| anyhow::anyhow!("refused: {e:?}"))?;
            anyhow::Ok((t.elapsed().as_secs_f64(), peak_mib(start), done))
        }
    };
    let (s, peak, done) = import(true).await?;
    line(
        "import, dry run (empty plan)",
        s,
        peak,
        &format!("{} to create, {} rows", done.created, done.verdicts.len()),
    );
    let (s, peak, done) = import(false).await?;
    let added = entity::milestone::Entity::find().count(&db).await? - milestones_before;
    line(
        "import (empty plan)",
        s,
        peak,
        &format!("{} created, {added} milestones written", done.created),
    );
    anyhow::ensure!(
        added == commitments() as u64 * 10,
        "{added} milestones written"
    );
    let (s, peak, done) = import(true).await?;
    line(
        "the same file again, dry run",
        s,
        peak,
        &format!("{} unchanged, {} changed", done.unchanged, done.changed),
    );
    let (s, peak, done) = import(false).await?;
    line(
        "the same file again",
        s,
        peak,
        &format!("{} unchanged, {} changed", done.unchanged, done.changed),
    );
    anyhow::ensure!(done.changed == 0 && done.created == 0);
    db.close().await?;
    Ok(())
}

/// The limits' worst shapes: the longest sheet allowed (every column filled), and a sheet of
/// 50,000 rows, in XLSX and CSV.
fn limits() -> anyhow::Result<()> {
    let row = |i: usize| -> Vec<Value> {
        let date = |d: &str| Value::Date(d.parse().unwrap_or_default());
        vec![
            Value::Text(format!("K{:05}", i / 10)),
            Value::Text(format!(
                "Keterbukaan informasi anggaran desa nomor {}",
                i / 10
            )),
            Value::Text("Akses Informasi; Partisipasi Publik".into()),
            Value::Text("Dinas Komunikasi dan Informatika".into()),
            date("2018-09-01"),
            date("2020-08-31"),
            Value::Text(format!("Tonggak {i}: portal data anggaran terbuka")),
            Value::Text("Laporan dan tautan portal".into()),
            date("2018-09-01"),
            date("2019-08-31"),
            Value::Number(10.0),
            Value::Text("Bojonegoro Institute".into()),
        ]
    };
    println!("limits: the worst shapes (read only)");
    for (rows, what) in [(MAX_ROWS, "longest allowed"), (50_000, "refused")] {
        let table: Vec<Vec<Value>> = (0..rows).map(row).collect();
        for (format, bytes) in [
            ("XLSX", write::xlsx("Renaksi", renaksi::COLUMNS, &table)?),
            ("CSV", write::csv(renaksi::COLUMNS, &table)),
        ] {
            let name = format!("renaksi.{}", format.to_lowercase());
            let start = reset_peak();
            let t = Instant::now();
            let result = read::read(&name, &bytes);
            let s = t.elapsed().as_secs_f64();
            let outcome = match &result {
                Ok((_, sheets)) => format!("read, {} rows", sheets[0].rows.len()),
                Err(p) => format!("refused at {}", p.cell.as_deref().unwrap_or("the file")),
            };
            anyhow::ensure!(result.is_ok() == (rows <= MAX_ROWS), "{outcome}");
            line(
                &format!("{format} of {rows} rows ({what})"),
                s,
                peak_mib(start),
                &format!(
                    "{outcome}, {:.2} MiB file",
                    bytes.len() as f64 / (1 << 20) as f64
                ),
            );
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("import-bench.db").display()
    );
    run("SQLite", &sqlite).await?;
    if let Ok(pg) = std::env::var("TERBUKA_BENCH_POSTGRES_URL") {
        let name = format!("terbuka_import_bench_{}", Uuid::new_v4().simple());
        let admin = sea_orm::Database::connect(&pg).await?;
        use sea_orm::ConnectionTrait;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        let result = run("PostgreSQL", &tests::with_database(&pg, &name)).await;
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        result?;
    }
    if std::env::var_os("TERBUKA_IMPORT_BENCH_NO_LIMITS").is_none() {
        limits()?;
    }
    Ok(())
}
