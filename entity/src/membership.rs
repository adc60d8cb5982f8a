//! A person's place in an organisation or a body of the partnership (the team, the forum, the
//! secretariat, a transition team), with position and dates. Office contacts (PICs) are
//! memberships marked as contact.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// Where the membership is.
    pub enum Body {
        /// An organisation (the person works there).
        Organisation => "ORGANISATION",
        /// The partnership team (*Tim Kemitraan Pemerintahan Terbuka*).
        Team => "TEAM",
        /// The multi-stakeholder forum.
        Forum => "FORUM",
        /// The secretariat.
        Secretariat => "SECRETARIAT",
        /// The elected head of region's transition team (*tim transisi*).
        TransitionTeam => "TRANSITION_TEAM",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "membership")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub person_id: Uuid,
    pub body: Body,
    pub organisation_id: Option<Uuid>,
    pub position: Option<String>,
    /// The organisation's contact person (PIC).
    pub is_contact: bool,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
