//! Action plans (Renaksi), their phases, commitments with their actors and responsible people,
//! milestones with responsible people, and progress updates (monev).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("action_plan")
                .col(id())
                .col(id_ref("member_id"))
                .col(enum_text("level"))
                .col(id_ref_null("part_of_id"))
                .col(id_ref_null("follows_id"))
                .col(string_len("title", 500))
                .col(date_null("period_start"))
                .col(date_null("period_end"))
                .col(date_null("submission_deadline"))
                .col(date_null("submitted_on"))
                .col(string_len_null("document_version", 40))
                .col(enum_text("status"))
                .col(text_null("summary"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "action_plan",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "action_plan",
                    "part_of_id",
                    "action_plan",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "action_plan",
                    "follows_id",
                    "action_plan",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("action_plan", &["member_id"])).await?;

        m.create_table(
            create("plan_phase")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("plan_id"))
                .col(string_len("name", 200))
                .col(date_null("starts_on"))
                .col(date_null("ends_on"))
                .col(integer("ordinal").default(0))
                .col(at("created_at"))
                .foreign_key(&mut fk(
                    "plan_phase",
                    "plan_id",
                    "action_plan",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("plan_phase", &["plan_id"])).await?;

        m.create_table(
            create("commitment")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("plan_id"))
                .col(string_len_null("code", 40))
                .col(string_len("title", 500))
                .col(string_len_null("theme", 200))
                .col(text_null("problem"))
                .col(text_null("baseline"))
                .col(text_null("objective"))
                .col(text_null("description"))
                .col(text_null("how_it_solves"))
                .col(json("ogp_values"))
                .col(text_null("ambition"))
                .col(id_ref_null("lead_organisation_id"))
                .col(string_len_null("official_in_charge", 200))
                .col(date_null("starts_on"))
                .col(date_null("ends_on"))
                .col(id_ref_null("continues_id"))
                .col(enum_text("status"))
                .col(integer("ordinal").default(0))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "commitment",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "commitment",
                    "plan_id",
                    "action_plan",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "commitment",
                    "lead_organisation_id",
                    "organisation",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "commitment",
                    "continues_id",
                    "commitment",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("commitment", &["plan_id"])).await?;
        m.create_index(index("commitment", &["member_id"])).await?;

        m.create_table(
            create("commitment_actor")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("commitment_id"))
                .col(id_ref("organisation_id"))
                .col(enum_text("sector"))
                .foreign_key(&mut fk(
                    "commitment_actor",
                    "commitment_id",
                    "commitment",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "commitment_actor",
                    "organisation_id",
                    "organisation",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "commitment_actor",
            &["commitment_id", "organisation_id"],
        ))
        .await?;

        m.create_table(
            create("responsibility")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref_null("commitment_id"))
                .col(id_ref_null("milestone_id"))
                .col(id_ref("person_id"))
                .col(string_len_null("role", 200))
                .foreign_key(&mut fk(
                    "responsibility",
                    "commitment_id",
                    "commitment",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "responsibility",
                    "person_id",
                    "person",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("responsibility", &["commitment_id"]))
            .await?;
        m.create_index(index("responsibility", &["milestone_id"]))
            .await?;
        m.create_index(index("responsibility", &["person_id"]))
            .await?;

        m.create_table(
            create("milestone")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("commitment_id"))
                .col(string_len("title", 500))
                .col(text_null("deliverable"))
                .col(date_null("starts_on"))
                .col(date_null("ends_on"))
                .col(id_ref_null("responsible_organisation_id"))
                .col(integer("weight").default(1))
                .col(enum_text("status"))
                .col(integer("progress").default(0))
                .col(integer("ordinal").default(0))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "milestone",
                    "commitment_id",
                    "commitment",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "milestone",
                    "responsible_organisation_id",
                    "organisation",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("milestone", &["commitment_id"]))
            .await?;
        m.create_index(index("milestone", &["member_id", "ends_on"]))
            .await?;

        m.create_table(
            create("progress_update")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("milestone_id"))
                .col(date("reported_on"))
                .col(id_ref_null("author_id"))
                .col(string_len("author_label", 200))
                .col(integer("percent"))
                .col(text_null("note"))
                .col(json("evidence_links"))
                .col(at("created_at"))
                .foreign_key(&mut fk(
                    "progress_update",
                    "milestone_id",
                    "milestone",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("progress_update", &["milestone_id", "reported_on"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "progress_update",
            "milestone",
            "responsibility",
            "commitment_actor",
            "commitment",
            "plan_phase",
            "action_plan",
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
