//! Public input (masukan) with its reasoned response and moderation; the partnership's website
//! and social-media channels.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("public_input")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("plan_id"))
                .col(id_ref_null("commitment_id"))
                .col(id_ref_null("event_id"))
                .col(enum_text("source"))
                .col(string_len_null("author_name", 300))
                .col(string_len_null("author_email", 320))
                .col(string_len_null("organisation_name", 300))
                .col(text("body"))
                .col(string_len("lang", 8))
                .col(at("received_at"))
                .col(string_len_null("response", 40))
                .col(text_null("response_reason"))
                .col(id_ref_null("responded_by"))
                .col(at_null("responded_at"))
                .col(at_null("hidden_at"))
                .col(text_null("hidden_reason"))
                .col(id_ref_null("hidden_by"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "public_input",
                    "plan_id",
                    "action_plan",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "public_input",
                    "commitment_id",
                    "commitment",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "public_input",
                    "event_id",
                    "event",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("public_input", &["plan_id", "received_at"]))
            .await?;
        m.create_index(index("public_input", &["commitment_id"]))
            .await?;
        m.create_index(index("public_input", &["event_id"])).await?;

        m.create_table(
            create("online_channel")
                .col(id())
                .col(id_ref("member_id"))
                .col(enum_text("kind"))
                .col(string_len("name", 300))
                .col(string_len_null("handle", 200))
                .col(string_len_null("url", 2000))
                .col(id_ref_null("organisation_id"))
                .col(enum_text("status"))
                .col(text_null("purpose"))
                .col(integer("ordinal"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "online_channel",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "online_channel",
                    "organisation_id",
                    "organisation",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("online_channel", &["member_id", "ordinal"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["online_channel", "public_input"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
