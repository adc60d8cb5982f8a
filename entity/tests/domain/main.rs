//! Domain tests: each capability's operations called directly on a real database, without
//! HTTP or GraphQL. SQLite by default; PostgreSQL when `TERBUKA_TEST_DATABASE_URL` names a
//! server (each test gets a database of its own, dropped at the end).

mod accounts;
mod alignment;
mod assessments;
mod bounces;
mod budget;
mod commitments;
mod decrees;
mod events;
mod fixtures;
mod follow_ups;
mod milestones;
mod national;
mod news;
mod partnership;
mod permissions;
mod plans;
mod public_input;
mod records;
mod registrations;
mod sheets;
mod sheets_more;
mod subscriptions;
mod tree;

use std::str::FromStr;
use std::time::Duration;

use migration::MigratorTrait;
use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{ConnectionTrait, DatabaseConnection, SqlxPostgresConnector, SqlxSqliteConnector};

/// A fresh database with the schema applied.
pub struct TestDb {
    pub db: DatabaseConnection,
    _dir: Option<tempfile::TempDir>,
    /// The admin URL and the database's name, to drop it at the end (PostgreSQL).
    drop: Option<(String, String)>,
}

fn postgres_url() -> Option<String> {
    std::env::var("TERBUKA_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// `admin` with its database name replaced by `name`.
fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (admin, None),
    };
    let cut = base.rfind('/').expect("a database URL has a path");
    match query {
        Some(q) => format!("{}/{name}?{q}", &base[..cut]),
        None => format!("{}/{name}", &base[..cut]),
    }
}

impl TestDb {
    pub async fn fresh() -> TestDb {
        match postgres_url() {
            Some(admin) => {
                let name = format!("terbuka_test_{}", uuid::Uuid::new_v4().simple());
                let a = sea_orm::Database::connect(&admin)
                    .await
                    .expect("TERBUKA_TEST_DATABASE_URL: cannot connect");
                a.execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .unwrap();
                a.close().await.unwrap();
                let pool = PgPoolOptions::new()
                    .max_connections(8)
                    .connect(&with_database(&admin, &name))
                    .await
                    .unwrap();
                let db = SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
                migration::Migrator::up(&db, None).await.unwrap();
                TestDb {
                    db,
                    _dir: None,
                    drop: Some((admin, name)),
                }
            }
            None => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
                let options = SqliteConnectOptions::from_str(&url)
                    .unwrap()
                    .create_if_missing(true)
                    .foreign_keys(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(Duration::from_secs(15))
                    .synchronous(SqliteSynchronous::Full);
                let pool = SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(options)
                    .await
                    .unwrap();
                let db = SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
                migration::Migrator::up(&db, None).await.unwrap();
                TestDb {
                    db,
                    _dir: Some(dir),
                    drop: None,
                }
            }
        }
    }

    /// Closes the pool and drops the database (PostgreSQL).
    pub async fn finish(mut self) {
        self.db.clone().close().await.unwrap();
        if let Some((admin, name)) = self.drop.take() {
            let a = sea_orm::Database::connect(&admin).await.unwrap();
            a.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .unwrap();
            a.close().await.unwrap();
        }
    }
}

/// A test that panics (or forgets `finish`) still leaves no database behind: the drop runs on
/// its own thread and runtime, since `Drop` cannot await.
impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.drop.take() else {
            return;
        };
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok(a) = sea_orm::Database::connect(&admin).await {
                    let _ = a
                        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                    let _ = a.close().await;
                }
            });
        })
        .join();
    }
}

/// The problems an operation refused with (a test failure for anything else).
pub fn refused<T: std::fmt::Debug>(
    r: Result<T, entity::kernel::edit::Outcome>,
) -> entity::Problems {
    use entity::kernel::edit::Outcome;
    match r {
        Err(Outcome::Refused(r)) => r.0,
        Err(Outcome::Denied(d)) => panic!("denied: {d:?}"),
        Err(Outcome::Db(e)) => panic!("database error: {e}"),
        Err(Outcome::Raced) => panic!("raced"),
        Ok(v) => panic!("not refused: {v:?}"),
    }
}

/// How an operation refused permission (a test failure for anything else).
pub fn denied<T: std::fmt::Debug>(
    r: Result<T, entity::kernel::edit::Outcome>,
) -> entity::kernel::edit::Denied {
    use entity::kernel::edit::Outcome;
    match r {
        Err(Outcome::Denied(d)) => d,
        Err(Outcome::Refused(r)) => panic!("refused, not denied: {:?}", r.0),
        Err(Outcome::Db(e)) => panic!("database error: {e}"),
        Err(Outcome::Raced) => panic!("raced"),
        Ok(v) => panic!("not denied: {v:?}"),
    }
}

#[test]
fn the_database_name_is_replaced_in_the_admin_url() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        with_database("postgres://u@h/postgres?sslmode=disable", "t1"),
        "postgres://u@h/t1?sslmode=disable"
    );
}
