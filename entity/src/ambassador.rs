//! A youth ambassador (*Duta OGP* / *Duta Pemerintahan Terbuka*), proposed on 28 June 2018 to
//! brand open government for young people.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "ambassador")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub person_id: Uuid,
    /// "2018", "Angkatan I".
    pub cohort: String,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub activities: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
