//! Milestones (activities) with their deliverables, responsible organisation and people, and
//! progress reports (monev).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use chrono::{DateTime, Utc};
use entity::Refusal;
use entity::milestone::{self, MilestoneState, MilestoneStatus};
use entity::{Problem, Problems, progress_update, responsibility, validate};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use super::commitment::{
    self as commitment_gql, Commitment, check_people, decode_people, responsible, responsible_ids,
};
use super::context::CtxExt;
use super::crud::{self, Create};
use super::ids;
use super::mutation::{
    DeleteInput, DeletePayload, check_range, check_ref, date_change, decode_maybe, decode_opt,
    text_change,
};
use super::organisation::{self as org_gql, Organisation};
use super::person::Person;
use super::policy;
use super::scalars::Date;
use super::visibility;

pub const KIND: &str = "Milestone";
crate::record!(entity::milestone, "milestone", "Milestone");
crate::record!(entity::progress_update, "progress_update", "ProgressUpdate");

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

fn check_weight(p: &mut Problems, w: i32) {
    if !(0..=1000).contains(&w) {
        p.push(
            &["input", "weight"],
            Problem::OutOfRange {
                min: "0".into(),
                max: "1000".into(),
            },
        );
    }
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
    let mut who = responsible_ids(ctx, None, Some(m.id)).await?;
    who.extend(responsible_ids(ctx, Some(m.commitment_id), None).await?);
    let viewer = policy::authorize_responsible(ctx, rule, m.member_id, &who)?;
    Ok(Some((viewer, m)))
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
        let title = p.check(validate::required_text(
            &["input", "title"],
            &input.title,
            500,
        ));
        let deliverable = p
            .check(validate::long_text(
                &["input", "deliverable"],
                input.deliverable.as_deref(),
                5000,
            ))
            .flatten();
        let org = decode_opt(
            &mut p,
            "responsibleOrganisationId",
            input.responsible_organisation_id.as_ref(),
            org_gql::KIND,
        );
        let weight = input.weight.unwrap_or(1);
        check_weight(&mut p, weight);
        let (start, end) = (input.starts_on.map(|d| d.0), input.ends_on.map(|d| d.0));
        check_range(&mut p, "endsOn", start, end);
        let member = c.member_id;
        let result = crud::create::<milestone::Entity, _>(
            ctx,
            &viewer,
            Create {
                mutation: "createMilestone",
                client_mutation_id: input.client_mutation_id.as_deref(),
                input: &input,
                problems: p,
            },
            async |tx, p| {
                check_ref::<entity::organisation::Entity, _>(
                    tx,
                    p,
                    "responsibleOrganisationId",
                    org,
                    member,
                    |o| o.member_id,
                )
                .await
            },
            |id, now| milestone::ActiveModel {
                id: Set(id),
                member_id: Set(member),
                commitment_id: Set(c.id),
                title: Set(title.clone().unwrap_or_default()),
                deliverable: Set(deliverable.clone()),
                starts_on: Set(start),
                ends_on: Set(end),
                responsible_organisation_id: Set(org),
                weight: Set(weight),
                status: Set(MilestoneStatus::NotStarted),
                progress: Set(0),
                ordinal: Set(0),
                created_at: Set(now),
                updated_at: Set(now),
                version: Set(1),
            },
            async |_, _| Ok(()),
        )
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
        let title = input
            .title
            .as_deref()
            .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
        let deliverable = text_change(&mut p, "deliverable", &input.deliverable, 5000, true);
        let org = decode_maybe(
            &mut p,
            "responsibleOrganisationId",
            &input.responsible_organisation_id,
            org_gql::KIND,
        );
        if let Some(w) = input.weight {
            check_weight(&mut p, w);
        }
        let (start, end) = (date_change(&input.starts_on), date_change(&input.ends_on));
        check_range(
            &mut p,
            "endsOn",
            start.unwrap_or(current.starts_on),
            end.unwrap_or(current.ends_on),
        );
        let member = current.member_id;
        let result = crud::update::<milestone::Entity>(
            ctx,
            &viewer,
            &current,
            input.version,
            p,
            async |tx, _, p| {
                check_ref::<entity::organisation::Entity, _>(
                    tx,
                    p,
                    "responsibleOrganisationId",
                    org.flatten(),
                    member,
                    |o| o.member_id,
                )
                .await
            },
            |_| milestone::ActiveModel {
                title: title.clone().map(Set).unwrap_or(NotSet),
                deliverable: deliverable.clone().map(Set).unwrap_or(NotSet),
                starts_on: start.map(Set).unwrap_or(NotSet),
                ends_on: end.map(Set).unwrap_or(NotSet),
                responsible_organisation_id: org.map(Set).unwrap_or(NotSet),
                weight: input.weight.map(Set).unwrap_or(NotSet),
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |_, _| Ok(()),
        )
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
        let result = crud::transition::<milestone::Entity, _>(
            ctx,
            &viewer,
            &current,
            input.version,
            input.to,
            |m| m.status,
            async |_, _, _| Ok(()),
            |_, to| milestone::ActiveModel {
                status: Set(to),
                progress: if to == MilestoneStatus::Completed {
                    Set(100)
                } else {
                    NotSet
                },
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
        )
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
        let member = current.member_id;
        let result = crud::update::<milestone::Entity>(
            ctx,
            &viewer,
            &current,
            input.version,
            p,
            async |tx, _, p| check_people(tx, p, member, &people).await,
            |_| milestone::ActiveModel {
                updated_at: Set(ctx.app().clock.now()),
                ..Default::default()
            },
            async |tx, m| {
                responsibility::Entity::delete_many()
                    .filter(responsibility::Column::MilestoneId.eq(m.id))
                    .exec(tx)
                    .await?;
                for person in &people {
                    responsibility::Entity::insert(responsibility::ActiveModel {
                        id: Set(Uuid::now_v7()),
                        member_id: Set(member),
                        commitment_id: Set(None),
                        milestone_id: Set(Some(m.id)),
                        person_id: Set(*person),
                        role: Set(None),
                    })
                    .exec_without_returning(tx)
                    .await?;
                }
                Ok(())
            },
        )
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
            crud::delete::<milestone::Entity>(ctx, &viewer, &current, input.version).await,
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
        let mut p = Problems::new();
        if !(0..=100).contains(&input.percent) {
            p.push(
                &["input", "percent"],
                Problem::OutOfRange {
                    min: "0".into(),
                    max: "100".into(),
                },
            );
        }
        let note = p
            .check(validate::long_text(
                &["input", "note"],
                input.note.as_deref(),
                10_000,
            ))
            .flatten();
        let mut links = Vec::new();
        for (i, l) in input.evidence_links.iter().enumerate() {
            if let Some(Some(u)) = p.check(validate::optional_url(
                &["input", &format!("evidenceLinks.{i}")],
                Some(l),
            )) {
                links.push(u);
            }
        }
        if links.len() > 20 {
            p.push(&["input", "evidenceLinks"], Problem::TooMany { max: 20 });
        }
        let today = visibility::today(ctx, m.member_id).await;
        let reported_on = input.reported_on.map(|d| d.0).unwrap_or(today);
        if reported_on > today {
            p.push(
                &["input", "reportedOn"],
                Problem::Refused(Refusal::ReportDatedInFuture),
            );
        }
        let percent = input.percent;
        let label = viewer.label();
        let author = viewer.account_id();
        let result = crud::create::<progress_update::Entity, _>(
            ctx,
            &viewer,
            Create {
                mutation: "reportMilestoneProgress",
                client_mutation_id: input.client_mutation_id.as_deref(),
                input: &input,
                problems: p,
            },
            // Decided on the milestone as it is inside the write, locked until the report is
            // written: a cancellation in flight lands first (and refuses this report) or waits
            // for it, never slips in between.
            async |tx, p| {
                let current = entity::db::locked(milestone::Entity::find_by_id(m.id), tx)
                    .one(tx)
                    .await?;
                match current {
                    None => p.push(&["input", "milestoneId"], Problem::NotFound),
                    Some(c) if c.status == MilestoneStatus::Cancelled => p.push(
                        &["input", "milestoneId"],
                        Problem::Refused(Refusal::MilestoneCancelled),
                    ),
                    Some(_) => {}
                }
                Ok(())
            },
            |id, now| progress_update::ActiveModel {
                id: Set(id),
                member_id: Set(m.member_id),
                milestone_id: Set(m.id),
                reported_on: Set(reported_on),
                author_id: Set(author),
                author_label: Set(label.clone()),
                percent: Set(percent),
                note: Set(note.clone()),
                evidence_links: Set(serde_json::to_value(&links).unwrap_or_default()),
                created_at: Set(now),
            },
            async |tx, _| {
                // A report dated before the latest one is history: it does not move the
                // milestone's current percentage.
                let newer = progress_update::Entity::find()
                    .filter(progress_update::Column::MilestoneId.eq(m.id))
                    .filter(progress_update::Column::ReportedOn.gt(reported_on))
                    .one(tx)
                    .await?;
                if newer.is_some() {
                    return Ok(());
                }
                let mut q = milestone::Entity::update_many()
                    .col_expr(milestone::Column::Progress, Expr::value(percent))
                    .col_expr(
                        milestone::Column::UpdatedAt,
                        Expr::value(ctx.app().clock.now()),
                    )
                    .col_expr(
                        milestone::Column::Version,
                        Expr::col(milestone::Column::Version).add(1),
                    )
                    .filter(milestone::Column::Id.eq(m.id));
                if percent > 0 {
                    q = q.col_expr(
                        milestone::Column::Status,
                        Expr::case(
                            milestone::Column::Status.eq(MilestoneStatus::NotStarted),
                            Expr::value(MilestoneStatus::InProgress),
                        )
                        .finally(Expr::col(milestone::Column::Status))
                        .into(),
                    );
                }
                q.exec(tx).await?;
                Ok(())
            },
        )
        .await;
        ProgressPayload::of(
            result,
            input.client_mutation_id.clone(),
            lang,
            ProgressUpdate,
        )
    }
}
