//! SQLite durability settings hold on every pooled connection, after the job queue's set-up
//! (which switches `synchronous` off on whatever connection it runs on).

use std::time::Duration;

use sea_orm::sqlx::Row;

use crate::helpers::*;

#[tokio::test]
async fn every_pooled_connection_has_wal_foreign_keys_a_busy_timeout_and_full_sync() {
    if on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
    const N: u32 = 6;
    let (db, _) = worker::db::connect(&url, N).await.unwrap();
    api::app::migrate(&db).await.unwrap();
    worker::db::setup_queue(&url, &db).await.unwrap();
    let pool = db.get_sqlite_connection_pool();
    // Hold every connection at once, so each one in the pool is read.
    let mut held = Vec::new();
    for _ in 0..N {
        held.push(
            tokio::time::timeout(Duration::from_secs(10), pool.acquire())
                .await
                .expect("the pool hands out all its connections")
                .unwrap(),
        );
    }
    assert_eq!(held.len(), N as usize);
    for conn in &mut held {
        let sync: i64 = sea_orm::sqlx::query("PRAGMA synchronous")
            .fetch_one(&mut **conn)
            .await
            .unwrap()
            .get(0);
        let journal: String = sea_orm::sqlx::query("PRAGMA journal_mode")
            .fetch_one(&mut **conn)
            .await
            .unwrap()
            .get(0);
        let fk: i64 = sea_orm::sqlx::query("PRAGMA foreign_keys")
            .fetch_one(&mut **conn)
            .await
            .unwrap()
            .get(0);
        let busy: i64 = sea_orm::sqlx::query("PRAGMA busy_timeout")
            .fetch_one(&mut **conn)
            .await
            .unwrap()
            .get(0);
        assert_eq!(sync, 2, "synchronous = FULL");
        assert_eq!(journal, "wal");
        assert_eq!(fk, 1);
        assert_eq!(busy, 15_000);
    }
}
