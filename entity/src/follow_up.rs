//! A follow-up action (*tindak lanjut*) agreed at an event: the 28 June 2018 meeting alone
//! produced about fifteen. Overdue is derived from the due date and the clock.

use chrono::NaiveDate;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::transitions::Transitions;

crate::text_enum! {
    pub enum FollowUpStatus {
        Open => "OPEN",
        InProgress => "IN_PROGRESS",
        Done => "DONE",
        Dropped => "DROPPED",
    }
}

impl Transitions for FollowUpStatus {
    const ALLOWED: &'static [(Self, Self)] = &[
        (Self::Open, Self::InProgress),
        (Self::Open, Self::Done),
        (Self::Open, Self::Dropped),
        (Self::InProgress, Self::Open),
        (Self::InProgress, Self::Done),
        (Self::InProgress, Self::Dropped),
        // Reopened when it was closed by mistake.
        (Self::Done, Self::InProgress),
        (Self::Dropped, Self::Open),
    ];
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "follow_up")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Uuid,
    pub event_id: Option<Uuid>,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub owner_organisation_id: Option<Uuid>,
    pub due_on: Option<Date>,
    pub status: FollowUpStatus,
    pub commitment_id: Option<Uuid>,
    pub ordinal: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

impl FollowUpStatus {
    /// Not done yet and not dropped.
    pub const OPEN: [Self; 2] = [Self::Open, Self::InProgress];
}

impl Model {
    pub fn is_open(&self) -> bool {
        FollowUpStatus::OPEN.contains(&self.status)
    }

    /// Past its due date (the member's calendar day) and not done or dropped.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due_on.is_some_and(|d| d < today)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
