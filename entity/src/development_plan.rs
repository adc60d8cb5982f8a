//! A development plan the commitments align with: the *RPJMD* (Rencana Pembangunan Jangka
//! Menengah Daerah, the five-year regional plan), with its stage as the planning office
//! (Bappeda) writes it (*rancangan teknokratik*, *rancangan awal*, …: kept as text).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "development_plan")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    /// "RPJMD", "RKPD", …
    pub kind: String,
    pub title: String,
    pub start_year: Option<i32>,
    pub end_year: Option<i32>,
    pub stage: Option<String>,
    pub head_of_region_term_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
