//! The partnership: heads of region and their terms, organisations' roles and contacts,
//! memberships, the team decree (SK Bupati) with its appendix, the secretariat, youth
//! ambassadors.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["website_url", "repository_url"] {
            m.alter_table(
                Table::alter()
                    .table("member")
                    .add_column(string_len_null(col, 2000))
                    .to_owned(),
            )
            .await?;
        }
        for col in [
            string_len_null("partnership_role", 40),
            string_len_null("contact_email", 320),
            string_len_null("contact_phone", 40),
            string_len_null("address", 500),
            string_len_null("website_url", 2000),
            boolean("contact_public").default(false).to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table("organisation")
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            create("head_of_region_term")
                .col(id())
                .col(id_ref("member_id"))
                .col(string_len("name", 200))
                .col(string_len_null("deputy_name", 200))
                .col(string_len_null("office_title", 100))
                .col(date_null("elected_on"))
                .col(date_null("declared_on"))
                .col(date_null("inaugurated_on"))
                .col(date_null("ends_on"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "head_of_region_term",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("head_of_region_term", &["member_id"]))
            .await?;

        m.create_table(
            create("membership")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("person_id"))
                .col(enum_text("body"))
                .col(id_ref_null("organisation_id"))
                .col(string_len_null("position", 200))
                .col(boolean("is_contact").default(false))
                .col(date_null("starts_on"))
                .col(date_null("ends_on"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "membership",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "membership",
                    "person_id",
                    "person",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "membership",
                    "organisation_id",
                    "organisation",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("membership", &["member_id"])).await?;
        m.create_index(index("membership", &["person_id"])).await?;
        m.create_index(index("membership", &["organisation_id"]))
            .await?;

        m.create_table(
            create("decree")
                .col(id())
                .col(id_ref("member_id"))
                .col(string_len_null("number", 120))
                .col(string_len("title", 500))
                .col(text_null("considerations"))
                .col(text_null("legal_basis"))
                .col(json("decided_items"))
                .col(string_len_null("signatory_name", 200))
                .col(string_len_null("signatory_office", 200))
                .col(string_len_null("set_place", 100))
                .col(date_null("set_on"))
                .col(date_null("signed_on"))
                .col(date_null("effective_from"))
                .col(date_null("effective_to"))
                .col(enum_text("status"))
                .col(id_ref_null("amends_id"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "decree",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "decree",
                    "amends_id",
                    "decree",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("decree", &["member_id"])).await?;

        m.create_table(
            create("decree_member")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("decree_id"))
                .col(id_ref_null("person_id"))
                .col(string_len("name", 200))
                .col(enum_text("position"))
                .col(enum_text("represents"))
                .col(id_ref_null("organisation_id"))
                .col(string_len_null("role_note", 200))
                .col(integer("ordinal").default(0))
                .col(at("created_at"))
                .foreign_key(&mut fk(
                    "decree_member",
                    "decree_id",
                    "decree",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "decree_member",
                    "person_id",
                    "person",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "decree_member",
                    "organisation_id",
                    "organisation",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("decree_member", &["decree_id"]))
            .await?;

        m.create_table(
            create("secretariat")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref_null("decree_id"))
                .col(string_len("venue_name", 200))
                .col(string_len_null("room", 200))
                .col(string_len_null("address", 500))
                .col(string_len_null("contact_email", 320))
                .col(string_len_null("contact_phone", 40))
                .col(json("channels"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "secretariat",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "secretariat",
                    "decree_id",
                    "decree",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("secretariat", &["member_id"])).await?;

        m.create_table(
            create("ambassador")
                .col(id())
                .col(id_ref("member_id"))
                .col(id_ref("person_id"))
                .col(string_len("cohort", 60))
                .col(date_null("starts_on"))
                .col(date_null("ends_on"))
                .col(text_null("activities"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "ambassador",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "ambassador",
                    "person_id",
                    "person",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ambassador", &["member_id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "ambassador",
            "secretariat",
            "decree_member",
            "decree",
            "membership",
            "head_of_region_term",
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
