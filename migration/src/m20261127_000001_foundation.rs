//! Foundation: member governments, organisations, mail delivery records, mutation receipts and
//! the record of loaded data sets.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("member")
                .col(id())
                .col(string_len_uniq("slug", 60))
                .col(string_len("name", 200))
                .col(enum_text("level"))
                .col(id_ref_null("parent_id"))
                .col(string_len("time_zone", 64))
                .col(date_null("ogp_member_since"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "member",
                    "parent_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("member", &["parent_id"])).await?;

        m.create_table(
            create("organisation")
                .col(id())
                .col(id_ref("member_id"))
                .col(string_len("name", 200))
                .col(string_len("name_key", 200))
                .col(string_len_null("acronym", 40))
                .col(enum_text("kind"))
                .col(id_ref_null("parent_id"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "organisation",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "organisation",
                    "parent_id",
                    "organisation",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("organisation", &["member_id", "name_key"]))
            .await?;
        m.create_index(index("organisation", &["parent_id"]))
            .await?;

        m.create_table(
            create("mail_delivery")
                .col(id())
                .col(string_len_uniq("dedupe_key", 300))
                .col(enum_text("class"))
                .col(id_ref_null("member_id"))
                .col(string_len("recipient", 320))
                .col(string_len("lang", 8))
                .col(string_len("template", 60))
                .col(json("context"))
                .col(enum_text("status"))
                .col(integer("attempts").default(0))
                .col(text_null("last_error"))
                .col(string_len_null("lease_owner", 120))
                .col(at_null("lease_until"))
                .col(at("next_attempt_at"))
                .col(string_len_null("message_id", 200))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(at_null("sent_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("mail_delivery", &["status", "next_attempt_at"]))
            .await?;

        m.create_table(
            create("mutation_receipt")
                .col(id())
                .col(string_len("scope", 120))
                .col(string_len("mutation", 80))
                .col(string_len("client_mutation_id", 120))
                .col(string_len("input_hash", 64))
                .col(uuid("entity_id"))
                .col(at("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "mutation_receipt",
            &["scope", "mutation", "client_mutation_id"],
        ))
        .await?;

        m.create_table(
            create("seed_run")
                .col(string_len("name", 120).primary_key())
                .col(at("applied_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "seed_run",
            "mutation_receipt",
            "mail_delivery",
            "organisation",
            "member",
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
