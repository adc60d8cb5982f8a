//! Action plans (*Renaksi*): started as PLANNING, changed, moved along their life
//! (PLANNING → CO_CREATION → DRAFTING → PUBLIC_REVIEW → SUBMITTED → IMPLEMENTING → ENDED →
//! ASSESSED, or WITHDRAWN before implementation) and given their phases. A local plan may be
//! part of a national one and follow an earlier plan of its member.

use chrono::NaiveDate;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter,
};
use serde::Serialize;
use uuid::Uuid;

use crate::action_plan::{self, PlanLevel, PlanStatus};
use crate::kernel::crud::{self, Act, Create};
use crate::kernel::edit::{Outcome, check_ref};
use crate::validate::{check_range, text_change};
use crate::{Problem, Problems, plan_phase, validate};

/// `part_of` must be a national plan (not this one); `follows` a plan of the member, not
/// this one.
async fn check_refs(
    tx: &DatabaseTransaction,
    problems: &mut Problems,
    member: Uuid,
    part_of: Option<Uuid>,
    follows: Option<Uuid>,
    this: Option<Uuid>,
) -> Result<(), DbErr> {
    if let Some(p) = part_of {
        match action_plan::Entity::find_by_id(p).one(tx).await? {
            Some(plan) if plan.level == PlanLevel::National && Some(p) != this => {}
            _ => problems.push(&["input", "partOfId"], Problem::NotFound),
        }
    }
    if follows.is_some() && follows == this {
        problems.push(&["input", "followsId"], Problem::ParentCycle);
    }
    check_ref::<action_plan::Entity, _>(tx, problems, "followsId", follows, member, |p| p.member_id)
        .await
}

/// A new plan, as asked for (checked here).
pub struct NewPlan {
    pub level: PlanLevel,
    pub part_of: Option<Uuid>,
    pub follows: Option<Uuid>,
    pub title: String,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
    pub submission_deadline: Option<NaiveDate>,
    pub document_version: Option<String>,
    pub summary: Option<String>,
}

/// Starts a plan of `member` (PLANNING).
pub async fn create<I: Serialize>(
    act: &Act<'_>,
    member: Uuid,
    mut spec: Create<'_, I>,
    cmd: NewPlan,
) -> Result<action_plan::Model, Outcome> {
    act.permit("createPlan", Some(member))?;
    let p = &mut spec.problems;
    let title = p.check(validate::required_text(
        &["input", "title"],
        &cmd.title,
        500,
    ));
    let doc = p
        .check(validate::optional_text(
            &["input", "documentVersion"],
            cmd.document_version.as_deref(),
            40,
        ))
        .flatten();
    let summary = p
        .check(validate::long_text(
            &["input", "summary"],
            cmd.summary.as_deref(),
            20_000,
        ))
        .flatten();
    check_range(p, "periodEnd", cmd.period_start, cmd.period_end);
    let (part_of, follows) = (cmd.part_of, cmd.follows);
    crud::create::<action_plan::Entity, _>(
        act,
        spec,
        async |tx, p| check_refs(tx, p, member, part_of, follows, None).await,
        |id, now| action_plan::ActiveModel {
            id: Set(id),
            member_id: Set(member),
            level: Set(cmd.level),
            part_of_id: Set(part_of),
            follows_id: Set(follows),
            title: Set(title.clone().unwrap_or_default()),
            period_start: Set(cmd.period_start),
            period_end: Set(cmd.period_end),
            submission_deadline: Set(cmd.submission_deadline),
            submitted_on: Set(None),
            document_version: Set(doc.clone()),
            status: Set(PlanStatus::Planning),
            summary: Set(summary.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            version: Set(1),
        },
        async |_, _| Ok(()),
    )
    .await
}

/// What a change sets: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Default)]
pub struct PlanChange {
    pub title: Option<String>,
    pub part_of: Option<Option<Uuid>>,
    pub follows: Option<Option<Uuid>>,
    pub period_start: Option<Option<NaiveDate>>,
    pub period_end: Option<Option<NaiveDate>>,
    pub submission_deadline: Option<Option<NaiveDate>>,
    pub document_version: Option<Option<String>>,
    pub summary: Option<Option<String>>,
}

/// Changes a plan's details if it is still at `version`.
pub async fn update(
    act: &Act<'_>,
    current: &action_plan::Model,
    version: i32,
    mut problems: Problems,
    ch: PlanChange,
) -> Result<action_plan::Model, Outcome> {
    act.permit("updatePlan", Some(current.member_id))?;
    let p = &mut problems;
    let title = ch
        .title
        .as_deref()
        .and_then(|t| p.check(validate::required_text(&["input", "title"], t, 500)));
    let doc = text_change(p, "documentVersion", ch.document_version, 40, false);
    let summary = text_change(p, "summary", ch.summary, 20_000, true);
    check_range(
        p,
        "periodEnd",
        ch.period_start.unwrap_or(current.period_start),
        ch.period_end.unwrap_or(current.period_end),
    );
    let (member, part_of, follows) = (current.member_id, ch.part_of, ch.follows);
    crud::update::<action_plan::Entity>(
        act,
        current,
        version,
        problems,
        async |tx, before, p| {
            check_refs(
                tx,
                p,
                member,
                part_of.flatten(),
                follows.flatten(),
                Some(before.id),
            )
            .await
        },
        |_| action_plan::ActiveModel {
            title: title.clone().map(Set).unwrap_or(NotSet),
            part_of_id: part_of.map(Set).unwrap_or(NotSet),
            follows_id: follows.map(Set).unwrap_or(NotSet),
            period_start: ch.period_start.map(Set).unwrap_or(NotSet),
            period_end: ch.period_end.map(Set).unwrap_or(NotSet),
            submission_deadline: ch.submission_deadline.map(Set).unwrap_or(NotSet),
            document_version: doc.clone().map(Set).unwrap_or(NotSet),
            summary: summary.clone().map(Set).unwrap_or(NotSet),
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |_, _| Ok(()),
    )
    .await
}

/// Moves a plan to `to` when that step is allowed; on SUBMITTED it records the day
/// (`submitted_on`, today in the member's zone by default).
pub async fn transition(
    act: &Act<'_>,
    current: &action_plan::Model,
    version: i32,
    to: PlanStatus,
    submitted_on: Option<NaiveDate>,
) -> Result<action_plan::Model, Outcome> {
    act.permit("transitionPlan", Some(current.member_id))?;
    let submitted_on = match submitted_on {
        Some(d) => d,
        None => super::today(&act.db.exec(), current.member_id, act.now).await?,
    };
    crud::transition::<action_plan::Entity, _>(
        act,
        current,
        version,
        to,
        |p| p.status,
        async |_, _, _| Ok(()),
        |_, to| action_plan::ActiveModel {
            status: Set(to),
            submitted_on: if to == PlanStatus::Submitted {
                Set(Some(submitted_on))
            } else {
                NotSet
            },
            updated_at: Set(act.now),
            ..Default::default()
        },
    )
    .await
}

/// A phase of a plan, as asked for.
pub struct Phase {
    pub name: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

/// Replaces a plan's phases (at most 30, each named, none ending before it starts).
pub async fn set_phases(
    act: &Act<'_>,
    current: &action_plan::Model,
    version: i32,
    mut problems: Problems,
    phases: Vec<Phase>,
) -> Result<action_plan::Model, Outcome> {
    act.permit("setPlanPhases", Some(current.member_id))?;
    let p = &mut problems;
    let mut rows = Vec::new();
    for (i, ph) in phases.iter().enumerate() {
        let field = format!("phases.{i}.name");
        let name = p.check(validate::required_text(&["input", &field], &ph.name, 200));
        check_range(p, &format!("phases.{i}.endsOn"), ph.starts_on, ph.ends_on);
        rows.push((name.unwrap_or_default(), ph.starts_on, ph.ends_on));
    }
    if phases.len() > 30 {
        p.push(&["input", "phases"], Problem::TooMany { max: 30 });
    }
    let member = current.member_id;
    crud::update::<action_plan::Entity>(
        act,
        current,
        version,
        problems,
        async |_, _, _| Ok(()),
        |_| action_plan::ActiveModel {
            updated_at: Set(act.now),
            ..Default::default()
        },
        async |tx, plan| {
            plan_phase::Entity::delete_many()
                .filter(plan_phase::Column::PlanId.eq(plan.id))
                .exec(tx)
                .await?;
            for (i, (name, start, end)) in rows.iter().enumerate() {
                plan_phase::Entity::insert(plan_phase::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    member_id: Set(member),
                    plan_id: Set(plan.id),
                    name: Set(name.clone()),
                    starts_on: Set(*start),
                    ends_on: Set(*end),
                    ordinal: Set(i as i32),
                    created_at: Set(act.now),
                })
                .exec_without_returning(tx)
                .await?;
            }
            Ok(())
        },
    )
    .await
}
