//! A fresh database per test: a SQLite file in a temporary directory, or — when
//! `TERBUKA_TEST_DATABASE_URL` names a PostgreSQL server — a new database cloned from a migrated
//! template (made once per schema version), dropped when the test ends.

use std::time::Duration;

use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::{self, Connection, Executor, PgConnection};

/// The PostgreSQL admin URL the tests run against, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("TERBUKA_TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

pub use tests::with_database;

/// The template's name changes whenever the migrations do.
fn template_name() -> String {
    format!("terbuka_tpl_{}", migration::FINGERPRINT)
}

/// A new database cloned from the template; returns its URL and name.
pub async fn create_postgres(admin_url: &str) -> (String, String) {
    let template = template_name();
    let mut admin = PgConnection::connect(admin_url)
        .await
        .expect("TERBUKA_TEST_DATABASE_URL: cannot connect to PostgreSQL");
    // One process at a time builds the template.
    admin
        .execute("SELECT pg_advisory_lock(8362011)")
        .await
        .unwrap();
    let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1")
        .bind(&template)
        .fetch_optional(&mut admin)
        .await
        .unwrap();
    if exists.is_none() {
        let building = format!("{template}_building");
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {building} WITH (FORCE)"
            )))
            .await
            .unwrap();
        admin
            .execute(sqlx::AssertSqlSafe(format!("CREATE DATABASE {building}")))
            .await
            .unwrap();
        let url = with_database(admin_url, &building);
        let (db, _) = worker::db::connect(&url, 2).await.unwrap();
        api::app::migrate(&db).await.unwrap();
        worker::db::setup_queue(&url, &db).await.unwrap();
        db.close().await.unwrap();
        admin
            .execute(sqlx::AssertSqlSafe(format!(
                "ALTER DATABASE {building} RENAME TO {template}"
            )))
            .await
            .unwrap();
    }
    let name = format!("terbuka_test_{}", uuid::Uuid::new_v4().simple());
    let mut attempts = 0;
    loop {
        let created = admin
            .execute(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {name} TEMPLATE {template}"
            )))
            .await;
        match created {
            Ok(_) => break,
            // The template is briefly busy while another test clones it.
            Err(e) if attempts < 50 => {
                attempts += 1;
                let _ = e;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("cannot create the test database: {e}"),
        }
    }
    admin
        .execute("SELECT pg_advisory_unlock(8362011)")
        .await
        .unwrap();
    let _ = admin.close().await;
    (with_database(admin_url, &name), name)
}

/// Drops a test database (in its own thread and runtime, so it works from `Drop`).
pub fn drop_postgres(admin_url: String, name: String) {
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            if let Ok(pool) = PgPoolOptions::new()
                .max_connections(1)
                .connect(&admin_url)
                .await
            {
                let _ = pool
                    .execute(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .await;
                pool.close().await;
            }
        });
    });
    let _ = handle.join();
}
