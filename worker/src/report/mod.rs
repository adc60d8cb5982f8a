//! Reports: the job that produces a requested report, and the sweep that makes sure every
//! request gets a job.
//!
//! A request is a `report` row (QUEUED), written by the API in the requesting mutation's
//! transaction, with a job pushed after the commit. A worker claims the row with a lease on
//! real time and keeps renewing it while it works, so apalis re-running the job (its orphan
//! timeout) finds the report taken and leaves it. Progress goes to the row, where the API's
//! `reportProgress` subscription reads it from any process. On shutdown the render stops and
//! the claim is handed back (QUEUED): the next worker to start produces it. A failure is
//! retried up to `TERBUKA_REPORT_ATTEMPTS` times, then the report is FAILED with the reason.

pub mod build;
pub mod doc;
pub mod pdf;
pub mod tabular;
pub mod words;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::time::Duration;

use chrono::Utc;
use entity::report::{self, ReportFormat, ReportKind, ReportStatus};
use entity::{Lang, blob};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, EntityTrait, QueryFilter};
use tokio::sync::watch;
use uuid::Uuid;

use crate::WorkerState;

/// The render was stopped (the process is shutting down).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

/// A finished file.
pub struct Rendered {
    pub bytes: Vec<u8>,
    pub pages: Option<usize>,
}

/// Renders `doc` in `format`; `progress` receives 0–100 and `cancel` is asked now and then.
pub fn render(
    doc: &doc::Doc,
    format: ReportFormat,
    meta: serde_json::Value,
    progress: &dyn Fn(i32),
    cancel: &dyn Fn() -> bool,
) -> Result<Result<Rendered, String>, Cancelled> {
    Ok(match format {
        ReportFormat::Pdf => {
            let total = doc.blocks.len().max(1);
            let mut seen = 0usize;
            let mut tick = || {
                seen += 1;
                // Blocks are asked about once each, tables every few dozen rows.
                progress(((seen.min(total) * 95) / total) as i32);
                cancel()
            };
            let (bytes, pages) = pdf::render(doc, &mut tick)?;
            Ok(Rendered {
                bytes,
                pages: Some(pages),
            })
        }
        ReportFormat::Xlsx => tabular::xlsx(doc)
            .map(|bytes| Rendered { bytes, pages: None })
            .map_err(|e| e.to_string()),
        ReportFormat::Csv => tabular::csv(doc)
            .map(|bytes| Rendered { bytes, pages: None })
            .map_err(|e| e.to_string()),
        ReportFormat::Json => Ok(Rendered {
            bytes: tabular::json(doc, meta),
            pages: None,
        }),
    })
}

/// The file name people get: `renaksi-rencana-aksi-2018-2020.pdf`.
pub fn file_name(kind: ReportKind, format: ReportFormat, subject: &str) -> String {
    let prefix = match kind {
        ReportKind::ActionPlan => "renaksi",
        ReportKind::Monev => "monev",
        ReportKind::IrmAtAGlance => "irm-at-a-glance",
        ReportKind::CoCreationChecklist => "ko-kreasi",
        ReportKind::Minutes => "notulen",
    };
    let mut slug = String::new();
    for c in subject.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
        if slug.len() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        format!("{prefix}.{}", format.extension())
    } else {
        format!("{prefix}-{slug}.{}", format.extension())
    }
}

/// What became of one job run.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Another worker holds it, or it is already finished.
    NotMine,
    /// Stopped for shutdown; handed back.
    Released,
    /// Failed this time; queued again or (out of attempts) failed for good.
    Failed(String),
}

/// Produces report `id` if no live worker holds it.
pub async fn produce(
    state: &WorkerState,
    id: Uuid,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<Outcome> {
    let me = state.config.worker_id.clone();
    let lease = chrono::Duration::from_std(state.config.report_lease)?;
    // Real time: the report's lease is about this process.
    let real_now = entity::clock::real_now();
    use report::Column as C;
    let claimed = report::Entity::update_many()
        .col_expr(C::Status, Expr::value(ReportStatus::Running))
        .col_expr(C::ClaimedBy, Expr::value(me.clone()))
        .col_expr(C::ClaimedUntil, Expr::value(real_now + lease))
        .col_expr(C::Attempts, Expr::col(C::Attempts).add(1))
        .col_expr(C::Progress, Expr::value(0))
        .col_expr(C::StartedAt, Expr::value(state.clock.now()))
        .col_expr(C::UpdatedAt, Expr::value(state.clock.now()))
        .col_expr(C::Version, Expr::col(C::Version).add(1))
        .filter(C::Id.eq(id))
        .filter(
            Condition::any()
                .add(C::Status.eq(ReportStatus::Queued))
                .add(
                    Condition::all()
                        .add(C::Status.eq(ReportStatus::Running))
                        .add(
                            Condition::any()
                                .add(C::ClaimedUntil.lt(real_now))
                                .add(entity::worker_beat::holder_is_dead(C::ClaimedBy, real_now)),
                        ),
                ),
        )
        .exec(&state.db)
        .await?;
    if claimed.rows_affected == 0 {
        return Ok(Outcome::NotMine);
    }
    let Some(row) = report::Entity::find_by_id(id).one(&state.db).await? else {
        return Ok(Outcome::NotMine);
    };
    if row.attempts > state.config.report_attempts as i32 {
        let why = row
            .error
            .clone()
            .unwrap_or_else(|| "the worker stopped while producing it, too many times".into());
        finish_failed(state, &row, &me, &why, true).await?;
        return Ok(Outcome::Failed(why));
    }
    tracing::info!(report = %id, kind = ?row.kind, format = ?row.format, "producing a report");

    let progress = Arc::new(AtomicI32::new(0));
    let cancel = Arc::new(AtomicBool::new(false));
    let work = {
        let state = state.clone();
        let row = row.clone();
        let progress = progress.clone();
        let cancel = cancel.clone();
        async move { make(&state, &row, progress, cancel).await }
    };
    let mut work = std::pin::pin!(work);
    let mut stopped = std::pin::pin!(async move {
        let _ = stop.wait_for(|s| *s).await.map(|_| ());
    });
    let mut beat = tokio::time::interval(Duration::from_millis(250));
    let mut shown = -1;
    let result = loop {
        tokio::select! {
            r = &mut work => break r,
            _ = beat.tick() => {
                let p = progress.load(Ordering::Relaxed);
                // Renew the lease; write the progress when it moved.
                let mut update = report::Entity::update_many()
                    // Real time: lease renewal.
                    .col_expr(C::ClaimedUntil, Expr::value(entity::clock::real_now() + lease))
                    .filter(C::Id.eq(id))
                    .filter(C::ClaimedBy.eq(me.clone()))
                    .filter(C::Status.eq(ReportStatus::Running));
                if p != shown {
                    update = update.col_expr(C::Progress, Expr::value(p));
                    shown = p;
                }
                if let Err(e) = update.exec(&state.db).await {
                    tracing::warn!(report = %id, error = %e, "cannot renew the report's claim");
                }
            }
            _ = &mut stopped => {
                cancel.store(true, Ordering::Relaxed);
                // The render notices within a few dozen rows; data reads are dropped.
                let r = tokio::time::timeout(Duration::from_millis(1500), &mut work).await;
                if let Ok(Ok(made)) = r {
                    break Ok(made);
                }
                release(state, id, &me).await?;
                return Ok(Outcome::Released);
            }
        }
    };
    match result {
        Ok(Made::File(made)) => {
            let dir = state.config.blob_dir.clone();
            let bytes = made.bytes;
            let size = bytes.len() as i64;
            let sha =
                tokio::task::spawn_blocking(move || crate::blobs::store(&dir, &bytes)).await??;
            let now = state.clock.now();
            blob::Entity::insert(blob::ActiveModel {
                sha256: Set(sha.clone()),
                size: Set(size),
                content_type: Set(row.format.content_type().to_owned()),
                created_at: Set(now),
            })
            .on_conflict(
                OnConflict::column(blob::Column::Sha256)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(&state.db)
            .await?;
            let done = report::Entity::update_many()
                .col_expr(C::Status, Expr::value(ReportStatus::Done))
                .col_expr(C::Progress, Expr::value(100))
                .col_expr(C::BlobSha256, Expr::value(sha))
                .col_expr(C::FileName, Expr::value(made.file_name))
                .col_expr(C::SizeBytes, Expr::value(size))
                .col_expr(C::Pages, Expr::value(made.pages.map(|p| p as i32)))
                .col_expr(C::Error, Expr::value(Option::<String>::None))
                .col_expr(C::FinishedAt, Expr::value(now))
                .col_expr(C::ClaimedBy, Expr::value(Option::<String>::None))
                .col_expr(
                    C::ClaimedUntil,
                    Expr::value(Option::<chrono::DateTime<Utc>>::None),
                )
                .col_expr(C::UpdatedAt, Expr::value(now))
                .col_expr(C::Version, Expr::col(C::Version).add(1))
                .filter(C::Id.eq(id))
                .filter(C::ClaimedBy.eq(me.clone()))
                .exec(&state.db)
                .await?;
            if done.rows_affected == 0 {
                return Ok(Outcome::NotMine);
            }
            tracing::info!(report = %id, size, "report ready");
            Ok(Outcome::Done)
        }
        Ok(Made::Cancelled) => {
            release(state, id, &me).await?;
            Ok(Outcome::Released)
        }
        Ok(Made::Invalid(why)) => {
            finish_failed(state, &row, &me, &why, true).await?;
            Ok(Outcome::Failed(why))
        }
        Err(e) => {
            let why = format!("{e:#}");
            let last = row.attempts >= state.config.report_attempts as i32;
            finish_failed(state, &row, &me, &why, last).await?;
            Ok(Outcome::Failed(why))
        }
    }
}

struct MadeFile {
    bytes: Vec<u8>,
    pages: Option<usize>,
    file_name: String,
}

enum Made {
    File(MadeFile),
    Cancelled,
    /// Cannot be made at all (what it is about is gone); no point trying again.
    Invalid(String),
}

async fn make(
    state: &WorkerState,
    row: &report::Model,
    progress: Arc<AtomicI32>,
    cancel: Arc<AtomicBool>,
) -> anyhow::Result<Made> {
    let now = state.clock.now();
    let inputs = build::Inputs {
        report: row,
        now,
        lead_days: state.config.invitation_lead_days,
        public_url: &state.config.public_url,
    };
    let doc = match build::build(&state.db, &inputs).await {
        Ok(doc) => doc,
        Err(build::BuildError::Missing(what)) => {
            return Ok(Made::Invalid(format!(
                "the {what} it is about no longer exists"
            )));
        }
        Err(build::BuildError::Db(e)) => return Err(e.into()),
    };
    progress.store(10, Ordering::Relaxed);
    let meta = serde_json::json!({
        "id": row.id,
        "kind": row.kind,
        "format": row.format,
        "language": Lang::from_tag(&row.lang).tag(),
        "generatedAt": now.to_rfc3339(),
    });
    let subject = doc.subject.clone();
    let (kind, format) = (row.kind, row.format);
    let rendered = tokio::task::spawn_blocking(move || {
        let report_progress = |p: i32| progress.store(10 + p * 85 / 100, Ordering::Relaxed);
        let cancelled = || cancel.load(Ordering::Relaxed);
        render(&doc, format, meta, &report_progress, &cancelled)
    })
    .await?;
    Ok(match rendered {
        Err(Cancelled) => Made::Cancelled,
        Ok(Err(e)) => return Err(anyhow::anyhow!(e)),
        Ok(Ok(r)) => Made::File(MadeFile {
            bytes: r.bytes,
            pages: r.pages,
            file_name: file_name(kind, format, &subject),
        }),
    })
}

/// Hands a claim back: QUEUED, this attempt not counted, ready for the next worker at once.
async fn release(state: &WorkerState, id: Uuid, me: &str) -> anyhow::Result<()> {
    use report::Column as C;
    report::Entity::update_many()
        .col_expr(C::Status, Expr::value(ReportStatus::Queued))
        .col_expr(C::ClaimedBy, Expr::value(Option::<String>::None))
        .col_expr(
            C::ClaimedUntil,
            Expr::value(Option::<chrono::DateTime<Utc>>::None),
        )
        .col_expr(C::Attempts, Expr::col(C::Attempts).sub(1))
        .col_expr(C::Progress, Expr::value(0))
        .col_expr(C::Version, Expr::col(C::Version).add(1))
        .filter(C::Id.eq(id))
        .filter(C::ClaimedBy.eq(me))
        .exec(&state.db)
        .await?;
    tracing::info!(report = %id, "report handed back for the next worker");
    Ok(())
}

/// Records a failure: for good (`last`), or queued again after a pause.
async fn finish_failed(
    state: &WorkerState,
    row: &report::Model,
    me: &str,
    why: &str,
    last: bool,
) -> anyhow::Result<()> {
    use report::Column as C;
    let now = state.clock.now();
    let mut update = report::Entity::update_many()
        .col_expr(C::Error, Expr::value(why.to_owned()))
        .col_expr(C::ClaimedBy, Expr::value(Option::<String>::None))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .col_expr(C::Version, Expr::col(C::Version).add(1))
        .filter(C::Id.eq(row.id))
        .filter(C::ClaimedBy.eq(me));
    if last {
        tracing::warn!(report = %row.id, error = why, "report failed");
        update = update
            .col_expr(C::Status, Expr::value(ReportStatus::Failed))
            .col_expr(C::FinishedAt, Expr::value(now))
            .col_expr(
                C::ClaimedUntil,
                Expr::value(Option::<chrono::DateTime<Utc>>::None),
            );
    } else {
        tracing::warn!(report = %row.id, error = why, "report failed; trying again");
        // The sweeper queues it again once the pause is over.
        let pause = chrono::Duration::seconds(5 << row.attempts.clamp(0, 6));
        update = update
            .col_expr(C::Status, Expr::value(ReportStatus::Queued))
            // Real time: the retry pause.
            .col_expr(
                C::ClaimedUntil,
                Expr::value(entity::clock::real_now() + pause),
            );
    }
    update.exec(&state.db).await?;
    Ok(())
}

/// The reports that need a job: queued ones nobody pushed lately (the push after the request
/// was lost, the worker handed it back, the retry pause is over) and running ones whose worker
/// died. Each is marked for 30 s so two sweeping processes push it once.
pub async fn sweep(state: &WorkerState) -> anyhow::Result<usize> {
    use report::Column as C;
    // Real time: leases and retry pauses.
    let now = entity::clock::real_now();
    let due = report::Entity::find()
        .filter(C::Status.is_in([ReportStatus::Queued, ReportStatus::Running]))
        .filter(
            Condition::any()
                .add(C::ClaimedUntil.is_null())
                .add(C::ClaimedUntil.lt(now))
                // Being made by a process that stopped beating.
                .add(
                    Condition::all()
                        .add(C::Status.eq(ReportStatus::Running))
                        .add(entity::worker_beat::holder_is_dead(C::ClaimedBy, now)),
                ),
        )
        .all(&state.db)
        .await?;
    let mut pushed = 0;
    for r in due {
        let mut mark = report::Entity::update_many().filter(C::Id.eq(r.id));
        if r.status == ReportStatus::Queued {
            mark = mark
                .col_expr(
                    C::ClaimedUntil,
                    Expr::value(now + chrono::Duration::seconds(30)),
                )
                .filter(C::Status.eq(ReportStatus::Queued))
                .filter(match r.claimed_until {
                    Some(t) => C::ClaimedUntil.eq(t),
                    None => C::ClaimedUntil.is_null(),
                });
            if mark.exec(&state.db).await?.rows_affected == 0 {
                continue;
            }
        }
        state.queue.push_report(r.id).await?;
        pushed += 1;
    }
    Ok(pushed)
}

const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// Runs [`sweep`] at start and every few seconds until `stop`.
pub async fn sweep_loop(state: Arc<WorkerState>, mut stop: watch::Receiver<bool>) {
    loop {
        match sweep(&state).await {
            Ok(n) if n > 0 => tracing::info!(count = n, "queued reports waiting for a worker"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot look for waiting reports"),
        }
        tokio::select! {
            _ = tokio::time::sleep(SWEEP_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// The apalis job.
pub async fn job(
    job: crate::queue::ReportJob,
    state: apalis::prelude::Data<Arc<WorkerState>>,
    stop: apalis::prelude::Data<watch::Receiver<bool>>,
) -> Result<(), apalis::prelude::BoxDynError> {
    let outcome = produce(&state, job.report, (*stop).clone()).await?;
    tracing::debug!(report = %job.report, ?outcome, "report job");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_plain_and_say_what_they_hold() {
        assert_eq!(
            file_name(
                ReportKind::ActionPlan,
                ReportFormat::Pdf,
                "Renaksi Pemerintahan Terbuka Bojonegoro 2018"
            ),
            "renaksi-renaksi-pemerintahan-terbuka-bojonegoro-2018.pdf"
        );
        assert_eq!(
            file_name(
                ReportKind::Minutes,
                ReportFormat::Csv,
                "Rapat «28 Juni» / ✪"
            ),
            "notulen-rapat-28-juni.csv"
        );
        assert_eq!(
            file_name(ReportKind::Monev, ReportFormat::Json, "✪"),
            "monev.json"
        );
    }
}
