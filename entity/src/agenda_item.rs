//! An item of an event's agenda, with its duration and speaker (*narasumber*).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "agenda_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub event_id: Uuid,
    pub ordinal: i32,
    pub title: String,
    pub duration_minutes: Option<i32>,
    /// The speaker, when they are a person on file.
    pub speaker_person_id: Option<Uuid>,
    /// The speaker as announced ("Bupati Terpilih", "Direktur BI").
    pub speaker_name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
