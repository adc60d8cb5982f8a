//! Stakeholder subscriptions to digests and alerts (double opt-in for the public).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("subscription")
                .col(id())
                .col(id_ref("member_id"))
                .col(string_len("email", 320))
                .col(string_len_null("name", 300))
                .col(id_ref_null("account_id"))
                .col(enum_text("audience"))
                .col(enum_text("frequency"))
                .col(string_len("lang", 8))
                .col(json("topics"))
                .col(json("alerts_off"))
                .col(enum_text("status"))
                .col(at("requested_at"))
                .col(at_null("confirmed_at"))
                .col(at_null("unsubscribed_at"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "subscription",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("subscription", &["member_id", "email"]))
            .await?;
        m.create_index(index("subscription", &["member_id", "status", "frequency"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("subscription").if_exists().to_owned())
            .await
    }
}
