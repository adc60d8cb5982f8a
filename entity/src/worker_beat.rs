//! A worker process's heartbeat. Every claim (a message being sent, a schedule tick, a report
//! being made) names the process instance that holds it (`TERBUKA_WORKER_ID`, unique per
//! start); the instance writes `beat_at` every second while it runs. A claim whose holder has
//! not beaten for [`DEAD_AFTER`] is the claim of a dead process, and another process (or the
//! restarted one) takes it over at once instead of waiting out the lease, which stays as the
//! bound for a holder that is alive but slow.
//!
//! Times here are real time, not the domain clock: liveness is about processes, not the story.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query, SelectStatement};
use sea_orm::{ActiveValue::Set, Condition};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "worker_beat")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub worker_id: String,
    pub started_at: DateTimeUtc,
    pub beat_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// How often a worker beats.
pub const BEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// A holder silent this long is dead: a few missed beats, so that a busy but live process is
/// not taken for dead.
pub const DEAD_AFTER: std::time::Duration = std::time::Duration::from_secs(4);

/// Writes `worker`'s heartbeat at `now` (the first one records its start).
pub async fn beat<C: ConnectionTrait>(db: &C, worker: &str, now: DateTimeUtc) -> Result<(), DbErr> {
    Entity::insert(ActiveModel {
        worker_id: Set(worker.to_owned()),
        started_at: Set(now),
        beat_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(Column::WorkerId)
            .update_column(Column::BeatAt)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// A stopping worker says so: its remaining claims may be taken at once.
pub async fn stopped<C: ConnectionTrait>(db: &C, worker: &str) -> Result<(), DbErr> {
    Entity::delete_by_id(worker.to_owned()).exec(db).await?;
    Ok(())
}

/// Forgets heartbeats silent for a day (processes long gone).
pub async fn forget_old<C: ConnectionTrait>(db: &C, now: DateTimeUtc) -> Result<u64, DbErr> {
    Ok(Entity::delete_many()
        .filter(Column::BeatAt.lt(now - chrono::Duration::days(1)))
        .exec(db)
        .await?
        .rows_affected)
}

/// The workers alive at `now`.
fn live(now: DateTimeUtc) -> SelectStatement {
    let since = now - chrono::Duration::from_std(DEAD_AFTER).unwrap_or_default();
    Query::select()
        .column(Column::WorkerId)
        .from(Entity)
        .and_where(Expr::col(Column::BeatAt).gte(since))
        .to_owned()
}

/// The condition "the process holding this row's claim (`holder`) is dead at `now`": it has
/// not beaten for [`DEAD_AFTER`]. Callers add "and the lease ran out" as the other way a claim
/// becomes free (see [`claim_is_free`]).
pub fn holder_is_dead(holder: impl sea_orm::ColumnTrait, now: DateTimeUtc) -> Condition {
    Condition::all().add(holder.not_in_subquery(live(now)))
}

/// The condition "the claim on this row may be taken at `now`": its lease ran out, or its
/// holder is dead and the claim was last touched at least [`DEAD_AFTER`] ago (`touched_at`, so
/// that a process claiming before its first beat lands is not robbed).
pub fn claim_is_free(
    holder: impl sea_orm::ColumnTrait,
    lease_until: impl sea_orm::ColumnTrait,
    touched_at: impl sea_orm::ColumnTrait,
    now: DateTimeUtc,
) -> Condition {
    let old = now - chrono::Duration::from_std(DEAD_AFTER).unwrap_or_default();
    Condition::any()
        .add(lease_until.lt(now))
        .add(holder_is_dead(holder, now).add(touched_at.lt(old)))
}
