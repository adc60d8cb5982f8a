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

/// The rule configured for `framework`, or the documented pre-2020 rule when none is: verifiable,
/// relevant to an OGP value, moderate or transformative potential impact, substantial or
/// complete.
pub async fn of<C: ConnectionTrait>(db: &C, framework: Framework) -> Result<Model, DbErr> {
    Ok(Entity::find_by_id(framework)
        .one(db)
        .await?
        .unwrap_or(Model {
            framework,
            require_verifiable: true,
            require_relevance: true,
            min_potential_impact: Some(PotentialImpact::Moderate),
            min_potential_for_results: None,
            min_completion: Some(Completion::Substantial),
            // The built-in rule, never edited (not stored; its time is not shown).
            updated_at: chrono::DateTime::UNIX_EPOCH,
            version: 0,
        }))
}
