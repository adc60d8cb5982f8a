//! The plan dashboard, computed in one place so the admin screen, the monev report and the
//! digests agree: each commitment's roll-up progress, its milestones by state, what is overdue,
//! the next deadline, and where the money comes from (or that none does).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use uuid::Uuid;

use crate::milestone::{self, MilestoneState, MilestoneStatus};
use crate::{action_plan, budget_line, commitment, funding, ngo_programme};

/// Milestones by the state people see.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, async_graphql::SimpleObject)]
pub struct StateCounts {
    pub not_started: i32,
    pub in_progress: i32,
    pub completed: i32,
    pub cancelled: i32,
    pub delayed: i32,
}

impl StateCounts {
    fn add(&mut self, s: MilestoneState) {
        match s {
            MilestoneState::NotStarted => self.not_started += 1,
            MilestoneState::InProgress => self.in_progress += 1,
            MilestoneState::Completed => self.completed += 1,
            MilestoneState::Cancelled => self.cancelled += 1,
            MilestoneState::Delayed => self.delayed += 1,
        }
    }

    fn merge(&mut self, o: &StateCounts) {
        self.not_started += o.not_started;
        self.in_progress += o.in_progress;
        self.completed += o.completed;
        self.cancelled += o.cancelled;
        self.delayed += o.delayed;
    }
}

/// Where a commitment's money comes from, in whole rupiah (as text in GraphQL: amounts pass
/// GraphQL's 32-bit `Int`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, async_graphql::SimpleObject)]
#[graphql(complex)]
pub struct FundingSummary {
    /// DPA budget lines linked.
    pub budget_lines: i32,
    /// NGO programmes linked.
    pub ngo_programmes: i32,
    #[graphql(skip)]
    pub dpa_amount: i64,
    #[graphql(skip)]
    pub ngo_amount: i64,
}

#[async_graphql::ComplexObject]
impl FundingSummary {
    /// Allocated from DPA lines (the line's ceiling when no amount was allocated), whole
    /// rupiah.
    async fn dpa_amount(&self) -> String {
        self.dpa_amount.to_string()
    }
    /// Allocated from NGO programmes (the programme's amount when none was allocated), whole
    /// rupiah.
    async fn ngo_amount(&self) -> String {
        self.ngo_amount.to_string()
    }
}

impl FundingSummary {
    pub fn is_funded(&self) -> bool {
        self.budget_lines + self.ngo_programmes > 0
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CommitmentRow {
    pub commitment: commitment::Model,
    pub progress: Option<f64>,
    pub counts: StateCounts,
    pub overdue: Vec<milestone::Model>,
    pub next_deadline: Option<NaiveDate>,
    pub funding: FundingSummary,
}

#[derive(Clone, Debug, Serialize)]
pub struct Dashboard {
    pub plan: action_plan::Model,
    pub commitments: Vec<CommitmentRow>,
    /// The mean of the commitments' progress (those that have one).
    pub progress: Option<f64>,
    pub counts: StateCounts,
    pub next_deadline: Option<NaiveDate>,
}

impl Dashboard {
    pub fn overdue(&self) -> usize {
        self.commitments.iter().map(|c| c.overdue.len()).sum()
    }

    pub fn unfunded(&self) -> impl Iterator<Item = &CommitmentRow> {
        self.commitments.iter().filter(|c| !c.funding.is_funded())
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The dashboard of a plan on `today` (the member's calendar day), in a fixed number of
/// statements whatever the plan's size.
pub async fn plan_dashboard<C: ConnectionTrait>(
    db: &C,
    plan_id: Uuid,
    today: NaiveDate,
) -> Result<Option<Dashboard>, DbErr> {
    let Some(plan) = action_plan::Entity::find_by_id(plan_id).one(db).await? else {
        return Ok(None);
    };
    let commitments = commitment::Entity::find()
        .filter(commitment::Column::PlanId.eq(plan_id))
        .order_by_asc(commitment::Column::Ordinal)
        .order_by_asc(commitment::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<Uuid> = commitments.iter().map(|c| c.id).collect();
    let milestones = milestone::Entity::find()
        .filter(milestone::Column::CommitmentId.is_in(ids.clone()))
        .all(db)
        .await?;
    let fundings = funding::Entity::find()
        .filter(funding::Column::CommitmentId.is_in(ids))
        .all(db)
        .await?;
    let lines: HashMap<Uuid, i64> = budget_line::Entity::find()
        .filter(budget_line::Column::Id.is_in(fundings.iter().filter_map(|f| f.budget_line_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|l| (l.id, l.ceiling))
        .collect();
    let programmes: HashMap<Uuid, i64> = ngo_programme::Entity::find()
        .filter(ngo_programme::Column::Id.is_in(fundings.iter().filter_map(|f| f.ngo_programme_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.amount.unwrap_or(0)))
        .collect();

    let mut by_commitment: HashMap<Uuid, Vec<milestone::Model>> = HashMap::new();
    for m in milestones {
        by_commitment.entry(m.commitment_id).or_default().push(m);
    }
    let mut funding_of: HashMap<Uuid, FundingSummary> = HashMap::new();
    for f in &fundings {
        let s = funding_of.entry(f.commitment_id).or_default();
        if let Some(l) = f.budget_line_id {
            s.budget_lines += 1;
            s.dpa_amount += f
                .amount
                .unwrap_or_else(|| lines.get(&l).copied().unwrap_or(0));
        }
        if let Some(p) = f.ngo_programme_id {
            s.ngo_programmes += 1;
            s.ngo_amount += f
                .amount
                .unwrap_or_else(|| programmes.get(&p).copied().unwrap_or(0));
        }
    }

    let mut rows = Vec::with_capacity(commitments.len());
    let mut total = StateCounts::default();
    for c in commitments {
        let ms = by_commitment.remove(&c.id).unwrap_or_default();
        let mut counts = StateCounts::default();
        let mut overdue = Vec::new();
        let mut next: Option<NaiveDate> = None;
        for m in &ms {
            let state = m.state(today);
            counts.add(state);
            if state == MilestoneState::Delayed {
                overdue.push(m.clone());
            }
            if !matches!(
                m.status,
                MilestoneStatus::Completed | MilestoneStatus::Cancelled
            ) && let Some(end) = m.ends_on
                && end >= today
            {
                next = Some(next.map_or(end, |n| n.min(end)));
            }
        }
        overdue.sort_by_key(|m| m.ends_on);
        total.merge(&counts);
        rows.push(CommitmentRow {
            progress: milestone::roll_up(&ms).map(round1),
            funding: funding_of.remove(&c.id).unwrap_or_default(),
            commitment: c,
            counts,
            overdue,
            next_deadline: next,
        });
    }
    let with: Vec<f64> = rows.iter().filter_map(|r| r.progress).collect();
    let progress = (!with.is_empty()).then(|| round1(with.iter().sum::<f64>() / with.len() as f64));
    let plan_deadline = plan
        .submission_deadline
        .filter(|d| plan.submitted_on.is_none() && *d >= today);
    let next_deadline = rows
        .iter()
        .filter_map(|r| r.next_deadline)
        .chain(plan_deadline)
        .min();
    Ok(Some(Dashboard {
        plan,
        commitments: rows,
        progress,
        counts: total,
        next_deadline,
    }))
}
