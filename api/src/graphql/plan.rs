//! Action plans (*Renaksi*): the plan, its phases, its status, lateness against the deadline.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};
use entity::action_plan::{self, PlanLevel, PlanStatus};
use entity::{Problem, Problems, plan_phase};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use super::assessment::Assessment;
use super::commitment::Commitment;
use super::compiled::Answer;
use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::errors;
use super::ids;
use super::member::Member;
use super::mutation::{date_change as maybe_date, decode_maybe, decode_opt, maybe};
use super::pagination::{self, Conn, Page};
use super::policy;
use super::scalars::Date;
use super::visibility;
use entity::plans::plan as domain;

pub const KIND: &str = "ActionPlan";

pub struct ActionPlan(pub action_plan::Model);

#[Object]
impl ActionPlan {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>> {
        Ok(ctx
            .loaders()
            .member
            .load_one(self.0.member_id)
            .await?
            .map(Member))
    }
    async fn level(&self) -> PlanLevel {
        self.0.level
    }
    /// The national plan this regional plan is part of.
    async fn part_of(&self, ctx: &Context<'_>) -> Result<Option<ActionPlan>> {
        plan_ref(ctx, self.0.part_of_id).await
    }
    /// The plan this one follows (its IRM findings are the basis of this one).
    async fn follows(&self, ctx: &Context<'_>) -> Result<Option<ActionPlan>> {
        plan_ref(ctx, self.0.follows_id).await
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn period_start(&self) -> Option<Date> {
        self.0.period_start.map(Date)
    }
    async fn period_end(&self) -> Option<Date> {
        self.0.period_end.map(Date)
    }
    async fn submission_deadline(&self) -> Option<Date> {
        self.0.submission_deadline.map(Date)
    }
    async fn submitted_on(&self) -> Option<Date> {
        self.0.submitted_on.map(Date)
    }
    /// The plan document's own version.
    async fn document_version(&self) -> Option<&str> {
        self.0.document_version.as_deref()
    }
    async fn status(&self) -> PlanStatus {
        self.0.status
    }
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }
    /// Past its submission deadline without having been submitted by then (on today's date in
    /// the member's time zone).
    async fn is_late(&self, ctx: &Context<'_>) -> bool {
        self.0
            .is_late(visibility::today(ctx, self.0.member_id).await)
    }
    /// Days until the submission deadline (negative once past); null once submitted.
    async fn days_to_deadline(&self, ctx: &Context<'_>) -> Option<i32> {
        self.0
            .days_to_deadline(visibility::today(ctx, self.0.member_id).await)
            .map(|d| d as i32)
    }
    /// The plan's dated phases, in order.
    async fn phases(&self, ctx: &Context<'_>) -> Result<Vec<PlanPhase>> {
        let mut phases = ctx
            .loaders()
            .phases_of_plan
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        phases.sort_by_key(|p| (p.ordinal, p.starts_on));
        Ok(phases.into_iter().map(PlanPhase).collect())
    }
    /// The plan's commitments, in the plan's order of entry.
    #[graphql(complexity = "pagination::cost(first, None, child_complexity)")]
    async fn commitments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Commitment>> {
        let l = ctx.loaders();
        pagination::nested(
            ctx,
            &l.commitments_by_plan,
            l.commitment_count_by_plan.clone(),
            self.0.id,
            first,
            after,
            Commitment,
        )
        .await
    }
    /// Assessments of this plan (IRM, OGP Local, self).
    async fn assessments(&self, ctx: &Context<'_>) -> Result<Vec<Assessment>> {
        Ok(ctx
            .loaders()
            .assessments_of_plan
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Assessment)
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}

async fn plan_ref(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<ActionPlan>> {
    let Some(id) = id else { return Ok(None) };
    let viewer = ctx.viewer();
    Ok(ctx
        .loaders()
        .plan
        .load_one(id)
        .await?
        .filter(|p| visibility::sees_plan(&viewer, p))
        .map(ActionPlan))
}

pub struct PlanPhase(pub plan_phase::Model);

#[Object]
impl PlanPhase {
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Date)
    }
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
}

#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// A member's action plans (the public sees those past drafting).
    #[graphql(complexity = "pagination::cost(first, last, child_complexity)")]
    #[allow(clippy::too_many_arguments)]
    async fn plans(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        status: Option<PlanStatus>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<Conn<ActionPlan>> {
        let member = super::ids::decode_scope(ctx, &member_id)?;
        let page = Page::from_args(ctx, first, after, last, before)?;
        let mut select =
            action_plan::Entity::find().filter(action_plan::Column::MemberId.eq(member));
        if !ctx.viewer().belongs_to(member) {
            select = select
                .filter(action_plan::Column::Status.is_in(visibility::public_plan_statuses()));
        }
        if let Some(status) = status {
            select = select.filter(action_plan::Column::Status.eq(status));
        }
        Ok(pagination::page(ctx.db(), select, page, ActionPlan).await?)
    }

    /// One action plan.
    async fn plan(&self, ctx: &Context<'_>, id: ID) -> Result<Answer<ActionPlan>> {
        let found = match ids::decode_as(&id, KIND) {
            Some(u) => {
                // Boxed: its future stays out of the query root's (a deep type already).
                if let Some(built) = Box::pin(super::compiled::plan(ctx, u)).await? {
                    return Ok(Answer::built(built));
                }
                // A root field that waits for the session check itself (`extension.rs`).
                ctx.checked_viewer().await;
                visibility::visible_plan(ctx, u).await?
            }
            None => None,
        };
        found
            .map(|p| Answer::Walk(ActionPlan(p)))
            .ok_or_else(|| errors::not_found(ctx.lang()))
    }
}

crate::payload!(PlanPayload, plan: ActionPlan, action_plan::Model);

#[derive(InputObject, Serialize)]
pub struct CreatePlanInput {
    pub client_mutation_id: Option<String>,
    pub member_id: ID,
    pub level: PlanLevel,
    /// The national plan this one is part of.
    pub part_of_id: Option<ID>,
    /// The plan this one follows.
    pub follows_id: Option<ID>,
    pub title: String,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    pub submission_deadline: Option<Date>,
    pub document_version: Option<String>,
    pub summary: Option<String>,
}

#[derive(InputObject, Serialize)]
pub struct UpdatePlanInput {
    pub id: ID,
    pub version: i32,
    pub title: Option<String>,
    pub part_of_id: MaybeUndefined<ID>,
    pub follows_id: MaybeUndefined<ID>,
    pub period_start: MaybeUndefined<Date>,
    pub period_end: MaybeUndefined<Date>,
    pub submission_deadline: MaybeUndefined<Date>,
    pub document_version: MaybeUndefined<String>,
    pub summary: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct TransitionPlanInput {
    pub id: ID,
    pub version: i32,
    pub to: PlanStatus,
    /// With SUBMITTED: the day it was submitted (today by default).
    pub submitted_on: Option<Date>,
}

#[derive(InputObject)]
pub struct PhaseInput {
    pub name: String,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
}

#[derive(InputObject)]
pub struct SetPlanPhasesInput {
    pub id: ID,
    pub version: i32,
    /// The phases in order; they replace the current ones.
    pub phases: Vec<PhaseInput>,
}

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Starts an action plan.
    async fn create_plan(&self, ctx: &Context<'_>, input: CreatePlanInput) -> Result<PlanPayload> {
        let (viewer, member) = policy::authorize_in(ctx, "createPlan", &input.member_id)?;
        let lang = ctx.lang();
        let mut problems = Problems::new();
        let part_of = decode_opt(&mut problems, "partOfId", input.part_of_id.as_ref(), KIND);
        let follows = decode_opt(&mut problems, "followsId", input.follows_id.as_ref(), KIND);
        let cmd = domain::NewPlan {
            level: input.level,
            part_of,
            follows,
            title: input.title.clone(),
            period_start: input.period_start.map(|d| d.0),
            period_end: input.period_end.map(|d| d.0),
            submission_deadline: input.submission_deadline.map(|d| d.0),
            document_version: input.document_version.clone(),
            summary: input.summary.clone(),
        };
        let spec = Create {
            mutation: "createPlan",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create(act, member, spec, cmd).await
        })
        .await;
        PlanPayload::of(result, input.client_mutation_id.clone(), lang, ActionPlan)
    }

    /// Changes a plan's details; `version` must be the one that was read.
    async fn update_plan(&self, ctx: &Context<'_>, input: UpdatePlanInput) -> Result<PlanPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<action_plan::Entity>(ctx, "updatePlan", &input.id).await?
        else {
            return Ok(PlanPayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let mut problems = Problems::new();
        let part_of = decode_maybe(&mut problems, "partOfId", &input.part_of_id, KIND);
        let follows = decode_maybe(&mut problems, "followsId", &input.follows_id, KIND);
        let ch = domain::PlanChange {
            title: input.title.clone(),
            part_of,
            follows,
            period_start: maybe_date(&input.period_start),
            period_end: maybe_date(&input.period_end),
            submission_deadline: maybe_date(&input.submission_deadline),
            document_version: maybe(&input.document_version),
            summary: maybe(&input.summary),
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::update(act, &current, input.version, problems, ch).await
        })
        .await;
        PlanPayload::of(result, None, lang, ActionPlan)
    }

    /// Moves a plan along its life: PLANNING → CO_CREATION → DRAFTING → PUBLIC_REVIEW →
    /// SUBMITTED → IMPLEMENTING → ENDED → ASSESSED, or WITHDRAWN before implementation.
    async fn transition_plan(
        &self,
        ctx: &Context<'_>,
        input: TransitionPlanInput,
    ) -> Result<PlanPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<action_plan::Entity>(ctx, "transitionPlan", &input.id).await?
        else {
            return Ok(PlanPayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::transition(
                act,
                &current,
                input.version,
                input.to,
                input.submitted_on.map(|d| d.0),
            )
            .await
        })
        .await;
        PlanPayload::of(result, None, lang, ActionPlan)
    }

    /// Replaces a plan's phases.
    async fn set_plan_phases(
        &self,
        ctx: &Context<'_>,
        input: SetPlanPhasesInput,
    ) -> Result<PlanPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<action_plan::Entity>(ctx, "setPlanPhases", &input.id).await?
        else {
            return Ok(PlanPayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let phases = input
            .phases
            .iter()
            .map(|p| domain::Phase {
                name: p.name.clone(),
                starts_on: p.starts_on.map(|d| d.0),
                ends_on: p.ends_on.map(|d| d.0),
            })
            .collect();
        let result = acting(ctx, &viewer, async |act| {
            domain::set_phases(act, &current, input.version, Problems::new(), phases).await
        })
        .await;
        PlanPayload::of(result, None, lang, ActionPlan)
    }
}
