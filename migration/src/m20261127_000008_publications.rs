//! News posts with their view counter and satisfaction poll.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("publication")
                .col(id())
                .col(id_ref("member_id"))
                .col(string_len("slug", 200))
                .col(string_len("title", 500))
                .col(text("body"))
                .col(string_len_null("title_en", 500))
                .col(text_null("body_en"))
                .col(string_len_null("author_credit", 200))
                .col(string_len_null("posted_by", 200))
                .col(id_ref_null("event_id"))
                .col(enum_text("status"))
                .col(at_null("published_at"))
                .col(big_integer("views").default(0))
                .col(string_len_null("poll_question", 300))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "publication",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "publication",
                    "event_id",
                    "event",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("publication", &["member_id", "slug"]))
            .await?;
        m.create_index(index("publication", &["member_id", "published_at"]))
            .await?;

        m.create_table(
            create("poll_vote")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("publication_id"))
                .col(string_len("visitor_hash", 64))
                .col(enum_text("choice"))
                .col(at("created_at"))
                .foreign_key(&mut fk(
                    "poll_vote",
                    "publication_id",
                    "publication",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("poll_vote", &["publication_id", "visitor_hash"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["poll_vote", "publication"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
