//! Assessments of plans and per-commitment values on the official scales; the star (✪) and
//! the "At a Glance" table are computed from those values by the framework's rule.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};
use entity::assessment::{self, AssessmentKind, Framework};
use entity::commitment::OgpValue;
use entity::commitment_assessment::{
    self as values, Completion, Diog, PotentialForResults, PotentialImpact,
};
use entity::irm::{self, AtAGlance};
use entity::{Problem, Problems, starred_rule, validate};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use super::commitment::Commitment;
use super::context::CtxExt;
use super::crud::{self, Create};
use super::ids;
use super::mutation::{date_change, text_change};
use super::plan::ActionPlan;
use super::policy;
use super::scalars::Date;

pub const KIND: &str = "Assessment";

pub struct Assessment(pub assessment::Model);

/// The rule of a framework (the default pre-2020 IRM rule when none is stored).
pub async fn rule_of(ctx: &Context<'_>, framework: Framework) -> Result<starred_rule::Model> {
    Ok(starred_rule::of(ctx.db(), framework).await?)
}

#[Object]
impl Assessment {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    async fn plan(&self, ctx: &Context<'_>) -> Result<Option<ActionPlan>> {
        Ok(ctx
            .loaders()
            .plan
            .load_one(self.0.plan_id)
            .await?
            .map(ActionPlan))
    }
    async fn kind(&self) -> AssessmentKind {
        self.0.kind
    }
    async fn framework(&self) -> Framework {
        self.0.framework
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn assessor(&self) -> Option<&str> {
        self.0.assessor.as_deref()
    }
    async fn published_on(&self) -> Option<Date> {
        self.0.published_on.map(Date)
    }
    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }
    async fn findings(&self) -> Option<&str> {
        self.0.findings.as_deref()
    }
    async fn recommendations(&self) -> Option<&str> {
        self.0.recommendations.as_deref()
    }
    /// Per-commitment values.
    async fn values(&self, ctx: &Context<'_>) -> Result<Vec<CommitmentValues>> {
        let rule = rule_of(ctx, self.0.framework).await?;
        Ok(ctx
            .loaders()
            .values_of_assessment
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|v| CommitmentValues {
                starred: irm::starred(&v, &rule),
                model: v,
            })
            .collect())
    }
    /// The "At a Glance" table, computed from the per-commitment values.
    async fn at_a_glance(&self, ctx: &Context<'_>) -> Result<AtAGlance> {
        let rule = rule_of(ctx, self.0.framework).await?;
        let vs = ctx
            .loaders()
            .values_of_assessment
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(irm::at_a_glance(&vs, &rule))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

pub struct CommitmentValues {
    pub model: values::Model,
    pub starred: bool,
}

#[Object]
impl CommitmentValues {
    async fn id(&self) -> ID {
        ids::encode("CommitmentValues", self.model.id)
    }
    async fn commitment(&self, ctx: &Context<'_>) -> Result<Option<Commitment>> {
        Ok(ctx
            .loaders()
            .commitment
            .load_one(self.model.commitment_id)
            .await?
            .map(Commitment))
    }
    async fn verifiable(&self) -> Option<bool> {
        self.model.verifiable
    }
    async fn relevant_values(&self) -> Vec<OgpValue> {
        self.model.relevant()
    }
    async fn potential_impact(&self) -> Option<PotentialImpact> {
        self.model.potential_impact
    }
    async fn potential_for_results(&self) -> Option<PotentialForResults> {
        self.model.potential_for_results
    }
    async fn completion(&self) -> Option<Completion> {
        self.model.completion
    }
    async fn did_it_open_government(&self) -> Option<Diog> {
        self.model.did_it_open_government
    }
    async fn narrative(&self) -> Option<&str> {
        self.model.narrative.as_deref()
    }
    /// ✪ by the framework's rule (computed, never entered).
    async fn starred(&self) -> bool {
        self.starred
    }
    async fn version(&self) -> i32 {
        self.model.version
    }
}

/// A framework's starred rule.
pub struct StarredRule(pub starred_rule::Model);

#[Object]
impl StarredRule {
    async fn framework(&self) -> Framework {
        self.0.framework
    }
    async fn require_verifiable(&self) -> bool {
        self.0.require_verifiable
    }
    async fn require_relevance(&self) -> bool {
        self.0.require_relevance
    }
    async fn min_potential_impact(&self) -> Option<PotentialImpact> {
        self.0.min_potential_impact
    }
    async fn min_potential_for_results(&self) -> Option<PotentialForResults> {
        self.0.min_potential_for_results
    }
    async fn min_completion(&self) -> Option<Completion> {
        self.0.min_completion
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

crate::payload!(AssessmentPayload, assessment: Assessment, assessment::Model);
crate::payload!(StarredRulePayload, rule: StarredRule, starred_rule::Model);

#[derive(InputObject, Serialize)]
pub struct CreateAssessmentInput {
    pub client_mutation_id: Option<String>,
    pub plan_id: ID,
    pub kind: AssessmentKind,
    pub framework: Framework,
    pub title: String,
    pub assessor: Option<String>,
    pub published_on: Option<Date>,
    pub url: Option<String>,
    pub findings: Option<String>,
    pub recommendations: Option<String>,
}

#[derive(InputObject, Serialize)]
pub struct UpdateAssessmentInput {
    pub id: ID,
    pub version: i32,
    pub title: Option<String>,
    pub assessor: MaybeUndefined<String>,
    pub published_on: MaybeUndefined<Date>,
    pub url: MaybeUndefined<String>,
    pub findings: MaybeUndefined<String>,
    pub recommendations: MaybeUndefined<String>,
}

#[derive(InputObject, Serialize)]
pub struct SetCommitmentValuesInput {
    pub assessment_id: ID,
    pub commitment_id: ID,
    pub verifiable: Option<bool>,
    #[graphql(default)]
    pub relevant_values: Vec<OgpValue>,
    pub potential_impact: Option<PotentialImpact>,
    pub potential_for_results: Option<PotentialForResults>,
    pub completion: Option<Completion>,
    pub did_it_open_government: Option<Diog>,
    pub narrative: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateStarredRuleInput {
    pub framework: Framework,
    pub version: i32,
    pub require_verifiable: bool,
    pub require_relevance: bool,
    pub min_potential_impact: Option<PotentialImpact>,
    pub min_potential_for_results: Option<PotentialForResults>,
    pub min_completion: Option<Completion>,
}

#[derive(Default)]
pub struct AssessmentQuery;

#[Object]
impl AssessmentQuery {
    /// The starred rule of each framework.
    async fn starred_rules(&self, ctx: &Context<'_>) -> Result<Vec<StarredRule>> {
        Ok(starred_rule::Entity::find()
            .all(ctx.db())
            .await?
            .into_iter()
            .map(StarredRule)
            .collect())
    }
}

#[derive(Default)]
pub struct AssessmentMutation;

#[Object]
impl AssessmentMutation {
    /// Records an assessment of a plan.
    async fn create_assessment(
        &self,
        ctx: &Context<'_>,
        input: CreateAssessmentInput,
    ) -> Result<AssessmentPayload> {
        let lang = ctx.lang();
        let (viewer, Some(plan)) = crud::authorize_record::<entity::action_plan::Entity>(
            ctx,
            "createAssessment",
            &input.plan_id,
        )
        .await?
        else {
            return Ok(AssessmentPayload::refused(
                Problems::one(&["input", "planId"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let title = p.check(validate::required_text(
            &["input", "title"],
            &input.title,
            500,
        ));
        let assessor = p
            .check(validate::optional_text(
                &["input", "assessor"],
                input.assessor.as_deref(),
                200,
            ))
            .flatten();
        let url = p
            .check(validate::optional_url(
                &["input", "url"],
                input.url.as_deref(),
            ))
            .flatten();
        let findings = p
            .check(validate::long_text(
                &["input", "findings"],
                input.findings.as_deref(),
                50_000,
            ))
            .flatten();
        let recs = p
            .check(validate::long_text(
                &["input", "recommendations"],
                input.recommendations.as_deref(),
                50_000,
            ))
            .flatten();
        let result = crud::create::<assessment::Entity, _>(
            ctx,
            &viewer,
            Create {
                mutation: "createAssessment",
                client_mutation_id: input.client_mutation_id.as_deref(),
                input: &input,
                problems: p,
            },
            async |_, _| Ok(()),
            |id, now| assessment::ActiveModel {
                id: Set(id),
                member_id: Set(plan.member_id),
                plan_id: Set(plan.id),
                kind: Set(input.kind),
                framework: Set(input.framework),
                title: Set(title.clone().unwrap_or_default()),
                assessor: Set(assessor.clone()),
                published_on: Set(input.published_on.map(|d| d.0)),
                url: Set(url.clone()),
                findings: Set(findings.clone()),
                recommendations: Set(recs.clone()),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            },
            async |_, _| Ok(()),
        )
        .await;
        AssessmentPayload::of(result, input.client_mutation_id.clone(), lang, Assessment)
    }

    /// Changes an assessment's details.
    async fn update_assessment(
        &self,
        ctx: &Context<'_>,
        input: UpdateAssessmentInput,
    ) -> Result<AssessmentPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<assessment::Entity>(ctx, "updateAssessment", &input.id)
                .await?
        else {
            return Ok(AssessmentPayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let title = input
            .title
            .as_deref()
            .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
        let assessor = text_change(&mut p, "assessor", &input.assessor, 200, false);
        let url = match &input.url {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(u) => p.check(validate::optional_url(&["input", "url"], Some(u))),
        };
        let findings = text_change(&mut p, "findings", &input.findings, 50_000, true);
        let recs = text_change(
            &mut p,
            "recommendations",
            &input.recommendations,
            50_000,
            true,
        );
        let published = date_change(&input.published_on);
        let result = crud::update::<assessment::Entity>(
            ctx,
            &viewer,
            &current,
            input.version,
            p,
            async |_, _, _| Ok(()),
            |_| assessment::ActiveModel {
                title: title.clone().map(Set).unwrap_or(NotSet),
                assessor: assessor.clone().map(Set).unwrap_or(NotSet),
                url: url.clone().map(Set).unwrap_or(NotSet),
                findings: findings.clone().map(Set).unwrap_or(NotSet),
                recommendations: recs.clone().map(Set).unwrap_or(NotSet),
                published_on: published.map(Set).unwrap_or(NotSet),
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |_, _| Ok(()),
        )
        .await;
        AssessmentPayload::of(result, None, lang, Assessment)
    }

    /// Sets one commitment's values in an assessment (replacing what was there).
    async fn set_commitment_values(
        &self,
        ctx: &Context<'_>,
        input: SetCommitmentValuesInput,
    ) -> Result<AssessmentPayload> {
        let lang = ctx.lang();
        let (viewer, Some(a)) = crud::authorize_record::<assessment::Entity>(
            ctx,
            "setCommitmentValues",
            &input.assessment_id,
        )
        .await?
        else {
            return Ok(AssessmentPayload::refused(
                Problems::one(&["input", "assessmentId"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let commitment = ids::decode_as(&input.commitment_id, super::commitment::KIND);
        let narrative = p
            .check(validate::long_text(
                &["input", "narrative"],
                input.narrative.as_deref(),
                50_000,
            ))
            .flatten();
        let mut relevant = input.relevant_values.clone();
        relevant.sort();
        relevant.dedup();
        let request_id = ctx.meta().request_id;
        let result = crud::update::<assessment::Entity>(
            ctx,
            &viewer,
            &a,
            a.version,
            p,
            async |tx, before, p| {
                let ok = match commitment {
                    Some(c) => entity::commitment::Entity::find_by_id(c)
                        .one(tx)
                        .await?
                        .is_some_and(|c| c.plan_id == before.plan_id),
                    None => false,
                };
                if !ok {
                    p.push(&["input", "commitmentId"], Problem::NotFound);
                }
                Ok(())
            },
            |_| assessment::ActiveModel {
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |tx, a| {
                let commitment = commitment.expect("checked");
                let existing = values::Entity::find()
                    .filter(values::Column::AssessmentId.eq(a.id))
                    .filter(values::Column::CommitmentId.eq(commitment))
                    .one(tx)
                    .await?;
                let now = ctx.app().clock.now();
                let row = values::ActiveModel {
                    id: Set(existing.as_ref().map(|e| e.id).unwrap_or_else(Uuid::now_v7)),
                    member_id: Set(a.member_id),
                    assessment_id: Set(a.id),
                    commitment_id: Set(commitment),
                    verifiable: Set(input.verifiable),
                    relevant_values: Set(serde_json::to_value(&relevant).unwrap_or_default()),
                    potential_impact: Set(input.potential_impact),
                    potential_for_results: Set(input.potential_for_results),
                    completion: Set(input.completion),
                    did_it_open_government: Set(input.did_it_open_government),
                    narrative: Set(narrative.clone()),
                    created_at: Set(existing.as_ref().map(|e| e.created_at).unwrap_or(now)),
                    updated_at: Set(now),
                    version: Set(existing.as_ref().map(|e| e.version + 1).unwrap_or(1)),
                };
                if existing.is_some() {
                    values::Entity::update(row).exec(tx).await?;
                } else {
                    values::Entity::insert(row)
                        .exec_without_returning(tx)
                        .await?;
                }
                let after = values::Entity::find()
                    .filter(values::Column::AssessmentId.eq(a.id))
                    .filter(values::Column::CommitmentId.eq(commitment))
                    .one(tx)
                    .await?;
                crate::audit::record(
                    tx,
                    &viewer,
                    Some(&request_id),
                    crate::audit::Change::of(
                        "commitment_assessment",
                        "CommitmentValues",
                        if existing.is_some() {
                            "UPDATE"
                        } else {
                            "CREATE"
                        },
                        after.as_ref().map(|v| v.id).unwrap_or_default(),
                        Some(a.member_id),
                        existing.as_ref(),
                        after.as_ref(),
                    ),
                    ctx.app().clock.now(),
                )
                .await?;
                Ok(())
            },
        )
        .await;
        AssessmentPayload::of(result, None, lang, Assessment)
    }

    /// Changes a framework's starred rule (operators: it is the same for every member).
    async fn update_starred_rule(
        &self,
        ctx: &Context<'_>,
        input: UpdateStarredRuleInput,
    ) -> Result<StarredRulePayload> {
        let viewer = policy::authorize(ctx, "updateStarredRule", None)?;
        let lang = ctx.lang();
        let request_id = ctx.meta().request_id;
        let result = entity::db::write(
            ctx.db(),
            async |tx| -> Result<starred_rule::Model, super::mutation::Outcome> {
                let before = starred_rule::Entity::find_by_id(input.framework)
                    .one(tx)
                    .await?;
                let current_version = before.as_ref().map(|b| b.version).unwrap_or(0);
                if current_version != input.version {
                    return Err(Problems::one(
                        &["input", "version"],
                        Problem::StaleVersion {
                            current: current_version,
                        },
                    )
                    .into());
                }
                let row = starred_rule::ActiveModel {
                    framework: Set(input.framework),
                    require_verifiable: Set(input.require_verifiable),
                    require_relevance: Set(input.require_relevance),
                    min_potential_impact: Set(input.min_potential_impact),
                    min_potential_for_results: Set(input.min_potential_for_results),
                    min_completion: Set(input.min_completion),
                    updated_at: Set(ctx.app().clock.now()),
                    version: Set(current_version + 1),
                };
                if before.is_some() {
                    starred_rule::Entity::update(row).exec(tx).await?;
                } else {
                    starred_rule::Entity::insert(row)
                        .exec_without_returning(tx)
                        .await?;
                }
                let after = starred_rule::Entity::find_by_id(input.framework)
                    .one(tx)
                    .await?
                    .expect("written");
                crate::audit::record(
                    tx,
                    &viewer,
                    Some(&request_id),
                    crate::audit::Change {
                        table: "starred_rule",
                        entity_type: "StarredRule",
                        entity_id: None,
                        member_id: None,
                        action: "UPDATE",
                        before: before.as_ref().and_then(|b| serde_json::to_value(b).ok()),
                        after: serde_json::to_value(&after).ok(),
                    },
                    ctx.app().clock.now(),
                )
                .await?;
                Ok(after)
            },
        )
        .await;
        StarredRulePayload::of(result, None, lang, StarredRule)
    }
}
