//! Open invitations to events and the public's registrations (seats and a waitlist).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("invitation")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("event_id"))
                .col(at("published_at"))
                .col(json("channels"))
                .col(enum_text("audience"))
                .col(integer_null("capacity"))
                .col(at_null("registration_closes_at"))
                .col(text_null("message"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "invitation",
                    "event_id",
                    "event",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("invitation", &["event_id"])).await?;

        m.create_table(
            create("registration")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("event_id"))
                .col(string_len("name", 300))
                .col(string_len("email", 320))
                .col(string_len_null("organisation_name", 300))
                .col(enum_text("status"))
                .col(string_len("cancel_token_hash", 64))
                .col(string_len("lang", 8))
                .col(at("created_at"))
                .col(at_null("promoted_at"))
                .col(at_null("cancelled_at"))
                .foreign_key(&mut fk(
                    "registration",
                    "event_id",
                    "event",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("registration", &["event_id", "status"]))
            .await?;
        m.create_index(index("registration", &["event_id", "email"]))
            .await?;
        m.create_index(unique("registration", &["cancel_token_hash"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["registration", "invitation"] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
