//! Worker liveness: every worker process writes its heartbeat here, so a claim (a message, a
//! tick, a report) held by a process that stopped beating is taken over in seconds instead of
//! when its lease runs out.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("worker_beat")
                .col(string_len("worker_id", 200).primary_key())
                .col(at("started_at"))
                .col(at("beat_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("worker_beat", &["beat_at"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("worker_beat").if_exists().to_owned())
            .await
    }
}
