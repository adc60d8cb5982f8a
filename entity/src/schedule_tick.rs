//! One period of a schedule (a member's daily or weekly digest, a day's deadline alerts),
//! claimed once across every worker process.
//!
//! Every process runs the scheduler, so each tick is a row with a unique key
//! (`digest:weekly:{member}:2018-07-30`): the process that inserts it (or takes over a claim
//! whose lease ran out) does the work, then marks it done. The work itself only records mail
//! under per-recipient dedupe keys, so a tick run twice after a crash still sends each
//! message once. The latest done tick of a schedule is where catch-up starts after downtime.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "schedule_tick")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub key: String,
    /// `digest:daily:{member}`, `digest:weekly:{member}`, `alerts:{member}`.
    pub schedule: String,
    /// The local (member's) date the period starts on.
    pub period: Date,
    pub claimed_by: String,
    pub claimed_until: DateTimeUtc,
    pub done_at: Option<DateTimeUtc>,
    /// Messages recorded by the tick (skipped ones included).
    pub mails: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
