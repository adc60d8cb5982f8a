//! A civil-society organisation's programme (with its funder) that can fund commitments — the
//! "sync of the Kominfo DPA with NGO programmes" asked for on 28 June 2018.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "ngo_programme")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub organisation_id: Uuid,
    pub title: String,
    pub funder: Option<String>,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    /// Whole rupiah.
    pub amount: Option<i64>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
