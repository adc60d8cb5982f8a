//! An organisation taking part in a member's partnership: a government office (OPD), an NGO,
//! a university, a company, the media, a community group or an international body.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// What kind of organisation it is.
    pub enum OrganisationKind {
        /// *OPD* (Organisasi Perangkat Daerah, formerly SKPD): a regional government work unit
        /// such as Dinas Kominfo or Bappeda.
        GovernmentOffice => "GOVERNMENT_OFFICE",
        /// A civil-society organisation (LSM / NGO / CSO).
        Ngo => "NGO",
        Academia => "ACADEMIA",
        Private => "PRIVATE",
        Media => "MEDIA",
        /// A community group such as the PKK or a youth group.
        CommunityGroup => "COMMUNITY_GROUP",
        International => "INTERNATIONAL",
    }
}

crate::text_enum! {
    /// The division of work agreed on 28 June 2018: NGOs as watchdog, the Pemkab as executive.
    pub enum PartnershipRole {
        /// Implements the plan (the regency government and its offices).
        Executive => "EXECUTIVE",
        /// Monitors and holds to account (civil society).
        Watchdog => "WATCHDOG",
        /// Supports (communities, media, companies, donors).
        Supporter => "SUPPORTER",
    }
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
    pub partnership_role: Option<PartnershipRole>,
    /// The office's contact e-mail: INTERNAL, or PUBLIC when `contact_public`.
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub address: Option<String>,
    pub website_url: Option<String>,
    /// Whether the office contacts may be shown to the public.
    pub contact_public: bool,
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
