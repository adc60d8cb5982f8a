//! Connecting to SQLite or PostgreSQL with the settings Terbuka relies on, and preparing the
//! job-queue tables.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use sea_orm::sqlx::postgres::PgPoolOptions;
use sea_orm::sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sea_orm::{DatabaseConnection, SqlxPostgresConnector, SqlxSqliteConnector};

/// Counts the SQL statements an app instance runs (sea-orm's metric callback): the N+1 tests
/// compare it before and after a request.
#[derive(Clone, Debug, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The pragmas every SQLite connection gets, applied by sqlx on each new connection: foreign
/// keys enforced, a busy timeout instead of an immediate `SQLITE_BUSY`, and
/// `synchronous = FULL` so a committed write survives a power cut.
///
/// WAL (readers do not block the writer) is a property of the database file, switched on once
/// by [`enable_wal`]: asking for it on every new connection needs an exclusive lock that the
/// busy timeout does not wait for, so a connection opened under load would fail.
pub fn sqlite_options(url: &str) -> anyhow::Result<SqliteConnectOptions> {
    Ok(SqliteConnectOptions::from_str(url)
        .with_context(|| format!("cannot read the SQLite URL {url:?}"))?
        .create_if_missing(url.contains("mode=rwc"))
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(15))
        .synchronous(SqliteSynchronous::Full))
}

/// Puts the database file in WAL mode (once; it stays so).
async fn enable_wal(url: &str) -> anyhow::Result<()> {
    use sea_orm::sqlx::{ConnectOptions, Connection};
    let conn = sqlite_options(url)?
        .journal_mode(SqliteJournalMode::Wal)
        .connect()
        .await
        .with_context(|| format!("cannot open the SQLite database {url:?}"))?;
    conn.close().await?;
    Ok(())
}

/// Opens the pool and wraps it for sea-orm, counting statements.
pub async fn connect(
    url: &str,
    max_connections: u32,
) -> anyhow::Result<(DatabaseConnection, StatementCounter)> {
    let mut db = if url.starts_with("sqlite:") {
        enable_wal(url).await?;
        let pool = SqlitePoolOptions::new()
            .max_connections(max_connections)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(30))
            // A connection whose COMMIT failed (a full disk) can come back still counted as in
            // a transaction: SQLite rolled it back itself, the later ROLLBACK failed, and from
            // then on its BEGINs were savepoints that fail at once with "database is locked".
            // Such a connection is closed instead of being handed out again.
            .before_acquire(|conn, _| {
                Box::pin(async move {
                    use sea_orm::sqlx::Connection;
                    Ok(!conn.is_in_transaction())
                })
            })
            .connect_with(sqlite_options(url)?)
            .await
            .with_context(|| format!("cannot open the SQLite database {url:?}"))?;
        SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
    } else {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .connect(url)
            .await
            .with_context(|| format!("cannot connect to PostgreSQL at {}", redact_url(url)))?;
        SqlxPostgresConnector::from_sqlx_postgres_pool(pool)
    };
    let counter = StatementCounter::default();
    let c = counter.0.clone();
    db.set_metric_callback(move |_| {
        c.fetch_add(1, Ordering::Relaxed);
    });
    Ok((db, counter))
}

/// Creates or upgrades apalis's own tables.
///
/// apalis's SQLite set-up switches `synchronous` OFF on the connection it runs on, so it runs on
/// a throwaway one-connection pool and never touches the pool Terbuka writes through.
pub async fn setup_queue(url: &str, db: &DatabaseConnection) -> anyhow::Result<()> {
    if url.starts_with("sqlite:") {
        let throwaway = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(sqlite_options(url)?)
            .await?;
        let result = apalis_sqlite::SqliteStorage::setup(&throwaway).await;
        throwaway.close().await;
        result.context("cannot set up the job queue tables (SQLite)")?;
    } else {
        apalis_postgres::PostgresStorage::setup(db.get_postgres_connection_pool())
            .await
            .context("cannot set up the job queue tables (PostgreSQL)")?;
    }
    Ok(())
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for logs and errors.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(colon) => format!("{}{}:***{}", &url[..s + 3], &creds[..colon], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            super::redact_url("postgres://app:hunter2@db:5432/terbuka"),
            "postgres://app:***@db:5432/terbuka"
        );
        assert_eq!(
            super::redact_url("sqlite://terbuka.db"),
            "sqlite://terbuka.db"
        );
    }
}
