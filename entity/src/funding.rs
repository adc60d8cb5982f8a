//! What funds a commitment (or one of its milestones): a DPA budget line or an NGO programme.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "funding")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub commitment_id: Uuid,
    pub milestone_id: Option<Uuid>,
    pub budget_line_id: Option<Uuid>,
    pub ngo_programme_id: Option<Uuid>,
    /// Whole rupiah allocated, when known.
    pub amount: Option<i64>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
