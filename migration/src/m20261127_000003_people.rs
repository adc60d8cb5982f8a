//! People: the humans behind accounts, team memberships and contact points.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("person")
                .col(id())
                .col(id_ref("member_id"))
                .col(string_len("name", 200))
                .col(string_len_null("title", 200))
                .col(id_ref_null("organisation_id"))
                .col(string_len_null("email", 320))
                .col(string_len_null("phone", 40))
                .col(at_null("erased_at"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .foreign_key(&mut fk(
                    "person",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "person",
                    "organisation_id",
                    "organisation",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("person", &["member_id"])).await?;
        m.create_index(index("person", &["organisation_id"]))
            .await?;
        m.create_index(index("account", &["person_id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("person").if_exists().to_owned())
            .await?;
        Ok(())
    }
}
