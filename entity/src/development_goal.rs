//! A vision, mission or programme item: of a development plan, or of a head of region (the
//! *visi dan misi* of the Bupati Terpilih).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    pub enum GoalKind {
        Vision => "VISION",
        Mission => "MISSION",
        Programme => "PROGRAMME",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "development_goal")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub development_plan_id: Option<Uuid>,
    pub head_of_region_term_id: Option<Uuid>,
    pub kind: GoalKind,
    pub ordinal: i32,
    pub text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
