//! A line of a decree's appendix: who is in the team, in which position, for whom.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::decree::{Represents, TeamPosition};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "decree_member")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub decree_id: Uuid,
    pub person_id: Option<Uuid>,
    /// As printed in the appendix (often an office: "Kepala Dinas Kominfo").
    pub name: String,
    pub position: TeamPosition,
    pub represents: Represents,
    pub organisation_id: Option<Uuid>,
    pub role_note: Option<String>,
    pub ordinal: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
