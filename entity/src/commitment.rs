//! A commitment of an action plan, with the fields of the OGP template (the subnational
//! template Bojonegoro used in 2016–2017): problem and baseline, objective, description, how it
//! solves the problem, OGP values, ambition, lead agency, supporting actors by sector.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::transitions::Transitions;

crate::text_enum! {
    pub enum CommitmentStatus {
        Draft => "DRAFT",
        Proposed => "PROPOSED",
        /// In the plan.
        Accepted => "ACCEPTED",
        InProgress => "IN_PROGRESS",
        Completed => "COMPLETED",
        Discontinued => "DISCONTINUED",
    }
}

impl Transitions for CommitmentStatus {
    const ALLOWED: &'static [(Self, Self)] = &[
        (Self::Draft, Self::Proposed),
        (Self::Proposed, Self::Draft),
        (Self::Proposed, Self::Accepted),
        (Self::Accepted, Self::InProgress),
        (Self::InProgress, Self::Completed),
        (Self::Proposed, Self::Discontinued),
        (Self::Accepted, Self::Discontinued),
        (Self::InProgress, Self::Discontinued),
    ];
}

crate::text_enum! {
    /// The OGP values the IRM checks a commitment's relevance against.
    pub enum OgpValue {
        AccessToInformation => "ACCESS_TO_INFORMATION",
        CivicParticipation => "CIVIC_PARTICIPATION",
        PublicAccountability => "PUBLIC_ACCOUNTABILITY",
        TechnologyInnovation => "TECHNOLOGY_INNOVATION",
    }
}

crate::text_enum! {
    /// Which side a supporting actor is on.
    pub enum Sector {
        Government => "GOVERNMENT",
        CivilSociety => "CIVIL_SOCIETY",
        Private => "PRIVATE",
        Academia => "ACADEMIA",
        Other => "OTHER",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "commitment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub plan_id: Uuid,
    /// "BOJ0001".
    pub code: Option<String>,
    pub title: String,
    pub theme: Option<String>,
    pub problem: Option<String>,
    pub baseline: Option<String>,
    pub objective: Option<String>,
    pub description: Option<String>,
    pub how_it_solves: Option<String>,
    /// `OgpValue`s, as a JSON list.
    pub ogp_values: Json,
    pub ambition: Option<String>,
    pub lead_organisation_id: Option<Uuid>,
    pub official_in_charge: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    /// The commitment of the previous plan this one continues.
    pub continues_id: Option<Uuid>,
    pub status: CommitmentStatus,
    pub ordinal: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The OGP values it is relevant to; none when the stored list is not one of them.
    pub fn values(&self) -> Vec<OgpValue> {
        serde_json::from_value(self.ogp_values.clone()).unwrap_or_default()
    }
}

/// [`Model::values`] read from the stored list's JSON text.
pub fn values_in(json: &str) -> Vec<OgpValue> {
    serde_json::from_str(json).unwrap_or_default()
}
