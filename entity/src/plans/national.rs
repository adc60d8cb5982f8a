//! The national view: for a national member (the national plan that regional plans belong to),
//! its regional members' plans — status, deadline, days to it, late or not — with their
//! progress, their co-creation verdicts and each region's last forum meeting. It is the one
//! read that crosses members: the national member's people see every regional plan, everyone
//! else the public ones (and only public meetings). A fixed number of statements, whatever the
//! number of regions and plans.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::compliance::{self, Verdict};
use crate::kernel::Actor;
use crate::member::{self, MemberLevel};
use crate::{Lang, action_plan, commitment, event, milestone};

/// One regional plan as the national view shows it.
pub struct RegionalPlan {
    pub plan: action_plan::Model,
    /// The region's day the figures are for.
    pub today: NaiveDate,
    /// Days from today to the submission deadline (negative once past); none once submitted.
    pub days_to_deadline: Option<i64>,
    pub late: bool,
    /// The mean of the commitments' progress (see [`crate::dashboard::plan_progress`]).
    pub progress: Option<f64>,
    /// Each co-creation check's verdict (see [`crate::compliance`]).
    pub compliance: Vec<(compliance::CheckCode, Verdict)>,
}

/// A regional member with its plans and last forum meeting.
pub struct Region {
    pub member: member::Model,
    pub plans: Vec<RegionalPlan>,
    pub last_forum_meeting: Option<event::Model>,
}

/// A national member and its regions.
pub struct Overview {
    pub member: member::Model,
    pub regions: Vec<Region>,
}

/// The overview of national member `national` as `actor` may see it; `None` when there is no
/// such member, `Some(Err(member))` when it is not a national one.
pub async fn overview<C: ConnectionTrait>(
    db: &C,
    actor: &Actor,
    national: Uuid,
    now: DateTime<Utc>,
    lead_days: i64,
) -> Result<Option<Result<Overview, member::Model>>, DbErr> {
    let Some(nation) = member::Entity::find_by_id(national).one(db).await? else {
        return Ok(None);
    };
    if nation.level != MemberLevel::National {
        return Ok(Some(Err(nation)));
    }
    // The national member's people follow every regional plan; everyone else the public ones.
    let insider = actor.belongs_to(national);
    let regions = member::Entity::find()
        .filter(member::Column::ParentId.eq(national))
        .order_by_asc(member::Column::Name)
        .order_by_asc(member::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = regions.iter().map(|m| m.id).collect();
    let mut plans: Vec<action_plan::Model> = action_plan::Entity::find()
        .filter(action_plan::Column::MemberId.is_in(ids.clone()))
        .all(db)
        .await?
        .into_iter()
        .filter(|p| insider || p.status.is_public())
        .collect();
    // The newest plan first (one without a period last), the same on both backends.
    plans.sort_by(|a, b| {
        (b.period_start.is_some(), b.period_start, a.id).cmp(&(
            a.period_start.is_some(),
            a.period_start,
            b.id,
        ))
    });
    let plan_ids: Vec<Uuid> = plans.iter().map(|p| p.id).collect();
    let commitments = commitment::Entity::find()
        .filter(commitment::Column::PlanId.is_in(plan_ids.clone()))
        .all(db)
        .await?;
    let milestones = milestone::Entity::find()
        .filter(
            milestone::Column::CommitmentId.in_subquery(
                Query::select()
                    .column(commitment::Column::Id)
                    .from(commitment::Entity)
                    .and_where(commitment::Column::PlanId.is_in(plan_ids.clone()))
                    .to_owned(),
            ),
        )
        .all(db)
        .await?;
    let facts = compliance::Facts::load(db, &ids, &plan_ids).await?;

    let mut by_commitment: HashMap<Uuid, Vec<&milestone::Model>> = HashMap::new();
    for m in &milestones {
        by_commitment.entry(m.commitment_id).or_default().push(m);
    }
    let mut commitments_of: HashMap<Uuid, Vec<Option<f64>>> = HashMap::new();
    for c in &commitments {
        let progress = by_commitment
            .get(&c.id)
            .and_then(|ms| milestone::roll_up(ms.iter().copied()))
            .map(crate::dashboard::round1);
        commitments_of.entry(c.plan_id).or_default().push(progress);
    }
    let mut plans_of: HashMap<Uuid, Vec<action_plan::Model>> = HashMap::new();
    for p in plans {
        plans_of.entry(p.member_id).or_default().push(p);
    }
    let regions = regions
        .into_iter()
        .map(|m| {
            let tz = m.tz();
            let today = now.with_timezone(&tz).date_naive();
            let plans = plans_of
                .remove(&m.id)
                .unwrap_or_default()
                .into_iter()
                .map(|plan| {
                    let report = compliance::checks(&facts, &plan, tz, today, lead_days, Lang::En);
                    RegionalPlan {
                        today,
                        days_to_deadline: plan.days_to_deadline(today),
                        late: plan.is_late(today),
                        progress: crate::dashboard::plan_progress(
                            commitments_of.get(&plan.id).into_iter().flatten().copied(),
                        ),
                        compliance: report.checks.iter().map(|c| (c.code, c.verdict)).collect(),
                        plan,
                    }
                })
                .collect();
            let last_forum_meeting = facts
                .last_forum_meeting(m.id, |e| insider || e.is_public)
                .cloned();
            Region {
                member: m,
                plans,
                last_forum_meeting,
            }
        })
        .collect();
    Ok(Some(Ok(Overview {
        member: nation,
        regions,
    })))
}
