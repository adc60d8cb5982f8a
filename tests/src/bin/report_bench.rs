//! The report benchmark (BENCHMARKS.md): report generation time for the large data set — the
//! dashboard benchmark's 20 members, 100 plans, 2,000 commitments and 20,000 milestones, plus
//! one plan of 2,000 commitments and 20,000 milestones with an IRM assessment of every
//! commitment — each report made by the worker's own job (claim, read, render, store, finish),
//! in one process, on SQLite and PostgreSQL; with the time spent reading the data, the file's
//! size and pages, and the process's peak RSS.
//!
//! `cargo build --release -p tests --bin terbuka-report-bench &&
//!  TERBUKA_BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres target/release/terbuka-report-bench`

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use entity::assessment::{self, AssessmentKind, Framework};
use entity::commitment;
use entity::commitment_assessment::{self, Completion, Diog, PotentialImpact};
use entity::report::{self, ReportFormat, ReportKind, ReportStatus};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The large plan and its assessment.
async fn seed(db: &DatabaseConnection) -> anyhow::Result<(Uuid, Uuid, Uuid)> {
    use api::demo::generate::{Shape, generate};
    generate(db, "Kabupaten Uji", Shape::BENCHMARK).await?;
    let big = generate(
        db,
        "Kabupaten Besar",
        Shape {
            members: 1,
            organisations_per_member: 25,
            plans_per_member: 1,
            commitments_per_plan: 2_000,
            milestones_per_commitment: 10,
            funded_every: 2,
        },
    )
    .await?;
    let (member, plan) = (big.members[0], big.plans[0]);
    let now = Utc::now();
    let a = Uuid::now_v7();
    assessment::Entity::insert(assessment::ActiveModel {
        id: Set(a),
        member_id: Set(member),
        plan_id: Set(plan),
        kind: Set(AssessmentKind::IrmEndOfTerm),
        framework: Set(Framework::IrmPre2020),
        title: Set("Laporan Akhir IRM (tolok ukur)".into()),
        assessor: Set(None),
        published_on: Set(None),
        url: Set(None),
        findings: Set(None),
        recommendations: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec(db)
    .await?;
    let ids: Vec<Uuid> = commitment::Entity::find()
        .filter(commitment::Column::PlanId.eq(plan))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    for chunk in ids.chunks(500) {
        let rows = chunk
            .iter()
            .enumerate()
            .map(|(i, c)| commitment_assessment::ActiveModel {
                id: Set(Uuid::now_v7()),
                member_id: Set(member),
                assessment_id: Set(a),
                commitment_id: Set(*c),
                verifiable: Set(Some(true)),
                relevant_values: Set(serde_json::json!(["ACCESS_TO_INFORMATION"])),
                potential_impact: Set(Some(if i % 3 == 0 {
                    PotentialImpact::Transformative
                } else {
                    PotentialImpact::Minor
                })),
                potential_for_results: Set(None),
                completion: Set(Some(if i % 2 == 0 {
                    Completion::Complete
                } else {
                    Completion::Limited
                })),
                did_it_open_government: Set(Some(Diog::Marginal)),
                narrative: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            });
        commitment_assessment::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    Ok((member, plan, a))
}

async fn run(label: &str, url: &str, dir: &std::path::Path) -> anyhow::Result<()> {
    let env = worker::env::Env::from_pairs([
        ("TERBUKA_DATABASE_URL".to_owned(), url.to_owned()),
        (
            "TERBUKA_BLOB_DIR".to_owned(),
            dir.join(format!("files-{label}")).display().to_string(),
        ),
        (
            "TERBUKA_CLOCK".to_owned(),
            "2019-06-01T09:00:00+07:00".to_owned(),
        ),
        ("TERBUKA_CLOCK_FROZEN".to_owned(), "true".to_owned()),
    ]);
    let config = worker::WorkerConfig::from_env(&env)?;
    let (db, _) = worker::db::connect(url, 8).await?;
    api::app::migrate(&db).await?;
    worker::db::setup_queue(url, &db).await?;
    let seeded = Instant::now();
    let (member, plan, assessment) = seed(&db).await?;
    println!(
        "\n{label}: data set generated in {:.1} s (20 members, 100 plans, 2,000 commitments, \
         20,000 milestones; plus one plan of 2,000 commitments and 20,000 milestones)",
        seeded.elapsed().as_secs_f64()
    );
    let state = Arc::new(worker::WorkerState::new(db.clone(), Arc::new(config))?);
    let (_stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    println!(
        "{:<24} {:>6} {:>9} {:>9} {:>11} {:>7} {:>9}",
        "report", "format", "total s", "read s", "size", "pages", "peak RSS"
    );
    let cases = [
        (ReportKind::ActionPlan, ReportFormat::Pdf),
        (ReportKind::ActionPlan, ReportFormat::Xlsx),
        (ReportKind::ActionPlan, ReportFormat::Csv),
        (ReportKind::ActionPlan, ReportFormat::Json),
        (ReportKind::Monev, ReportFormat::Pdf),
        (ReportKind::Monev, ReportFormat::Xlsx),
        (ReportKind::IrmAtAGlance, ReportFormat::Pdf),
        (ReportKind::IrmAtAGlance, ReportFormat::Xlsx),
        (ReportKind::CoCreationChecklist, ReportFormat::Pdf),
    ];
    for (kind, format) in cases {
        let now = state.clock.now();
        let id = Uuid::now_v7();
        let row = report::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            kind: Set(kind),
            format: Set(format),
            plan_id: Set(Some(plan)),
            event_id: Set(None),
            assessment_id: Set((kind == ReportKind::IrmAtAGlance).then_some(assessment)),
            lang: Set("id".into()),
            status: Set(ReportStatus::Queued),
            progress: Set(0),
            requested_by: Set(None),
            requested_at: Set(now),
            started_at: Set(None),
            finished_at: Set(None),
            attempts: Set(0),
            claimed_by: Set(None),
            claimed_until: Set(None),
            error: Set(None),
            blob_sha256: Set(None),
            file_name: Set(None),
            size_bytes: Set(None),
            pages: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        };
        report::Entity::insert(row).exec(&db).await?;
        let stored = report::Entity::find_by_id(id)
            .one(&db)
            .await?
            .expect("inserted");
        // The reads alone (the same queries the job makes).
        let read = Instant::now();
        let inputs = worker::report::build::Inputs {
            report: &stored,
            now,
            lead_days: 14,
            public_url: "http://localhost:8080",
        };
        worker::report::build::build(&db, &inputs).await?;
        let read = read.elapsed();
        let started = Instant::now();
        let outcome = worker::report::produce(&state, id, stop_rx.clone()).await?;
        let total = started.elapsed();
        anyhow::ensure!(
            outcome == worker::report::Outcome::Done,
            "{kind:?} {format:?}: {outcome:?}"
        );
        let done = report::Entity::find_by_id(id)
            .one(&db)
            .await?
            .expect("kept");
        println!(
            "{:<24} {:>6} {:>9.2} {:>9.2} {:>8.1} MB {:>7} {:>6.0} MiB",
            format!("{kind:?}"),
            format!("{format:?}").to_uppercase(),
            total.as_secs_f64(),
            read.as_secs_f64(),
            done.size_bytes.unwrap_or(0) as f64 / 1e6,
            done.pages.map_or("—".to_owned(), |p| p.to_string()),
            peak_rss_mib()
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("report-bench.db").display()
    );
    run("SQLite", &sqlite, dir.path()).await?;
    if let Ok(pg) = std::env::var("TERBUKA_BENCH_POSTGRES_URL") {
        let name = format!("terbuka_report_bench_{}", Uuid::new_v4().simple());
        let admin = sea_orm::Database::connect(&pg).await?;
        use sea_orm::ConnectionTrait;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        let result = run("PostgreSQL", &tests::with_database(&pg, &name), dir.path()).await;
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        result?;
    }
    Ok(())
}
