//! A milestone (activity) of a commitment, with a verifiable deliverable, dates, a responsible
//! organisation and people, and a weight in the commitment's progress.

use chrono::NaiveDate;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::transitions::Transitions;

crate::text_enum! {
    /// The stored status. DELAYED is not stored: it is derived from the clock.
    pub enum MilestoneStatus {
        NotStarted => "NOT_STARTED",
        InProgress => "IN_PROGRESS",
        Completed => "COMPLETED",
        Cancelled => "CANCELLED",
    }
}

impl MilestoneStatus {
    /// Still to be done: not started or in progress (what alerts and digests remind of).
    pub const OPEN: [Self; 2] = [Self::NotStarted, Self::InProgress];

    pub fn is_open(self) -> bool {
        Self::OPEN.contains(&self)
    }
}

impl Transitions for MilestoneStatus {
    const ALLOWED: &'static [(Self, Self)] = &[
        (Self::NotStarted, Self::InProgress),
        (Self::NotStarted, Self::Completed),
        (Self::NotStarted, Self::Cancelled),
        (Self::InProgress, Self::Completed),
        (Self::InProgress, Self::Cancelled),
        (Self::InProgress, Self::NotStarted),
        (Self::Completed, Self::InProgress),
    ];
}

crate::text_enum! {
    /// The status people see: the stored one, or DELAYED when the end date has passed and the
    /// milestone is neither completed nor cancelled; NOT_COMPLETED, its final state, when its
    /// plan is over (ended, assessed or withdrawn) and it was never completed or cancelled.
    pub enum MilestoneState {
        NotStarted => "NOT_STARTED",
        InProgress => "IN_PROGRESS",
        Completed => "COMPLETED",
        Cancelled => "CANCELLED",
        Delayed => "DELAYED",
        NotCompleted => "NOT_COMPLETED",
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "milestone")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub commitment_id: Uuid,
    pub title: String,
    /// What proves it was done (verifiable).
    pub deliverable: Option<String>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub responsible_organisation_id: Option<Uuid>,
    /// Its share in the commitment's progress (0 counts for nothing).
    pub weight: i32,
    pub status: MilestoneStatus,
    /// Percent done, set by the latest progress update (monev).
    pub progress: i32,
    pub ordinal: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The status people see on `today`, in a plan that is over or not ([`state_of`]).
    pub fn state_in(&self, today: NaiveDate, plan_over: bool) -> MilestoneState {
        state_of(self.status, self.ends_on, today, plan_over)
    }

    /// The status people see on `today` while its plan runs.
    pub fn state(&self, today: NaiveDate) -> MilestoneState {
        state_of(self.status, self.ends_on, today, false)
    }

    /// Percent done for the roll-up ([`percent_of`]).
    pub fn percent(&self) -> i32 {
        percent_of(self.status, self.progress)
    }
}

/// The status people see on `today` of a milestone stored with `status` and ending `ends_on`,
/// in a plan that is over or not ([`PlanStatus::is_over`](crate::action_plan::PlanStatus::is_over)):
/// DELAYED once its end date has passed while it is open; an ended plan's open milestone is no
/// longer late, it was not completed.
pub fn state_of(
    status: MilestoneStatus,
    ends_on: Option<NaiveDate>,
    today: NaiveDate,
    plan_over: bool,
) -> MilestoneState {
    match status {
        MilestoneStatus::NotStarted | MilestoneStatus::InProgress if plan_over => {
            MilestoneState::NotCompleted
        }
        MilestoneStatus::Completed => MilestoneState::Completed,
        MilestoneStatus::Cancelled => MilestoneState::Cancelled,
        _ if ends_on.is_some_and(|e| e < today) => MilestoneState::Delayed,
        MilestoneStatus::NotStarted => MilestoneState::NotStarted,
        MilestoneStatus::InProgress => MilestoneState::InProgress,
    }
}

/// Percent done for the roll-up: 100 when completed, else the reported `progress` (0–100).
pub fn percent_of(status: MilestoneStatus, progress: i32) -> i32 {
    match status {
        MilestoneStatus::Completed => 100,
        _ => progress.clamp(0, 100),
    }
}

/// A commitment's progress: the weighted mean of its milestones' percentages, leaving out the
/// cancelled ones. `None` when nothing carries weight.
pub fn roll_up<'a>(milestones: impl IntoIterator<Item = &'a Model>) -> Option<f64> {
    let (mut weighted, mut weights) = (0i64, 0i64);
    for m in milestones {
        if m.status == MilestoneStatus::Cancelled || m.weight <= 0 {
            continue;
        }
        weighted += i64::from(m.weight) * i64::from(m.percent());
        weights += i64::from(m.weight);
    }
    (weights > 0).then(|| weighted as f64 / weights as f64)
}
