//! One commitment's values in one assessment, on the official scales.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    /// Potential impact (IRM before 2020).
    pub enum PotentialImpact {
        None => "NONE",
        Minor => "MINOR",
        Moderate => "MODERATE",
        Transformative => "TRANSFORMATIVE",
    }
}

crate::text_enum! {
    /// Potential for results (IRM from 2020 plans).
    pub enum PotentialForResults {
        Unclear => "UNCLEAR",
        Modest => "MODEST",
        Substantial => "SUBSTANTIAL",
    }
}

crate::text_enum! {
    pub enum Completion {
        NoEvidence => "NO_EVIDENCE",
        NotStarted => "NOT_STARTED",
        Limited => "LIMITED",
        Substantial => "SUBSTANTIAL",
        Complete => "COMPLETE",
    }
}

crate::text_enum! {
    /// "Did it open government?"
    pub enum Diog {
        Worsened => "WORSENED",
        DidNotChange => "DID_NOT_CHANGE",
        Marginal => "MARGINAL",
        Major => "MAJOR",
        Outstanding => "OUTSTANDING",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "commitment_assessment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub assessment_id: Uuid,
    pub commitment_id: Uuid,
    pub verifiable: Option<bool>,
    /// `OgpValue`s the assessor found it relevant to (JSON list).
    pub relevant_values: Json,
    pub potential_impact: Option<PotentialImpact>,
    pub potential_for_results: Option<PotentialForResults>,
    pub completion: Option<Completion>,
    pub did_it_open_government: Option<Diog>,
    pub narrative: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn relevant(&self) -> Vec<crate::commitment::OgpValue> {
        serde_json::from_value(self.relevant_values.clone()).unwrap_or_default()
    }
}
