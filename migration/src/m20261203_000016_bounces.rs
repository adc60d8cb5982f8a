//! Mail that came back: every bounce as it was reported (a permanent refusal at SMTP time, or a
//! delivery-status notification), and per member the addresses that bounce, with when their
//! mail was held.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("mail_bounce")
                .col(id())
                .col(string_len("dedupe_key", 600).unique_key())
                .col(id_ref_null("member_id"))
                .col(string_len("address", 320))
                .col(enum_text("kind"))
                .col(enum_text("source"))
                .col(string_len_null("status", 40))
                .col(text("diagnostic"))
                .col(id_ref_null("delivery_id"))
                .col(at("received_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("mail_bounce", &["member_id", "address"]))
            .await?;

        m.create_table(
            create("bouncing_address")
                .col(id())
                .col(id_ref("member_id"))
                .col(string_len("address", 320))
                .col(integer("hard_bounces").default(0))
                .col(integer("soft_bounces").default(0))
                .col(at("first_bounce_at"))
                .col(at("last_bounce_at"))
                .col(string_len_null("last_status", 40))
                .col(text_null("last_diagnostic"))
                .col(at_null("suspended_at"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "bouncing_address",
                    "member_id",
                    "member",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("bouncing_address", &["member_id", "address"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["bouncing_address", "mail_bounce"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
