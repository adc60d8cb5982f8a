//! Transaction helpers that behave the same on SQLite and PostgreSQL.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, EntityTrait,
    QuerySelect, Select, SqlErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

/// `q` with the rows it reads locked until the write transaction `tx` ends (`FOR UPDATE` on
/// PostgreSQL): a decision made on them cannot be overtaken by a change committed meanwhile.
/// SQLite's write transactions ([`begin_write`]) run one at a time already.
pub fn locked<E: EntityTrait>(q: Select<E>, tx: &DatabaseTransaction) -> Select<E> {
    if tx.get_database_backend() == DbBackend::Postgres {
        q.lock_exclusive()
    } else {
        q
    }
}

/// Begins a transaction that will read and then write.
///
/// On SQLite it is `BEGIN IMMEDIATE`: a deferred transaction that reads first fails at the
/// lock upgrade with `SQLITE_BUSY` under load, whatever the busy timeout. On PostgreSQL it is an
/// ordinary transaction (row locks and unique constraints do the rest).
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let options = TransactionOptions {
        sqlite_transaction_mode: (db.get_database_backend() == DbBackend::Sqlite)
            .then_some(SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    db.begin_with_options(options).await
}

/// Where an operation runs: on the pool (each write its own transaction), or inside the
/// transaction of a larger operation (an import), where each write is a savepoint and nothing
/// is committed until the larger one is.
#[derive(Clone, Copy, Debug)]
pub enum Db<'a> {
    Pool(&'a DatabaseConnection),
    /// A larger write's transaction: each write is a savepoint of it, undone alone if it fails.
    Tx(&'a DatabaseTransaction),
    /// A part of a larger write that is undone whole if any part fails (an import's rows): each
    /// write runs in that transaction itself, without a savepoint — PostgreSQL slows down with
    /// every subtransaction a transaction holds (thousands in a large import), and a read after
    /// the write has nothing to wait for. The audit records of its parts are written together
    /// when the larger write ends ([`within`]).
    Within(&'a Batch<'a>),
}

/// A larger write's transaction and the audit records its parts left to write later, many
/// rows to a statement (when 5,000 are kept, and the rest at its end): nothing reads the audit log during an import, and one statement per
/// record was a quarter of an import's statements.
#[derive(Debug)]
pub struct Batch<'a> {
    tx: &'a DatabaseTransaction,
    audit: std::sync::Mutex<Vec<crate::audit_event::ActiveModel>>,
}

impl Batch<'_> {
    /// Keeps `row` for the end of the larger write, or writes the records kept so far once
    /// there are [`Self::HELD`] of them (an import's memory does not grow with its audit log).
    pub async fn audit(&self, row: crate::audit_event::ActiveModel) -> Result<(), DbErr> {
        let full = {
            let mut held = self
                .audit
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            held.push(row);
            held.len() >= Self::HELD
        };
        if full { self.flush().await } else { Ok(()) }
    }

    /// Audit records kept before they are written.
    const HELD: usize = 5_000;

    /// Writes the kept audit records, in the order they were kept.
    async fn flush(&self) -> Result<(), DbErr> {
        /// 12 columns a record: 6,000 values a statement, under SQLite's and PostgreSQL's
        /// limits on bound parameters.
        const CHUNK: usize = 500;
        let rows = std::mem::take(
            &mut *self
                .audit
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for chunk in rows.chunks(CHUNK) {
            crate::audit_event::Entity::insert_many(chunk.iter().cloned())
                .exec_without_returning(self.tx)
                .await?;
        }
        Ok(())
    }
}

/// Runs `body` as the parts of one larger write in `tx` ([`Db::Within`]), then writes the
/// audit records its parts kept; on an error nothing is written (the caller rolls `tx` back).
pub async fn within<T, E: From<DbErr>>(
    tx: &DatabaseTransaction,
    body: impl AsyncFnOnce(Db<'_>) -> Result<T, E>,
) -> Result<T, E> {
    let batch = Batch {
        tx,
        audit: Default::default(),
    };
    let value = body(Db::Within(&batch)).await?;
    batch.flush().await?;
    Ok(value)
}

impl<'a> From<&'a DatabaseConnection> for Db<'a> {
    fn from(db: &'a DatabaseConnection) -> Self {
        Db::Pool(db)
    }
}

impl<'a> From<&'a DatabaseTransaction> for Db<'a> {
    fn from(tx: &'a DatabaseTransaction) -> Self {
        Db::Tx(tx)
    }
}

impl<'a> Db<'a> {
    /// A connection to read with (the larger transaction's, when there is one: it sees what
    /// that transaction wrote).
    pub fn exec(self) -> sea_orm::DatabaseExecutor<'a> {
        match self {
            Db::Pool(db) => db.into(),
            Db::Tx(tx) => tx.into(),
            Db::Within(batch) => batch.tx.into(),
        }
    }

    pub fn backend(self) -> DbBackend {
        match self {
            Db::Pool(db) => db.get_database_backend(),
            Db::Tx(tx) => tx.get_database_backend(),
            Db::Within(batch) => batch.tx.get_database_backend(),
        }
    }
}

/// Runs `body` in a [`begin_write`] transaction (a savepoint inside a larger one): committed
/// when it returns `Ok`, rolled back (explicitly, before anything else happens) when it returns
/// `Err`.
///
/// An abandoned SQLite transaction is only rolled back lazily, and until then it holds the
/// write lock: every write path goes through here instead of dropping a transaction.
pub async fn write<'a, T, E, F>(db: impl Into<Db<'a>>, body: F) -> Result<T, E>
where
    F: AsyncFnOnce(&DatabaseTransaction) -> Result<T, E>,
    E: From<DbErr>,
{
    let tx = match db.into() {
        Db::Pool(db) => begin_write(db).await?,
        Db::Tx(outer) => outer.begin().await?,
        // The larger write commits or rolls back what this one wrote.
        Db::Within(outer) => return body(outer.tx).await,
    };
    match body(&tx).await {
        Ok(value) => {
            tx.commit().await?;
            Ok(value)
        }
        Err(e) => {
            tx.rollback().await?;
            Err(e)
        }
    }
}

/// Whether an error's text says the storage cannot take the write: a full disk (SQLite
/// `SQLITE_FULL`, PostgreSQL "could not extend file", the OS's `ENOSPC`), an I/O error, or a
/// read-only database or file system. Such a write is refused with `STORAGE_UNAVAILABLE`
/// (nothing was saved; trying again later works), not reported as an internal fault.
pub fn is_storage_failure(text: &str) -> bool {
    const SIGNS: [&str; 7] = [
        "database or disk is full",
        "disk I/O error",
        "No space left on device",
        "could not extend file",
        "readonly database",
        "Read-only file system",
        "os error 28",
    ];
    SIGNS.iter().any(|s| text.contains(s))
}

/// Whether the error is a unique-constraint violation (a duplicate).
pub fn is_unique_violation(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Whether the error is a foreign-key violation (a referenced record is missing or in use).
pub fn is_foreign_key_violation(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    ) || is_sqlite_foreign_key_trigger(err)
}

/// SQLite reports a row still referred to through a self-reference (an office below the one
/// deleted) with the extended code 1811, which the driver does not class as a foreign-key
/// violation; its message says what it is.
fn is_sqlite_foreign_key_trigger(err: &DbErr) -> bool {
    let text = err.to_string();
    text.contains("(code: 1811)") && text.contains("FOREIGN KEY constraint failed")
}

/// The backend a connection or transaction talks to.
pub fn backend<C: ConnectionTrait>(c: &C) -> DbBackend {
    c.get_database_backend()
}
