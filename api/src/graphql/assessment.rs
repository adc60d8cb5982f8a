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
use entity::{Problem, Problems, starred_rule};
use sea_orm::EntityTrait;
use serde::Serialize;

use super::commitment::Commitment;
use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::ids;
use super::mutation::{date_change, maybe};
use super::plan::ActionPlan;
use super::policy;
use super::scalars::Date;
use entity::plans::assessment as domain;

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
    /// The starred rule of each framework, the frameworks in the order they were made (the
    /// pre-2020 IRM first).
    async fn starred_rules(&self, ctx: &Context<'_>) -> Result<Vec<StarredRule>> {
        let mut rules = starred_rule::Entity::find().all(ctx.db()).await?;
        rules.sort_by_key(|r| r.framework);
        Ok(rules.into_iter().map(StarredRule).collect())
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
        let a = domain::NewAssessment {
            kind: input.kind,
            framework: input.framework,
            title: input.title.clone(),
            assessor: input.assessor.clone(),
            published_on: input.published_on.map(|d| d.0),
            url: input.url.clone(),
            findings: input.findings.clone(),
            recommendations: input.recommendations.clone(),
        };
        let spec = Create {
            mutation: "createAssessment",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: Problems::new(),
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create(act, &plan, spec, a).await
        })
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
        let ch = domain::AssessmentChange {
            title: input.title.clone(),
            assessor: maybe(&input.assessor),
            url: maybe(&input.url),
            findings: maybe(&input.findings),
            recommendations: maybe(&input.recommendations),
            published_on: date_change(&input.published_on),
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::update(act, &current, input.version, ch).await
        })
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
        let commitment = ids::decode_as(&input.commitment_id, super::commitment::KIND);
        let v = domain::Values {
            verifiable: input.verifiable,
            relevant_values: input.relevant_values.clone(),
            potential_impact: input.potential_impact,
            potential_for_results: input.potential_for_results,
            completion: input.completion,
            did_it_open_government: input.did_it_open_government,
            narrative: input.narrative.clone(),
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::set_values(act, &a, commitment, v).await
        })
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
        let rule = domain::StarredRule {
            framework: input.framework,
            require_verifiable: input.require_verifiable,
            require_relevance: input.require_relevance,
            min_potential_impact: input.min_potential_impact,
            min_potential_for_results: input.min_potential_for_results,
            min_completion: input.min_completion,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::set_starred_rule(act, input.version, rule).await
        })
        .await;
        StarredRulePayload::of(result, None, lang, StarredRule)
    }
}
