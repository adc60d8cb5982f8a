//! A role an account holds in one member government's partnership.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// What an account may do within one member government.
    pub enum Role {
        /// Everything in the member, including accounts and roles.
        Admin => "ADMIN",
        /// The secretariat (in Bojonegoro, in the PPID room): plans, events, publications,
        /// subscribers.
        Secretariat => "SECRETARIAT",
        /// A member of the partnership team: the commitments, milestones and follow-ups they are
        /// responsible for, and their evidence.
        TeamMember => "TEAM_MEMBER",
        /// A civil-society monitor: reads everything including drafts and the audit log, comments
        /// and adds public input, changes no government record.
        Watchdog => "WATCHDOG",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "role_grant")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub member_id: Uuid,
    pub role: Role,
    pub granted_by: Option<Uuid>,
    pub granted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
