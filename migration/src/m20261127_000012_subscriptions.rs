//! Stakeholder subscriptions to digests and alerts (double opt-in for the public), and the
//! scheduler's claimed ticks.

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

        m.create_table(
            create("schedule_tick")
                .col(string_len("key", 200).primary_key())
                .col(string_len("schedule", 200))
                .col(date("period"))
                .col(string_len("claimed_by", 200))
                .col(at("claimed_until"))
                .col(at_null("done_at"))
                .col(integer("mails").default(0))
                .col(at("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("schedule_tick", &["schedule", "period"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["schedule_tick", "subscription"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
