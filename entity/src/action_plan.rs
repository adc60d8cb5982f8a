//! An action plan (*Renaksi*, Rencana Aksi): the regional plan (*Renaksi OGP Daerah*) that is
//! part of the national one (*Renaksi OGP Nasional*), with its deadline, phases and status.

use chrono::NaiveDate;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::transitions::Transitions;

crate::text_enum! {
    pub enum PlanLevel {
        National => "NATIONAL",
        Regional => "REGIONAL",
    }
}

crate::text_enum! {
    pub enum PlanStatus {
        Planning => "PLANNING",
        /// Government and civil society write the commitments together.
        CoCreation => "CO_CREATION",
        Drafting => "DRAFTING",
        PublicReview => "PUBLIC_REVIEW",
        Submitted => "SUBMITTED",
        Implementing => "IMPLEMENTING",
        Ended => "ENDED",
        /// The IRM or the monitoring body has assessed it.
        Assessed => "ASSESSED",
        Withdrawn => "WITHDRAWN",
    }
}

impl PlanStatus {
    /// A plan is public from public review on (withdrawn plans stay public once they were).
    pub fn is_public(self) -> bool {
        !matches!(self, Self::Planning | Self::CoCreation | Self::Drafting)
    }

    /// Carried out to its end, assessed or withdrawn: its milestones are no longer "due" or
    /// "overdue" news, only their final state counts.
    pub fn is_over(self) -> bool {
        matches!(self, Self::Ended | Self::Assessed | Self::Withdrawn)
    }

    /// Not yet submitted: its submission deadline still matters.
    pub fn before_submission(self) -> bool {
        matches!(
            self,
            Self::Planning | Self::CoCreation | Self::Drafting | Self::PublicReview
        )
    }
}

impl Transitions for PlanStatus {
    const ALLOWED: &'static [(Self, Self)] = &[
        (Self::Planning, Self::CoCreation),
        (Self::CoCreation, Self::Drafting),
        (Self::Drafting, Self::CoCreation),
        (Self::Drafting, Self::PublicReview),
        (Self::PublicReview, Self::Drafting),
        (Self::PublicReview, Self::Submitted),
        (Self::Submitted, Self::Implementing),
        (Self::Implementing, Self::Ended),
        (Self::Ended, Self::Assessed),
        (Self::Planning, Self::Withdrawn),
        (Self::CoCreation, Self::Withdrawn),
        (Self::Drafting, Self::Withdrawn),
        (Self::PublicReview, Self::Withdrawn),
        (Self::Submitted, Self::Withdrawn),
    ];
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "action_plan")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub level: PlanLevel,
    /// The national plan this regional plan is part of.
    pub part_of_id: Option<Uuid>,
    /// The plan this one follows (its IRM findings carry over).
    pub follows_id: Option<Uuid>,
    pub title: String,
    pub period_start: Option<Date>,
    pub period_end: Option<Date>,
    /// Due at the OGP secretariat (31 August 2018 for Bojonegoro's second plan).
    pub submission_deadline: Option<Date>,
    pub submitted_on: Option<Date>,
    /// The plan document's own version ("v2", "final").
    pub document_version: Option<String>,
    pub status: PlanStatus,
    pub summary: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Late: the deadline has passed (in the member's calendar) and the plan was not submitted
    /// by then.
    pub fn is_late(&self, today: NaiveDate) -> bool {
        let Some(deadline) = self.submission_deadline else {
            return false;
        };
        if self.status == PlanStatus::Withdrawn {
            return false;
        }
        match self.submitted_on {
            Some(on) => on > deadline,
            None => today > deadline,
        }
    }

    /// Days from `today` to the deadline (negative once past); none when submitted.
    pub fn days_to_deadline(&self, today: NaiveDate) -> Option<i64> {
        if self.submitted_on.is_some() {
            return None;
        }
        self.submission_deadline.map(|d| (d - today).num_days())
    }
}
