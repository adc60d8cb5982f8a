//! An assessment of a plan: the IRM's reports (design, progress, end-of-term, action plan
//! review, results), OGP Local's (inception, end-of-commitment) and the government's own.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

crate::text_enum! {
    pub enum AssessmentKind {
        IrmDesign => "IRM_DESIGN",
        IrmProgress => "IRM_PROGRESS",
        IrmEndOfTerm => "IRM_END_OF_TERM",
        IrmActionPlanReview => "IRM_ACTION_PLAN_REVIEW",
        IrmResults => "IRM_RESULTS",
        LocalInception => "LOCAL_INCEPTION",
        LocalEndOfCommitment => "LOCAL_END_OF_COMMITMENT",
        SelfAssessment => "SELF_ASSESSMENT",
    }
}

crate::text_enum! {
    /// The rule book the values follow; each has its own starred rule (`starred_rule`).
    pub enum Framework {
        /// The IRM before its 2020 refresh (Bojonegoro's 2017 Final IRM Report).
        IrmPre2020 => "IRM_PRE_2020",
        IrmRefresh2020 => "IRM_2020",
        OgpLocal => "OGP_LOCAL",
        SelfAssessment => "SELF_ASSESSMENT",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "assessment")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub plan_id: Uuid,
    pub kind: AssessmentKind,
    pub framework: Framework,
    pub title: String,
    /// "Anton Novenanto (Universitas Brawijaya)".
    pub assessor: Option<String>,
    pub published_on: Option<Date>,
    pub url: Option<String>,
    pub findings: Option<String>,
    pub recommendations: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
