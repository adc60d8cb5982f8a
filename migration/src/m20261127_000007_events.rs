//! Events with their agenda, organisations and attendance; follow-up actions and the people
//! who own them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("event")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref_null("plan_id"))
                .col(enum_text("kind"))
                .col(string_len("title", 500))
                .col(text_null("description"))
                .col(id_ref_null("organiser_id"))
                .col(string_len_null("venue_name", 300))
                .col(string_len_null("venue_address", 500))
                .col(string_len_null("venue_room", 200))
                .col(string_len_null("online_url", 2000))
                .col(at("starts_at"))
                .col(at_null("ends_at"))
                .col(boolean("is_public").default(false))
                .col(string_len_null("channel", 40))
                .col(json_null("recurrence"))
                .col(enum_text("status"))
                .col(text_null("minutes"))
                .col(integer_null("attendee_count"))
                .col(at_null("held_at"))
                .col(at_null("closed_at"))
                .col(integer("sequence").default(0))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "event",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "event",
                    "plan_id",
                    "action_plan",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "event",
                    "organiser_id",
                    "organisation",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("event", &["member_id", "starts_at"]))
            .await?;

        m.create_table(
            create("agenda_item")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("event_id"))
                .col(integer("ordinal"))
                .col(string_len("title", 500))
                .col(integer_null("duration_minutes"))
                .col(id_ref_null("speaker_person_id"))
                .col(string_len_null("speaker_name", 300))
                .foreign_key(&mut fk(
                    "agenda_item",
                    "event_id",
                    "event",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "agenda_item",
                    "speaker_person_id",
                    "person",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("agenda_item", &["event_id", "ordinal"]))
            .await?;

        m.create_table(
            create("event_organisation")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("event_id"))
                .col(id_ref("organisation_id"))
                .col(enum_text("role"))
                .foreign_key(&mut fk(
                    "event_organisation",
                    "event_id",
                    "event",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "event_organisation",
                    "organisation_id",
                    "organisation",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "event_organisation",
            &["event_id", "organisation_id", "role"],
        ))
        .await?;

        m.create_table(
            create("attendance")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("event_id"))
                .col(id_ref_null("person_id"))
                .col(string_len_null("name", 300))
                .col(id_ref_null("organisation_id"))
                .col(enum_text("sector"))
                .col(enum_text("gender"))
                .col(at("created_at"))
                .foreign_key(&mut fk(
                    "attendance",
                    "event_id",
                    "event",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "attendance",
                    "person_id",
                    "person",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "attendance",
                    "organisation_id",
                    "organisation",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("attendance", &["event_id"])).await?;

        m.create_table(
            create("follow_up")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref_null("event_id"))
                .col(text("description"))
                .col(id_ref_null("owner_organisation_id"))
                .col(date_null("due_on"))
                .col(enum_text("status"))
                .col(id_ref_null("commitment_id"))
                .col(integer("ordinal").default(0))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "follow_up",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "follow_up",
                    "event_id",
                    "event",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "follow_up",
                    "owner_organisation_id",
                    "organisation",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "follow_up",
                    "commitment_id",
                    "commitment",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("follow_up", &["event_id", "ordinal"]))
            .await?;
        m.create_index(index("follow_up", &["member_id", "due_on"]))
            .await?;

        m.create_table(
            create("follow_up_person")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("follow_up_id"))
                .col(id_ref("person_id"))
                .foreign_key(&mut fk(
                    "follow_up_person",
                    "follow_up_id",
                    "follow_up",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "follow_up_person",
                    "person_id",
                    "person",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("follow_up_person", &["follow_up_id", "person_id"]))
            .await?;
        m.create_index(index("follow_up_person", &["person_id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "follow_up_person",
            "follow_up",
            "attendance",
            "event_organisation",
            "agenda_item",
            "event",
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
