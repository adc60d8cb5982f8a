//! An organisation supporting a commitment, and its sector.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::commitment::Sector;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "commitment_actor")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub commitment_id: Uuid,
    pub organisation_id: Uuid,
    pub sector: Sector,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
