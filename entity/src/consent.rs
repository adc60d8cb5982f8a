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
