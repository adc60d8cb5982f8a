//! The consent a member of the public gave for their personal data (UU 27/2022 on personal
//! data protection, *Pelindungan Data Pribadi*): what they agreed to, in which words, when.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    pub enum ConsentPurpose {
        /// Registering for an event.
        EventRegistration => "EVENT_REGISTRATION",
        /// Receiving digests and alerts by e-mail.
        Subscription => "SUBSCRIPTION",
        /// Giving public input on a draft plan.
        PublicInput => "PUBLIC_INPUT",
        /// Having an account.
        Account => "ACCOUNT",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "consent")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Option<Uuid>,
    /// What holds the personal data (`Account`, `Registration`, `Subscription`, …).
    pub subject_type: String,
    pub subject_id: Uuid,
    pub purpose: ConsentPurpose,
    /// The statement the person agreed to, as shown to them.
    pub statement: String,
    pub lang: String,
    pub given_at: DateTimeUtc,
    pub withdrawn_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A consent given, recorded with [`record`].
pub struct Given<'a> {
    pub member: Option<Uuid>,
    /// What holds the personal data (`Registration`, `Subscription`, …).
    pub subject_type: &'a str,
    pub subject_id: Uuid,
    pub purpose: ConsentPurpose,
    /// The statement the person agreed to, as shown to them.
    pub statement: &'a str,
    pub lang: crate::Lang,
    /// The domain clock's "now".
    pub at: DateTimeUtc,
}

/// Records a consent, in the caller's transaction.
pub async fn record<C: ConnectionTrait>(db: &C, c: Given<'_>) -> Result<(), DbErr> {
    Entity::insert(ActiveModel {
        id: sea_orm::ActiveValue::Set(Uuid::now_v7()),
        member_id: sea_orm::ActiveValue::Set(c.member),
        subject_type: sea_orm::ActiveValue::Set(c.subject_type.to_owned()),
        subject_id: sea_orm::ActiveValue::Set(c.subject_id),
        purpose: sea_orm::ActiveValue::Set(c.purpose),
        statement: sea_orm::ActiveValue::Set(c.statement.to_owned()),
        lang: sea_orm::ActiveValue::Set(c.lang.tag().to_owned()),
        given_at: sea_orm::ActiveValue::Set(c.at),
        withdrawn_at: sea_orm::ActiveValue::Set(None),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}
