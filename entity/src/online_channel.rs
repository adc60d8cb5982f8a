//! The partnership's own channels: its website and social-media accounts (the 28 June 2018
//! meeting asked for both — "membuat medsos khusus" and "perlunya website khusus OGP"), who
//! runs each, and whether it is planned, active or retired.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    pub enum ChannelKind {
        Website => "WEBSITE",
        Facebook => "FACEBOOK",
        Instagram => "INSTAGRAM",
        X => "X",
        Youtube => "YOUTUBE",
        Tiktok => "TIKTOK",
        Whatsapp => "WHATSAPP",
        Other => "OTHER",
    }
}

crate::text_enum! {
    pub enum ChannelStatus {
        /// Agreed on but not yet running: the partnership's own people see it.
        Planned => "PLANNED",
        Active => "ACTIVE",
        Retired => "RETIRED",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "online_channel")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub kind: ChannelKind,
    pub name: String,
    /// "@ogpbojonegoro"; the account name as people search for it.
    pub handle: Option<String>,
    pub url: Option<String>,
    /// The organisation that runs it.
    pub organisation_id: Option<Uuid>,
    pub status: ChannelStatus,
    #[sea_orm(column_type = "Text", nullable)]
    pub purpose: Option<String>,
    pub ordinal: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
