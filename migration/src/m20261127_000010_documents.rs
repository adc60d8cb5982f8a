//! Evidence documents and the content-addressed files behind them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("blob")
                .col(string_len("sha256", 64).primary_key())
                .col(big_integer("size"))
                .col(string_len("content_type", 100))
                .col(at("created_at"))
                .to_owned(),
        )
        .await?;
        let mut table = create("document");
        table
            .col(id())
            .col(id_ref("member_id"))
            .col(enum_text("kind"))
            .col(string_len("title", 500))
            .col(id_ref_null("event_id"))
            .col(id_ref_null("plan_id"))
            .col(id_ref_null("commitment_id"))
            .col(id_ref_null("milestone_id"))
            .col(id_ref_null("decree_id"))
            .col(string_len_null("blob_sha256", 64))
            .col(string_len_null("file_name", 255))
            .col(string_len_null("content_type", 100))
            .col(big_integer_null("size"))
            .col(string_len_null("url", 2000))
            .col(boolean("is_public").default(false))
            .col(date_null("document_date"))
            .col(id_ref_null("uploaded_by"))
            .col(at("created_at"))
            .col(at("updated_at"))
            .col(version())
            .foreign_key(&mut fk(
                "document",
                "member_id",
                "member",
                ForeignKeyAction::Restrict,
            ))
            .foreign_key(
                ForeignKey::create()
                    .name("fk_document_blob_sha256")
                    .from("document", "blob_sha256")
                    .to("blob", "sha256")
                    .on_delete(ForeignKeyAction::Restrict),
            );
        for (col, to) in [
            ("event_id", "event"),
            ("plan_id", "action_plan"),
            ("commitment_id", "commitment"),
            ("milestone_id", "milestone"),
            ("decree_id", "decree"),
        ] {
            table.foreign_key(&mut fk("document", col, to, ForeignKeyAction::Cascade));
        }
        m.create_table(table.to_owned()).await?;
        for col in [
            "event_id",
            "plan_id",
            "commitment_id",
            "milestone_id",
            "decree_id",
            "blob_sha256",
        ] {
            m.create_index(index("document", &[col])).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["document", "blob"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
