//! Reports: requested in the mutation's transaction, produced by a worker.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("report")
                .col(id())
                .col(id_ref("member_id"))
                .col(enum_text("kind"))
                .col(enum_text("format"))
                .col(id_ref_null("plan_id"))
                .col(id_ref_null("event_id"))
                .col(id_ref_null("assessment_id"))
                .col(string_len("lang", 8))
                .col(enum_text("status"))
                .col(integer("progress").default(0))
                .col(id_ref_null("requested_by"))
                .col(at("requested_at"))
                .col(at_null("started_at"))
                .col(at_null("finished_at"))
                .col(integer("attempts").default(0))
                .col(string_len_null("claimed_by", 200))
                .col(at_null("claimed_until"))
                .col(text_null("error"))
                .col(string_len_null("blob_sha256", 64))
                .col(string_len_null("file_name", 300))
                .col(big_integer_null("size_bytes"))
                .col(integer_null("pages"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "report",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("report", &["member_id", "requested_at"]))
            .await?;
        m.create_index(index("report", &["status", "claimed_until"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("report").if_exists().to_owned())
            .await
    }
}
