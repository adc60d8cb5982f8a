//! Milestones (activities) with their deliverables, responsible organisation and people, and
//! progress reports (monev).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};
use entity::milestone::{self, MilestoneState, MilestoneStatus};
use entity::{Problem, Problems, progress_update};
use sea_orm::EntityTrait;
use serde::Serialize;

use super::commitment::{self as commitment_gql, Commitment, decode_people, responsible};
use super::context::CtxExt;
use super::crud::{self, Create, acting};
use super::ids;
use super::mutation::{DeleteInput, DeletePayload, date_change, decode_maybe, decode_opt};
use super::organisation::{self as org_gql, Organisation};
use super::person::Person;
use super::policy;
use super::scalars::Date;
use super::visibility;
use entity::plans::milestone as domain;

pub const KIND: &str = "Milestone";

pub struct Milestone(pub milestone::Model);

#[Object]
impl Milestone {
    pub async fn id(&self) -> ID {
        ids::encode(KIND, self.0.id)
    }
    async fn commitment(&self, ctx: &Context<'_>) -> Result<Option<Commitment>> {
        Ok(ctx
            .loaders()
            .commitment
            .load_one(self.0.commitment_id)
            .await?
            .map(Commitment))
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// What proves it was done.
    async fn deliverable(&self) -> Option<&str> {
        self.0.deliverable.as_deref()
    }
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Date)
    }
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date)
    }
    async fn responsible_organisation(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.responsible_organisation_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .organisation
            .load_one(id)
            .await?
            .map(Organisation))
    }
    async fn responsible_people(&self, ctx: &Context<'_>) -> Result<Vec<Person>> {
        responsible(
            ctx,
            ctx.loaders()
                .people_of_milestone
                .load_one(self.0.id)
                .await?
                .unwrap_or_default(),
        )
        .await
    }
    /// Its share in the commitment's progress.
    async fn weight(&self) -> i32 {
        self.0.weight
    }
    /// The stored status.
    async fn status(&self) -> MilestoneStatus {
        self.0.status
    }
    /// The status people see: DELAYED once the end date has passed unfinished; NOT_COMPLETED
    /// (its final state) when its plan is over and it was left open.
    async fn state(&self, ctx: &Context<'_>) -> Result<MilestoneState> {
        let today = visibility::today(ctx, self.0.member_id).await;
        if !self.0.status.is_open() {
            return Ok(self.0.state(today));
        }
        let loaders = ctx.loaders();
        let plan = match loaders.commitment.load_one(self.0.commitment_id).await? {
            Some(c) => loaders.plan.load_one(c.plan_id).await?,
            None => None,
        };
        Ok(self
            .0
            .state_in(today, plan.is_some_and(|p| p.status.is_over())))
    }
    /// Percent done (100 when completed).
    async fn progress(&self) -> i32 {
        self.0.percent()
    }
    /// Progress reports, newest first.
    async fn updates(&self, ctx: &Context<'_>) -> Result<Vec<ProgressUpdate>> {
        let mut all = ctx
            .loaders()
            .updates_of_milestone
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        all.sort_by_key(|u| std::cmp::Reverse((u.reported_on, u.created_at)));
        Ok(all.into_iter().map(ProgressUpdate).collect())
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

pub struct ProgressUpdate(pub progress_update::Model);

#[Object]
impl ProgressUpdate {
    async fn id(&self) -> ID {
        ids::encode("ProgressUpdate", self.0.id)
    }
    async fn reported_on(&self) -> Date {
        Date(self.0.reported_on)
    }
    /// Who reported it (the partnership's own people only).
    async fn author(&self, ctx: &Context<'_>) -> Option<&str> {
        ctx.viewer()
            .belongs_to(self.0.member_id)
            .then_some(self.0.author_label.as_str())
    }
    async fn percent(&self) -> i32 {
        self.0.percent
    }
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }
    async fn evidence_links(&self) -> Vec<String> {
        serde_json::from_value(self.0.evidence_links.clone()).unwrap_or_default()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

crate::payload!(MilestonePayload, milestone: Milestone, milestone::Model);
crate::payload!(ProgressPayload, update: ProgressUpdate, progress_update::Model);

#[derive(InputObject, Serialize)]
pub struct CreateMilestoneInput {
    pub client_mutation_id: Option<String>,
    pub commitment_id: ID,
    pub title: String,
    pub deliverable: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub responsible_organisation_id: Option<ID>,
    /// Default 1.
    pub weight: Option<i32>,
}

#[derive(InputObject, Serialize)]
pub struct UpdateMilestoneInput {
    pub id: ID,
    pub version: i32,
    pub title: Option<String>,
    pub deliverable: MaybeUndefined<String>,
    pub starts_on: MaybeUndefined<Date>,
    pub ends_on: MaybeUndefined<Date>,
    pub responsible_organisation_id: MaybeUndefined<ID>,
    pub weight: Option<i32>,
}

#[derive(InputObject)]
pub struct TransitionMilestoneInput {
    pub id: ID,
    pub version: i32,
    pub to: MilestoneStatus,
}

#[derive(InputObject, Serialize)]
pub struct ReportMilestoneProgressInput {
    pub client_mutation_id: Option<String>,
    pub milestone_id: ID,
    /// The day the progress was reported (today by default).
    pub reported_on: Option<Date>,
    /// 0–100.
    pub percent: i32,
    pub note: Option<String>,
    #[graphql(default)]
    pub evidence_links: Vec<String>,
}

async fn milestone_and_rule(
    ctx: &Context<'_>,
    rule: &str,
    id: &ID,
) -> Result<Option<(crate::auth::Viewer, milestone::Model)>> {
    policy::gate(ctx, rule)?;
    let Some(uuid) = ids::decode_as(id, KIND) else {
        return Ok(None);
    };
    let Some(m) = milestone::Entity::find_by_id(uuid).one(ctx.db()).await? else {
        return Ok(None);
    };
    // Who may act (the rule's roles, or a team member responsible for it) is the operation's
    // first decision (`Act::permit_responsible`).
    Ok(Some((ctx.viewer(), m)))
}

#[derive(Default)]
pub struct MilestoneMutation;

#[Object]
impl MilestoneMutation {
    /// Adds a milestone to a commitment.
    async fn create_milestone(
        &self,
        ctx: &Context<'_>,
        input: CreateMilestoneInput,
    ) -> Result<MilestonePayload> {
        let lang = ctx.lang();
        let (viewer, Some(c)) = crud::authorize_record::<entity::commitment::Entity>(
            ctx,
            "createMilestone",
            &input.commitment_id,
        )
        .await?
        else {
            return Ok(MilestonePayload::refused(
                Problems::one(&["input", "commitmentId"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let org = decode_opt(
            &mut p,
            "responsibleOrganisationId",
            input.responsible_organisation_id.as_ref(),
            org_gql::KIND,
        );
        let cmd = domain::NewMilestone {
            title: input.title.clone(),
            deliverable: input.deliverable.clone(),
            starts_on: input.starts_on.map(|d| d.0),
            ends_on: input.ends_on.map(|d| d.0),
            responsible_organisation: org,
            weight: input.weight,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::create(
                act,
                &c,
                Create {
                    mutation: "createMilestone",
                    client_mutation_id: input.client_mutation_id.as_deref(),
                    input: &input,
                    problems: p,
                },
                cmd,
            )
            .await
        })
        .await;
        MilestonePayload::of(result, input.client_mutation_id.clone(), lang, Milestone)
    }

    /// Changes a milestone (admins, the secretariat, and team members responsible for it).
    async fn update_milestone(
        &self,
        ctx: &Context<'_>,
        input: UpdateMilestoneInput,
    ) -> Result<MilestonePayload> {
        let lang = ctx.lang();
        let Some((viewer, current)) = milestone_and_rule(ctx, "updateMilestone", &input.id).await?
        else {
            return Ok(MilestonePayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let mut p = Problems::new();
        let org = decode_maybe(
            &mut p,
            "responsibleOrganisationId",
            &input.responsible_organisation_id,
            org_gql::KIND,
        );
        let ch = domain::MilestoneChange {
            title: input.title.clone(),
            deliverable: super::mutation::maybe(&input.deliverable),
            starts_on: date_change(&input.starts_on),
            ends_on: date_change(&input.ends_on),
            responsible_organisation: org,
            weight: input.weight,
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::update(act, &current, input.version, p, ch).await
        })
        .await;
        MilestonePayload::of(result, None, lang, Milestone)
    }

    /// NOT_STARTED → IN_PROGRESS → COMPLETED, or CANCELLED (DELAYED is derived, never set).
    async fn transition_milestone(
        &self,
        ctx: &Context<'_>,
        input: TransitionMilestoneInput,
    ) -> Result<MilestonePayload> {
        let lang = ctx.lang();
        let Some((viewer, current)) =
            milestone_and_rule(ctx, "transitionMilestone", &input.id).await?
        else {
            return Ok(MilestonePayload::refused(
                Problems::one(&["input", "id"], Problem::NotFound),
                lang,
            ));
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::transition(act, &current, input.version, input.to).await
        })
        .await;
        MilestonePayload::of(result, None, lang, Milestone)
    }

    /// Names the people responsible for a milestone (replacing the list).
    async fn set_milestone_people(
        &self,
        ctx: &Context<'_>,
        input: commitment_gql::SetResponsiblePeopleInput,
    ) -> Result<MilestonePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<milestone::Entity>(ctx, "setMilestonePeople", &input.id)
                .await?
        else {
            return Ok(MilestonePayload::refused(
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
        MilestonePayload::of(result, None, lang, Milestone)
    }

    /// Removes a milestone entered by mistake.
    async fn delete_milestone(
        &self,
        ctx: &Context<'_>,
        input: DeleteInput,
    ) -> Result<DeletePayload> {
        let lang = ctx.lang();
        let (viewer, Some(current)) =
            crud::authorize_record::<milestone::Entity>(ctx, "deleteMilestone", &input.id).await?
        else {
            return Ok(DeletePayload::not_found("id", lang));
        };
        DeletePayload::of(
            acting(ctx, &viewer, async |act| {
                domain::delete(act, &current, input.version).await
            })
            .await,
            input.id,
            lang,
        )
    }

    /// Reports progress on a milestone (a monev update): it becomes the milestone's progress,
    /// and a milestone not started is now in progress.
    async fn report_milestone_progress(
        &self,
        ctx: &Context<'_>,
        input: ReportMilestoneProgressInput,
    ) -> Result<ProgressPayload> {
        let lang = ctx.lang();
        let Some((viewer, m)) =
            milestone_and_rule(ctx, "reportMilestoneProgress", &input.milestone_id).await?
        else {
            return Ok(ProgressPayload::refused(
                Problems::one(&["input", "milestoneId"], Problem::NotFound),
                lang,
            ));
        };
        let report = domain::Report {
            reported_on: input.reported_on.map(|d| d.0),
            percent: input.percent,
            note: input.note.clone(),
            evidence_links: input.evidence_links.clone(),
        };
        let spec = Create {
            mutation: "reportMilestoneProgress",
            client_mutation_id: input.client_mutation_id.as_deref(),
            input: &input,
            problems: Problems::new(),
        };
        let result = acting(ctx, &viewer, async |act| {
            domain::report_progress(act, &m, spec, report).await
        })
        .await;
        ProgressPayload::of(
            result,
            input.client_mutation_id.clone(),
            lang,
            ProgressUpdate,
        )
    }
}
