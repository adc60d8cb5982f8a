//! Moving and backing up a deployment: `terbuka export-data FILE` writes every record of every
//! member and every stored file into one ZIP archive, from a running system, in one read
//! transaction (what it holds is one moment of the database); `terbuka import-data FILE` loads
//! it into an empty database of either backend, in one write transaction (all or nothing).
//!
//! The archive: `manifest.json` (format, version, the schema's migration level, rows per
//! table, files), `tables/{table}.jsonl` (one record per line, as the domain's models read it,
//! so SQLite's and PostgreSQL's column types meet in one form) and `blobs/{sha256}`. It holds
//! everything the database does, password hashes included: keep it as safe as the database.
//! Left out: worker heartbeats (liveness of processes that will not exist there) and the job
//! queue's own tables (the sweeper queues pending mail again after the move).

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader, Read, Seek, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, IsolationLevel,
    Iterable, PaginatorTrait, PrimaryKeyToColumn, QueryOrder, Statement, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What the first line of the manifest says this is.
pub const FORMAT: &str = "terbuka-archive";
/// Raised when the archive's layout changes.
pub const VERSION: u32 = 1;

/// Rows inserted per statement (SQLite allows 32,766 parameters; the widest table has ~40
/// columns).
const CHUNK: usize = 200;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    /// The last migration applied to the database it came from.
    pub migration: String,
    pub created_at: DateTime<Utc>,
    /// The backend it came from (`sqlite`, `postgres`).
    pub source: String,
    pub tables: BTreeMap<String, u64>,
    pub blobs: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error("file: {0}")]
    Io(#[from] std::io::Error),
    #[error("archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("{0}")]
    Invalid(String),
}

fn invalid(msg: impl Into<String>) -> ArchiveError {
    ArchiveError::Invalid(msg.into())
}

/// Self-references: a row must come after the row it names (a parent office, the plan it
/// follows).
const SELF_REFS: &[(&str, &[&str])] = &[
    ("member", &["parent_id"]),
    ("organisation", &["parent_id"]),
    ("decree", &["amends_id"]),
    ("action_plan", &["part_of_id", "follows_id"]),
    ("commitment", &["continues_id"]),
];

macro_rules! tables {
    ($($t:ident),* $(,)?) => {
        /// Every table the archive holds, in the order the migrations make them (a table comes
        /// after every table it refers to).
        pub const TABLES: &[&str] = &[$(stringify!($t)),*];

        async fn dump_all<C: ConnectionTrait, W: Write + Seek>(
            tx: &C,
            zip: &mut zip::ZipWriter<W>,
            counts: &mut BTreeMap<String, u64>,
        ) -> Result<(), ArchiveError> {
            $(
                let n = dump::<entity::$t::Entity, C, W>(tx, zip, stringify!($t)).await?;
                counts.insert(stringify!($t).to_owned(), n);
            )*
            Ok(())
        }

        async fn load_one<C: ConnectionTrait>(
            tx: &C,
            table: &str,
            rows: Vec<Value>,
        ) -> Result<(), ArchiveError> {
            match table {
                $( stringify!($t) => load::<entity::$t::Entity, C>(tx, table, rows).await, )*
                other => Err(invalid(format!("unknown table {other:?}"))),
            }
        }

        /// How many records `db` holds in the archive's tables, leaving out those the
        /// migrations fill ([`FROM_MIGRATIONS`]).
        pub async fn records<C: ConnectionTrait>(db: &C) -> Result<u64, ArchiveError> {
            let mut n = 0;
            $(
                if !FROM_MIGRATIONS.contains(&stringify!($t)) {
                    n += entity::$t::Entity::find().count(db).await?;
                }
            )*
            Ok(n)
        }
    };
}

tables!(
    member,
    organisation,
    mail_delivery,
    mutation_receipt,
    seed_run,
    account,
    account_session,
    role_grant,
    account_token,
    consent,
    audit_event,
    person,
    head_of_region_term,
    membership,
    decree,
    decree_member,
    secretariat,
    ambassador,
    action_plan,
    plan_phase,
    commitment,
    commitment_actor,
    responsibility,
    milestone,
    progress_update,
    starred_rule,
    assessment,
    commitment_assessment,
    development_plan,
    development_goal,
    legal_reference,
    alignment,
    budget_line,
    ngo_programme,
    funding,
    event,
    agenda_item,
    event_organisation,
    attendance,
    follow_up,
    follow_up_person,
    publication,
    poll_vote,
    invitation,
    registration,
    blob,
    document,
    public_input,
    online_channel,
    subscription,
    schedule_tick,
    report,
    mail_bounce,
    bouncing_address,
);

/// Tables of the database that are not in the archive, on purpose: worker heartbeats, the
/// migrations' own record, the per-member revision counters (kept by triggers, so they build
/// up again as the rows are loaded) and the job queue's tables.
pub const LEFT_OUT: &[&str] = &[
    "worker_beat",
    "seaql_migrations",
    "data_revision",
    // The job queue (apalis, SQLite).
    "Jobs",
    "Workers",
    "_sqlx_migrations",
];

/// Tables a fresh database already holds rows of, from the migrations (the IRM's starred
/// rules, which admins may since have changed): the archive's rows replace them.
pub const FROM_MIGRATIONS: &[&str] = &["starred_rule"];

async fn dump<E, C, W>(
    tx: &C,
    zip: &mut zip::ZipWriter<W>,
    table: &str,
) -> Result<u64, ArchiveError>
where
    E: EntityTrait,
    E::Model: Serialize + Sync,
    C: ConnectionTrait,
    W: Write + Seek,
{
    zip.start_file(format!("tables/{table}.jsonl"), options())?;
    let mut n = 0;
    // The model never serialises an account's secret columns (so they never reach an audit
    // record or an answer); the archive must keep them.
    if table == "account" {
        for a in by_key::<entity::account::Entity>().all(tx).await? {
            let mut value = serde_json::to_value(&a).map_err(|e| invalid(e.to_string()))?;
            if let Value::Object(map) = &mut value {
                map.insert("password_hash".into(), serde_json::json!(a.password_hash));
                map.insert("failed_logins".into(), serde_json::json!(a.failed_logins));
                map.insert("locked_until".into(), serde_json::json!(a.locked_until));
            }
            serde_json::to_writer(&mut *zip, &value).map_err(|e| invalid(e.to_string()))?;
            zip.write_all(b"\n")?;
            n += 1;
        }
        return Ok(n);
    }
    for model in by_key::<E>().all(tx).await? {
        serde_json::to_writer(&mut *zip, &model).map_err(|e| invalid(e.to_string()))?;
        zip.write_all(b"\n")?;
        n += 1;
    }
    Ok(n)
}

/// Every row of `E` in the order of its key, so two exports of the same records are the same
/// file whichever backend they came from.
fn by_key<E: EntityTrait>() -> sea_orm::Select<E> {
    let mut q = E::find();
    for key in E::PrimaryKey::iter() {
        q = q.order_by_asc(key.into_column());
    }
    q
}

fn options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true)
}

/// Puts rows that name another row of their own table after it.
fn parents_first(table: &str, rows: Vec<Value>) -> Vec<Value> {
    let Some((_, cols)) = SELF_REFS.iter().find(|(t, _)| *t == table) else {
        return rows;
    };
    let id = |v: &Value| v.get("id").and_then(Value::as_str).map(str::to_owned);
    let present: HashSet<String> = rows.iter().filter_map(id).collect();
    let mut placed: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(rows.len());
    let mut left = rows;
    while !left.is_empty() {
        let (ready, rest): (Vec<Value>, Vec<Value>) = left.into_iter().partition(|row| {
            cols.iter()
                .all(|c| match row.get(*c).and_then(Value::as_str) {
                    Some(parent) => placed.contains(parent) || !present.contains(parent),
                    None => true,
                })
        });
        if ready.is_empty() {
            // A cycle (which the domain refuses): kept in the order given.
            out.extend(rest);
            break;
        }
        placed.extend(ready.iter().filter_map(id));
        out.extend(ready);
        left = rest;
    }
    out
}

async fn load<E, C>(tx: &C, table: &str, rows: Vec<Value>) -> Result<(), ArchiveError>
where
    E: EntityTrait,
    E::Model: for<'de> Deserialize<'de> + sea_orm::IntoActiveModel<E::ActiveModel>,
    C: ConnectionTrait,
{
    let rows = parents_first(table, rows);
    let mut batch = Vec::with_capacity(CHUNK);
    for (i, row) in rows.into_iter().enumerate() {
        let model: E::Model = serde_json::from_value(row)
            .map_err(|e| invalid(format!("tables/{table}.jsonl, record {}: {e}", i + 1)))?;
        batch.push(sea_orm::IntoActiveModel::into_active_model(model));
        if batch.len() == CHUNK {
            E::insert_many(std::mem::take(&mut batch))
                .exec_without_returning(tx)
                .await?;
        }
    }
    if !batch.is_empty() {
        E::insert_many(batch).exec_without_returning(tx).await?;
    }
    Ok(())
}

/// The last migration applied to `db`.
pub async fn migration_level<C: ConnectionTrait>(db: &C) -> Result<String, ArchiveError> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT version FROM seaql_migrations ORDER BY version DESC LIMIT 1",
        ))
        .await?
        .ok_or_else(|| invalid("the database has no migrations applied"))?;
    Ok(row.try_get_by_index::<String>(0)?)
}

fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Postgres => "postgres",
        DbBackend::Sqlite => "sqlite",
        _ => "other",
    }
}

/// Writes the archive of `db` (and the files under `blob_dir`) to `out`, in one read
/// transaction.
pub async fn export<W: Write + Seek>(
    db: &DatabaseConnection,
    blob_dir: &Path,
    out: W,
    now: DateTime<Utc>,
) -> Result<Manifest, ArchiveError> {
    let tx = match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(
                Some(IsolationLevel::RepeatableRead),
                Some(AccessMode::ReadOnly),
            )
            .await?
        }
        // SQLite (WAL): a transaction reads one snapshot from its first read on.
        _ => db.begin().await?,
    };
    let mut zip = zip::ZipWriter::new(out);
    let mut tables = BTreeMap::new();
    let migration = migration_level(&tx).await?;
    dump_all(&tx, &mut zip, &mut tables).await?;
    let blobs = entity::blob::Entity::find().all(&tx).await?;
    tx.commit().await?;
    for b in &blobs {
        let path = crate::blobs::path_of(blob_dir, &b.sha256)
            .ok_or_else(|| invalid(format!("blob {:?} is not a SHA-256", b.sha256)))?;
        let bytes = std::fs::read(&path).map_err(|e| {
            invalid(format!(
                "the file of blob {} ({}) cannot be read: {e}; is TERBUKA_BLOB_DIR right?",
                b.sha256,
                path.display()
            ))
        })?;
        zip.start_file(format!("blobs/{}", b.sha256), options())?;
        zip.write_all(&bytes)?;
    }
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        version: VERSION,
        migration,
        created_at: now,
        source: backend_name(db).to_owned(),
        tables,
        blobs: blobs.len() as u64,
    };
    zip.start_file("manifest.json", options())?;
    serde_json::to_writer_pretty(&mut zip, &manifest).map_err(|e| invalid(e.to_string()))?;
    zip.finish()?;
    Ok(manifest)
}

/// Loads the archive `input` into `db` (migrated to the archive's level, and empty) and its
/// files into `blob_dir`, in one write transaction: all or nothing.
pub async fn import<R: Read + Seek>(
    db: &DatabaseConnection,
    blob_dir: &Path,
    input: R,
) -> Result<Manifest, ArchiveError> {
    let mut zip = zip::ZipArchive::new(input)
        .map_err(|e| invalid(format!("not a Terbuka archive (not a ZIP file: {e})")))?;
    let manifest: Manifest = {
        let file = zip
            .by_name("manifest.json")
            .map_err(|_| invalid("not a Terbuka archive (no manifest.json)"))?;
        serde_json::from_reader(file)
            .map_err(|e| invalid(format!("manifest.json cannot be read: {e}")))?
    };
    if manifest.format != FORMAT || manifest.version != VERSION {
        return Err(invalid(format!(
            "not an archive this Terbuka reads ({} version {}; expected {FORMAT} version {VERSION})",
            manifest.format, manifest.version
        )));
    }
    let here = migration_level(db).await?;
    if manifest.migration != here {
        return Err(invalid(format!(
            "the archive's schema is at {}, this database at {here}: import it with the Terbuka that wrote it, then upgrade",
            manifest.migration
        )));
    }
    if records(db).await? > 0 {
        return Err(invalid(
            "the database is not empty: import into a fresh database (nothing was changed)",
        ));
    }
    // Every file first checked against its name, so a damaged archive changes nothing.
    let mut files = vec![];
    for i in 0..zip.len() {
        let mut f = zip.by_index(i)?;
        let name = f.name()?.into_owned();
        let Some(sha) = name.strip_prefix("blobs/").map(str::to_owned) else {
            continue;
        };
        let mut bytes = Vec::with_capacity(f.size() as usize);
        f.read_to_end(&mut bytes)?;
        if crate::blobs::sha256_hex(&bytes) != sha {
            return Err(invalid(format!(
                "blobs/{sha} is damaged (its content does not match its name)"
            )));
        }
        files.push(bytes);
    }
    if files.len() as u64 != manifest.blobs {
        return Err(invalid(format!(
            "the archive holds {} files, its manifest says {}",
            files.len(),
            manifest.blobs
        )));
    }
    let mut tables = vec![];
    for table in TABLES {
        let Some(expected) = manifest.tables.get(*table) else {
            return Err(invalid(format!("the archive has no table {table}")));
        };
        let file = zip
            .by_name(&format!("tables/{table}.jsonl"))
            .map_err(|_| invalid(format!("the archive has no tables/{table}.jsonl")))?;
        let mut rows = Vec::with_capacity(*expected as usize);
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            rows.push(
                serde_json::from_str::<Value>(&line)
                    .map_err(|e| invalid(format!("tables/{table}.jsonl, line {}: {e}", i + 1)))?,
            );
        }
        if rows.len() as u64 != *expected {
            return Err(invalid(format!(
                "tables/{table}.jsonl holds {} records, the manifest says {expected}",
                rows.len()
            )));
        }
        tables.push((*table, rows));
    }
    entity::db::write(db, async |tx| -> Result<(), ArchiveError> {
        entity::starred_rule::Entity::delete_many().exec(tx).await?;
        for (table, rows) in tables {
            load_one(tx, table, rows).await?;
        }
        Ok(())
    })
    .await?;
    for bytes in files {
        crate::blobs::store(blob_dir, &bytes)?;
    }
    Ok(manifest)
}
