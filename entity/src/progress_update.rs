//! A progress report on a milestone (from a *monev* — monitoring and evaluation — meeting or
//! on its own): the date, who reported, the percentage, a note and evidence links.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "progress_update")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub milestone_id: Uuid,
    pub reported_on: Date,
    pub author_id: Option<Uuid>,
    pub author_label: String,
    pub percent: i32,
    pub note: Option<String>,
    /// A JSON list of URLs.
    pub evidence_links: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
