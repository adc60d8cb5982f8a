//! The admin dashboard of a plan: per commitment, roll-up progress, milestones by state,
//! overdue milestones, the next deadline and funding; the plan's totals and funding gaps.
//! The figures come from `entity::dashboard`, the same code the reports use.
//!
//! ```graphql
//! query($plan: ID!) {
//!   planDashboard(planId: $plan) {
//!     progress nextDeadline overdueMilestones counts { notStarted inProgress completed cancelled delayed }
//!     commitments { commitment { code title } progress counts { delayed } nextDeadline
//!                   overdue { title endsOn } funding { budgetLines ngoProgrammes dpaAmount ngoAmount } }
//!     fundingGaps { code title }
//!   }
//! }
//! ```

use std::sync::Arc;

use async_graphql::{Context, ID, Object, Result};
use entity::dashboard::{self as d, FundingSummary, StateCounts};

use super::commitment::Commitment;
use super::context::CtxExt;
use super::errors;
use super::ids;
use super::milestone::Milestone;
use super::plan::{self, ActionPlan};
use super::scalars::Date;
use super::visibility;

pub struct PlanDashboard(pub Arc<d::Dashboard>);

#[Object]
impl PlanDashboard {
    async fn plan(&self) -> ActionPlan {
        ActionPlan(self.0.plan.clone())
    }
    /// The mean progress of the commitments that have one (percent).
    async fn progress(&self) -> Option<f64> {
        self.0.progress
    }
    /// All milestones of the plan by state.
    async fn counts(&self) -> StateCounts {
        self.0.counts.clone()
    }
    async fn overdue_milestones(&self) -> i32 {
        self.0.overdue() as i32
    }
    /// The nearest open date: the submission deadline or a milestone's end.
    async fn next_deadline(&self) -> Option<Date> {
        self.0.next_deadline.map(Date)
    }
    async fn commitments(&self) -> Vec<DashboardCommitment> {
        self.0
            .commitments
            .iter()
            .cloned()
            .map(DashboardCommitment)
            .collect()
    }
    /// Commitments no DPA line or NGO programme funds.
    async fn funding_gaps(&self) -> Vec<Commitment> {
        self.0
            .unfunded()
            .map(|r| Commitment(r.commitment.clone()))
            .collect()
    }
}

pub struct DashboardCommitment(pub d::CommitmentRow);

#[Object]
impl DashboardCommitment {
    async fn commitment(&self) -> Commitment {
        Commitment(self.0.commitment.clone())
    }
    async fn progress(&self) -> Option<f64> {
        self.0.progress
    }
    async fn counts(&self) -> StateCounts {
        self.0.counts.clone()
    }
    /// Milestones past their end date, unfinished, earliest first.
    async fn overdue(&self) -> Vec<Milestone> {
        self.0.overdue.iter().cloned().map(Milestone).collect()
    }
    async fn next_deadline(&self) -> Option<Date> {
        self.0.next_deadline.map(Date)
    }
    async fn funding(&self) -> FundingSummary {
        self.0.funding.clone()
    }
}

pub use entity::dashboard::Cache;

#[derive(Default)]
pub struct DashboardQuery;

#[Object]
impl DashboardQuery {
    /// The dashboard of a plan for today in the member's time zone (computed again whenever
    /// anything it reads changed).
    async fn plan_dashboard(&self, ctx: &Context<'_>, plan_id: ID) -> Result<PlanDashboard> {
        let lang = ctx.lang();
        let Some(id) = ids::decode_as(&plan_id, plan::KIND) else {
            return Err(errors::not_found(lang));
        };
        let Some(p) = ctx.loaders().plan.load_one(id).await? else {
            return Err(errors::not_found(lang));
        };
        if !visibility::sees_plan(&ctx.viewer(), &p) {
            return Err(errors::not_found(lang));
        }
        let today = visibility::today(ctx, p.member_id).await;
        let app = ctx.app();
        if !app.config.dashboard_cache {
            return Ok(PlanDashboard(Arc::new(
                d::dashboard_of(ctx.db(), p, today).await?,
            )));
        }
        // Read before computing: a write that lands meanwhile raises the revision past this
        // one, so the entry is never served for the newer data.
        let revision = d::revision(ctx.db(), p.member_id).await?;
        if let Some(hit) = app.dashboards.get(p.id, today, revision) {
            return Ok(PlanDashboard(hit));
        }
        let plan = p.id;
        let computed = Arc::new(d::dashboard_of(ctx.db(), p, today).await?);
        app.dashboards.put(plan, today, revision, computed.clone());
        Ok(PlanDashboard(computed))
    }
}
