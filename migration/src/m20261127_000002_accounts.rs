//! Accounts, sessions, role grants per member, single-use tokens, consents and the audit log.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use crate::common::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            create("account")
                .col(id())
                .col(string_len_uniq("email", 320))
                .col(string_len("name", 200))
                .col(string_len_null("password_hash", 200))
                .col(enum_text("status"))
                .col(boolean("is_operator").default(false))
                .col(id_ref_null("person_id"))
                .col(string_len("lang", 8).default("id"))
                .col(integer("failed_logins").default(0))
                .col(at_null("locked_until"))
                .col(at_null("last_login_at"))
                .col(at_null("deactivated_at"))
                .col(at_null("erased_at"))
                .col(at("created_at"))
                .col(at("updated_at"))
                .col(version())
                .to_owned(),
        )
        .await?;

        m.create_table(
            create("account_session")
                .col(id())
                .col(id_ref("account_id"))
                .col(string_len_uniq("token_hash", 64))
                .col(at("created_at"))
                .col(at("expires_at"))
                .col(at_null("revoked_at"))
                .foreign_key(&mut fk(
                    "account_session",
                    "account_id",
                    "account",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("account_session", &["account_id"]))
            .await?;

        m.create_table(
            create("role_grant")
                .col(id())
                .col(id_ref("account_id"))
                .col(id_ref("member_id"))
                .col(enum_text("role"))
                .col(id_ref_null("granted_by"))
                .col(at("granted_at"))
                .foreign_key(&mut fk(
                    "role_grant",
                    "account_id",
                    "account",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "role_grant",
                    "member_id",
                    "member",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("role_grant", &["account_id", "member_id", "role"]))
            .await?;
        m.create_index(index("role_grant", &["member_id"])).await?;

        m.create_table(
            create("account_token")
                .col(id())
                .col(id_ref("account_id"))
                .col(enum_text("purpose"))
                .col(string_len_uniq("token_hash", 64))
                .col(at("created_at"))
                .col(at("expires_at"))
                .col(at_null("used_at"))
                .foreign_key(&mut fk(
                    "account_token",
                    "account_id",
                    "account",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            create("consent")
                .col(id())
                .col(id_ref_null("member_id"))
                .col(string_len("subject_type", 40))
                .col(uuid("subject_id"))
                .col(enum_text("purpose"))
                .col(text("statement"))
                .col(string_len("lang", 8))
                .col(at("given_at"))
                .col(at_null("withdrawn_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("consent", &["subject_type", "subject_id"]))
            .await?;

        m.create_table(
            create("audit_event")
                .col(id())
                .col(at("occurred_at"))
                .col(id_ref_null("actor_id"))
                .col(string_len("actor_label", 200))
                .col(id_ref_null("member_id"))
                .col(string_len("entity_type", 60))
                .col(uuid_null("entity_id"))
                .col(string_len("action", 60))
                .col(json_null("before"))
                .col(json_null("after"))
                .col(json("personal_fields"))
                .col(string_len_null("request_id", 64))
                .to_owned(),
        )
        .await?;
        m.create_index(index("audit_event", &["member_id", "occurred_at"]))
            .await?;
        m.create_index(index("audit_event", &["entity_type", "entity_id"]))
            .await?;
        m.create_index(index("audit_event", &["actor_id"])).await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "audit_event",
            "consent",
            "account_token",
            "role_grant",
            "account_session",
            "account",
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
