//! An organisation taking part in a member's partnership: a government office (OPD), an NGO,
//! a university, a company, the media, a community group or an international body.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What kind of organisation it is.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum OrganisationKind {
    /// *OPD* (Organisasi Perangkat Daerah, formerly SKPD): a regional government work unit
    /// such as Dinas Kominfo or Bappeda.
    #[sea_orm(string_value = "GOVERNMENT_OFFICE")]
    GovernmentOffice,
    /// A civil-society organisation (LSM / NGO / CSO).
    #[sea_orm(string_value = "NGO")]
    Ngo,
    #[sea_orm(string_value = "ACADEMIA")]
    Academia,
    #[sea_orm(string_value = "PRIVATE")]
    Private,
    #[sea_orm(string_value = "MEDIA")]
    Media,
    /// A community group such as the PKK or a youth group.
    #[sea_orm(string_value = "COMMUNITY_GROUP")]
    CommunityGroup,
    #[sea_orm(string_value = "INTERNATIONAL")]
    International,
}

impl OrganisationKind {
    /// Whether the organisation speaks for government (as opposed to civil society).
    pub fn is_government(self) -> bool {
        matches!(self, OrganisationKind::GovernmentOffice)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "organisation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub name: String,
    /// Lower-cased, space-collapsed name: unique per member.
    pub name_key: String,
    pub acronym: Option<String>,
    pub kind: OrganisationKind,
    pub parent_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::member::Entity",
        from = "Column::MemberId",
        to = "super::member::Column::Id",
        on_delete = "Restrict"
    )]
    Member,
    #[sea_orm(
        belongs_to = "Entity",
        from = "Column::ParentId",
        to = "Column::Id",
        on_delete = "Restrict"
    )]
    Parent,
}

impl Related<super::member::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Member.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
