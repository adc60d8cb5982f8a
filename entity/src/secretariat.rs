//! The team's secretariat, established by a decree, with its venue (in Bojonegoro: the PPID
//! room in the public information centre in the Pemkab compound) and contact channels.
//! *PPID*: Pejabat Pengelola Informasi dan Dokumentasi, the information and documentation
//! officer under the public information law (UU 14/2008).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "secretariat")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub decree_id: Option<Uuid>,
    pub venue_name: String,
    pub room: Option<String>,
    pub address: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// Other channels: `[{"kind": "WHATSAPP", "value": "…"}]`.
    pub channels: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
