//! Commitments: the OGP template fields, supporting actors, responsible people, status, and
//! progress rolled up from the milestones.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::commitment::{self, CommitmentStatus, OgpValue, Sector};
use entity::{Problem, Problems, milestone, responsibility};
use sea_orm::EntityTrait;
use serde::Serialize;
use uuid::Uuid;

use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::ids;
use super::milestone::Milestone;
use super::mutation::{date_change, decode_maybe, decode_opt, maybe};
use super::organisation::{self as org_gql, Organisation};
use super::pagination::{self, Conn};
use super::person::{self as person_gql, Person};
use super::plan::ActionPlan;
use super::policy;
use super::scalars::Date;
use super::visibility;
use entity::plans::commitment as domain;

pub const KIND: &str = "Commitment";

pub struct Commitment(pub commitment::Model);

/// An organisation supporting a commitment, and its sector.
#[derive(SimpleObject)]
pub struct SupportingActor {
    pub organisation: Organisation,
    pub sector: Sector,
}

#[Object]
impl Commitment {
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
    /// "BOJ0001".
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    async fn theme(&self) -> Option<&str> {
        self.0.theme.as_deref()
    }
    /// The public problem the commitment addresses.
    async fn problem(&self) -> Option<&str> {
        self.0.problem.as_deref()
    }
    async fn baseline(&self) -> Option<&str> {
        self.0.baseline.as_deref()
    }
    async fn objective(&self) -> Option<&str> {
        self.0.objective.as_deref()
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn how_it_solves(&self) -> Option<&str> {
        self.0.how_it_solves.as_deref()
    }
    async fn ogp_values(&self) -> Vec<OgpValue> {
        self.0.values()
    }
    async fn ambition(&self) -> Option<&str> {
        self.0.ambition.as_deref()
    }
    async fn lead_organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.lead_organisation_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organisation
            .load_one(id)
            .await?
            .map(Organisation))
    }
    async fn official_in_charge(&self) -> Option<&str> {
        self.0.official_in_charge.as_deref()
    }
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Date)
    }
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
    /// The previous plan's commitment this one continues.
    async fn continues(&self, ctx: &Context<'_>) -> Result<Option<Commitment>> {
        let Some(id) = self.0.continues_id else {
            return Ok(None);
        };
        Ok(ctx.loaders().commitment.load_one(id).await?.map(Commitment))
    }
    async fn status(&self) -> CommitmentStatus {
        self.0.status
    }
    /// Percent done: the weighted mean of the milestones (cancelled ones left out); null
    /// without weighted milestones. Computed, never stored.
    async fn progress(&self, ctx: &Context<'_>) -> Result<Option<f64>> {
        let all = ctx
            .loaders()
            .all_milestones_of_commitment
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(milestone::roll_up(&all).map(|p| (p * 10.0).round() / 10.0))
    }
    /// The milestones (activities), in order of entry.
    #[graphql(complexity = "pagination::cost(first, None, child_complexity)")]
    async fn milestones(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Conn<Milestone>> {
        let l = ctx.loaders();
        pagination::nested(
            ctx,
            &l.milestones_by_commitment,
            l.milestone_count_by_commitment.clone(),
            self.0.id,
            first,
            after,
            Milestone,
        )
        .await
    }
    /// Organisations supporting the commitment, by sector.
    async fn supporting_actors(&self, ctx: &Context<'_>) -> Result<Vec<SupportingActor>> {
        let l = ctx.loaders();
        let actors = l
            .actors_of_commitment
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let orgs = l
            .organisation
            .load_many(actors.iter().map(|a| a.organisation_id))
            .await?;
        Ok(actors
            .into_iter()
            .filter_map(|a| {
                orgs.get(&a.organisation_id).map(|o| SupportingActor {
                    organisation: Organisation(o.clone()),
                    sector: a.sector,
                })
            })
            .collect())
    }
    /// People responsible for the commitment (deadline alerts go to them).
    async fn responsible_people(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        responsible(
            ctx,
            ctx.loaders()
                .people_of_commitment
                .load_one(self.0.id)
                .await?
                .unwrap_or_default(),
        )
        .await
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

/// The people of `rows` (the public sees none: people are the partnership's own).
pub async fn responsible(
    ctx: &Context<'_>,
    rows: Vec<responsibility::Model>,
) -> Result<Vec<Person>> {
    let viewer = ctx.viewer();
    let people = ctx
        .loaders()
        .person
        .load_many(rows.iter().map(|r| r.person_id))
        .await?;
    Ok(rows
        .iter()
        .filter_map(|r| people.get(&r.person_id))
        .filter(|p| viewer.belongs_to(p.member_id))
        .map(|p| Person(p.clone()))
        .collect())
}

crate::payload!(CommitmentPayload, commitment: Commitment, commitment::Model);

#[derive(InputObject, Serialize)]
pub struct CreateCommitmentInput {
    pub client_mutation_id: Option<String>,
    pub plan_id: ID,
    pub code: Option<String>,
    pub title: String,
    pub theme: Option<String>,
    pub problem: Option<String>,
    pub baseline: Option<String>,
    pub objective: Option<String>,
    pub description: Option<String>,
    pub how_it_solves: Option<String>,
    #[graphql(default)]
    pub ogp_values: Vec<OgpValue>,
    pub ambition: Option<String>,
    pub lead_organisation_id: Option<ID>,
    pub official_in_charge: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    /// The previous plan's commitment this one continues.
    pub continues_id: Option<ID>,
}

#[derive(InputObject, Serialize)]
pub struct UpdateCommitmentInput {
    pub id: ID,
    pub version: i32,
    pub code: MaybeUndefined<String>,
    pub title: Option<String>,
    pub theme: MaybeUndefined<String>,
    pub problem: MaybeUndefined<String>,
    pub baseline: MaybeUndefined<String>,
    pub objective: MaybeUndefined<String>,
    pub description: MaybeUndefined<String>,
    pub how_it_solves: MaybeUndefined<String>,
    pub ogp_values: Option<Vec<OgpValue>>,
    pub ambition: MaybeUndefined<String>,
    pub lead_organisation_id: MaybeUndefined<ID>,
    pub official_in_charge: MaybeUndefined<String>,
    pub starts_on: MaybeUndefined<Date>,
    pub ends_on: MaybeUndefined<Date>,
    pub continues_id: MaybeUndefined<ID>,
}

#[derive(InputObject)]
pub struct TransitionCommitmentInput {
    pub id: ID,
    pub version: i32,
    pub to: CommitmentStatus,
}

#[derive(InputObject)]
pub struct ActorInput {
    pub organisation_id: ID,
    pub sector: Sector,
}

#[derive(InputObject)]
pub struct SetCommitmentActorsInput {
    pub id: ID,
    pub version: i32,
    pub actors: Vec<ActorInput>,
}

#[derive(InputObject)]
pub struct SetResponsiblePeopleInput {
    /// A commitment or a milestone.
    pub id: ID,
    pub version: i32,
    pub person_ids: Vec<ID>,
}

/// Responsible people of `member`, by global id.
pub(crate) fn decode_people(problems: &mut Problems, ids_in: &[ID]) -> Vec<Uuid> {
    let mut out = Vec::new();
    for (i, id) in ids_in.iter().enumerate() {
        match ids::decode_as(id, person_gql::KIND) {
            Some(u) if !out.contains(&u) => out.push(u),
            Some(_) => {}
            None => problems.push(&["input", &format!("personIds.{i}")], Problem::NotFound),
        }
    }
    out
}

#[derive(Default)]
pub struct CommitmentMutation;

#[Object]
impl CommitmentMutation {
    /// Adds a commitment to a plan (as DRAFT).
    async fn create_commitment(
        &self,
        ctx: &Context<'_>,
        input: CreateCommitmentInput,
    ) -> Result<CommitmentPayload> {
        let lang = ctx.lang();
        let (viewer, Some(plan)) = crud::authorize_record::<entity::action_plan::Entity>(
            ctx,
            "createCommitment",
            &input.plan_id,
        )
        .await?
        else {
            return Ok(CommitmentPayload::refused(
                Problems::one(&["input", "planId"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let lead = decode_opt(
            &mut p,
            "leadOrganisationId",
            input.lead_organisation_id.as_ref(),
            org_gql::KIND,
        );
        let continues = decode_opt(&mut p, "continuesId", input.continues_id.as_ref(), KIND);
        let cmd = domain::NewCommitment {
            code: input.code.clone(),
            title: input.title.clone(),
            theme: input.theme.clone(),
            problem: input.problem.clone(),
            baseline: input.baseline.clone(),
            objective: input.objective.clone(),
            description: input.description.clone(),
            how_it_solves: input.how_it_solves.clone(),
            ogp_values: input.ogp_values.clone(),
            ambition: input.ambition.clone(),
            lead_organisation: lead,
            official_in_charge: input.official_in_charge.clone(),
            starts_on: input.starts_on.map(|d| d.0),
            ends_on: input.ends_on.map(|d| d.0),
            continues,
        };
        let spec = Create {
            mutation: "createCommitment",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: p,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create(act, &plan, spec, cmd).await
        })
        .await;
        CommitmentPayload::of(result, input.client_mutation_id.clone(), lang, Commitment)
    }

    /// Changes a commitment (admins and the secretariat; team members it names as responsible).
    async fn update_commitment(
        &self,
        ctx: &Context<'_>,
        input: UpdateCommitmentInput,
    ) -> Result<CommitmentPayload> {
        let lang = ctx.lang();
        let Some(current) = find(ctx, "updateCommitment", &input.id).await? else {
            return Ok(CommitmentPayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        // The rule's roles, or a team member it names as responsible: the operation decides.
        let viewer = ctx.viewer();
        let mut p = Problems::new();
        let lead = decode_maybe(
            &mut p,
            "leadOrganisationId",
            &input.lead_organisation_id,
            org_gql::KIND,
        );
        let continues = decode_maybe(&mut p, "continuesId", &input.continues_id, KIND);
        let ch = domain::CommitmentChange {
            code: maybe(&input.code),
            title: input.title.clone(),
            theme: maybe(&input.theme),
            problem: maybe(&input.problem),
            baseline: maybe(&input.baseline),
            objective: maybe(&input.objective),
            description: maybe(&input.description),
            how_it_solves: maybe(&input.how_it_solves),
            ogp_values: input.ogp_values.clone(),
            ambition: maybe(&input.ambition),
            lead_organisation: lead,
            official_in_charge: maybe(&input.official_in_charge),
            starts_on: date_change(&input.starts_on),
            ends_on: date_change(&input.ends_on),
            continues,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::update(act, &current, input.version, p, ch).await
        })
        .await;
        CommitmentPayload::of(result, None, lang, Commitment)
    }

    /// DRAFT → PROPOSED → ACCEPTED → IN_PROGRESS → COMPLETED, or DISCONTINUED.
    async fn transition_commitment(
        &self,
        ctx: &Context<'_>,
        input: TransitionCommitmentInput,
    ) -> Result<CommitmentPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<commitment::Entity>(ctx, "transitionCommitment", &input.id)
                .await?
        else {
            return Ok(CommitmentPayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::transition(act, &current, input.version, input.to).await
        })
        .await;
        CommitmentPayload::of(result, None, lang, Commitment)
    }

    /// Replaces the organisations supporting a commitment.
    async fn set_commitment_actors(
        &self,
        ctx: &Context<'_>,
        input: SetCommitmentActorsInput,
    ) -> Result<CommitmentPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<commitment::Entity>(ctx, "setCommitmentActors", &input.id)
                .await?
        else {
            return Ok(CommitmentPayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let mut actors: Vec<(Uuid, Sector)> = Vec::new();
        for (i, a) in input.actors.iter().enumerate() {
            if let Some(o) = decode_opt(
                &mut p,
                &format!("actors.{i}.organisationId"),
                Some(&a.organisation_id),
                org_gql::KIND,
            ) && !actors.iter().any(|(x, _)| *x == o)
            {
                actors.push((o, a.sector));
            }
        }
        let result = acting(ctx, &viewer, async |act| {
            domain::set_actors(act, &current, input.version, p, actors).await
        })
        .await;
        CommitmentPayload::of(result, None, lang, Commitment)
    }

    /// Names the people responsible for a commitment (replacing the list).
    async fn set_commitment_people(
        &self,
        ctx: &Context<'_>,
        input: SetResponsiblePeopleInput,
    ) -> Result<CommitmentPayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<commitment::Entity>(ctx, "setCommitmentPeople", &input.id)
                .await?
        else {
            return Ok(CommitmentPayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let people = decode_people(&mut p, &input.person_ids);
        let result = acting(ctx, &viewer, async |act| {
            domain::set_people(act, &current, input.version, p, people).await
        })
        .await;
        CommitmentPayload::of(result, None, lang, Commitment)
    }
}

/// The commitment behind a global id, after the sign-in gate of `rule`.
async fn find(ctx: &Context<'_>, rule: &str, id: &ID) -> Result<Option<commitment::Model>> {
    policy::gate(ctx, rule)?;
    Ok(match ids::decode_as(id, KIND) {
        Some(u) => commitment::Entity::find_by_id(u).one(ctx.db()).await?,
        None => None,
    })
}

#[derive(Default)]
pub struct CommitmentQuery;

#[Object]
impl CommitmentQuery {
    /// One commitment (visible where its plan is).
    async fn commitment(&self, ctx: &Context<'_>, id: ID) -> Result<Commitment> {
        let found = match ids::decode_as(&id, KIND) {
            Some(u) => visibility::visible_commitment(ctx, u).await?,
            None => None,
        };
        found
            .map(Commitment)
            .ok_or_else(|| super::errors::not_found(ctx.lang()))
    }
}
