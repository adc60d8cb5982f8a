//! When a commitment earns the IRM's star (✪), per framework — configurable, because only the
//! pre-2020 rule is documented in the sources.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::assessment::Framework;
use crate::commitment_assessment::{Completion, PotentialForResults, PotentialImpact};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "starred_rule")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub framework: Framework,
    pub require_verifiable: bool,
    /// At least one relevant OGP value.
    pub require_relevance: bool,
    pub min_potential_impact: Option<PotentialImpact>,
    pub min_potential_for_results: Option<PotentialForResults>,
    pub min_completion: Option<Completion>,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
