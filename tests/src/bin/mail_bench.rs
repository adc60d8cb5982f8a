//! The digest benchmark (BENCHMARKS.md): 10,000 weekly digests recorded by the scheduler,
//! rendered and delivered through the worker's queue to a local SMTP sink, beside a plain
//! SMTP client (lettre, pooled) sending the same number of messages to the same sink at the
//! same concurrency, in the same run.
//!
//! `cargo build --release -p tests --bin terbuka-mail-bench && target/release/terbuka-mail-bench`
//! (TERBUKA_BENCH_DIGESTS, default 10000; TERBUKA_BENCH_POSTGRES_URL adds a PostgreSQL run.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use entity::mail_delivery::{self, DeliveryStatus};
use entity::subscription::{self, DigestFrequency, SubscriberKind, SubscriptionStatus};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use uuid::Uuid;

const CONCURRENCY: usize = 8;

/// A minimal SMTP server that accepts and discards every message; counts them.
async fn sink() -> anyhow::Result<(u16, Arc<AtomicU64>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    let count = Arc::new(AtomicU64::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let c = c.clone();
            // Replies go out at once (no Nagle delay against the client's delayed ACKs).
            let _ = socket.set_nodelay(true);
            tokio::spawn(async move {
                let (r, mut w) = socket.into_split();
                let mut lines = BufReader::new(r).lines();
                if w.write_all(b"220 sink ESMTP\r\n").await.is_err() {
                    return;
                }
                let mut data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if data {
                        if line == "." {
                            data = false;
                            c.fetch_add(1, Ordering::Relaxed);
                            let _ = w.write_all(b"250 queued\r\n").await;
                        }
                        continue;
                    }
                    let verb = line.get(..4).unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250 PIPELINING\r\n",
                        "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                        "DATA" => {
                            data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    if w.write_all(reply).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok((port, count))
}

async fn seed(db: &DatabaseConnection, n: usize) -> anyhow::Result<()> {
    let generated = api::demo::generate::generate(
        db,
        "Kabupaten Uji",
        api::demo::generate::Shape {
            members: 1,
            plans_per_member: 1,
            commitments_per_plan: 10,
            milestones_per_commitment: 5,
            organisations_per_member: 5,
            funded_every: 0,
        },
    )
    .await?;
    let member = generated.members[0];
    let now = Utc::now();
    // Something for every digest to say: a public seminar next week.
    use entity::event::{self, EventKind, EventStatus};
    event::Entity::insert(event::ActiveModel {
        id: Set(Uuid::now_v7()),
        member_id: Set(member),
        plan_id: Set(None),
        kind: Set(EventKind::Seminar),
        title: Set("Diskusi terbuka bersama Bupati terpilih".into()),
        description: Set(None),
        organiser_id: Set(None),
        venue_name: Set(Some("Ruang PPID".into())),
        venue_address: Set(None),
        venue_room: Set(None),
        online_url: Set(None),
        starts_at: Set("2018-08-06T02:00:00Z".parse()?),
        ends_at: Set(None),
        is_public: Set(true),
        channel: Set(None),
        recurrence: Set(None),
        status: Set(EventStatus::Planned),
        minutes: Set(None),
        attendee_count: Set(None),
        held_at: Set(None),
        closed_at: Set(None),
        sequence: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
    })
    .exec_without_returning(db)
    .await?;
    let ids: Vec<usize> = (0..n).collect();
    for chunk in ids.chunks(500) {
        subscription::Entity::insert_many(chunk.iter().map(|i| subscription::ActiveModel {
            id: Set(Uuid::now_v7()),
            member_id: Set(member),
            email: Set(format!("warga{i:05}@example.org")),
            name: Set(Some(format!("Warga {i}"))),
            account_id: Set(None),
            audience: Set(SubscriberKind::Team),
            frequency: Set(DigestFrequency::Weekly),
            lang: Set("id".into()),
            topics: Set(serde_json::json!([
                "PLAN_PROGRESS",
                "EVENTS_AND_INVITATIONS",
                "PUBLICATIONS",
                "DEADLINES"
            ])),
            alerts_off: Set(serde_json::json!([
                "SUBMISSION_DEADLINE",
                "MILESTONE_DUE",
                "FOLLOW_UP_DUE",
                "OGP_REQUIREMENT"
            ])),
            status: Set(SubscriptionStatus::Confirmed),
            requested_at: Set(now),
            confirmed_at: Set(Some(now)),
            unsubscribed_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

async fn run(label: &str, url: &str, n: usize) -> anyhow::Result<()> {
    let (port, sent) = sink().await?;
    let env = worker::env::Env::from_pairs([
        ("TERBUKA_DATABASE_URL".to_owned(), url.to_owned()),
        (
            "TERBUKA_SMTP_URL".to_owned(),
            format!("smtp://127.0.0.1:{port}"),
        ),
        (
            "TERBUKA_MAIL_CONCURRENCY".to_owned(),
            CONCURRENCY.to_string(),
        ),
        (
            "TERBUKA_CLOCK".to_owned(),
            "2018-08-01T09:00:00+07:00".to_owned(),
        ),
        ("TERBUKA_CLOCK_FROZEN".to_owned(), "true".to_owned()),
        ("TERBUKA_WORKER_POLL_MS".to_owned(), "50".to_owned()),
        ("TERBUKA_SCHEDULER".to_owned(), "false".to_owned()),
        ("TERBUKA_DB_MAX_CONNECTIONS".to_owned(), "16".to_owned()),
    ]);
    let config = worker::WorkerConfig::from_env(&env)?;
    let (db, _) = worker::db::connect(url, 16).await?;
    api::app::migrate(&db).await?;
    worker::db::setup_queue(url, &db).await?;
    seed(&db, n).await?;
    let state = Arc::new(worker::WorkerState::new(db.clone(), Arc::new(config))?);

    // Terbuka: the scheduler records the digests, the worker's queue renders and sends them.
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(worker::jobs::run(state.clone(), async move {
        let _ = stop_rx.await;
    }));
    let started = Instant::now();
    let ids = worker::schedule::run_due(&state, worker::tick_work)
        .await?
        .recorded;
    let recorded = started.elapsed();
    state
        .queue
        .push_mail(&ids, state.config.mail_attempts as usize)
        .await?;
    let queued = started.elapsed();
    loop {
        let done = mail_delivery::Entity::find()
            .filter(mail_delivery::Column::Template.eq("digest"))
            .filter(mail_delivery::Column::Status.eq(DeliveryStatus::Sent))
            .count(&db)
            .await?;
        if done as usize >= n {
            break;
        }
        if started.elapsed() > Duration::from_secs(1800) {
            anyhow::bail!("only {done} of {n} digests sent after 30 minutes");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let total = started.elapsed();
    let _ = stop_tx.send(());
    let _ = worker.await;
    let received = sent.load(Ordering::Relaxed);
    println!(
        "{label}: {n} digests — recorded in {:.2} s ({:.0}/s), queued at {:.2} s, all sent at {:.2} s: {:.0} messages/s end to end ({received} received by the sink)",
        recorded.as_secs_f64(),
        n as f64 / recorded.as_secs_f64(),
        queued.as_secs_f64(),
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
    );

    // The same number of messages from a plain pooled SMTP client, same sink, same concurrency.
    let sample = state.mailer.build(
        &mail_delivery::Entity::find()
            .filter(mail_delivery::Column::Template.eq("digest"))
            .one(&db)
            .await?
            .expect("a digest"),
    );
    let body = sample.map_err(|e| anyhow::anyhow!(e))?.formatted();
    let transport = Arc::new(
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous("127.0.0.1")
            .port(port)
            .pool_config(lettre::transport::smtp::PoolConfig::new().max_size(CONCURRENCY as u32))
            .build(),
    );
    let before = sent.load(Ordering::Relaxed);
    let started = Instant::now();
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = vec![];
    for _ in 0..CONCURRENCY {
        let (t, next, body) = (transport.clone(), next.clone(), body.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i as usize >= n {
                    return anyhow::Ok(());
                }
                let m = Message::builder()
                    .from("Pemerintahan Terbuka <noreply@terbuka.test>".parse()?)
                    .to(format!("warga{i:05}@example.org").parse()?)
                    .subject("Ringkasan mingguan Pemerintahan Terbuka")
                    .body(String::from_utf8_lossy(&body).into_owned())?;
                t.send(m).await?;
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let plain = started.elapsed();
    println!(
        "{label}: plain SMTP client, {n} messages of the same size: {:.2} s, {:.0} messages/s ({} received)",
        plain.as_secs_f64(),
        n as f64 / plain.as_secs_f64(),
        sent.load(Ordering::Relaxed) - before
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = std::env::var("TERBUKA_BENCH_DIGESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    println!("concurrency {CONCURRENCY} (TERBUKA_MAIL_CONCURRENCY), {n} digests");
    let dir = tempfile::tempdir()?;
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("mail-bench.db").display()
    );
    run("SQLite", &sqlite, n).await?;
    if let Ok(pg) = std::env::var("TERBUKA_BENCH_POSTGRES_URL") {
        let name = format!("terbuka_mail_bench_{}", Uuid::new_v4().simple());
        let admin = sea_orm::Database::connect(&pg).await?;
        use sea_orm::ConnectionTrait;
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
        let result = run("PostgreSQL", &tests::with_database(&pg, &name), n).await;
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        result?;
    }
    Ok(())
}
