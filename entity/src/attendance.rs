//! A line of an event's attendance list (*daftar hadir*): a person on file or a name as
//! signed, their organisation, sector and gender (KPI follows women's participation).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    pub enum AttendeeSector {
        Government => "GOVERNMENT",
        CivilSociety => "CIVIL_SOCIETY",
        Academia => "ACADEMIA",
        Private => "PRIVATE",
        Media => "MEDIA",
        Public => "PUBLIC",
        Other => "OTHER",
    }
}

crate::text_enum! {
    pub enum Gender {
        Female => "FEMALE",
        Male => "MALE",
        Undisclosed => "UNDISCLOSED",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub event_id: Uuid,
    pub person_id: Option<Uuid>,
    /// The name as signed, for someone not on file (PERSONAL).
    pub name: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub sector: AttendeeSector,
    pub gender: Gender,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
