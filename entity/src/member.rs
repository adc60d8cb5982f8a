//! An OGP member government: a nation, a province, a regency (*kabupaten*) or a city (*kota*).
//!
//! Every partnership record belongs to exactly one member; roles are granted per member.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// The level of government a member is.
    pub enum MemberLevel {
        /// *Kabupaten*, led by a Bupati.
        Regency => "REGENCY",
        /// *Kota*, led by a Wali Kota.
        City => "CITY",
        /// *Provinsi*, led by a Gubernur.
        Province => "PROVINCE",
        /// A national government.
        National => "NATIONAL",
    }
}

impl MemberLevel {
    /// Higher is wider: a parent must rank above its child.
    pub fn rank(self) -> u8 {
        match self {
            MemberLevel::Regency | MemberLevel::City => 1,
            MemberLevel::Province => 2,
            MemberLevel::National => 3,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "member")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Short name used in public URLs (`/feeds/bojonegoro/...`).
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub level: MemberLevel,
    pub parent_id: Option<Uuid>,
    /// IANA zone every date a person sees is shown in (`Asia/Jakarta`).
    pub time_zone: String,
    pub ogp_member_since: Option<Date>,
    /// The member's OGP website (MR 2.1).
    pub website_url: Option<String>,
    /// The public document repository (MR 2.2).
    pub repository_url: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ParentId",
        to = "Column::Id",
        on_delete = "Restrict"
    )]
    Parent,
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The member's time zone; a stored value is always valid, Jakarta is the fallback.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Asia::Jakarta)
    }
}
